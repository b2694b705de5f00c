#pragma once

#include "failure.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::cli {

/// The `qjobctl submit` flags that change a job; each one given replaces the
/// corresponding field of the job read from the file.
struct job_overrides {
    std::optional<std::string> id;
    std::optional<std::string> name;
    std::optional<std::string> provider;
    std::optional<std::string> target;
    std::optional<std::int64_t> shots;
    std::optional<int> priority;
    std::optional<std::string> input_format;
    std::optional<std::int64_t> seed;  ///< goes to `params.seed`
    std::vector<std::string> tags;     ///< when not empty, replaces `tags`
};

/// The job object for `POST /v1/jobs` from a file's `content`, read as:
/// - a whole job: a JSON object with an `"input"` key, taken as is;
/// - a bare input: any other JSON object (an ionq.circuit.v0 circuit), a JSON array
///   (a multi-circuit job) or a JSON string (QASM text), wrapped as `{"input": ...}`;
/// - anything that does not parse as JSON, such as a `.qasm` file: QASM text,
///   wrapped as `{"input": "<text>"}`, leaving the daemon to infer qasm2.
/// `source` names the file in messages. Fails on an empty file and on a JSON
/// number, boolean or null, which are neither jobs nor circuits.
cli_result<boost::json::object> read_job(std::string_view content, std::string_view source);

/// `job` with each set field of `overrides` written over it. Fails when `params`
/// must take a seed but is not an object.
cli_result<boost::json::object> apply_overrides(boost::json::object job, job_overrides const& overrides);

/// The NDJSON body for `POST /v1/batches` from a `.ndjson` file: each non-blank line
/// read as by `read_job` except that it must be JSON, one job per output line.
/// Fails naming `source:line` on the first line that is not JSON or not a job, and
/// on a file without any job.
cli_result<std::string> read_batch(std::string_view content, std::string_view source);

/// One non-blank line of a `.ndjson` batch file as `read_batch` turns it into a
/// line of the body (with its '\n'); `where` (`source:line`) names it in a failure.
cli_result<std::string> batch_line(std::string_view line, std::string_view where);

}  // namespace qjob::cli
