#include "local/simulator.hpp"

#include "local/sampler.hpp"
#include "local/state_vector.hpp"
#include "local/worker_pool.hpp"
#include "formats/circuit_analysis.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>

namespace qjob::local {
namespace {

using formats::circuit;
using formats::gate_kind;
using formats::operation;

// Outcomes below this are rounding noise of amplitudes that should be zero.
constexpr double reported_probability = 1e-12;
// Operations applied between two looks at the cancel flag: at most 256, and fewer
// on large states so that a cancel is seen within about 2^29 amplitude updates
// (well under a second) however wide the circuit.
constexpr std::size_t max_ops_per_cancel_check = 256;
constexpr std::uint32_t amplitude_updates_per_cancel_check_log2 = 29;

std::size_t ops_per_cancel_check(std::uint32_t qubits) {
  if (qubits >= amplitude_updates_per_cancel_check_log2) return 1;
  return std::min(max_ops_per_cancel_check,
                  std::size_t{1} << (amplitude_updates_per_cancel_check_log2 - qubits));
}
// A circuit from this size up is worth starting threads for.
constexpr std::uint32_t threaded_qubits = 14;

struct cancelled_run {};  // unwinds one simulate() call; never leaves this file

class cancel_probe {
 public:
  explicit cancel_probe(const std::atomic<bool>* flag) : flag_(flag) {}
  void check() const {
    if (flag_ != nullptr && flag_->load(std::memory_order_relaxed)) throw cancelled_run{};
  }

 private:
  const std::atomic<bool>* flag_;
};

void apply_checked(state_vector& state, std::span<const operation* const> ops, worker_pool& pool,
                   const cancel_probe& cancel) {
  const std::size_t chunk = ops_per_cancel_check(state.qubits());
  for (std::size_t first = 0; first < ops.size(); first += chunk) {
    cancel.check();
    state.apply(ops.subspan(first, std::min(chunk, ops.size() - first)), pool);
  }
}

// A circuit cut where per-shot effects happen: runs of plain unitaries (applied
// together) and single measure, reset or conditional steps.
struct segment {
  std::vector<const operation*> unitaries;
  const operation* step = nullptr;
};

std::vector<segment> segments_of(const circuit& c, std::size_t first) {
  std::vector<segment> out;
  for (std::size_t k = first; k < c.ops.size(); ++k) {
    const operation& op = c.ops[k];
    if (op.gate == gate_kind::barrier) continue;
    if (op.conditional || !is_unitary(op.gate)) {
      out.push_back(segment{{}, &op});
    } else {
      if (out.empty() || out.back().step != nullptr) out.emplace_back();
      out.back().unitaries.push_back(&op);
    }
  }
  return out;
}

std::size_t dynamic_prefix(const circuit& c) {
  std::size_t k = 0;
  while (k < c.ops.size() && !c.ops[k].conditional && is_unitary(c.ops[k].gate)) ++k;
  return k;
}

bool condition_holds(const operation& op, std::uint64_t clbits) {
  if (!op.conditional) return true;
  const std::uint64_t mask = op.condition_width >= 64 ? ~0ULL : (std::uint64_t{1} << op.condition_width) - 1;
  return ((clbits >> op.condition_offset) & mask) == op.condition_value;
}

void flip(state_vector& state, std::uint32_t qubit, worker_pool& pool) {
  operation x;
  x.gate = gate_kind::x;
  x.targets = {qubit};
  const operation* ops[] = {&x};
  state.apply(ops, pool);
}

std::vector<const operation*> unitaries_of(const circuit& c) {
  std::vector<const operation*> ops;
  for (const operation& op : c.ops) {
    if (!op.conditional && is_unitary(op.gate)) ops.push_back(&op);
  }
  return ops;
}

void fill_probabilities(circuit_result& result, const std::vector<std::pair<std::uint64_t, double>>& distribution,
                        std::uint32_t width, std::size_t max_probabilities) {
  std::size_t reported = 0;
  for (const auto& entry : distribution) reported += entry.second > reported_probability ? 1 : 0;
  if (reported > max_probabilities) {
    result.probabilities_truncated = true;
    return;
  }
  result.probabilities.reserve(reported);
  for (const auto& [value, p] : distribution) {
    if (p > reported_probability) result.probabilities.emplace_back(bitstring(value, width), p);
  }
}

circuit_result run_static(const circuit& c, const run_options& options, worker_pool& pool, std::mt19937_64& rng,
                          const cancel_probe& cancel) {
  state_vector state(c.qubits);
  apply_checked(state, unitaries_of(c), pool, cancel);
  cancel.check();
  const readout bits = terminal_readout(c);
  const std::vector<outcome> distribution = outcome_distribution(state, bits);
  const std::vector<std::uint64_t> drawn = sample(distribution, options.shots, rng);
  circuit_result result;
  for (std::size_t k = 0; k < distribution.size(); ++k) {
    if (drawn[k] > 0) result.counts.emplace_back(bitstring(distribution[k].first, bits.clbits), drawn[k]);
  }
  fill_probabilities(result, distribution, bits.clbits, options.max_probabilities);
  return result;
}

circuit_result run_dynamic(const circuit& c, const run_options& options, worker_pool& pool, std::mt19937_64& rng,
                           const cancel_probe& cancel) {
  const std::size_t prefix_end = dynamic_prefix(c);
  state_vector prefix(c.qubits);
  {
    std::vector<const operation*> ops;
    for (std::size_t k = 0; k < prefix_end; ++k) ops.push_back(&c.ops[k]);
    apply_checked(prefix, ops, pool, cancel);
  }
  const std::vector<segment> segments = segments_of(c, prefix_end);
  const bool read_all = !formats::has_measurements(c);
  const std::uint32_t width = read_all ? std::max(c.clbits, c.qubits) : c.clbits;

  state_vector state(c.qubits);
  std::map<std::uint64_t, std::uint64_t> tally;
  for (std::uint64_t shot = 0; shot < options.shots; ++shot) {
    cancel.check();
    std::copy(prefix.amplitudes().begin(), prefix.amplitudes().end(), state.amplitudes().begin());
    std::uint64_t clbits = 0;
    for (const segment& s : segments) {
      if (s.step == nullptr) {
        apply_checked(state, s.unitaries, pool, cancel);
        continue;
      }
      const operation& op = *s.step;
      if (!condition_holds(op, clbits)) continue;
      if (is_unitary(op.gate)) {
        const operation* one[] = {&op};
        state.apply(one, pool);
        continue;
      }
      const std::uint32_t q = op.targets[0];
      const double p1 = state.probability_of_one(q, pool);
      const bool one = uniform(rng) < p1;
      state.collapse(q, one, one ? p1 : 1.0 - p1, pool);
      if (op.gate == gate_kind::measure) {
        const std::uint64_t bit = std::uint64_t{1} << op.clbit;
        clbits = one ? clbits | bit : clbits & ~bit;
      } else if (one) {
        flip(state, q, pool);
      }
    }
    if (read_all) {
      // No measurement at all: read every qubit, one draw from the final state.
      const double u = uniform(rng);
      double acc = 0.0;
      const auto amplitudes = state.amplitudes();
      std::uint64_t index = amplitudes.size() - 1;
      for (std::uint64_t i = 0; i < amplitudes.size(); ++i) {
        acc += std::norm(amplitudes[i]);
        if (u < acc) {
          index = i;
          break;
        }
      }
      clbits = index;
    }
    ++tally[clbits];
  }
  circuit_result result;
  result.probabilities_estimated = true;
  std::vector<outcome> frequencies;
  for (const auto& [value, count] : tally) {
    result.counts.emplace_back(bitstring(value, width), count);
    frequencies.emplace_back(value, static_cast<double>(count) / static_cast<double>(options.shots));
  }
  fill_probabilities(result, frequencies, width, options.max_probabilities);
  return result;
}

// Follows both outcomes of every measurement and reset from segment `next`.
void branch(const state_vector& state, const std::vector<segment>& segments, std::size_t next, std::uint64_t clbits,
            double weight, bool read_all, worker_pool& pool, std::map<std::uint64_t, double>& out) {
  if (weight <= reported_probability * 1e-3) return;
  state_vector current = state;
  for (std::size_t k = next; k < segments.size(); ++k) {
    const segment& s = segments[k];
    if (s.step == nullptr) {
      current.apply(s.unitaries, pool);
      continue;
    }
    const operation& op = *s.step;
    if (!condition_holds(op, clbits)) continue;
    if (is_unitary(op.gate)) {
      const operation* one[] = {&op};
      current.apply(one, pool);
      continue;
    }
    const std::uint32_t q = op.targets[0];
    const double p1 = current.probability_of_one(q, pool);
    for (bool one : {false, true}) {
      const double p = one ? p1 : 1.0 - p1;
      if (p <= 0.0) continue;
      state_vector collapsed = current;
      collapsed.collapse(q, one, p, pool);
      std::uint64_t bits = clbits;
      if (op.gate == gate_kind::measure) {
        const std::uint64_t bit = std::uint64_t{1} << op.clbit;
        bits = one ? bits | bit : bits & ~bit;
      } else if (one) {
        flip(collapsed, q, pool);
      }
      branch(collapsed, segments, k + 1, bits, weight * p, read_all, pool, out);
    }
    return;
  }
  if (read_all) {
    const auto amplitudes = current.amplitudes();
    for (std::uint64_t i = 0; i < amplitudes.size(); ++i) out[i] += weight * std::norm(amplitudes[i]);
  } else {
    out[clbits] += weight;
  }
}

}  // namespace

run_outcome simulate(const std::vector<formats::circuit>& circuits, const run_options& options) {
  const bool large = std::any_of(circuits.begin(), circuits.end(),
                                 [](const circuit& c) { return c.qubits >= threaded_qubits; });
  worker_pool pool(large ? std::max(1U, options.threads) : 1U);
  const cancel_probe cancel(options.cancel);
  run_outcome outcome;
  try {
    for (std::size_t i = 0; i < circuits.size(); ++i) {
      std::mt19937_64 rng(circuit_seed(options.seed, i));
      const circuit& c = circuits[i];
      outcome.results.push_back(c.dynamic ? run_dynamic(c, options, pool, rng, cancel)
                                          : run_static(c, options, pool, rng, cancel));
    }
  } catch (const cancelled_run&) {
    outcome.results.clear();
    outcome.cancelled = true;
  }
  return outcome;
}

std::vector<std::complex<double>> final_state(const formats::circuit& c) {
  worker_pool pool(1);
  state_vector state(c.qubits);
  state.apply(unitaries_of(c), pool);
  return {state.amplitudes().begin(), state.amplitudes().end()};
}

std::vector<std::pair<std::string, double>> outcome_probabilities(const formats::circuit& c) {
  worker_pool pool(1);
  std::vector<outcome> distribution;
  std::uint32_t width = 0;
  if (!c.dynamic) {
    state_vector state(c.qubits);
    state.apply(unitaries_of(c), pool);
    const readout bits = terminal_readout(c);
    distribution = outcome_distribution(state, bits);
    width = bits.clbits;
  } else {
    const std::size_t prefix_end = dynamic_prefix(c);
    state_vector prefix(c.qubits);
    std::vector<const operation*> ops;
    for (std::size_t k = 0; k < prefix_end; ++k) ops.push_back(&c.ops[k]);
    prefix.apply(ops, pool);
    const bool read_all = !formats::has_measurements(c);
    width = read_all ? std::max(c.clbits, c.qubits) : c.clbits;
    std::map<std::uint64_t, double> merged;
    branch(prefix, segments_of(c, prefix_end), 0, 0, 1.0, read_all, pool, merged);
    distribution.assign(merged.begin(), merged.end());
  }
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [value, p] : distribution) {
    if (p > reported_probability) out.emplace_back(bitstring(value, width), p);
  }
  return out;
}

}  // namespace qjob::local
