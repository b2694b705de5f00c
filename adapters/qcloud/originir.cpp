#include "qcloud/originir.hpp"

#include "formats/circuit_analysis.hpp"

#include <cstdio>
#include <numbers>
#include <vector>

namespace qjob::qcloud {
namespace {

using formats::gate_kind;
using formats::operation;

std::string qubit(std::uint32_t index) { return "q[" + std::to_string(index) + "]"; }

std::string qubit_list(const std::vector<std::uint32_t>& indexes) {
  std::string out;
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    if (k > 0) out += ',';
    out += qubit(indexes[k]);
  }
  return out;
}

/// Angles in full precision: the round trip through text must not move them.
std::string angles(std::initializer_list<double> values) {
  std::string out = "(";
  bool first = true;
  for (double value : values) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    if (!first) out += ',';
    out += text;
    first = false;
  }
  return out + ")";
}

/// The OriginIR gate line of `op` without its controls: a name, qubits, angles.
/// The second member is the global phase the line leaves out (v, vi).
std::pair<std::string, double> gate_line(const operation& op) {
  constexpr double pi = std::numbers::pi;
  const auto target = qubit(op.targets[0]);
  switch (op.gate) {
    case gate_kind::h: return {"H " + target, 0};
    case gate_kind::x: return {"X " + target, 0};
    case gate_kind::y: return {"Y " + target, 0};
    case gate_kind::z: return {"Z " + target, 0};
    case gate_kind::s: return {"S " + target, 0};
    case gate_kind::t: return {"T " + target, 0};
    case gate_kind::si: return {"U1 " + target + "," + angles({-pi / 2}), 0};
    case gate_kind::ti: return {"U1 " + target + "," + angles({-pi / 4}), 0};
    case gate_kind::phase: return {"U1 " + target + "," + angles({op.params[0]}), 0};
    // sqrt(X) = e^{i pi/4} RX(pi/2); its inverse e^{-i pi/4} RX(-pi/2).
    case gate_kind::v: return {"RX " + target + "," + angles({pi / 2}), pi / 4};
    case gate_kind::vi: return {"RX " + target + "," + angles({-pi / 2}), -pi / 4};
    case gate_kind::rx: return {"RX " + target + "," + angles({op.params[0]}), 0};
    case gate_kind::ry: return {"RY " + target + "," + angles({op.params[0]}), 0};
    case gate_kind::rz: return {"RZ " + target + "," + angles({op.params[0]}), 0};
    case gate_kind::u: return {"U3 " + target + "," + angles({op.params[0], op.params[1], op.params[2]}), 0};
    case gate_kind::swap: return {"SWAP " + qubit_list(op.targets), 0};
    case gate_kind::xx: return {"RXX " + qubit_list(op.targets) + "," + angles({op.params[0]}), 0};
    case gate_kind::yy: return {"RYY " + qubit_list(op.targets) + "," + angles({op.params[0]}), 0};
    case gate_kind::zz: return {"RZZ " + qubit_list(op.targets) + "," + angles({op.params[0]}), 0};
    case gate_kind::measure:
    case gate_kind::reset:
    case gate_kind::barrier: break;
  }
  return {"", 0};
}

/// `line` controlled by `controls`: a CONTROL block (nothing around it without controls).
void write_controlled(std::string& out, const std::string& line, const std::vector<std::uint32_t>& controls) {
  if (controls.empty()) {
    out += line + "\n";
    return;
  }
  out += "CONTROL " + qubit_list(controls) + "\n" + line + "\nENDCONTROL\n";
}

void write_gate(std::string& out, const operation& op) {
  const auto& controls = op.controls;
  const auto target = op.targets.empty() ? std::string() : qubit(op.targets[0]);
  // The two- and three-qubit gates QCloud's chips name directly.
  if (op.gate == gate_kind::x && controls.size() == 1) {
    out += "CNOT " + qubit(controls[0]) + "," + target + "\n";
    return;
  }
  if (op.gate == gate_kind::x && controls.size() == 2) {
    out += "TOFFOLI " + qubit(controls[0]) + "," + qubit(controls[1]) + "," + target + "\n";
    return;
  }
  if (op.gate == gate_kind::z && controls.size() == 1) {
    out += "CZ " + qubit(controls[0]) + "," + target + "\n";
    return;
  }
  const auto [line, global_phase] = gate_line(op);
  write_controlled(out, line, controls);
  if (global_phase != 0 && !controls.empty()) {
    // Under controls the left-out phase is a relative one: e^{i a} on the
    // controls all set, which is U1(a) on the last control, controlled by the others.
    std::vector<std::uint32_t> others(controls.begin(), controls.end() - 1);
    write_controlled(out, "U1 " + qubit(controls.back()) + "," + angles({global_phase}), others);
  }
}

}  // namespace

originir_outcome to_originir(const formats::circuit& c, std::string_view field) {
  originir_outcome outcome;
  std::string out = "QINIT " + std::to_string(c.qubits) + "\nCREG " + std::to_string(c.clbits) + "\n";
  for (std::size_t k = 0; k < c.ops.size(); ++k) {
    const auto& op = c.ops[k];
    if (op.conditional) {
      outcome.error = formats::input_error{
          formats::describe(k, op) + " is conditional on a classical register; QCloud runs no classical control",
          std::string(field)};
      return outcome;
    }
    switch (op.gate) {
      case gate_kind::measure:
        out += "MEASURE " + qubit(op.targets[0]) + ",c[" + std::to_string(op.clbit) + "]\n";
        break;
      case gate_kind::reset: out += "RESET " + qubit(op.targets[0]) + "\n"; break;
      case gate_kind::barrier: out += "BARRIER " + qubit_list(op.targets) + "\n"; break;
      default: write_gate(out, op); break;
    }
  }
  if (!formats::has_measurements(c)) {
    for (std::uint32_t q = 0; q < c.qubits; ++q) out += "MEASURE " + qubit(q) + ",c[" + std::to_string(q) + "]\n";
  }
  outcome.text = std::move(out);
  return outcome;
}

}  // namespace qjob::qcloud
