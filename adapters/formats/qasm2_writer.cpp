#include "formats/qasm2_writer.hpp"

#include "formats/circuit_analysis.hpp"

#include <algorithm>
#include <cstdio>
#include <numbers>
#include <set>

namespace qjob::formats {
namespace {

constexpr double pi = std::numbers::pi;

std::string qubit(std::uint32_t index) { return "q[" + std::to_string(index) + "]"; }

std::string qubits(const std::vector<std::uint32_t>& controls, const std::vector<std::uint32_t>& targets) {
  std::string out;
  for (const auto* list : {&controls, &targets})
    for (std::uint32_t q : *list) out += (out.empty() ? "" : ",") + qubit(q);
  return out;
}

/// Angles in full precision: the round trip through text must not move them.
std::string angles(std::initializer_list<double> values) {
  std::string out = "(";
  for (double value : values) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    if (out.size() > 1) out += ',';
    out += text;
  }
  return out + ")";
}

/// The width of our classical bits as results read them: a circuit that
/// measures nothing reads qubit i into bit i (local::terminal_readout's rule).
std::uint32_t result_width(const circuit& c) {
  return has_measurements(c) ? c.clbits : std::max(c.clbits, c.qubits);
}

/// The register of `regs` holding bit `bit`.
const classical_register& register_of(const std::vector<classical_register>& regs, std::uint32_t bit) {
  for (const auto& reg : regs)
    if (bit >= reg.offset && bit < reg.offset + reg.width) return reg;
  return regs.back();
}

std::string clbit(const std::vector<classical_register>& regs, std::uint32_t bit) {
  const auto& reg = register_of(regs, bit);
  return reg.name + "[" + std::to_string(bit - reg.offset) + "]";
}

/// The statements of a gate (without `;`), or "" when QASM 2 has no exact form here.
std::vector<std::string> gate_statements(const operation& op) {
  const auto& c = op.controls;
  const auto on = qubits(c, op.targets);
  const double a = op.params[0];
  if (c.empty()) {
    switch (op.gate) {
      case gate_kind::h: return {"h " + on};
      case gate_kind::x: return {"x " + on};
      case gate_kind::y: return {"y " + on};
      case gate_kind::z: return {"z " + on};
      case gate_kind::s: return {"s " + on};
      case gate_kind::si: return {"sdg " + on};
      case gate_kind::t: return {"t " + on};
      case gate_kind::ti: return {"tdg " + on};
      case gate_kind::v: return {"sx " + on};
      case gate_kind::vi: return {"sxdg " + on};
      case gate_kind::rx: return {"rx" + angles({a}) + " " + on};
      case gate_kind::ry: return {"ry" + angles({a}) + " " + on};
      case gate_kind::rz: return {"rz" + angles({a}) + " " + on};
      case gate_kind::u: return {"u3" + angles({op.params[0], op.params[1], op.params[2]}) + " " + on};
      case gate_kind::phase: return {"u1" + angles({a}) + " " + on};
      case gate_kind::swap: return {"swap " + on};
      case gate_kind::xx: return {"rxx" + angles({a}) + " " + on};
      case gate_kind::yy: return {"ryy" + angles({a}) + " " + on};
      case gate_kind::zz: return {"rzz" + angles({a}) + " " + on};
      default: return {};
    }
  }
  if (c.size() == 1) {
    switch (op.gate) {
      case gate_kind::h: return {"ch " + on};
      case gate_kind::x: return {"cx " + on};
      case gate_kind::y: return {"cy " + on};
      case gate_kind::z: return {"cz " + on};
      case gate_kind::s: return {"cu1" + angles({pi / 2}) + " " + on};
      case gate_kind::si: return {"cu1" + angles({-pi / 2}) + " " + on};
      case gate_kind::t: return {"cu1" + angles({pi / 4}) + " " + on};
      case gate_kind::ti: return {"cu1" + angles({-pi / 4}) + " " + on};
      case gate_kind::v: return {"csx " + on};
      // sxdg = e^{-i pi/4} rx(-pi/2), and u3(theta, -pi/2, pi/2) is rx(theta) exactly.
      case gate_kind::vi:
        return {"cu3" + angles({-pi / 2, -pi / 2, pi / 2}) + " " + on, "u1" + angles({-pi / 4}) + " " + qubit(c[0])};
      case gate_kind::rx: return {"crx" + angles({a}) + " " + on};
      case gate_kind::ry: return {"cry" + angles({a}) + " " + on};
      case gate_kind::rz: return {"crz" + angles({a}) + " " + on};
      case gate_kind::u: return {"cu3" + angles({op.params[0], op.params[1], op.params[2]}) + " " + on};
      case gate_kind::phase: return {"cu1" + angles({a}) + " " + on};
      case gate_kind::swap: return {"cswap " + on};
      default: return {};
    }
  }
  if (op.gate == gate_kind::x && c.size() == 2) return {"ccx " + on};
  if (op.gate == gate_kind::x && c.size() == 3) return {"c3x " + on};
  if (op.gate == gate_kind::x && c.size() == 4) return {"c4x " + on};
  return {};
}

}  // namespace

std::vector<classical_register> qasm2_registers(const circuit& c) {
  const std::uint32_t width = result_width(c);
  std::set<std::uint32_t> bounds{0, width};
  for (const auto& op : c.ops) {
    if (!op.conditional) continue;
    bounds.insert(std::min(op.condition_offset, width));
    bounds.insert(std::min(op.condition_offset + op.condition_width, width));
  }
  std::vector<classical_register> regs;
  if (bounds.size() <= 2) {
    regs.push_back({"c", 0, width});
    return regs;
  }
  std::uint32_t start = 0;
  for (auto bound : bounds) {
    if (bound == 0) continue;
    regs.push_back({"c" + std::to_string(regs.size()), start, bound - start});
    start = bound;
  }
  return regs;
}

qasm2_outcome to_qasm2(const circuit& c, std::string_view field, std::string_view target) {
  qasm2_outcome outcome;
  auto refuse = [&](std::string message) {
    outcome.error = input_error{std::move(message), std::string(field)};
    return outcome;
  };
  const auto regs = qasm2_registers(c);
  std::string out = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[" + std::to_string(c.qubits) + "];\n";
  for (const auto& reg : regs)
    if (reg.width > 0) out += "creg " + reg.name + "[" + std::to_string(reg.width) + "];\n";
  for (std::size_t k = 0; k < c.ops.size(); ++k) {
    const auto& op = c.ops[k];
    std::string prefix;
    if (op.conditional) {
      const auto& reg = register_of(regs, op.condition_offset);
      if (reg.offset != op.condition_offset || reg.width != op.condition_width)
        return refuse(describe(k, op) + " is conditional on classical bits that are not one register");
      prefix = "if(" + reg.name + "==" + std::to_string(op.condition_value) + ") ";
    }
    std::vector<std::string> statements;
    switch (op.gate) {
      case gate_kind::measure:
        statements.push_back("measure " + qubit(op.targets[0]) + " -> " + clbit(regs, op.clbit));
        break;
      case gate_kind::reset: statements.push_back("reset " + qubit(op.targets[0])); break;
      case gate_kind::barrier: statements.push_back("barrier " + qubits({}, op.targets)); break;
      default:
        statements = gate_statements(op);
        if (statements.empty())
          return refuse(describe(k, op) + " has no exact OpenQASM 2 form for " + std::string(target) + " (" +
                        std::to_string(op.controls.size()) + " controls)");
        break;
    }
    for (const auto& statement : statements) out += prefix + statement + ";\n";
  }
  if (!has_measurements(c))
    for (std::uint32_t q = 0; q < c.qubits; ++q) out += "measure " + qubit(q) + " -> " + clbit(regs, q) + ";\n";
  outcome.text = std::move(out);
  return outcome;
}

}  // namespace qjob::formats
