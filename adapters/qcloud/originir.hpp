#pragma once

#include "formats/circuit.hpp"
#include "formats/job_input.hpp"

#include <optional>
#include <string>
#include <string_view>

/// Translation of our circuits into OriginIR, the circuit text Origin Quantum's
/// QCloud runs (pyqpanda's `convert_qprog_to_originir`):
///
///     QINIT 2
///     CREG 2
///     H q[0]
///     CNOT q[0],q[1]
///     RZ q[1],(0.785398163397448)
///     MEASURE q[0],c[0]
///
/// Gate mapping (exact, global phase included, so that controlled forms stay right):
/// - h x y z s t, rx ry rz, swap: H X Y Z S T, RX RY RZ, SWAP (angles in
///   parentheses after the qubits, radians);
/// - si, ti, phase(l): U1 with -pi/2, -pi/4, l (U1 = diag(1, e^{il}));
/// - v, vi (sqrt(X) and its inverse): RX(+-pi/2) and the global phase
///   e^{+-i pi/4}, which matters only with controls, where it becomes a U1 on
///   the last control (controlled by the others);
/// - u(theta, phi, lambda): U3 (OpenQASM's u3, the same matrix);
/// - xx yy zz: RXX RYY RZZ (exp(-i theta/2 P(x)P));
/// - controls: CNOT, CZ and TOFFOLI where they fit, else the gate inside a
///   `CONTROL q[..] ... ENDCONTROL` block;
/// - measure, reset, barrier: MEASURE q[i],c[j], RESET q[i], BARRIER q[..];
///   a circuit without measurements measures every qubit at the end;
/// - conditionals (`if`): refused, naming the operation.
namespace qjob::qcloud {

/// The OriginIR text of a circuit, or why it cannot be written (`field` names
/// the circuit in our job, as formats::input_error does).
struct originir_outcome {
  std::optional<std::string> text;
  std::optional<formats::input_error> error;
};

/// Writes `c` as OriginIR; `field` is the JSON path of the circuit in our job
/// ("input", "input[2]"), used in errors. Pure; safe on any thread.
originir_outcome to_originir(const formats::circuit& c, std::string_view field);

}  // namespace qjob::qcloud
