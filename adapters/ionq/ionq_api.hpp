#pragma once

#include "http/http_client.hpp"
#include "ionq/ionq_client.hpp"
#include "remote/provider_api.hpp"

#include <memory>
#include <string>

namespace qjob::ionq {

/// IonQ's API v0.4 as the remote provider actor sees every provider: the
/// translation (build_job_request), the exchanges (ionq_client), and IonQ's
/// job objects read into unified states (map_status). Our job id travels as
/// `metadata.qjob_id`, so list() shows it for reconciliation.
class ionq_api final : public remote::provider_api {
public:
  /// `http` reaches the base URL; `api_key` goes only into the Authorization header.
  ionq_api(std::unique_ptr<http::http_client> http, std::string api_key, client_options options = {});

  remote::capabilities abilities() const override;
  remote::api_result<std::string> prepare(const remote::job_spec& job) const override;
  boost::asio::awaitable<remote::api_result<std::string>> submit(std::string prepared) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> get(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<remote::state_page>> list(std::size_t limit,
                                                                      std::optional<std::string> next) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> cancel(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<std::string>> results(remote::result_request request) override;

private:
  std::unique_ptr<http::http_client> http_;
  ionq_client client_;
  request_limits limits_;
};

/// An IonQ job object in the unified words. Pure.
remote::job_state to_job_state(const job_info& job);

}  // namespace qjob::ionq
