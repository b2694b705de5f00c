#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Everything qjobctl prints for people: pure functions from the daemon's JSON to
// text, so that the layout is tested without a daemon. Each result ends in '\n'
// unless said otherwise.
namespace qjob::cli {

/// One column of a `render_table`: its header and whether its cells (numbers) are
/// aligned to the right.
struct column {
    std::string header;
    bool right_aligned = false;
};

/// `rows` under `columns`' headers, each column as wide as its widest cell or
/// header (counted in UTF-8 code points), separated by two spaces, without trailing
/// blanks. Missing cells of a short row print empty.
std::string render_table(std::vector<column> const& columns, std::vector<std::vector<std::string>> const& rows);

/// A JSON field as a table cell: strings as they are, null or absent as "-",
/// numbers and booleans in JSON spelling, arrays of strings joined with ",".
std::string cell_text(boost::json::object const& object, std::string_view key);

/// The `qjobctl list` table of `GET /v1/jobs` jobs: ID, NAME, STATUS, PROVIDER,
/// TARGET, SHOTS, CREATED.
std::string render_job_list(boost::json::array const& jobs);

/// The `qjobctl status` block of one job, as aligned `key: value` lines (fields
/// the daemon left out are skipped, null times show "-"), followed by a history
/// table when the job carries `history`.
std::string render_job(boost::json::object const& job);

/// The `qjobctl query` block of a job read with its history: where it runs,
/// the provider's id and last word on it, what it reported on usage, its error,
/// then the provider's words in order (AT, PROVIDER STATUS, STATUS).
std::string render_provider_view(boost::json::object const& job);

/// The `qjobctl result` tables of a `GET /v1/jobs/{id}/result` answer: per
/// circuit (headed "circuit N:" when there are several), OUTCOME, COUNT and
/// PROBABILITY, most frequent first (then most probable, then by outcome). COUNT
/// is left out for a circuit whose target gave probabilities only.
std::string render_results(boost::json::object const& result);

/// One progress line for a `GET /v1/batches/{id}` answer, without newline: a
/// bar of `bar_width` cells (none when 0), `done/total done`, the count of each
/// state, and with a known `jobs_per_second` the rate and the time left.
std::string render_batch_progress(boost::json::object const& batch, std::size_t bar_width = 0,
                                  std::optional<double> jobs_per_second = std::nullopt);

/// A duration for people: "42s", "3m05s", "2h07m".
std::string render_duration(double seconds);

/// True when no job of the batch is waiting or executing any more.
bool batch_is_final(boost::json::object const& batch);

/// True when some job of the batch failed or was cancelled.
bool batch_has_failures(boost::json::object const& batch);

/// The `qjobctl targets` table of a `GET /v1/targets` answer, one row per target;
/// a `*` marks the default provider and each provider's default target.
std::string render_targets(boost::json::object const& targets);

/// The `qjobctl health` lines of a `GET /v1/health` answer: `key: value` for
/// every field, in the daemon's order.
std::string render_health(boost::json::object const& health);

/// One line (no newline) for a daemon error answer: `code: message (field F)`
/// from the JSON error shape, or `HTTP <status>` and the start of the body when
/// the body is not that shape.
std::string describe_api_error(unsigned status, std::string_view body);

/// The `error.code` of a daemon error answer, or "" when the body is not the
/// JSON error shape.
std::string api_error_code(std::string_view body);

/// `value` as indented JSON (two spaces), ending in '\n', for `--json`.
std::string pretty_json(boost::json::value const& value);

}  // namespace qjob::cli
