#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace qjob::test {

/// One HTTP answer read back from qjobd, with the few headers tests look at.
struct http_answer {
  unsigned status = 0;
  std::string content_type;
  std::string allow;  ///< the Allow header (405 answers)
  std::string retry_after;  ///< the Retry-After header (429 and 503 answers)
  std::string request_id;   ///< X-Request-Id: qjobd's name of the request in its log
  std::string body;

  /// The body parsed as JSON; throws std::runtime_error naming the body when it is not JSON.
  boost::json::value json() const;
  /// `error.code` of an error body, or "" when the body has none.
  std::string error_code() const;
  /// `error.field` of an error body, or "" when the body has none.
  std::string error_field() const;
  /// `error.message` of an error body, or "" when the body has none.
  std::string error_message() const;
};

/// One request on a fresh connection to the Unix socket `socket`: `method` and `target`
/// (path and query), with `body` of `content_type` when the body is not empty. Throws
/// std::runtime_error when there is no answer within `timeout` (connecting, writing
/// and reading together). A body the server refuses early still yields its answer:
/// the answer is read even when writing the rest of the body failed.
http_answer http_exchange(const std::filesystem::path& socket, std::string_view method, std::string_view target,
                          std::string_view body = {}, std::string_view content_type = "application/json",
                          std::chrono::seconds timeout = std::chrono::seconds(60));

/// As http_exchange, but made from a forked child that first drops to `uid` (its
/// primary group the same number, no supplementary groups), so the daemon sees
/// that uid through SO_PEERCRED. Needs root. Throws when the child cannot switch or
/// reports no answer.
http_answer http_exchange_as(uid_t uid, const std::filesystem::path& socket, std::string_view method,
                             std::string_view target, std::string_view body = {},
                             std::string_view content_type = "application/json",
                             std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace qjob::test
