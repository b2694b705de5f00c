#include "http/beast_http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <stdexcept>
#include <utility>

namespace qjob::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

struct beast_http_client::connection {
  // Exactly one of the two is engaged: plain for http://, tls for https://.
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

namespace {

using clock = std::chrono::steady_clock;
using outgoing = beast_http::request<beast_http::string_body>;

/// How one exchange on one connection ended.
struct exchange_outcome {
  error_code ec;
  bool response_started = false;  // some response bytes arrived before the failure
  bool reusable = false;          // the connection may serve another request
  response result;
};

std::shared_ptr<spdlog::logger> logger() {
  static const std::shared_ptr<spdlog::logger> log = [] {
    auto existing = spdlog::get("http");
    return existing ? existing : spdlog::default_logger()->clone("http");
  }();
  return log;
}

bool is_idempotent(beast_http::verb method) {
  return method == beast_http::verb::get || method == beast_http::verb::head || method == beast_http::verb::put ||
         method == beast_http::verb::delete_;
}

/// The errc for a failure while reading or writing on an established connection.
errc io_error(const error_code& ec) {
  if (ec == beast::error::timeout) return errc::timeout;
  if (ec == net::error::operation_aborted) return errc::cancelled;
  if (ec == beast_http::error::body_limit) return errc::body_too_large;
  if (ec == beast_http::error::header_limit) return errc::headers_too_large;
  // A clean close before (end_of_stream) or inside (partial_message) a response is
  // the peer hanging up, like a reset; any other parse error means garbled bytes.
  if (ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message) return errc::connection_reset;
  if (ec.category() == beast_http::make_error_code(beast_http::error::end_of_stream).category())
    return errc::malformed_response;
  if (ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
      ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated)
    return errc::connection_reset;
  return errc::io_failed;
}

errc connect_error(const error_code& ec) {
  if (ec == beast::error::timeout) return errc::timeout;
  if (ec == net::error::operation_aborted) return errc::cancelled;
  if (ec == net::error::connection_refused) return errc::connection_refused;
  return errc::connect_failed;
}

template <class Stream>
net::awaitable<exchange_outcome> run_exchange(Stream& stream, beast::tcp_stream& lowest, beast::flat_buffer& buffer,
                                              const outgoing& message, clock::time_point deadline,
                                              const client_options& options) {
  exchange_outcome outcome;
  lowest.expires_at(deadline);
  auto [write_error, written] = co_await beast_http::async_write(stream, message, net::as_tuple(net::use_awaitable));
  if (write_error) {
    outcome.ec = write_error;
    co_return outcome;
  }
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(options.max_header_bytes);
  if (message.method() == beast_http::verb::head) parser.skip(true);
  auto [read_error, read] = co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  outcome.response_started = parser.got_some() || buffer.size() > 0;
  if (read_error) {
    outcome.ec = read_error;
    co_return outcome;
  }
  auto message_in = parser.release();
  outcome.result.status = message_in.result_int();
  for (const auto& field : message_in)
    outcome.result.headers.add(std::string(field.name_string()), std::string(field.value()));
  outcome.result.body = std::move(message_in.body());
  // Bytes beyond the response would belong to no request: such a connection is not reused.
  outcome.reusable = message_in.keep_alive() && !parser.need_eof() && buffer.size() == 0;
  lowest.expires_never();
  co_return outcome;
}

/// Waits until `timer` expires, then cancels `resolver`'s pending resolve. A resolve
/// completes with operation_aborted only once getaddrinfo returns, so a hung resolver
/// can overrun the deadline by its own timeout; the stream operations cannot.
net::awaitable<void> cancel_resolve_at(net::steady_timer& timer, tcp::resolver& resolver) {
  auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  if (!ec) resolver.cancel();
}

}  // namespace

std::shared_ptr<net::ssl::context> make_default_tls_context() {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  context->set_default_verify_paths();
  context->set_verify_mode(net::ssl::verify_peer);
  return context;
}

beast_http_client::beast_http_client(net::any_io_executor executor, std::string_view base_url,
                                     client_options options, std::shared_ptr<net::ssl::context> tls)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(std::move(tls)) {
  auto parsed = boost::urls::parse_absolute_uri(base_url);
  if (!parsed) throw std::invalid_argument("base URL '" + std::string(base_url) + "' is not an absolute URL");
  const auto& url = *parsed;
  if (url.scheme_id() == boost::urls::scheme::https) {
    https_ = true;
  } else if (url.scheme_id() != boost::urls::scheme::http) {
    throw std::invalid_argument("base URL '" + std::string(base_url) + "' must start with http:// or https://");
  }
  if (!url.has_authority() || url.host_address().empty())
    throw std::invalid_argument("base URL '" + std::string(base_url) + "' has no host");
  if (url.has_query() || url.has_fragment())
    throw std::invalid_argument("base URL '" + std::string(base_url) + "' must not have a query or fragment");
  host_ = std::string(url.host_address());
  host_is_address_ = url.host_type() == boost::urls::host_type::ipv4 ||
                     url.host_type() == boost::urls::host_type::ipv6;
  if (url.has_port()) {
    port_ = std::string(url.port());
  } else {
    port_ = https_ ? "443" : "80";
  }
  host_header_ = std::string(url.encoded_host_and_port());
  base_path_ = std::string(url.encoded_path());
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
  if (https_ && !tls_) tls_ = make_default_tls_context();
}

beast_http_client::~beast_http_client() = default;

void beast_http_client::close_idle() noexcept { idle_.clear(); }

net::awaitable<boost::system::result<std::unique_ptr<beast_http_client::connection>>> beast_http_client::connect(
    clock::time_point deadline) {
  tcp::resolver::results_type endpoints;
  if (host_is_address_) {
    error_code address_error;
    const auto address = net::ip::make_address(host_, address_error);
    if (address_error) co_return errc::resolve_failed;
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port_))),
                                                    host_, port_);
  } else {
    using namespace net::experimental::awaitable_operators;
    tcp::resolver resolver(executor_);
    net::steady_timer timer(executor_, deadline);
    auto raced = co_await (resolver.async_resolve(host_, port_, net::as_tuple(net::use_awaitable)) ||
                           cancel_resolve_at(timer, resolver));
    if (raced.index() == 1) co_return errc::timeout;
    auto [resolve_error, found] = std::get<0>(std::move(raced));
    if (resolve_error == net::error::operation_aborted) {
      const bool timed_out = clock::now() >= deadline;
      if (timed_out) co_return errc::timeout;
      co_return errc::cancelled;
    }
    if (resolve_error) co_return errc::resolve_failed;
    endpoints = std::move(found);
  }

  auto conn = std::make_unique<connection>();
  if (https_) {
    conn->tls.emplace(executor_, *tls_);
  } else {
    conn->plain.emplace(executor_);
  }
  beast::tcp_stream& lowest = conn->lowest();
  lowest.expires_at(deadline);
  auto [connect_error_code, endpoint] = co_await lowest.async_connect(endpoints, net::as_tuple(net::use_awaitable));
  if (connect_error_code) co_return connect_error(connect_error_code);
  ++connections_opened_;
  if (!https_) co_return std::move(conn);

  auto& stream = *conn->tls;
  // SNI names hosts only: RFC 6066 forbids an IP address there.
  if (!host_is_address_ && !SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str()))
    co_return errc::tls_handshake_failed;
  stream.set_verify_mode(net::ssl::verify_peer);
  stream.set_verify_callback(net::ssl::host_name_verification(host_));
  auto [handshake_error] =
      co_await stream.async_handshake(net::ssl::stream_base::client, net::as_tuple(net::use_awaitable));
  if (handshake_error) {
    if (handshake_error == beast::error::timeout) co_return errc::timeout;
    if (handshake_error == net::error::operation_aborted) co_return errc::cancelled;
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) co_return errc::certificate_invalid;
    co_return errc::tls_handshake_failed;
  }
  co_return std::move(conn);
}

net::awaitable<boost::system::result<response>> beast_http_client::send(request req) {
  if (req.target.empty() || req.target.front() != '/') co_return errc::invalid_request;
  const auto timeout = req.timeout.count() > 0 ? req.timeout : options_.default_timeout;
  const auto deadline = clock::now() + timeout;

  outgoing message;
  message.method(req.method);
  std::string target = base_path_;
  target += req.target;
  message.target(target);
  message.version(11);
  message.set(beast_http::field::host, host_header_);
  message.set(beast_http::field::user_agent, options_.user_agent);
  for (const auto& [name, value] : req.headers) {
    if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      co_return errc::invalid_request;
    message.set(name, value);
  }
  message.body() = std::move(req.body);
  message.keep_alive(true);
  message.prepare_payload();

  const bool may_retry = req.may_resend && is_idempotent(req.method);
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<connection> conn;
    bool reused = false;
    // The retry always takes a fresh connection: the other idle ones are as old.
    if (attempt == 0 && !idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
    } else {
      auto connected = co_await connect(deadline);
      if (!connected) co_return connected.error();
      conn = std::move(*connected);
    }

    exchange_outcome outcome;
    if (conn->tls) {
      outcome = co_await run_exchange(*conn->tls, conn->lowest(), conn->buffer, message, deadline, options_);
    } else {
      outcome = co_await run_exchange(*conn->plain, conn->lowest(), conn->buffer, message, deadline, options_);
    }
    if (!outcome.ec) {
      if (outcome.reusable && idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
      logger()->debug("{} {} -> {}{}", std::string(beast_http::to_string(req.method)), target, outcome.result.status,
                      reused ? " (reused connection)" : "");
      co_return std::move(outcome.result);
    }
    const errc failure = io_error(outcome.ec);
    const bool stale = reused && !outcome.response_started && failure != errc::timeout && failure != errc::cancelled;
    if (stale && may_retry) {
      logger()->debug("{} {}: pooled connection failed before any response ({}); retrying on a fresh one",
                      std::string(beast_http::to_string(req.method)), target, outcome.ec.message());
      continue;
    }
    logger()->debug("{} {} failed: {} ({})", std::string(beast_http::to_string(req.method)), target,
                    make_error_code(failure).message(), outcome.ec.message());
    co_return failure;
  }
}

}  // namespace qjob::http
