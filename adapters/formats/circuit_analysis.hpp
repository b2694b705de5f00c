#pragma once

#include "circuit.hpp"

namespace qjob::formats {

/// True when `c` cannot be simulated once and sampled: a conditional exists, a
/// measured qubit is acted on again (gate, control or reset), or a reset qubit is
/// used again (measured included, explicitly or by the implicit final measurement).
/// Pure; safe on any thread. Parsers use it to set `circuit::dynamic`.
bool needs_per_shot_simulation(const circuit& c);

/// True when some operation of `c` is a measurement; when none is, every qubit is
/// measured at the end into the classical bit of the same index.
bool has_measurements(const circuit& c);

}  // namespace qjob::formats
