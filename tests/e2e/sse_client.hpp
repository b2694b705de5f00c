#pragma once

// A client of qjobd's event stream for the e2e suites: a plain blocking Unix
// socket that sends one GET and reads Server-Sent Events as they come.

#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace qjob::e2e {

/// One event as the stream sent it.
struct stream_event {
  std::int64_t id = 0;
  boost::json::object data;
};

class sse_client {
public:
  /// Connects and sends `GET target` with `last_event_id` as Last-Event-ID when set.
  sse_client(const std::filesystem::path& socket, const std::string& target, const std::string& last_event_id = "") {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot connect to " + socket.string());
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    request += "\r\n";
    ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  }
  sse_client(const sse_client&) = delete;
  sse_client& operator=(const sse_client&) = delete;
  ~sse_client() { ::close(fd_); }

  /// The answer's status line and headers (read with the first events).
  const std::string& head() {
    while (head_.empty() && fill(std::chrono::seconds(10))) {
    }
    return head_;
  }

  /// Reads until `count` events have come in all, or `deadline` passes; every event so far.
  const std::vector<stream_event>& wait_for(std::size_t count, std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (events_.size() < count && std::chrono::steady_clock::now() < until) fill(std::chrono::seconds(1));
    return events_;
  }

  /// Everything after the head, as read so far (chunk sizes included).
  const std::string& raw() const { return body_; }

private:
  /// Reads what is there (waiting up to `timeout`); false when the stream ended.
  bool fill(std::chrono::seconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char chunk[65536];
    const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return got < 0;  // a timeout is not the end
    body_.append(chunk, static_cast<std::size_t>(got));
    if (head_.empty()) {
      const auto end = body_.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      head_ = body_.substr(0, end);
      body_.erase(0, end + 4);
    }
    parse();
    return true;
  }

  /// Events are written whole, one or more per chunk: find each complete one.
  void parse() {
    for (;;) {
      const auto start = body_.find("id: ", parsed_);
      if (start == std::string::npos) return;
      const auto end = body_.find("\n\n", start);
      if (end == std::string::npos) return;
      const auto data = body_.find("data: ", start);
      stream_event event;
      event.id = std::stoll(body_.substr(start + 4));
      const auto line_end = body_.find('\n', data);
      event.data = boost::json::parse(body_.substr(data + 6, line_end - data - 6)).as_object();
      events_.push_back(std::move(event));
      parsed_ = end + 2;
    }
  }

  int fd_ = -1;
  std::string head_;
  std::string body_;
  std::size_t parsed_ = 0;
  std::vector<stream_event> events_;
};

}  // namespace qjob::e2e
