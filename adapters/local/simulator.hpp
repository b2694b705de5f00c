#pragma once

#include "formats/circuit.hpp"

#include <atomic>
#include <complex>
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

/// How to run circuits. `threads` only matters from 14 qubits up; smaller
/// states are simulated on the calling thread.
struct run_options {
  std::uint64_t shots = 1000;
  std::uint64_t seed = 0;                   // the same seed gives the same counts
  unsigned threads = 1;                     // threads for large state vectors
  std::size_t max_probabilities = 65'536;
  const std::atomic<bool>* cancel = nullptr;  // polled between gates
};

/// What simulate() produced.
struct run_outcome {
  std::vector<circuit_result> results;  // one per circuit, in order
  bool cancelled = false;               // `cancel` was seen set; results are empty
};

/// Runs each circuit on a state vector and samples `shots` outcomes. Blocking and
/// CPU-bound: call it on a worker thread, never on an I/O thread. Throws
/// std::bad_alloc when the state does not fit in memory.
/// Circuit i is sampled with a generator seeded from `options.seed` and i, so a
/// job gives the same counts each time it runs. `cancel` is polled between
/// passes over the state and between shots; once seen, the run stops and returns
/// `cancelled` with no results.
run_outcome simulate(const std::vector<formats::circuit>& circuits, const run_options& options);

/// The state after the unitary operations of `c`, on the calling thread, for
/// tests and translators: measurements, resets, barriers and conditional
/// operations are skipped. Throws std::bad_alloc when the state does not fit.
std::vector<std::complex<double>> final_state(const formats::circuit& c);

/// The exact outcome probabilities of `c` (bitstring, probability > 1e-12),
/// sorted by bitstring. A dynamic circuit is followed down both branches of
/// every measurement and reset, so the cost doubles with each: meant for tests
/// and small circuits. Runs on the calling thread.
std::vector<std::pair<std::string, double>> outcome_probabilities(const formats::circuit& c);

}  // namespace qjob::local
