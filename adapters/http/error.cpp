#include "http/error.hpp"

#include <string>

namespace qjob::http {

namespace {

// boost::system::error_category's destructor is non-virtual on purpose (categories
// are static singletons, never deleted through the base), which -Wnon-virtual-dtor flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "qjob.http"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::timeout: return "request timed out";
      case errc::resolve_failed: return "host name did not resolve";
      case errc::connection_refused: return "connection refused";
      case errc::connect_failed: return "connect failed";
      case errc::connection_reset: return "connection closed or reset by the peer";
      case errc::tls_handshake_failed: return "tls handshake failed";
      case errc::certificate_invalid: return "server certificate did not verify";
      case errc::malformed_response: return "malformed http response";
      case errc::body_too_large: return "response body too large";
      case errc::headers_too_large: return "response headers too large";
      case errc::invalid_request: return "invalid request";
      case errc::io_failed: return "socket i/o failed";
      case errc::cancelled: return "request cancelled";
    }
    return "unknown http error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

bool never_reached_server(const boost::system::error_code& ec) noexcept {
  return ec == errc::resolve_failed || ec == errc::connection_refused || ec == errc::connect_failed ||
         ec == errc::tls_handshake_failed || ec == errc::certificate_invalid || ec == errc::invalid_request;
}

}  // namespace qjob::http
