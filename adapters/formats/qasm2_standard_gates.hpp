#pragma once

#include "circuit.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace qjob::formats::qasm {

/// A gate the parser maps straight onto our gate alphabet instead of expanding a
/// definition: `emit` appends its operations for one application. Qubits are
/// given in the gate's argument order (controls first, as in qelib1.inc).
struct native_gate {
  std::string_view name;
  std::uint32_t params;
  std::uint32_t qubits;
  void (*emit)(std::span<const double> params, std::span<const std::uint32_t> qubits, std::vector<operation>& out);
};

/// `U` and `CX`, defined in every program.
std::span<const native_gate> builtin_gates();

/// The gates `include "qelib1.inc";` brings in: those of qelib1.inc and Qiskit's
/// additions, each equal to its definition there up to a global phase.
std::span<const native_gate> standard_gates();

/// OpenQASM text of the qelib1.inc gates that have no exact native mapping (the
/// relative-phase Toffolis, and c3sqrtx whose definition differs from a
/// controlled sqrt(X) by more than a global phase), parsed as user definitions on include. It is our
/// built-in copy: programs never read an include file from disk.
std::string_view standard_gate_definitions();

}  // namespace qjob::formats::qasm
