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

}  // namespace qjob::formats
