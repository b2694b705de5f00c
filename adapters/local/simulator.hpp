#pragma once

#include "formats/circuit.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qjob::local {

/// The measured outcome of one circuit. Bitstrings have classical bit 0
/// rightmost. Entries are sorted by bitstring.
struct circuit_result {
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  /// Exact outcome probabilities (those above 1e-12) for circuits simulated once;
  /// for dynamic circuits (per-shot simulation) the sampled frequencies, and
  /// `probabilities_estimated` is set. Left empty, with `probabilities_truncated`
  /// set, when there are more than `max_probabilities` outcomes.
  std::vector<std::pair<std::string, double>> probabilities;
  bool probabilities_estimated = false;
  bool probabilities_truncated = false;
};

struct run_options {
  std::uint64_t shots = 1000;
  std::uint64_t seed = 0;                   // the same seed gives the same counts
  unsigned threads = 1;                     // threads for large state vectors
  std::size_t max_probabilities = 65'536;
  const std::atomic<bool>* cancel = nullptr;  // polled between gates
};

struct run_outcome {
  std::vector<circuit_result> results;  // one per circuit, in order
  bool cancelled = false;               // `cancel` was seen set; results are empty
};

/// Runs each circuit on a state vector and samples `shots` outcomes. Blocking and
/// CPU-bound: call it on a worker thread, never on an I/O thread. Throws
/// std::bad_alloc when the state does not fit in memory.
run_outcome simulate(const std::vector<formats::circuit>& circuits, const run_options& options);

}  // namespace qjob::local
