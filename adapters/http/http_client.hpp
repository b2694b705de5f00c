#pragma once

#include "http/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qjob::http {

/// Header fields in the order given. Lookup ignores ASCII case, as HTTP field names do.
class header_list {
public:
  /// Appends a field (a repeated name keeps both).
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  /// The first value of `name`, case-insensitively, or nullopt.
  std::optional<std::string_view> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }

  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept { return fields_; }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }
  std::size_t size() const noexcept { return fields_.size(); }

private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// True when `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// One request. `target` is the path and query relative to the client's base URL
/// ("/jobs/abc?limit=5" against "https://api.ionq.co/v0.4" goes to
/// "/v0.4/jobs/abc?limit=5"). Host, Content-Length and Connection are set by the
/// client; anything in `headers` (Authorization, Content-Type, Accept) is sent as is
/// and never logged.
struct request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target = "/";
  header_list headers;
  std::string body;
  /// The deadline of the whole exchange (resolve, connect, TLS, write, read),
  /// including a retry on a fresh connection; zero takes the client's default.
  std::chrono::milliseconds timeout{0};
  /// The transport may send the request again on a fresh connection when a
  /// pooled one failed before any answer: for GET, HEAD, PUT and DELETE unless
  /// this is false (a PUT that creates something the server refuses to create
  /// twice, such as Azure's job).
  bool may_resend = true;
};

/// One response, whatever its status: a 429 or a 503 is a response too.
struct response {
  unsigned status = 0;
  header_list headers;
  /// The body bytes as received (decoded from chunked transfer), unparsed.
  std::string body;
};

/// The seam between the providers and the network: one request in, one response or
/// an errc out. Implementations run on the caller's executor (the I/O thread) and
/// are not thread-safe; tests replace the real client with a fake.
class http_client {
public:
  virtual ~http_client() = default;

  /// Sends `req` and awaits the response. Failure to get a complete response
  /// (timeout, refused, reset, TLS, malformed, too large) is returned as an errc
  /// error, never thrown. Cancellation of the awaiting coroutine aborts the
  /// exchange, drops its connection and completes with errc::cancelled (a POST
  /// cut short this way may still have reached the server).
  virtual boost::asio::awaitable<boost::system::result<response>> send(request req) = 0;
};

}  // namespace qjob::http
