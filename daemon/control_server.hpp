#pragma once

#include "api.hpp"
#include "config.hpp"
#include "event_stream.hpp"

#include "runtime/supervisor.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <unordered_map>

namespace qjob::daemon {

/// HTTP/1.1 on the control socket: one session coroutine per connection, each
/// request answered by the api. A connection waits at most idle_timeout for a
/// request's first byte and then request_timeout for the whole request (header
/// and body), so a client trickling bytes cannot hold it. Beyond max_connections
/// (in all) or max_connections_per_uid (of the peer's uid), a new connection's
/// request is answered 503 or 429 naming the key, and the connection closed. Takes the socket from systemd (sd_listen_fds) when
/// started by socket activation, else binds its own. Runs on the I/O thread.
class control_server {
public:
  control_server(net::any_io_executor executor, const daemon_config& config, api& handlers,
                 actors::supervisor& tasks);

  /// Binds the socket (or adopts systemd's). Call after the state directory lock
  /// is held: a stale socket file is removed here. Throws std::runtime_error
  /// naming the path and the fix.
  void listen();

  /// Accepts connections until close().
  net::awaitable<void> run();

  /// Stops accepting; open connections are answered 503 by the api from now on.
  void close();

  /// Whether the socket came from systemd (then it is not ours to unlink).
  bool socket_activated() const noexcept { return socket_activated_; }

private:
  net::awaitable<void> serve_connection(net::local::stream_protocol::socket socket);
  /// Reads one request's header (within request_timeout) and answers it with
  /// `refusal`, then closes: a connection over a connection limit.
  net::awaitable<void> refuse_connection(local_stream& stream, http_response refusal);

  net::any_io_executor executor_;
  const daemon_config& config_;
  api& api_;
  actors::supervisor& tasks_;
  net::local::stream_protocol::acceptor acceptor_;
  bool socket_activated_ = false;
  // Open connections, in all (those being refused included: each holds a
  // descriptor) and served per uid. Only the I/O thread touches them.
  std::size_t open_connections_ = 0;
  std::unordered_map<std::uint32_t, std::size_t> served_per_uid_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace qjob::daemon
