#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace qjob::http {

/// Why an HTTP exchange produced no response. An HTTP error status (429, 5xx) is a
/// response, not one of these: judging statuses is the caller's job.
enum class errc {
  timeout = 1,           ///< the request's deadline passed (resolve, connect, TLS, write or read)
  resolve_failed,        ///< the host name did not resolve
  connection_refused,    ///< nothing listens on the port
  connect_failed,        ///< any other connect failure (unreachable network, ...)
  connection_reset,      ///< the peer closed or reset the connection before the response was complete
  tls_handshake_failed,  ///< the TLS handshake failed for a reason other than the certificate
  certificate_invalid,   ///< the peer's certificate did not verify (chain, expiry or host name)
  malformed_response,    ///< the bytes received are not an HTTP/1.1 response
  body_too_large,        ///< the response body exceeds the client's limit
  headers_too_large,     ///< the response header block exceeds the client's limit
  invalid_request,       ///< the request cannot be sent (a target that is not a path, a bad header)
  io_failed,             ///< any other socket error
  cancelled,             ///< the awaiting coroutine was cancelled
};

/// The category of errc; its messages are short lowercase phrases.
const boost::system::error_category& http_category() noexcept;

/// Makes errc usable as a boost::system::error_code.
boost::system::error_code make_error_code(errc e) noexcept;

/// True when a failed send() surely never reached the server (no connection, no
/// TLS session, or a request that could not be written): even a POST is then
/// safe to send again. Any other failure may come after the server acted on it.
bool never_reached_server(const boost::system::error_code& ec) noexcept;

}  // namespace qjob::http

template <>
struct boost::system::is_error_code_enum<qjob::http::errc> : std::true_type {};
