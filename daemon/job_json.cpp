#include "job_json.hpp"

#include <boost/json.hpp>

#include <ctime>

namespace qjob::daemon {

namespace json = boost::json;

std::string rfc3339(std::int64_t micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%06lldZ", static_cast<long long>(micros % 1'000'000));
  return text;
}

namespace {

json::value time_or_null(std::int64_t micros) {
  if (micros == 0) return nullptr;
  return json::value(rfc3339(micros));
}

json::value json_text_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  return ec ? json::value(nullptr) : value;
}

}  // namespace

json::object job_to_json(const storage::job_row& job, std::optional<std::int64_t> queue_position,
                         const std::vector<storage::transition_row>* history) {
  const auto& run = job.run;
  json::object out;
  out.reserve(28);
  out["id"] = job.id;
  out["name"] = job.name;
  out["provider"] = job.provider;
  out["target"] = job.target;
  out["shots"] = job.shots;
  out["input_format"] = job.input_format;
  if (!job.input.empty()) out["input"] = json_text_or_null(job.input);
  out["params"] = job.params.empty() ? json::value(json::object{}) : json_text_or_null(job.params);
  out["tags"] = json::array(job.tags.begin(), job.tags.end());
  out["priority"] = job.priority;
  out["batch_id"] = job.batch_id.empty() ? json::value(nullptr) : json::value(job.batch_id);
  out["owner"] = job.owner;
  out["status"] = storage::to_string(run.status);
  out["provider_status"] = run.provider_status;
  out["provider_job_id"] = run.provider_job_id.empty() ? json::value(nullptr) : json::value(run.provider_job_id);
  out["created_at"] = time_or_null(job.created_at);
  out["submitted_at"] = time_or_null(run.submitted_at);
  out["started_at"] = time_or_null(run.started_at);
  out["finished_at"] = time_or_null(run.finished_at);
  out["attempts"] = run.attempts;
  out["error"] = run.error ? json::value(json::object{{"code", run.error->code}, {"message", run.error->message}})
                           : json::value(nullptr);
  out["cancel_requested"] = run.cancel_requested;
  out["output_uri"] = run.output_uri.empty() ? json::value(nullptr) : json::value(run.output_uri);
  if (queue_position) out["queue_position"] = *queue_position;
  if (!run.cost.empty()) out["cost"] = json_text_or_null(run.cost);
  if (!run.usage.empty()) out["usage"] = json_text_or_null(run.usage);
  if (history) {
    json::array entries;
    for (const auto& entry : *history)
      entries.push_back(json::object{{"status", storage::to_string(entry.status)},
                                     {"provider_status", entry.provider_status},
                                     {"at", rfc3339(entry.at)}});
    out["history"] = std::move(entries);
  }
  return out;
}

}  // namespace qjob::daemon
