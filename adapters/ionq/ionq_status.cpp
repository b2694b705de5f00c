#include "ionq/ionq_status.hpp"
#include "ionq/malformed.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <system_error>
#include <utility>

namespace qjob::ionq {
namespace {

namespace json = boost::json;

using detail::fail;
using detail::malformed;

std::optional<std::string> optional_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) fail("'" + std::string(key) + "' is not a string");
  return std::string(v->get_string());
}

std::string required_string(const json::object& o, std::string_view key) {
  std::optional<std::string> s = optional_string(o, key);
  if (!s || s->empty()) fail("missing '" + std::string(key) + "'");
  return std::move(*s);
}

// "ionq.result.probabilities.json.v2" -> kind "probabilities", version 2.
void read_format(result_link& link) {
  constexpr std::string_view prefix = "ionq.result.";
  std::string_view f = link.format;
  if (!f.starts_with(prefix)) return;
  f.remove_prefix(prefix.size());
  const std::size_t json_part = f.find(".json.v");
  if (json_part == std::string_view::npos) return;
  link.kind = std::string(f.substr(0, json_part));
  // A version that is not a whole number in int's range is left unknown.
  const std::string_view version = f.substr(json_part + 7);
  int v = 0;
  const auto [end, error] = std::from_chars(version.data(), version.data() + version.size(), v);
  if (error != std::errc{} || end != version.data() + version.size() || version.starts_with('-')) return;
  link.version = v;
}

std::vector<result_link> read_results(const json::value* v) {
  std::vector<result_link> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object()) fail("'results' is not an object");
  for (const auto& entry : v->get_object()) {
    if (!entry.value().is_object()) fail("'results." + std::string(entry.key()) + "' is not an object");
    const json::object& item = entry.value().get_object();
    result_link link;
    if (item.contains("url")) {
      link.kind = std::string(entry.key());
      link.url = required_string(item, "url");
    } else {
      link.artifact_id = required_string(item, "id");
      link.format = optional_string(item, "format").value_or(std::string(entry.key()));
      link.media_type = optional_string(item, "media_type").value_or("");
      read_format(link);
    }
    out.push_back(std::move(link));
  }
  return out;
}

std::vector<std::string> read_ids(const json::value* v, std::string_view key) {
  std::vector<std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) fail("'" + std::string(key) + "' is not an array");
  for (const json::value& id : v->get_array()) {
    if (!id.is_string()) fail("'" + std::string(key) + "' holds a value that is not a string");
    out.emplace_back(id.get_string());
  }
  return out;
}

std::optional<job_failure> read_failure(const json::value* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) fail("'failure' is not an object");
  const json::object& f = v->get_object();
  job_failure out;
  out.code = optional_string(f, "code").value_or("");
  // v0.3 put the text in `error`.
  out.message = optional_string(f, "message").value_or(optional_string(f, "error").value_or(""));
  return out;
}

job_info read_job(const json::value& value) {
  if (!value.is_object()) fail("a job is not a JSON object");
  const json::object& o = value.get_object();
  job_info job;
  job.id = required_string(o, "id");
  job.status = required_string(o, "status");
  job.mapping = map_status(job.status);
  job.failure = read_failure(o.if_contains("failure"));
  job.child_job_ids = read_ids(o.if_contains("child_job_ids"), "child_job_ids");
  if (job.child_job_ids.empty()) job.child_job_ids = read_ids(o.if_contains("children"), "children");
  job.parent_job_id = optional_string(o, "parent_job_id");
  job.results = read_results(o.if_contains("results"));
  if (const json::value* metadata = o.if_contains("metadata"); metadata != nullptr && metadata->is_object()) {
    job.qjob_id = optional_string(metadata->get_object(), "qjob_id");
  }
  if (const json::value* shots = o.if_contains("shots"); shots != nullptr && !shots->is_null()) {
    if (shots->is_uint64()) {
      job.shots = shots->get_uint64();
    } else if (shots->is_int64() && shots->get_int64() >= 0) {
      job.shots = static_cast<std::uint64_t>(shots->get_int64());
    } else {
      fail("'shots' is not a non-negative integer");
    }
  }
  job.submitted_at = optional_string(o, "submitted_at");
  job.started_at = optional_string(o, "started_at");
  job.completed_at = optional_string(o, "completed_at");

  json::object usage;
  for (std::string_view key : {"stats", "cost_model", "execution_duration_ms", "cost"}) {
    const json::value* v = o.if_contains(key);
    if (v != nullptr && !v->is_null()) usage[key] = *v;
  }
  if (!usage.empty()) job.usage_json = json::serialize(usage);

  if (const json::value* warning = o.if_contains("warning"); warning != nullptr && warning->is_object()) {
    if (const json::value* messages = warning->get_object().if_contains("messages");
        messages != nullptr && messages->is_array()) {
      for (const json::value& m : messages->get_array()) {
        if (m.is_string()) job.warnings.emplace_back(m.get_string());
      }
    }
  }
  return job;
}

std::optional<json::value> parse_json(std::string_view body, std::string& error, json::storage_ptr storage = {}) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, std::move(storage));
  if (ec) {
    error = "the body is not JSON (" + ec.message() + ")";
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::string_view to_string(unified_state state) {
  switch (state) {
    case unified_state::waiting: return "waiting";
    case unified_state::executing: return "executing";
    case unified_state::succeeded: return "succeeded";
    case unified_state::failed: return "failed";
    case unified_state::cancelled: return "cancelled";
  }
  return "waiting";
}

status_mapping map_status(std::string_view s) {
  if (s == "submitted" || s == "ready") return {unified_state::waiting, false, true};
  // v0.4 says started; v0.3, the console and Qiskit say running.
  if (s == "started" || s == "running") return {unified_state::executing, false, true};
  if (s == "completed") return {unified_state::succeeded, true, true};
  if (s == "failed") return {unified_state::failed, true, true};
  if (s == "canceled" || s == "cancelled") return {unified_state::cancelled, true, true};
  return {unified_state::waiting, false, false};
}

job_outcome parse_job(const boost::json::value& object) {
  job_outcome out;
  try {
    out.job = read_job(object);
  } catch (malformed& m) {
    out.error = "malformed IonQ job: " + m.what;
  }
  return out;
}

job_outcome parse_job(std::string_view body) {
  job_outcome out;
  std::optional<json::value> v = parse_json(body, out.error);
  if (!v) {
    out.error = "malformed IonQ job: " + out.error;
    return out;
  }
  return parse_job(*v);
}

page_outcome parse_job_page(std::string_view body) {
  page_outcome out;
  // A page's document lives only while its jobs are copied out: built in one
  // arena and dropped at once, not node by node. The poller reads pages of a
  // hundred thousand watched jobs all day; their parse is most of its cost.
  json::monotonic_resource arena;
  std::optional<json::value> v = parse_json(body, out.error, &arena);
  if (!v) {
    out.error = "malformed IonQ job list: " + out.error;
    return out;
  }
  try {
    if (!v->is_object()) fail("the answer is not a JSON object");
    const json::object& o = v->get_object();
    const json::value* jobs = o.if_contains("jobs");
    if (jobs == nullptr || !jobs->is_array()) fail("missing 'jobs' array");
    job_page page;
    page.jobs.reserve(jobs->get_array().size());
    for (const json::value& j : jobs->get_array()) page.jobs.push_back(read_job(j));
    std::optional<std::string> next = optional_string(o, "next");
    if (next && !next->empty()) page.next = std::move(next);
    out.page = std::move(page);
  } catch (malformed& m) {
    out.error = "malformed IonQ job list: " + m.what;
  }
  return out;
}

}  // namespace qjob::ionq
