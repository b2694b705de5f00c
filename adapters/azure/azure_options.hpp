#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace qjob::http {
class http_client;
}

/// The configuration of the Azure Quantum adapter: which workspace, which API
/// version, and how we prove who we are.
namespace qjob::azure {

/// The API version the adapter speaks by default: the current data-plane spec.
inline constexpr std::string_view default_api_version = "2026-01-15-preview";

/// From this API version on a job is cancelled with `POST jobs/{id}:cancel`;
/// before it, `DELETE jobs/{id}` cancelled (it deletes the job from this version on).
inline constexpr std::string_view cancel_verb_api_version = "2025-12-01-preview";

/// Microsoft Entra ID client credentials (a service principal). The secret is
/// the text itself, already read from its file or variable by the caller.
struct entra_credentials {
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  /// Where tokens come from: POST `{authority}/{tenant}/oauth2/v2.0/token`.
  std::string authority = "https://login.microsoftonline.com";
  /// The scope of the token (Azure Quantum's data plane).
  std::string scope = "https://quantum.microsoft.com/.default";
  /// A token is fetched again this long before it expires.
  std::chrono::seconds refresh_margin{300};
};

/// One Azure Quantum workspace. Exactly one of `api_key` (the workspace key,
/// sent as `x-ms-quantum-api-key`) and `entra` is used; `api_key` wins when both
/// are given. Neither ever appears in a log or an error message.
struct azure_options {
  std::string endpoint = "https://eastus.quantum.azure.com";  ///< http:// allowed, for proxies and tests
  std::string subscription_id;
  std::string resource_group;
  std::string workspace;
  std::string api_version = std::string(default_api_version);
  std::optional<std::string> api_key;
  std::optional<entra_credentials> entra;
  /// Deadline of each exchange; zero takes the http_client's default.
  std::chrono::milliseconds timeout{0};
  /// The clock token expiry is measured on; tests replace it.
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

/// Makes the http_client of one origin (`https://host[:port]`, no path): the
/// workspace endpoint, the storage account of a SAS URI, the token authority.
/// The daemon passes one that builds beast_http_clients on its executor.
using client_factory = std::function<std::unique_ptr<http::http_client>(std::string_view base_url)>;

}  // namespace qjob::azure
