#include "control_server.hpp"

#include "event_stream.hpp"
#include "logging.hpp"
#include "peer_identity.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <sys/stat.h>

#include <atomic>

namespace qjob::daemon {

namespace beast = boost::beast;

namespace {

http_response early_error(http::status status, std::string code, std::string message) {
  http_response response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = boost::json::serialize(
                        boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}}) +
                    "\n";
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

}  // namespace

control_server::control_server(net::any_io_executor executor, const daemon_config& config, api& handlers,
                               actors::supervisor& tasks)
    : executor_(executor), config_(config), api_(handlers), tasks_(tasks), acceptor_(executor),
      log_(named_logger("control")) {}

void control_server::listen() {
  const int passed = ::sd_listen_fds(1);
  if (passed > 1)
    throw std::runtime_error("systemd passed " + std::to_string(passed) +
                             " sockets; qjobd.socket must have exactly one ListenStream=");
  if (passed == 1) {
    const int fd = SD_LISTEN_FDS_START;
    if (::sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0)
      throw std::runtime_error("the socket systemd passed is not a listening Unix stream socket");
    acceptor_.assign(net::local::stream_protocol(), fd);
    socket_activated_ = true;
    log_->info("listening on the socket passed by systemd");
    return;
  }

  const auto& path = config_.socket;
  if (path.string().size() >= sizeof(sockaddr_un::sun_path))
    throw std::runtime_error("socket path " + path.string() + " is longer than " +
                             std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes; pass a shorter --socket");
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    throw std::runtime_error("cannot create the socket's directory " + path.parent_path().string() + ": " +
                             ec.message());
  // Safe: we hold the state directory's lock, so no other qjobd owns this socket.
  std::filesystem::remove(path, ec);
  net::local::stream_protocol::endpoint endpoint(path.string());
  boost::system::error_code bind_error;
  acceptor_.open(endpoint.protocol());
  acceptor_.bind(endpoint, bind_error);
  if (bind_error)
    throw std::runtime_error("cannot listen on " + path.string() + ": " + bind_error.message() +
                             " (pass another --socket, or fix the directory's permissions)");
  ::chmod(path.c_str(), static_cast<mode_t>(config_.socket_mode));
  acceptor_.listen(net::socket_base::max_listen_connections);
  log_->info("listening on {}", path.string());
}

void control_server::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  std::error_code ignored_fs;
  if (!socket_activated_) std::filesystem::remove(config_.socket, ignored_fs);
}

net::awaitable<void> control_server::run() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: log, breathe, go on serving.
      log_->warn("accept failed: {}", ec.message());
      continue;
    }
    tasks_.spawn("connection", serve_connection(std::move(socket)), actors::on_failure::contain);
  }
}

net::awaitable<void> control_server::serve_connection(net::local::stream_protocol::socket socket) {
  const auto connection = next_connection_id();
  peer_identity peer;
  try {
    peer = identify_peer(socket.native_handle(), config_.admin_group);
  } catch (const std::exception& e) {
    log_->warn("conn={} refused: {}", connection, e.what());
    co_return;
  }
  api_.connection_opened();
  local_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  auto body_too_large = [this] {
    return early_error(http::status::payload_too_large, "body_too_large",
                       "the request body exceeds max_body_bytes (" + std::to_string(config_.max_body_bytes) +
                           " bytes)");
  };
  for (std::uint64_t served = 1;; ++served) {
    // Named in the log and in the answer's X-Request-Id, so a user's report
    // leads to the log lines of their request.
    const auto request_id = std::to_string(connection) + "." + std::to_string(served);
    http::request_parser<http::string_body> parser;
    parser.body_limit(config_.max_body_bytes);
    parser.header_limit(config_.max_header_bytes);
    stream.expires_after(config_.idle_timeout);
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (header_error == http::error::header_limit) {
      auto response = early_error(http::status::request_header_fields_too_large, "headers_too_large",
                                  "the request headers exceed max_header_bytes (" +
                                      std::to_string(config_.max_header_bytes) + ")");
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    // Beast checks a Content-Length against body_limit with the header already, so
    // a declared body over max_body_bytes shows up here, before any body is read.
    if (header_error == http::error::body_limit) {
      auto response = body_too_large();
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (header_error) break;  // closed, timed out or garbled: nothing to answer
    if (parser.get()[http::field::expect] == "100-continue") {
      // curl asks before sending large bodies; say yes at once instead of making it wait.
      http::response<http::empty_body> proceed{http::status::continue_, 11};
      co_await http::async_write(stream, proceed, net::as_tuple(net::use_awaitable));
    }
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (body_error == http::error::body_limit) {
      auto response = body_too_large();
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (body_error) break;
    auto request = parser.release();
    if (request.method() == http::verb::get && request.target().starts_with("/v1/events") &&
        (request.target().size() == 10 || request.target()[10] == '?')) {
      // A stream holds the connection until either side ends it.
      co_await serve_event_stream(stream, request, peer, api_, config_.idle_timeout);
      break;
    }
    stream.expires_never();  // the handler may wait on purpose (?wait=)
    http_response response;
    try {
      response = co_await api_.handle(request, peer);
    } catch (const std::exception& e) {
      // A request held open (?wait=) when the daemon drains is cut short on purpose;
      // the connection just closes.
      const auto* system = dynamic_cast<const boost::system::system_error*>(&e);
      if (api_.draining() && system && system->code() == net::error::operation_aborted) {
        log_->debug("conn={} request cut short by shutdown", connection);
        break;
      }
      log_->error("req={} uid={} {} {} failed: {}", request_id, peer.uid, std::string(request.method_string()),
                  std::string(request.target()), e.what());
      response = early_error(http::status::internal_server_error, "internal",
                             "internal error; the daemon's log says more under req=" + request_id);
    }
    log_->debug("req={} uid={} {} {} -> {}", request_id, peer.uid, std::string(request.method_string()),
                std::string(request.target()), response.result_int());
    response.set("X-Request-Id", request_id);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    stream.expires_after(config_.idle_timeout);
    auto [write_error, written] = co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
    if (write_error || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(net::local::stream_protocol::socket::shutdown_both, ignored);
  api_.connection_closed();
}

}  // namespace qjob::daemon
