#pragma once

#include "formats/circuit.hpp"
#include "local/simulator.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// IonQ result payloads turned into qjob's results document.
///
/// IonQ keys an outcome by the decimal integer of its basis state, little-endian:
/// bit i of the integer is qubit i. Every qubit is measured at the end, so the
/// key is spread onto our classical bits through the circuit's terminal
/// measurements (a circuit that measures nothing reads qubit i into bit i);
/// qubits no measurement reads are summed over. Bitstrings put classical bit 0
/// rightmost, as the local provider's do.
namespace qjob::ionq {

/// Outcome -> value, keyed by IonQ's basis-state integer, sorted by key.
using distribution = std::vector<std::pair<std::uint64_t, double>>;
using histogram = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

/// A payload read, or why it is malformed (transient: fetch it again).
template <typename T>
struct payload_outcome {
  std::optional<T> value;
  std::string error;  // "" on success
};

/// Reads a probabilities payload: v1 `{"0": 0.5, "3": 0.5}` (decimal keys) or
/// v2 `{"probabilities": {"registers": {"output_all": {"00": 0.5, "11": 0.5}}}}`
/// (binary keys, read as the integer they write, qubit 0 rightmost; the
/// register `output_all`, or the only one). Values must be finite and not
/// negative (rounding noise above -1e-9 reads as 0); zeros are left out.
/// Pure; safe on any thread.
payload_outcome<distribution> parse_probabilities(std::string_view body, int version = 1);

/// Reads a histogram payload whose values are shot counts (non-negative
/// integers), in the same two key shapes. A histogram of fractions (IonQ's v0.3
/// and Azure's "histogram") is refused here; read it with parse_probabilities.
payload_outcome<histogram> parse_histogram(std::string_view body, int version = 1);

/// Reads a multi-circuit aggregate `{"<child job id>": {"0": 0.49, ...}, ...}`
/// (`ionq.result.probabilities-aggregate.json.v1`, v0.3 `results`) and returns
/// the distributions in circuit order, the order of `child_job_ids`, whatever
/// order IonQ wrote them in. A child missing from the payload is an error.
payload_outcome<std::vector<distribution>> parse_aggregate(std::string_view body,
                                                           const std::vector<std::string>& child_job_ids);

/// What IonQ returned for one circuit: probabilities, measured counts, or both.
struct circuit_payload {
  std::optional<distribution> probabilities;
  std::optional<histogram> counts;
};

/// How to build a results document.
struct document_options {
  std::uint64_t shots = 0;  // the job's shots: how many counts to draw
  std::uint64_t seed = 0;   // the same seed draws the same counts
  std::size_t max_probabilities = 65'536;
};

/// The results document, or why the payloads do not fit the circuits.
struct document_outcome {
  std::string document;  // "" on failure
  std::string error;
  std::vector<local::circuit_result> results;  // what the document says, for callers and tests
};

/// One circuit_result for circuit `c` from `payload`: counts as measured when
/// `payload.counts` is given (and probabilities from `payload.probabilities`,
/// else the measured frequencies, marked estimated); otherwise counts drawn from
/// the probabilities, `shots` of them, by a multinomial draw seeded with `seed`.
/// A key naming a qubit `c` does not have is an error. Pure.
payload_outcome<local::circuit_result> to_circuit_result(const formats::circuit& c, const circuit_payload& payload,
                                                         std::uint64_t shots, std::uint64_t seed,
                                                         std::size_t max_probabilities = 65'536);

/// The document for a whole job, in the local provider's format
/// (local::result_document). Counts are "measured" when every circuit came with
/// counts, else every circuit's counts are drawn from its probabilities and the
/// document says `"counts_source": "sampled"`. Circuit i draws from a stream
/// seeded by (`seed`, i), so the document is reproducible. Pure; CPU-bound in the
/// number of shots drawn: call it off the I/O thread for large jobs.
document_outcome build_result_document(const std::vector<formats::circuit>& circuits,
                                       const std::vector<circuit_payload>& payloads, const document_options& options);

}  // namespace qjob::ionq
