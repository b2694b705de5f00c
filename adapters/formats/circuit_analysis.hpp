#pragma once

#include "circuit.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace qjob::formats {

/// True when `c` cannot be simulated once and sampled: a conditional exists, a
/// measured qubit is acted on again (gate, control or reset), or a reset qubit is
/// used again (measured included, explicitly or by the implicit final measurement).
/// Pure; safe on any thread. Parsers use it to set `circuit::dynamic`.
bool needs_per_shot_simulation(const circuit& c);

/// True when some operation of `c` is a measurement; when none is, every qubit is
/// measured at the end into the classical bit of the same index.
bool has_measurements(const circuit& c);

/// The gate's name in ionq.circuit.v0 terms ("h", "cnot" is "x" with a control,
/// "phase", "u", ...), for messages.
std::string_view gate_name(gate_kind kind);

/// How translators name an operation they refuse: "operation 4 ('reset' on
/// qubit 2)". `index` counts the parsed operations, which match the input's
/// gates one to one except where a gate with several targets was broadcast.
std::string describe(std::size_t index, const operation& op);

}  // namespace qjob::formats
