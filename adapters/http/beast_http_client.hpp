#pragma once

#include "http/http_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::http {

/// Limits and defaults of a beast_http_client.
struct client_options {
  /// Deadline of a request whose own `timeout` is zero.
  std::chrono::milliseconds default_timeout{30'000};
  /// Keep-alive connections kept open for reuse; more are closed after their response.
  std::size_t max_idle_connections = 8;
  /// Larger response bodies fail with errc::body_too_large.
  std::uint64_t max_body_bytes = 16u * 1024 * 1024;
  /// Larger response header blocks fail with errc::headers_too_large.
  std::uint32_t max_header_bytes = 64u * 1024;
  /// Sent as User-Agent unless the request sets one.
  std::string user_agent = "qjobd";
};

/// A TLS client context that verifies peers against the system trust store
/// (`set_default_verify_paths`), TLS 1.2 or newer. Throws boost::system::system_error
/// when OpenSSL cannot set it up.
std::shared_ptr<boost::asio::ssl::context> make_default_tls_context();

/// The real http_client: HTTP/1.1 over Beast, to one base URL (`http://` or
/// `https://`, host, optional port and path prefix), with a pool of keep-alive
/// connections.
///
/// - https: certificate verification on (the context's trust store), SNI set for
///   host names, host name (or IP address) checked against the certificate.
/// - Pool: a finished exchange whose response allows keep-alive returns its
///   connection to the pool (at most `max_idle_connections`). A pooled connection
///   that fails before any byte of the response arrived (the server closed it while
///   idle) is retried once on a fresh connection, for GET, HEAD, PUT and DELETE only
///   (and not when the request says `may_resend = false`): a POST is never sent
///   twice by the transport, whatever happened to it.
/// - Time: the request's deadline bounds the whole exchange, retry included; the
///   resolve races a steady_timer, the stream operations use the Beast stream's expiry.
/// - Never logs bodies or header values.
///
/// Runs on the executor given at construction, which must be the callers' (the I/O
/// thread); not thread-safe, no locks. The client must outlive every send() it started.
class beast_http_client final : public http_client {
public:
  /// Throws std::invalid_argument naming the problem when `base_url` is not an
  /// http or https URL with a host. `tls` defaults to make_default_tls_context()
  /// for https URLs; tests inject a context that trusts their own CA.
  beast_http_client(boost::asio::any_io_executor executor, std::string_view base_url, client_options options = {},
                    std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  beast_http_client(const beast_http_client&) = delete;
  beast_http_client& operator=(const beast_http_client&) = delete;
  ~beast_http_client() override;

  /// See http_client::send and the class comment for pooling, retry and time.
  boost::asio::awaitable<boost::system::result<response>> send(request req) override;

  /// Connections now idle in the pool.
  std::size_t idle_connections() const noexcept { return idle_.size(); }
  /// Connections opened (TCP connects that succeeded) since construction.
  std::uint64_t connections_opened() const noexcept { return connections_opened_; }
  /// Closes every idle connection (e.g. before the daemon drains).
  void close_idle() noexcept;

private:
  struct connection;

  /// A fresh connection (TCP, then TLS for https), or why there is none.
  boost::asio::awaitable<boost::system::result<std::unique_ptr<connection>>> connect(
      std::chrono::steady_clock::time_point deadline);

  boost::asio::any_io_executor executor_;
  client_options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  bool https_ = false;
  std::string host_;         // for resolve, SNI and verification (no brackets)
  std::string port_;         // numeric service
  std::string host_header_;  // Host: value
  std::string base_path_;    // prefix of every target, without trailing '/'
  bool host_is_address_ = false;
  std::vector<std::unique_ptr<connection>> idle_;
  std::uint64_t connections_opened_ = 0;
};

}  // namespace qjob::http
