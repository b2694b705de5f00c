#pragma once

#include "formats/circuit.hpp"
#include "formats/qasm2_parser.hpp"

#include <stdexcept>
#include <string_view>
#include <vector>

namespace qjob::fuzz {

inline formats::circuit circuit_of(std::string_view program) {
  auto parsed = formats::parse_qasm2(program, "input", formats::input_limits{});
  if (auto* c = std::get_if<formats::circuit>(&parsed)) return *c;
  throw std::logic_error("a fuzz target's own circuit does not parse");
}

/// The circuits a provider's results are read against: a Bell pair beside a
/// third qubit (one register), and three qubits measured into two registers
/// out of order (as Quantinuum's per-register results come back).
inline const std::vector<formats::circuit>& one_circuit() {
  static const std::vector<formats::circuit> circuits{
      circuit_of("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0],q[1];\n"
                 "measure q -> c;\n")};
  return circuits;
}

inline const std::vector<formats::circuit>& two_registers() {
  static const std::vector<formats::circuit> circuits{
      circuit_of("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg a[1];\ncreg b[2];\nh q[0];\n"
                 "cx q[0],q[2];\nmeasure q[2] -> a[0];\nmeasure q[0] -> b[1];\nmeasure q[1] -> b[0];\n")};
  return circuits;
}

inline const std::vector<formats::circuit>& two_circuits() {
  static const std::vector<formats::circuit> circuits{one_circuit().front(), two_registers().front()};
  return circuits;
}

}  // namespace qjob::fuzz
