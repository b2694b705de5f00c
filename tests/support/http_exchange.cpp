#include "support/http_exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>

namespace qjob::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

using stream_type = beast::basic_stream<net::local::stream_protocol>;

/// The whole exchange as one coroutine, so a single deadline (the stream's expiry,
/// renewed never) covers connecting, writing and reading.
net::awaitable<void> exchange(stream_type& stream, std::string socket, http::request<http::string_body>& request,
                              std::optional<http_answer>& answer, std::string& failure) {
  net::local::stream_protocol::endpoint endpoint(socket);
  auto [connect_error] = co_await stream.async_connect(endpoint, net::as_tuple(net::use_awaitable));
  if (connect_error) {
    failure = "cannot connect to " + socket + ": " + connect_error.message();
    co_return;
  }
  auto [write_error, written] = co_await http::async_write(stream, request, net::as_tuple(net::use_awaitable));
  // A server that refuses a body early (413) answers and closes while we still
  // write: its answer is in our receive queue all the same.
  const bool refused_early = write_error == net::error::broken_pipe || write_error == net::error::connection_reset;
  if (write_error && !refused_early) {
    failure = "cannot send the request to " + socket + ": " + write_error.message();
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  if (read_error) {
    failure = "no answer from " + socket + ": " + read_error.message() +
              (refused_early ? " (after the server stopped reading the body)" : "");
    co_return;
  }
  auto response = parser.release();
  http_answer out;
  out.status = response.result_int();
  out.content_type = std::string(response[http::field::content_type]);
  out.allow = std::string(response[http::field::allow]);
  out.retry_after = std::string(response[http::field::retry_after]);
  out.request_id = std::string(response["X-Request-Id"]);
  out.body = std::move(response.body());
  answer = std::move(out);
}

std::string error_string(const http_answer& answer, std::string_view key) {
  boost::system::error_code ec;
  const auto parsed = json::parse(answer.body, ec);
  if (ec || !parsed.is_object()) return "";
  const auto* error = parsed.get_object().if_contains("error");
  if (!error || !error->is_object()) return "";
  const auto* value = error->get_object().if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : "";
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

json::value http_answer::json() const {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) throw std::runtime_error("the answer (HTTP " + std::to_string(status) + ") is not JSON: " + body);
  return value;
}

std::string http_answer::error_code() const { return error_string(*this, "code"); }
std::string http_answer::error_field() const { return error_string(*this, "field"); }
std::string http_answer::error_message() const { return error_string(*this, "message"); }

http_answer http_exchange(const std::filesystem::path& socket, std::string_view method, std::string_view target,
                          std::string_view body, std::string_view content_type, std::chrono::seconds timeout) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "localhost");
  request.keep_alive(false);
  if (!body.empty() || method == "POST") {
    request.set(http::field::content_type, content_type);
    request.body() = std::string(body);
  }
  request.prepare_payload();

  net::io_context io;
  stream_type stream(io);
  stream.expires_after(timeout);
  std::optional<http_answer> answer;
  std::string failure;
  std::exception_ptr crashed;
  net::co_spawn(io, exchange(stream, socket.string(), request, answer, failure),
                [&crashed](std::exception_ptr e) { crashed = e; });
  io.run();
  if (crashed) std::rethrow_exception(crashed);
  if (!answer)
    throw std::runtime_error(std::string(method) + " " + std::string(target) + ": " +
                             (failure.empty() ? "no answer" : failure));
  return std::move(*answer);
}

http_answer http_exchange_as(uid_t uid, const std::filesystem::path& socket, std::string_view method,
                             std::string_view target, std::string_view body, std::string_view content_type,
                             std::chrono::seconds timeout) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::close(fds[0]);
    json::object report;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) {
      report["failure"] = std::string("cannot switch to uid ") + std::to_string(uid) + ": " + std::strerror(errno);
    } else {
      try {
        auto answer = http_exchange(socket, method, target, body, content_type, timeout);
        report["status"] = answer.status;
        report["content_type"] = answer.content_type;
        report["allow"] = answer.allow;
        report["retry_after"] = answer.retry_after;
        report["request_id"] = answer.request_id;
        report["body"] = answer.body;
      } catch (const std::exception& e) {
        report["failure"] = e.what();
      }
    }
    write_all(fds[1], json::serialize(report));
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char chunk[65536];
  for (;;) {
    const auto n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
  }
  boost::system::error_code ec;
  auto report = json::parse(text, ec);
  if (ec || !report.is_object())
    throw std::runtime_error("the child that sent " + std::string(method) + " " + std::string(target) + " as uid " +
                             std::to_string(uid) + " reported nothing");
  const auto& fields = report.get_object();
  if (const auto* failure = fields.if_contains("failure"))
    throw std::runtime_error(std::string(failure->get_string()));
  http_answer answer;
  answer.status = static_cast<unsigned>(fields.at("status").to_number<std::uint64_t>());
  answer.content_type = std::string(fields.at("content_type").get_string());
  answer.allow = std::string(fields.at("allow").get_string());
  answer.retry_after = std::string(fields.at("retry_after").get_string());
  answer.request_id = std::string(fields.at("request_id").get_string());
  answer.body = std::string(fields.at("body").get_string());
  return answer;
}

}  // namespace qjob::test
