#pragma once

#include "circuit.hpp"
#include "job_input.hpp"

#include <string_view>
#include <variant>

namespace qjob::formats {

/// Parses an OpenQASM 2.0 program into a circuit: `include "qelib1.inc"` (from a
/// built-in copy, never the file system), qreg/creg, user `gate` definitions
/// (expanded), barrier, measure, reset, `if (c == n)` and register broadcasting.
/// Sets `circuit::dynamic` when mid-circuit measurement, reset or a conditional
/// matters. A program that measures nothing gets every qubit measured into the
/// classical bit of the same index (`clbits` = qubits).
/// Pure; safe on any thread. On failure returns an error whose message is
/// "line N: <what>" and whose field is `field` ("input" or "input[i]").
std::variant<circuit, input_error> parse_qasm2(std::string_view program, std::string_view field,
                                               const input_limits& limits);

}  // namespace qjob::formats
