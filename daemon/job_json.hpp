#pragma once

#include "storage/job_row.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qjob::daemon {

/// Microseconds since the epoch as RFC 3339 UTC ("2026-11-21T18:04:05.123456Z").
std::string rfc3339(std::int64_t micros);

/// A job as the API shows it (DESIGN.md, "Job model"). `input` is included when the
/// row has it; `queue_position` when the job waits here; `history` when asked for.
boost::json::object job_to_json(const storage::job_row& job, std::optional<std::int64_t> queue_position = {},
                                const std::vector<storage::transition_row>* history = nullptr);

}  // namespace qjob::daemon
