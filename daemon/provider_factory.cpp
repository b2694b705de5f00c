#include "provider_factory.hpp"

#include "provider_credentials.hpp"

#include "azure/azure_api.hpp"
#include "http/beast_http_client.hpp"
#include "ionq/ionq_api.hpp"
#include "qcloud/qcloud_api.hpp"

#include <boost/url/parse.hpp>

#include <stdexcept>
#include <string>

namespace qjob::daemon {

namespace {

/// Azure Quantum's adapter: the workspace, its credentials, and HTTP clients
/// made on demand for the workspace, the storage accounts and the authority.
std::shared_ptr<remote::provider_api> make_azure_api(boost::asio::any_io_executor executor,
                                                     const provider_config& provider,
                                                     const qjob::http::client_options& http_options) {
  azure::azure_options options;
  options.endpoint = provider.base_url;
  options.subscription_id = provider.subscription_id;
  options.resource_group = provider.resource_group;
  options.workspace = provider.workspace;
  if (!provider.api_version.empty()) options.api_version = provider.api_version;
  options.timeout = provider.request_timeout;
  if (!provider.api_key_file.empty() || !provider.api_key_env.empty()) {
    options.api_key = load_api_key(provider);
  } else {
    azure::entra_credentials entra;
    entra.tenant_id = provider.tenant_id;
    entra.client_id = provider.client_id;
    entra.client_secret = load_secret(provider, provider.client_secret_file, provider.client_secret_env,
                                      "client_secret");
    if (!provider.authority.empty()) entra.authority = provider.authority;
    options.entra = std::move(entra);
  }
  auto factory = [executor, http_options](std::string_view origin) -> std::unique_ptr<qjob::http::http_client> {
    return std::make_unique<qjob::http::beast_http_client>(executor, origin, http_options);
  };
  try {
    return std::make_shared<azure::azure_api>(std::move(options), std::move(factory));
  } catch (const std::invalid_argument& e) {
    throw config_error("provider '" + provider.name + "': " + e.what());
  }
}

}  // namespace

std::shared_ptr<remote::provider_api> make_remote_api(boost::asio::any_io_executor executor,
                                                      const provider_config& provider) {
  auto url = boost::urls::parse_uri(provider.base_url);
  if (!url)
    throw config_error("provider '" + provider.name + "': base_url '" + provider.base_url + "' is not a URL");
  qjob::http::client_options http_options;
  http_options.default_timeout = provider.request_timeout;
  // The Azure adapter makes a client per origin (workspace, storage, authority).
  if (provider.type == "azure") return make_azure_api(executor, provider, http_options);
  std::unique_ptr<qjob::http::http_client> client;
  try {
    client = std::make_unique<qjob::http::beast_http_client>(executor, provider.base_url, http_options);
  } catch (const std::exception& e) {
    throw config_error("provider '" + provider.name + "': base_url '" + provider.base_url + "': " + e.what());
  }
  if (provider.type == "qcloud") return std::make_shared<qcloud::qcloud_api>(std::move(client), load_api_key(provider));
  ionq::client_options client_options;
  client_options.base_path = std::string(url->path());
  while (!client_options.base_path.empty() && client_options.base_path.back() == '/')
    client_options.base_path.pop_back();
  return std::make_shared<ionq::ionq_api>(std::move(client), load_api_key(provider), std::move(client_options));
}

actors::remote_provider_settings remote_settings(const provider_config& provider) {
  actors::remote_provider_settings settings;
  settings.name = provider.name;
  settings.requests_per_second = provider.requests_per_second;
  settings.max_attempts = provider.max_attempts;
  settings.backoff_initial = provider.backoff_initial;
  settings.backoff_max = provider.backoff_max;
  settings.retry_budget = provider.retry_budget;
  // A POST we gave up on after request_timeout is taken to be settled at the
  // provider one request_timeout later.
  settings.reconcile_settle = provider.request_timeout;
  settings.breaker_threshold = provider.breaker_threshold;
  settings.breaker_cool_down = provider.breaker_cool_down;
  return settings;
}

actors::remote_provider_link remote_link(const provider_config& provider, actors::remote_provider_ref ref,
                                         const remote::capabilities& abilities) {
  return actors::remote_provider_link{std::move(ref), provider.backoff_initial, provider.backoff_max,
                                      abilities.cancel, provider.max_submitting};
}

actors::local_provider_settings local_settings(const provider_config& provider) {
  return actors::local_provider_settings{provider.workers, provider.simulator_threads, provider.max_qubits};
}

}  // namespace qjob::daemon
