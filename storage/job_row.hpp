#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::storage {

/// The unified job states of DESIGN.md; the last three are final.
enum class job_status : std::uint8_t { waiting, executing, succeeded, failed, cancelled };

/// The API's and the database's word for a state: "waiting", "executing", ...
std::string_view to_string(job_status status) noexcept;
/// The state named by `text` (exactly as to_string writes it), or nullopt.
std::optional<job_status> parse_job_status(std::string_view text) noexcept;
/// True for succeeded, failed and cancelled: states that never change again.
inline bool is_final(job_status status) noexcept { return status >= job_status::succeeded; }

/// Why a job failed: a stable code and a human message (DESIGN.md's error shape).
struct job_error {
  std::string code;
  std::string message;
  friend bool operator==(const job_error&, const job_error&) = default;
};

/// The fields of a job that change as it runs (DESIGN.md, "Run history fields").
/// Times are microseconds since the Unix epoch; 0 means "not yet".
struct run_state {
  job_status status = job_status::waiting;
  std::string provider_status;
  std::string provider_job_id;
  std::int64_t submitted_at = 0;
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;
  std::int32_t attempts = 0;
  std::optional<job_error> error;
  bool cancel_requested = false;
  std::string output_uri;
  std::string cost;   // JSON text, "" when the provider gave none
  std::string usage;  // JSON text, "" when the provider gave none
  /// The job is being sent to a remote provider and its answer is not yet
  /// recorded: after a crash it may exist there, so it is looked up by our id
  /// before being sent again (DESIGN.md, Durability). Not part of the API.
  bool submit_intent = false;
};

/// A job as stored: what was submitted (never changes) and its run state.
struct job_row {
  std::string id;
  std::string name;
  std::string provider;
  std::string target;
  std::int64_t shots = 0;
  std::string input_format;
  std::string input;   // JSON text of `input`; left empty by reads that skip it
  std::string params;  // JSON text of `params`
  std::vector<std::string> tags;
  std::int32_t priority = 5;
  std::string batch_id;  // "" when not part of a batch
  std::uint32_t owner = 0;
  std::string fingerprint;  // digest of the submitted content, for idempotent retries
  std::int64_t created_at = 0;
  std::int64_t seq = 0;  // insertion order, assigned by the store
  run_state run;
};

/// One entry of a job's run history.
struct transition_row {
  std::int64_t seq = 0;  // global, increasing: the event id
  std::string job_id;
  job_status status = job_status::waiting;
  std::string provider_status;
  std::int64_t at = 0;
};

}  // namespace qjob::storage
