#include "azure/azure_status.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace qjob::azure {
namespace {

namespace json = boost::json;

/// Thrown from the readers below up to the public functions, which turn it
/// into an error value; it never leaves this file.
struct malformed {
  std::string what;
};

[[noreturn]] void fail(std::string what) { throw malformed{std::move(what)}; }

std::string optional_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) fail("'" + std::string(key) + "' is not a string");
  return std::string(v->get_string());
}

struct status_word {
  std::string_view word;
  status_mapping mapping;
};

constexpr std::array<status_word, 10> words{{
    {"Queued", {"waiting", false, true}},
    {"Waiting", {"waiting", false, true}},
    {"Executing", {"executing", false, true}},
    {"Finishing", {"executing", false, true}},
    {"CancellationRequested", {"executing", false, true}},
    {"Cancelling", {"executing", false, true}},
    {"Succeeded", {"succeeded", true, true}},
    {"Completed", {"succeeded", true, true}},
    {"Failed", {"failed", true, true}},
    {"Cancelled", {"cancelled", true, true}},
}};

job_details read_details(const json::value& value) {
  if (!value.is_object()) fail("a job is not a JSON object");
  const json::object& o = value.get_object();
  job_details job;
  job.id = optional_string(o, "id");
  if (job.id.empty()) fail("a job has no 'id'");
  job.status = optional_string(o, "status");
  if (job.status.empty()) fail("job " + job.id + " has no 'status'");
  job.mapping = map_status(job.status);
  job.name = optional_string(o, "name");
  job.target = optional_string(o, "target");
  job.provider_id = optional_string(o, "providerId");
  job.container_uri = optional_string(o, "containerUri");
  job.input_data_uri = optional_string(o, "inputDataUri");
  job.output_data_uri = optional_string(o, "outputDataUri");
  job.input_data_format = optional_string(o, "inputDataFormat");
  job.output_data_format = optional_string(o, "outputDataFormat");
  if (const json::value* error = o.if_contains("errorData"); error != nullptr && !error->is_null()) {
    if (!error->is_object()) fail("job " + job.id + ": 'errorData' is not an object");
    job.error_code = optional_string(error->get_object(), "code");
    job.error_message = optional_string(error->get_object(), "message");
  }
  json::object usage;
  for (std::string_view key : {"costEstimate", "usage"})
    if (const json::value* v = o.if_contains(key); v != nullptr && !v->is_null()) usage[key] = *v;
  if (!usage.empty()) job.usage_json = json::serialize(usage);
  return job;
}

}  // namespace

status_mapping map_status(std::string_view status) {
  for (const auto& entry : words)
    if (entry.word == status) return entry.mapping;
  return {"waiting", false, false};
}

details_outcome parse_job_details(const json::value& value) {
  details_outcome out;
  try {
    out.job = read_details(value);
  } catch (malformed& m) {
    out.error = "malformed Azure job: " + m.what;
  }
  return out;
}

details_outcome parse_job_details(std::string_view body) {
  boost::system::error_code ec;
  const json::value value = json::parse(body, ec);
  if (ec) return {std::nullopt, "Azure's job is not JSON (" + ec.message() + ")"};
  return parse_job_details(value);
}

page_outcome parse_job_page(std::string_view body) {
  page_outcome out;
  // As IonQ's pages: the document is built in one arena, dropped once its jobs are copied out.
  json::monotonic_resource arena;
  boost::system::error_code ec;
  const json::value value = json::parse(body, ec, &arena);
  if (ec) {
    out.error = "Azure's job list is not JSON (" + ec.message() + ")";
    return out;
  }
  try {
    if (!value.is_object()) fail("the page is not a JSON object");
    const json::object& o = value.get_object();
    const json::value* jobs = o.if_contains("value");
    if (jobs == nullptr || !jobs->is_array()) fail("the page has no 'value' array");
    details_page page;
    page.jobs.reserve(jobs->get_array().size());
    for (const json::value& entry : jobs->get_array()) page.jobs.push_back(read_details(entry));
    if (auto next = optional_string(o, "nextLink"); !next.empty()) page.next = std::move(next);
    out.page = std::move(page);
  } catch (malformed& m) {
    out.error = "malformed Azure job list: " + m.what;
  }
  return out;
}

remote::job_state to_job_state(const job_details& job) {
  remote::job_state state;
  state.id = job.id;
  state.state = std::string(job.mapping.state);
  state.provider_status = job.status;
  state.final = job.mapping.final;
  state.known = job.mapping.known;
  if (job.mapping.state == "failed") {
    state.error_code = job.error_code;
    state.error_message = job.error_message;
  }
  state.qjob_id = job.id;
  state.usage = job.usage_json;
  return state;
}

}  // namespace qjob::azure
