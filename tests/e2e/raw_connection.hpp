#pragma once

// A plain connection to qjobd's control socket, written and read by hand, for
// e2e tests that need what an HTTP client will not do: connections held open,
// requests fed a byte at a time, bodies cut off halfway.

#include "e2e_jobs.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qjob::e2e {

/// A plain connection to the control socket, written and read by hand: for
/// connections held open, or fed a byte at a time.
class raw_connection {
public:
  explicit raw_connection(const std::filesystem::path& socket) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
      throw std::runtime_error("connect to " + socket.string() + ": " + std::strerror(errno));
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;
  ~raw_connection() { close(); }

  /// Closes the connection from this side, as a client that goes away.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    closed_ = true;
  }

  /// Writes `bytes`; false once the daemon has closed the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0) {
        closed_ = true;
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  /// Takes what has arrived without waiting; true while the connection is open.
  bool still_open() {
    if (!closed_) read_for(std::chrono::milliseconds(0));
    return !closed_;
  }

  /// Reads until the daemon closes the connection, or `deadline` passes.
  void read_until_closed(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!closed_ && std::chrono::steady_clock::now() < until)
      read_for(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
  }

  /// Sends a whole request and reads one answer (status line, headers and a
  /// Content-Length body); returns it, or "" when the connection closed first.
  std::string exchange(const std::string& request, std::chrono::seconds deadline = generous) {
    received_.clear();
    if (!send(request)) return {};
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!closed_ && std::chrono::steady_clock::now() < until) {
      read_for(std::chrono::milliseconds(100));
      const auto head_end = received_.find("\r\n\r\n");
      if (head_end == std::string::npos) continue;
      const auto length_at = received_.find("Content-Length: ");
      std::size_t length = 0;
      if (length_at != std::string::npos && length_at < head_end)
        length = std::stoul(received_.substr(length_at + 16));
      if (received_.size() >= head_end + 4 + length) return received_;
    }
    return {};
  }

  /// Everything read since the last exchange().
  const std::string& received() const noexcept { return received_; }

private:
  void read_for(std::chrono::milliseconds wait) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(wait.count())) <= 0) return;
    char chunk[4096];
    const auto got = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (got > 0) received_.append(chunk, static_cast<std::size_t>(got));
    else if (got == 0 || (errno != EAGAIN && errno != EINTR)) closed_ = true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

}  // namespace qjob::e2e
