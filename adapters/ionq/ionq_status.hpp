#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// IonQ job objects (GET /jobs/{id}, the entries of GET /jobs, the POST /jobs
/// answer) and their status words, read into plain values.
namespace qjob::ionq {

/// The unified job states of DESIGN.md, as IonQ's words map onto them.
enum class unified_state : std::uint8_t { waiting, executing, succeeded, failed, cancelled };

/// The unified word for `state`: "waiting", "executing", ...
std::string_view to_string(unified_state state);

/// What one IonQ status string means for us. `known` is false for a word IonQ
/// has not published: the job then stays non-final (`waiting`) and the caller
/// logs the word once.
struct status_mapping {
  unified_state state = unified_state::waiting;
  bool final = false;
  bool known = true;
};

/// Maps IonQ's `status`: submitted/ready -> waiting, started (v0.3: running) ->
/// executing, completed -> succeeded, failed -> failed, canceled (also the
/// spelling "cancelled") -> cancelled. Case-sensitive, as IonQ sends them.
/// Pure; safe on any thread.
status_mapping map_status(std::string_view ionq_status);

/// A job-level failure (`failure: {code, message}`; v0.3 `{error, code}`).
struct job_failure {
  std::string code;
  std::string message;
};

/// Where one result of a job can be fetched. The May-2026 shape gives `url`
/// (`results.probabilities.url`, a path that already holds "/v0.4"); the
/// newer one gives an artifact descriptor (`id`, `format`, `media_type`),
/// fetched from `GET /jobs/{job}/artifacts/{id}`.
struct result_link {
  std::string kind;  // "probabilities", "histogram", "shots" or "probabilities-aggregate"
  std::string url;   // the May-2026 shape; "" otherwise
  std::string artifact_id;
  std::string format;  // e.g. "ionq.result.probabilities.json.v2"; "" in the url shape
  std::string media_type;
  int version = 1;  // the payload version the format names (v1 decimal keys, v2 registers)
};

/// The fields of an IonQ job object that qjob uses. Timestamps are IonQ's text
/// (RFC 3339 in v0.4). `usage_json` keeps what IonQ reports about size and
/// billing (`stats`, `cost_model`, `execution_duration_ms`, `cost`) as the text
/// of one JSON object, "" when none is present.
struct job_info {
  std::string id;
  std::string status;  // IonQ's own word, kept as provider_status
  status_mapping mapping;
  std::optional<job_failure> failure;
  std::vector<std::string> child_job_ids;  // in circuit order (v0.3: children)
  std::optional<std::string> parent_job_id;
  std::vector<result_link> results;
  std::optional<std::string> qjob_id;  // metadata.qjob_id
  std::optional<std::uint64_t> shots;
  std::optional<std::string> submitted_at;
  std::optional<std::string> started_at;
  std::optional<std::string> completed_at;
  std::string usage_json;
  std::vector<std::string> warnings;  // warning.messages, when IonQ adds them
};

/// A job, or why the object is not one (a malformed answer: transient).
struct job_outcome {
  std::optional<job_info> job;
  std::string error;  // "" on success
};

/// Reads one job object. Only `id` and `status` are required, so the POST /jobs
/// answer `{id, status, session_id}` reads too. Pure; safe on any thread.
job_outcome parse_job(const boost::json::value& object);

/// Parses `body` as JSON and reads it with parse_job.
job_outcome parse_job(std::string_view body);

/// One page of GET /jobs: the jobs and the cursor of the next page (nullopt on
/// the last page: `next` null, empty or absent).
struct job_page {
  std::vector<job_info> jobs;
  std::optional<std::string> next;
};

/// A page, or why the body is not one.
struct page_outcome {
  std::optional<job_page> page;
  std::string error;  // "" on success
};

/// Reads a GET /jobs answer `{"jobs": [...], "next": ...}`. One malformed entry
/// makes the whole page malformed. Pure; safe on any thread.
page_outcome parse_job_page(std::string_view body);

}  // namespace qjob::ionq
