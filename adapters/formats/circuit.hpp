#pragma once

#include <cstdint>
#include <string>
#include <vector>

/// The circuit model every input format is parsed into and every target runs from.
namespace qjob::formats {

/// The gate alphabet shared by the parsers, the translators and the simulator.
/// One-qubit gates act on `targets[0]`; any gate may carry `controls`.
enum class gate_kind : std::uint8_t {
  h, x, y, z, s, si, t, ti, v, vi,  // fixed one-qubit gates (v = sqrt(X), vi its inverse)
  rx, ry, rz,                       // params[0] is the angle in radians
  u,                                // U(theta, phi, lambda) = params[0..2], OpenQASM's U / u3
  phase,                            // diag(1, e^{i params[0]}), OpenQASM's u1 / p
  swap,                             // targets[0] <-> targets[1]
  xx, yy, zz,                       // two-qubit Ising rotations exp(-i params[0]/2 P(x)P)
  measure,                          // targets[0] into classical bit `clbit`
  reset,                            // targets[0] to |0>
  barrier,                          // no effect on the state; kept for translators
};

/// One step of a circuit. `condition_*` gates the step on a classical register's
/// value (OpenQASM `if (c == n)`): it runs only when the bits
/// [condition_offset, condition_offset + condition_width) read as condition_value.
struct operation {
  gate_kind gate{};
  std::vector<std::uint32_t> targets;
  std::vector<std::uint32_t> controls;
  double params[3]{0.0, 0.0, 0.0};
  std::uint32_t clbit = 0;
  bool conditional = false;
  std::uint32_t condition_offset = 0;
  std::uint32_t condition_width = 0;
  std::uint64_t condition_value = 0;
};

/// A parsed circuit. When no operation measures, every qubit is measured at the
/// end into the classical bit of the same index (IonQ's convention).
struct circuit {
  std::string name;  // "" unless the format names it
  std::uint32_t qubits = 0;
  std::uint32_t clbits = 0;  // width of the result bitstrings
  std::vector<operation> ops;
  /// True when a measure, reset or conditional precedes a quantum gate, so the
  /// state cannot be simulated once and sampled: each shot must run on its own.
  bool dynamic = false;
};

}  // namespace qjob::formats
