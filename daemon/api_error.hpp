#pragma once

#include <boost/beast/http/status.hpp>

#include <string>

namespace qjob::daemon {

/// An error answer of the control API (DESIGN.md, "Errors"): a stable `code`, a
/// `message` for humans naming what is wrong, and the offending `field` ("" when
/// the whole request is at fault). Never carries internal detail.
struct api_error {
  boost::beast::http::status status = boost::beast::http::status::bad_request;
  std::string code;
  std::string message;
  std::string field;
  /// Seconds for the Retry-After header of a 429 or 503.
  unsigned retry_after = 1;
};

inline api_error bad_request(std::string code, std::string message, std::string field = {}) {
  return {boost::beast::http::status::bad_request, std::move(code), std::move(message), std::move(field), 1};
}

}  // namespace qjob::daemon
