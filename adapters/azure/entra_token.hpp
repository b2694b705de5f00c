#pragma once

#include "azure/azure_options.hpp"
#include "http/http_client.hpp"
#include "remote/provider_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace qjob::azure {

/// A Microsoft Entra ID access token for Azure Quantum, from the client
/// credentials grant, cached and fetched again `refresh_margin` before it
/// expires (by `expires_in`; half its life when that is shorter than the margin).
///
/// Runs on the I/O thread; not thread-safe. Calls that overlap share one
/// fetch: the first sends it, the others wait for its outcome. A caller
/// cancelled while waiting gets a transient error. The secret goes only into
/// the form body and the token only into the value returned; neither is ever
/// put into an error message.
class entra_token {
public:
  /// `now` is the clock expiry is measured on; `timeout` the token request's deadline.
  entra_token(entra_credentials credentials, std::function<std::chrono::steady_clock::time_point()> now,
              std::chrono::milliseconds timeout);

  /// The token, from the cache or fetched through `authority` (the http_client
  /// of the authority's origin). A refusal of the credentials (400, 401) is a
  /// `credentials` error, 429/5xx/no answer/unreadable answers are transient.
  boost::asio::awaitable<remote::api_result<std::string>> get(http::http_client& authority);

  /// Forgets the cached token (Azure refused it: the next call fetches another).
  void invalidate() noexcept { token_.reset(); }

  /// The authority's origin (the http_client to pass to get()).
  const std::string& origin() const noexcept { return origin_; }

private:
  boost::asio::awaitable<remote::api_result<std::string>> fetch(http::http_client& authority);

  entra_credentials credentials_;
  std::function<std::chrono::steady_clock::time_point()> now_;
  std::chrono::milliseconds timeout_;
  std::string origin_;
  std::string token_path_;
  std::optional<std::string> token_;
  std::chrono::steady_clock::time_point refresh_at_{};
  bool fetching_ = false;
  std::uint64_t generation_ = 0;  // fetches finished
  std::optional<remote::api_error> last_error_;
  std::optional<boost::asio::steady_timer> wake_;  // waiters of an ongoing fetch; cancelled when it ends
};

}  // namespace qjob::azure
