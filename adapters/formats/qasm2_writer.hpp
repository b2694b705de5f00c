#pragma once

#include "circuit.hpp"
#include "job_input.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Writes our circuits as OpenQASM 2.0 text (`include "qelib1.inc";`), for
/// targets that take QASM 2 (Quantinuum through Azure Quantum,
/// `honeywell.openqasm.v1`).
///
/// Gate mapping (exact, global phase included, so that controlled forms stay
/// right; every name is one of qelib1.inc or of Qiskit's additions to it, which
/// our parser and Quantinuum's both read):
/// - h x y z s t, rx ry rz, swap: the same names; si ti: sdg tdg; v vi: sx sxdg;
///   u: u3; phase: u1; xx yy zz: rxx ryy rzz (angles in radians, 17 digits);
/// - one control: cx cy cz ch csx crx cry crz cu1 cu3 cswap; s t si ti as cu1
///   of +-pi/2, +-pi/4; vi as cu3(-pi/2,-pi/2,pi/2) with u1(-pi/4) on the
///   control (sxdg = e^{-i pi/4} rx(-pi/2), whose phase is relative once controlled);
/// - x with two, three or four controls: ccx c3x c4x; any other gate with
///   more than one control, and controlled xx yy zz, are refused;
/// - measure, reset, barrier: as written; a circuit that measures nothing
///   measures every qubit into the classical bit of the same index at the end;
/// - conditionals: `if (reg == value)` before the statement(s) of the
///   operation. QASM 2 conditions name a whole register, so the classical bits
///   are split into registers at every condition's bounds (see
///   qasm2_registers); a condition that straddles two of them is refused.
namespace qjob::formats {

/// One classical register of the written program: bits [offset, offset + width)
/// of our classical bits, bit `offset` its bit 0.
struct classical_register {
  std::string name;
  std::uint32_t offset = 0;
  std::uint32_t width = 0;
};

/// The classical registers to_qasm2 declares for `c`, in order: one register
/// `c` when no operation is conditional, else `c0`, `c1`, ... split at the
/// bounds of every condition. Readers of results keyed by register name use it
/// to put the bits back in place. Pure.
std::vector<classical_register> qasm2_registers(const circuit& c);

/// The QASM 2 text of a circuit, or why it cannot be written (`field` names
/// the circuit in our job, as formats::input_error does).
struct qasm2_outcome {
  std::optional<std::string> text;
  std::optional<input_error> error;
};

/// Writes `c`; `field` is the JSON path of the circuit in our job ("input",
/// "input[2]"), used in errors; `target` names the machine in refusals. Pure;
/// safe on any thread.
qasm2_outcome to_qasm2(const circuit& c, std::string_view field, std::string_view target = "the target");

}  // namespace qjob::formats
