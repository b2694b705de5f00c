#pragma once

#include "remote/provider_api.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Azure Quantum's JobDetails (GET jobs/{id}, the entries of GET jobs, the
/// answers of PUT jobs/{id} and POST jobs/{id}:cancel) and its status words,
/// read into plain values.
namespace qjob::azure {

/// What one of Azure's `status` words means for us.
struct status_mapping {
  std::string_view state = "waiting";  ///< the unified word
  bool final = false;
  bool known = true;  ///< false for a word the spec does not list: the job stays waiting
};

/// Maps every JobStatus of the 2026-01-15-preview spec: Queued, Waiting ->
/// waiting; Executing, Finishing, CancellationRequested, Cancelling -> executing
/// (cancelling is not final: the job may still finish); Succeeded, Completed ->
/// succeeded; Failed -> failed; Cancelled -> cancelled. The enum is extensible
/// (`modelAsString`), so any other word is unknown and non-final.
/// Case-sensitive, as Azure sends them. Pure.
status_mapping map_status(std::string_view status);

/// The fields of a JobDetails that qjob uses.
struct job_details {
  std::string id;  ///< ours: Azure's job id is the one we chose
  std::string name;
  std::string status;
  status_mapping mapping;
  std::string target;
  std::string provider_id;
  std::string container_uri;
  std::string input_data_uri;
  std::string output_data_uri;
  std::string input_data_format;
  std::string output_data_format;
  std::string error_code;  ///< errorData.code, "" when none
  std::string error_message;
  /// `{"costEstimate": ..., "usage": ...}` with those present and not null, as
  /// JSON text; "" when neither is.
  std::string usage_json;
};

/// A JobDetails, or why the object is not one (a malformed answer: transient).
struct details_outcome {
  std::optional<job_details> job;
  std::string error;  ///< "" on success
};

/// Reads one JobDetails; `id` and `status` are required. Pure.
details_outcome parse_job_details(const boost::json::value& value);
/// Parses `body` as JSON and reads it with parse_job_details.
details_outcome parse_job_details(std::string_view body);

/// One page of GET jobs (PagedJobDetails): the jobs, and `nextLink` (an
/// absolute URL; nullopt when null, empty or absent).
struct details_page {
  std::vector<job_details> jobs;
  std::optional<std::string> next;
};

struct page_outcome {
  std::optional<details_page> page;
  std::string error;  ///< "" on success
};

/// Reads a PagedJobDetails `{"value": [...], "nextLink": ...}`; one malformed
/// entry makes the page malformed. Pure.
page_outcome parse_job_page(std::string_view body);

/// A JobDetails in the unified words; `qjob_id` is the job's id, which is ours. Pure.
remote::job_state to_job_state(const job_details& job);

}  // namespace qjob::azure
