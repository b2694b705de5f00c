#include "circuit_analysis.hpp"

#include <vector>

namespace qjob::formats {

bool has_measurements(const circuit& c) {
  for (const operation& op : c.ops) {
    if (op.gate == gate_kind::measure) return true;
  }
  return false;
}

bool needs_per_shot_simulation(const circuit& c) {
  // Per qubit: 0 untouched since the last collapse, 1 measured, 2 reset.
  std::vector<unsigned char> collapsed(c.qubits, 0);
  bool any_reset = false;
  auto used_after_collapse = [&](std::uint32_t q, bool is_measure) {
    if (q >= collapsed.size()) return false;
    // Measuring a measured qubit again reads the same value from the final state;
    // anything after a reset must see the reset.
    return collapsed[q] == 2 || (collapsed[q] == 1 && !is_measure);
  };
  for (const operation& op : c.ops) {
    if (op.conditional) return true;
    if (op.gate == gate_kind::barrier) continue;
    const bool is_measure = op.gate == gate_kind::measure;
    for (std::uint32_t q : op.targets) {
      if (used_after_collapse(q, is_measure)) return true;
    }
    for (std::uint32_t q : op.controls) {
      if (used_after_collapse(q, false)) return true;
    }
    if (is_measure) {
      for (std::uint32_t q : op.targets) {
        if (q < collapsed.size()) collapsed[q] = 1;
      }
    } else if (op.gate == gate_kind::reset) {
      any_reset = true;
      for (std::uint32_t q : op.targets) {
        if (q < collapsed.size()) collapsed[q] = 2;
      }
    }
  }
  // Without measurements every qubit is read at the end, after any reset.
  return any_reset && !has_measurements(c);
}

std::string_view gate_name(gate_kind kind) {
  switch (kind) {
    case gate_kind::h: return "h";
    case gate_kind::x: return "x";
    case gate_kind::y: return "y";
    case gate_kind::z: return "z";
    case gate_kind::s: return "s";
    case gate_kind::si: return "si";
    case gate_kind::t: return "t";
    case gate_kind::ti: return "ti";
    case gate_kind::v: return "v";
    case gate_kind::vi: return "vi";
    case gate_kind::rx: return "rx";
    case gate_kind::ry: return "ry";
    case gate_kind::rz: return "rz";
    case gate_kind::u: return "u";
    case gate_kind::phase: return "phase";
    case gate_kind::swap: return "swap";
    case gate_kind::xx: return "xx";
    case gate_kind::yy: return "yy";
    case gate_kind::zz: return "zz";
    case gate_kind::measure: return "measure";
    case gate_kind::reset: return "reset";
    case gate_kind::barrier: return "barrier";
  }
  return "?";
}


std::string describe(std::size_t index, const operation& op) {
  std::string out = "operation " + std::to_string(index) + " ('" + std::string(gate_name(op.gate)) + "'";
  if (!op.targets.empty()) {
    out += op.targets.size() == 1 ? " on qubit " : " on qubits ";
    for (std::size_t k = 0; k < op.targets.size(); ++k) {
      if (k > 0) out += ',';
      out += std::to_string(op.targets[k]);
    }
  }
  if (!op.controls.empty()) out += " with " + std::to_string(op.controls.size()) + " control(s)";
  return out + ")";
}

}  // namespace qjob::formats
