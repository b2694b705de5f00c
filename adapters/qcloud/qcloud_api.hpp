#pragma once

#include "http/http_client.hpp"
#include "remote/provider_api.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace qjob::qcloud {

/// Origin QCloud's task API as pyqpanda uses it: every call a POST of JSON to
/// `/oqcs/task/...`, the key in `Authorization: oqcs_auth=<key>` and in the body
/// as `apiKey`, answers in the `{success, message, obj}` envelope. One circuit
/// per job, written in OriginIR (qcloud_request.hpp). QCloud has no job list
/// and no cancel (abilities() says so; list() and cancel() fail permanently),
/// so a submission whose answer was lost cannot be looked up: the provider
/// actor fails the job rather than send it twice.
class qcloud_api final : public remote::provider_api {
public:
  qcloud_api(std::unique_ptr<http::http_client> http, std::string api_key);

  remote::capabilities abilities() const override;
  remote::api_result<std::string> prepare(const remote::job_spec& job) const override;
  boost::asio::awaitable<remote::api_result<std::string>> submit(std::string prepared) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> get(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<remote::state_page>> list(std::size_t limit,
                                                                      std::optional<std::string> next) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> cancel(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<std::string>> results(remote::result_request request) override;

private:
  /// POSTs `body` (to which the key is added) to `path`; the answer's body, or
  /// the classified failure (`is_submit`: a lost answer's outcome is unknown).
  boost::asio::awaitable<remote::api_result<std::string>> post(std::string path, std::string body, bool is_submit);
  boost::asio::awaitable<remote::api_result<remote::job_state>> detail(std::string task_id, std::string* result_text);

  std::unique_ptr<http::http_client> http_;
  std::string api_key_;
};

}  // namespace qjob::qcloud
