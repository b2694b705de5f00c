#pragma once

#include "api.hpp"
#include "config.hpp"

#include "runtime/supervisor.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>

namespace qjob::daemon {

/// HTTP/1.1 on the control socket: one session coroutine per connection, each
/// request answered by the api. Takes the socket from systemd (sd_listen_fds) when
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

  net::any_io_executor executor_;
  const daemon_config& config_;
  api& api_;
  actors::supervisor& tasks_;
  net::local::stream_protocol::acceptor acceptor_;
  bool socket_activated_ = false;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace qjob::daemon
