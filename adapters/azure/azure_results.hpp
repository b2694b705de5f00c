#pragma once

#include "formats/circuit.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// Azure Quantum output blobs turned into qjob's results document (the shape
/// local::result_document writes, as the IonQ adapter's).
///
/// - `ionq.quantum-results.v1`: `{"histogram": {"0": 0.5, "7": 0.5}}`, IonQ's
///   probabilities keyed by the little-endian basis-state integer; read and
///   mapped onto our classical bits by adapters/ionq's results code, counts
///   drawn from them (`"counts_source": "sampled"`), seeded.
/// - `honeywell.quantum-results.v1`: `{"c0": ["0", "1", ...], "c1": [...]}`,
///   each classical register's value at every shot, register bit 0
///   rightmost; the registers are those formats::to_qasm2 declared for the
///   circuit (formats::qasm2_registers), put back at their offsets. Counts
///   are measured; probabilities are their frequencies (marked estimated).
/// - `microsoft.quantum-results.v2`: `{"Results": [{"Histogram": [{"Outcome":
///   [0, 1], "Count": 500}, ...]}, ...]}`, one entry per circuit, outcome i
///   being classical bit i (nested outcomes flattened in order). Measured counts.
namespace qjob::azure {

/// The document, or why there is none. `permanent` is false for a body that
/// cannot be read (fetch it again) and true for results that do not fit the
/// circuits or a format qjob does not read.
struct results_outcome {
  std::string document;  ///< "" on failure
  std::string error;
  bool permanent = false;
};

/// Reads `body`, an output blob in `format`, for `circuits` (the job's input),
/// drawing `shots` counts with `seed` where only probabilities come. Pure;
/// CPU-bound in the number of shots.
results_outcome read_results(std::string_view format, std::string_view body,
                             const std::vector<formats::circuit>& circuits, std::uint64_t shots, std::uint64_t seed);

}  // namespace qjob::azure
