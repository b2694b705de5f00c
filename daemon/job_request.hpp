#pragma once

#include "api_error.hpp"
#include "target_catalog.hpp"

#include "formats/circuit.hpp"

#include "storage/job_row.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <variant>

namespace qjob::daemon {

/// What a submission is checked against: the targets and the limits of the
/// configuration (each refusal names its configuration key).
struct submission_rules {
  const target_catalog* catalog = nullptr;
  std::int64_t max_shots = 1'000'000;
  std::size_t max_name_bytes = 256;
  std::size_t max_tags = 64;
  std::size_t max_tag_bytes = 128;
  std::size_t max_params_bytes = 64 << 10;
  std::uint32_t max_gates = 1'000'000;
  std::uint32_t max_circuit_depth = 1'000'000;
  std::uint32_t max_circuits_per_job = 1'000;
};

/// The rules `config` sets, with the targets of `catalog` (which must outlive them).
submission_rules submission_rules_for(const daemon_config& config, const target_catalog& catalog);

/// The depth of `c`: the most operations on one qubit's timeline, counting a
/// controlled gate once on each qubit it touches; barriers line qubits up
/// without adding a layer. Pure.
std::size_t circuit_depth(const formats::circuit& c);

/// Turns a submitted job object into a job row ready to store: every field checked
/// (unknown fields refused, so a typo is not silently ignored), defaults applied,
/// the input parsed for its target, the id made when absent and the content
/// fingerprinted for idempotent retries. Errors name the field, prefixed with
/// `field_prefix` (e.g. "[3]." for the 4th job of a batch). Pure; I/O thread.
std::variant<storage::job_row, api_error> parse_job_request(const boost::json::value& body, std::uint32_t owner,
                                                            const submission_rules& rules,
                                                            const std::string& field_prefix = {});

/// A fresh UUID, version 7: its first 48 bits are the time, so fresh ids sort by time.
std::string make_uuid();

/// Fixed bounds (not configuration keys): a job id, provider and target names are
/// at most 128 bytes, an input_format name at most 64.
inline constexpr std::size_t max_id_bytes = 128;
inline constexpr std::size_t max_provider_name_bytes = 128;
inline constexpr std::size_t max_target_name_bytes = 128;
inline constexpr std::size_t max_format_name_bytes = 64;

/// True for ids a client may choose: 1 to 128 of [A-Za-z0-9._-], not starting with '.'.
bool is_valid_job_id(std::string_view id);

}  // namespace qjob::daemon
