#include "control_server.hpp"

#include "event_stream.hpp"
#include "logging.hpp"
#include "ndjson_stream.hpp"
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
#include <limits>

namespace qjob::daemon {

namespace beast = boost::beast;

namespace {

http_response early_error(http::status status, std::string code, std::string message) {
  http_response response{status, 11};
  if (status == http::status::too_many_requests || status == http::status::service_unavailable)
    response.set(http::field::retry_after, "1");
  response.set(http::field::content_type, "application/json");
  response.body() = boost::json::serialize(
                        boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}}) +
                    "\n";
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

// What the first read of a request asks for; the parser reads the rest.
constexpr std::size_t first_read_bytes = 4096;

/// Counts a connection while it is open: in all, and for its uid when served
/// (a refused one counts only in all, for the descriptor it holds).
class connection_slot {
public:
  connection_slot(std::size_t& open, std::unordered_map<std::uint32_t, std::size_t>& served, std::uint32_t uid,
                  bool serving)
      : open_(open), served_(served), uid_(uid), serving_(serving) {
    ++open_;
    if (serving_) ++served_[uid_];
  }
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot() {
    --open_;
    auto found = served_.find(uid_);
    if (found == served_.end()) return;
    if (serving_) --found->second;
    if (found->second == 0) served_.erase(found);
  }

private:
  std::size_t& open_;
  std::unordered_map<std::uint32_t, std::size_t>& served_;
  std::uint32_t uid_;
  bool serving_;
};

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
  local_stream stream(std::move(socket));
  // Checked before this connection counts: the limits say how many may be open.
  const bool over_all = open_connections_ >= config_.max_connections;
  const bool over_uid = !over_all && served_per_uid_[peer.uid] >= config_.max_connections_per_uid;
  connection_slot slot{open_connections_, served_per_uid_, peer.uid, !over_all && !over_uid};
  if (over_all || over_uid) {
    http_response refusal;
    if (over_all) {
      log_->warn("conn={} uid={} refused: max_connections ({}) reached", connection, peer.uid,
                 config_.max_connections);
      refusal = early_error(http::status::service_unavailable, "too_many_connections",
                            "qjobd has " + std::to_string(config_.max_connections) +
                                " connections open, its limit (max_connections); try again later");
    } else {
      log_->warn("conn={} uid={} refused: max_connections_per_uid ({}) reached", connection, peer.uid,
                 config_.max_connections_per_uid);
      refusal = early_error(http::status::too_many_requests, "too_many_connections",
                            "uid " + std::to_string(peer.uid) + " has " +
                                std::to_string(config_.max_connections_per_uid) +
                                " connections open, the limit per uid (max_connections_per_uid); close one or "
                                "try again later");
    }
    co_await refuse_connection(stream, std::move(refusal));
    co_return;
  }
  api_.connection_opened();
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
    // No limit while the header is read: a streamed batch has none, and the
    // others get max_body_bytes once the header says which this is.
    parser.body_limit(boost::none);
    parser.header_limit(config_.max_header_bytes);
    if (buffer.size() == 0) {
      // Between requests the idle timeout runs; from a request's first byte on,
      // the request timeout, once for its header and body together: renewed per
      // read, a client sending a byte at a time would hold the connection for ever.
      stream.expires_after(config_.idle_timeout);
      auto [idle_error, first_bytes] =
          co_await stream.async_read_some(buffer.prepare(first_read_bytes), net::as_tuple(net::use_awaitable));
      if (idle_error) break;
      buffer.commit(first_bytes);
    }
    stream.expires_after(config_.request_timeout);
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (header_error == beast::error::timeout) {
      log_->debug("conn={} closed: request header not complete within request_timeout_seconds", connection);
      break;
    }
    if (header_error == http::error::header_limit) {
      auto response = early_error(http::status::request_header_fields_too_large, "headers_too_large",
                                  "the request headers exceed max_header_bytes (" +
                                      std::to_string(config_.max_header_bytes) + ")");
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (header_error) break;  // closed, timed out or garbled: nothing to answer
    const bool streamed = api::streams_body(parser.get());
    // A declared body over max_body_bytes is refused before any of it is read.
    if (!streamed && parser.content_length() && *parser.content_length() > config_.max_body_bytes) {
      auto response = body_too_large();
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (parser.get()[http::field::expect] == "100-continue") {
      // curl asks before sending large bodies; say yes at once instead of making it wait.
      http::response<http::empty_body> proceed{http::status::continue_, 11};
      co_await http::async_write(stream, proceed, net::as_tuple(net::use_awaitable));
    }
    if (streamed) {
      // An NDJSON batch is read and stored as it arrives, never buffered whole:
      // max_body_bytes does not bound it (max_line_bytes and max_batch_jobs do),
      // and request_timeout bounds each wait for more of it, not the whole.
      ndjson_stream::body_parser body_parser{std::move(parser)};
      ndjson_stream lines(stream, buffer, body_parser, config_.max_line_bytes, config_.request_timeout);
      auto response = co_await api_.submit_streamed_batch(peer, lines);
      const bool complete = lines.complete();
      log_->debug("req={} uid={} POST {} (streamed) -> {}", request_id, peer.uid,
                  std::string(body_parser.get().target()), response.result_int());
      if (lines.failure() == ndjson_failure::disconnected || lines.failure() == ndjson_failure::timed_out) {
        log_->info("req={} uid={} batch cut off ({}); nothing of it was kept", request_id, peer.uid,
                   lines.failure() == ndjson_failure::timed_out ? "request_timeout_seconds without progress"
                                                                : "the client closed the connection");
        break;
      }
      response.set("X-Request-Id", request_id);
      // Refused before its end, the rest of the body is not read: the connection ends with the answer.
      response.keep_alive(complete && body_parser.get().keep_alive());
      response.prepare_payload();
      stream.expires_after(config_.idle_timeout);
      auto [write_error, written] = co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      if (write_error || !response.keep_alive()) break;
      continue;
    }
    parser.body_limit(config_.max_body_bytes);
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (body_error == http::error::body_limit) {
      auto response = body_too_large();
      co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
      break;
    }
    if (body_error == beast::error::timeout)
      log_->debug("conn={} closed: request body not complete within request_timeout_seconds", connection);
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

net::awaitable<void> control_server::refuse_connection(local_stream& stream, http_response refusal) {
  // The request is read before the answer goes out: a client still writing it
  // would otherwise fail on a closed socket and never read why.
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(config_.max_header_bytes);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // the body is never read
  stream.expires_after(config_.request_timeout);
  auto [read_error, read_bytes] =
      co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  if (!read_error) {
    stream.expires_after(config_.request_timeout);
    co_await http::async_write(stream, refusal, net::as_tuple(net::use_awaitable));
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(net::local::stream_protocol::socket::shutdown_both, ignored);
}

}  // namespace qjob::daemon
