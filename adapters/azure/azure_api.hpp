#pragma once

#include "azure/azure_errors.hpp"
#include "azure/azure_options.hpp"
#include "azure/entra_token.hpp"
#include "http/http_client.hpp"
#include "remote/provider_api.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace qjob::azure {

struct job_details;

/// Azure Quantum's workspace data plane as the remote provider actor sees every
/// provider. Requests go to three kinds of hosts, each through its own
/// http_client made by the factory: the workspace endpoint (jobs, SAS URIs;
/// authenticated by the workspace key or an Entra token), the storage account
/// a SAS URI names (blobs; the SAS in the query is the only credential), and
/// the Entra authority (tokens).
///
/// - submit: `POST storage/sasUri` for the job's container, `PUT` the container
///   (201, or 409 ContainerAlreadyExists), `PUT` the input blob, then
///   `PUT jobs/{id}`, as the SDK does. Only a lost answer to that last PUT is
///   outcome_unknown; the earlier steps create nothing that runs.
/// - Azure's job id is ours, so a submission whose answer was lost is looked up
///   with get(our id), whose 404 is a permanent error with status 404.
/// - list: `GET jobs?orderby=CreationTime desc&top=N`, then Azure's
///   `nextLink`, followed only on the workspace's own host (it carries our
///   credentials).
/// - cancel: `POST jobs/{id}:cancel` from API version 2025-12-01-preview on,
///   `DELETE jobs/{id}` before it; then the job is read again.
/// - results: the job, then its `outputDataUri`; a 403 from the blob (an
///   expired SAS) gets a fresh SAS from `POST storage/sasUri` (container and
///   blob) and one more try.
///
/// Runs on the I/O thread; not thread-safe; the clients are made lazily and
/// live as long as this object. Never logs.
class azure_api final : public remote::provider_api {
public:
  /// Throws std::invalid_argument naming the option when `options` cannot
  /// work: an endpoint or authority that is not an http(s) URL, no
  /// subscription, resource group or workspace, or neither a key nor Entra
  /// credentials. The message never holds a secret.
  azure_api(azure_options options, client_factory factory);

  remote::capabilities abilities() const override;
  remote::api_result<std::string> prepare(const remote::job_spec& job) const override;
  boost::asio::awaitable<remote::api_result<std::string>> submit(std::string prepared) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> get(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<remote::state_page>> list(std::size_t limit,
                                                                      std::optional<std::string> next) override;
  boost::asio::awaitable<remote::api_result<remote::job_state>> cancel(std::string provider_job_id) override;
  boost::asio::awaitable<remote::api_result<std::string>> results(remote::result_request request) override;

  /// The path of the workspace (`/subscriptions/.../workspaces/{ws}`, after
  /// the endpoint's own path), to which the operations' paths are appended.
  const std::string& workspace_path() const noexcept { return workspace_path_; }

private:
  http::http_client& client_for(const std::string& origin);
  /// Sends `request` to `origin`; any response, or the failure of a lost one.
  boost::asio::awaitable<remote::api_result<http::response>> send_raw(std::string origin, http::request request,
                                                                      exchange ex);
  /// Sends an authenticated request to the workspace (`target` from the origin)
  /// and requires a 2xx answer.
  boost::asio::awaitable<remote::api_result<http::response>> workspace(boost::beast::http::verb method,
                                                                       std::string target, std::string body,
                                                                       exchange ex);
  /// The workspace target of an operation: path and `api-version` (+ `query`).
  std::string operation(std::string_view path, std::string_view query = {}) const;
  boost::asio::awaitable<remote::api_result<std::string>> sas_uri(std::string container, std::string blob);
  boost::asio::awaitable<remote::api_result<job_details>> read_job(std::string id);
  boost::asio::awaitable<remote::api_result<http::response>> download(std::string url, exchange ex);

  azure_options options_;
  client_factory factory_;
  std::string workspace_origin_;
  std::string workspace_path_;
  std::optional<entra_token> token_;
  std::map<std::string, std::unique_ptr<http::http_client>> clients_;  // by origin
};

}  // namespace qjob::azure
