#include "ionq/ionq_api.hpp"

#include "ionq/ionq_request.hpp"
#include "ionq/ionq_results.hpp"
#include "local/sampler.hpp"

#include <boost/json/serialize.hpp>

namespace qjob::ionq {

namespace {

remote::api_error refused(std::string message) {
  remote::api_error error;
  error.kind = remote::error_kind::permanent;
  error.message = std::move(message);
  return error;
}

}  // namespace

remote::job_state to_job_state(const job_info& job) {
  remote::job_state state;
  state.id = job.id;
  state.state = std::string(to_string(job.mapping.state));
  state.provider_status = job.status;
  state.final = job.mapping.final;
  state.known = job.mapping.known;
  if (job.failure) {
    state.error_code = job.failure->code;
    state.error_message = job.failure->message;
  }
  state.qjob_id = job.qjob_id;
  state.usage = job.usage_json;
  return state;
}

ionq_api::ionq_api(std::unique_ptr<http::http_client> http, std::string api_key, client_options options)
    : http_(std::move(http)), client_(*http_, std::move(api_key), options), limits_(options.limits) {}

remote::capabilities ionq_api::abilities() const {
  return {.cancel = true, .list = true, .lookup = remote::lost_submission_lookup::list_by_qjob_id};
}

remote::api_result<std::string> ionq_api::prepare(const remote::job_spec& job) const {
  job_description description;
  description.job_id = job.job_id;
  description.name = job.name;
  description.target = job.target;
  description.shots = job.shots;
  description.input = job.input;
  description.params = job.params;
  auto built = build_job_request(description, limits_);
  if (!built.body) return refused(built.error ? built.error->message : "the job cannot be sent to IonQ");
  return boost::json::serialize(*built.body);
}

boost::asio::awaitable<remote::api_result<std::string>> ionq_api::submit(std::string prepared) {
  co_return co_await client_.submit_body(std::move(prepared));
}

boost::asio::awaitable<remote::api_result<remote::job_state>> ionq_api::get(std::string provider_job_id) {
  auto got = co_await client_.get(std::move(provider_job_id));
  if (!got) co_return got.error();
  co_return to_job_state(*got);
}

boost::asio::awaitable<remote::api_result<remote::state_page>> ionq_api::list(std::size_t limit,
                                                                             std::optional<std::string> next) {
  auto listed = co_await client_.list(limit, std::move(next));
  if (!listed) co_return listed.error();
  remote::state_page page;
  page.jobs.reserve(listed->jobs.size());
  for (const auto& job : listed->jobs) page.jobs.push_back(to_job_state(job));
  page.next = std::move(listed->next);
  co_return page;
}

boost::asio::awaitable<remote::api_result<remote::job_state>> ionq_api::cancel(std::string provider_job_id) {
  auto got = co_await client_.cancel(std::move(provider_job_id));
  if (!got) co_return got.error();
  co_return to_job_state(*got);
}

boost::asio::awaitable<remote::api_result<std::string>> ionq_api::results(remote::result_request request) {
  auto got = co_await client_.get(request.provider_job_id);
  if (!got) co_return got.error();
  if (got->mapping.state != unified_state::succeeded) {
    std::string message = "job " + got->id + " has no results: it is " + got->status;
    co_return refused(std::move(message));
  }
  document_options options;
  options.shots = request.shots;
  options.seed = local::job_seed(request.job_id);
  co_return co_await client_.probabilities(std::move(*got), std::move(request.circuits), options);
}

}  // namespace qjob::ionq
