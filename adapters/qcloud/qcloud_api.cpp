#include "qcloud/qcloud_api.hpp"

#include "local/result_document.hpp"
#include "local/sampler.hpp"
#include "qcloud/qcloud_request.hpp"
#include "qcloud/qcloud_task.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <random>

namespace qjob::qcloud {
namespace {

namespace json = boost::json;
using remote::api_error;
using remote::error_kind;
using remote::make_error;

constexpr std::string_view submit_path = "/oqcs/task/submitTask.json";
constexpr std::string_view detail_path = "/oqcs/task/getTaskDetailForQpanda.json";

bool mentions_key(std::string message) {
  std::transform(message.begin(), message.end(), message.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"apikey", "api key", "token", "auth"})
    if (message.find(word) != std::string::npos) return true;
  return false;
}

/// QCloud's own refusal (`success: false`): our key when it says so, else this request.
api_error refusal(const std::string& message) {
  return make_error(mentions_key(message) ? error_kind::credentials : error_kind::permanent,
                    "QCloud refused the request: " + message);
}

}  // namespace

qcloud_api::qcloud_api(std::unique_ptr<http::http_client> http, std::string api_key)
    : http_(std::move(http)), api_key_(std::move(api_key)) {}

remote::capabilities qcloud_api::abilities() const {
  return {.cancel = false, .list = false, .lookup = remote::lost_submission_lookup::none};
}

remote::api_result<std::string> qcloud_api::prepare(const remote::job_spec& job) const {
  auto built = build_submission(job);
  if (!built.body) return make_error(error_kind::permanent, built.error->message);
  return std::move(*built.body);
}

boost::asio::awaitable<remote::api_result<std::string>> qcloud_api::post(std::string path, std::string body,
                                                                         bool is_submit) {
  boost::system::error_code ec;
  auto object = json::parse(body, ec);
  if (ec || !object.is_object()) co_return make_error(error_kind::permanent, "QCloud request not built");
  object.as_object()["apiKey"] = api_key_;
  http::request request;
  request.method = boost::beast::http::verb::post;
  request.target = std::move(path);
  request.headers.add("Authorization", "oqcs_auth=" + api_key_);
  request.headers.add("Content-Type", "application/json;charset=UTF-8");
  request.headers.add("origin-language", "en");
  request.body = json::serialize(object);
  auto sent = co_await http_->send(std::move(request));
  if (!sent) {
    const auto kind = is_submit && !http::never_reached_server(sent.error()) ? error_kind::outcome_unknown
                                                                              : error_kind::transient;
    co_return make_error(kind, "no answer from QCloud: " + sent.error().message());
  }
  const auto status = sent->status;
  if (status >= 200 && status < 300) co_return std::move(sent->body);
  if (status == 401 || status == 403)
    co_return make_error(error_kind::credentials, "QCloud refused our key (HTTP " + std::to_string(status) + ")", status);
  if (status == 429 || status >= 500 || status == 408) {
    const auto kind = is_submit && status != 429 ? error_kind::outcome_unknown : error_kind::transient;
    co_return make_error(kind, "QCloud answered HTTP " + std::to_string(status), status);
  }
  co_return make_error(error_kind::permanent, "QCloud answered HTTP " + std::to_string(status), status);
}

boost::asio::awaitable<remote::api_result<std::string>> qcloud_api::submit(std::string prepared) {
  auto answered = co_await post(std::string(submit_path), std::move(prepared), true);
  if (!answered) co_return answered.error();
  auto read = read_submit_answer(*answered);
  if (read.refused) co_return refusal(read.error);
  if (!read.value) co_return make_error(error_kind::outcome_unknown, read.error);
  co_return std::move(*read.value);
}

boost::asio::awaitable<remote::api_result<remote::job_state>> qcloud_api::detail(std::string task_id,
                                                                                std::string* result_text) {
  json::object query{{"taskId", task_id}};
  auto answered = co_await post(std::string(detail_path), json::serialize(query), false);
  if (!answered) co_return answered.error();
  auto read = read_task_detail(*answered);
  if (read.refused) co_return refusal(read.error);
  if (!read.value) co_return make_error(error_kind::transient, read.error);
  const auto mapped = map_task_state(read.value->code);
  remote::job_state state;
  state.id = std::move(task_id);
  state.state = mapped.state;
  state.provider_status = mapped.word;
  state.final = mapped.final;
  state.known = mapped.known;
  if (mapped.state == "failed") {
    state.error_code = mapped.word;
    state.error_message = read.value->error_message;
  }
  if (result_text != nullptr) *result_text = std::move(read.value->result);
  co_return state;
}

boost::asio::awaitable<remote::api_result<remote::job_state>> qcloud_api::get(std::string provider_job_id) {
  co_return co_await detail(std::move(provider_job_id), nullptr);
}

boost::asio::awaitable<remote::api_result<remote::state_page>> qcloud_api::list(std::size_t,
                                                                               std::optional<std::string>) {
  co_return make_error(error_kind::permanent, "QCloud cannot list jobs");
}

boost::asio::awaitable<remote::api_result<remote::job_state>> qcloud_api::cancel(std::string) {
  co_return make_error(error_kind::permanent, "QCloud cannot cancel a job it has; the job runs on");
}

boost::asio::awaitable<remote::api_result<std::string>> qcloud_api::results(remote::result_request request) {
  std::string text;
  auto state = co_await detail(request.provider_job_id, &text);
  if (!state) co_return state.error();
  if (state->state != "succeeded")
    co_return make_error(error_kind::permanent, "task " + request.provider_job_id + " has no results: it is " +
                                                    state->provider_status);
  auto distribution = read_task_result(text);
  if (!distribution.value) co_return make_error(error_kind::transient, distribution.error);
  if (request.circuits.size() != 1) co_return make_error(error_kind::permanent, "the job does not hold one circuit");
  const auto width = request.circuits.front().clbits;
  if (!distribution.value->empty() && width < 64 && distribution.value->back().first >> width != 0)
    co_return make_error(error_kind::permanent, "QCloud's results name more classical bits than the circuit has");
  // QCloud gives probabilities; the counts are drawn from them, seeded by our job id.
  const auto seed = local::job_seed(request.job_id);
  std::mt19937_64 rng(local::circuit_seed(seed, 0));
  local::circuit_result result;
  const auto drawn = local::sample(*distribution.value, request.shots, rng);
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    const auto& [value, p] = (*distribution.value)[i];
    if (drawn[i] > 0) result.counts.emplace_back(local::bitstring(value, width), drawn[i]);
    result.probabilities.emplace_back(local::bitstring(value, width), p);
  }
  co_return local::result_document({result}, seed, "sampled");
}

}  // namespace qjob::qcloud
