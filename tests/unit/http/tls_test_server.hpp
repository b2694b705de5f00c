#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace qjob::test {

/// A freshly generated self-signed certificate (EC P-256, valid from an hour ago
/// for a day, CA:TRUE so that a client can trust it as its own anchor), in PEM.
struct test_certificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

/// Makes a certificate whose subjectAltName is `subject_alt_names`
/// (OpenSSL syntax, e.g. "DNS:localhost,IP:127.0.0.1"). Throws std::runtime_error
/// when OpenSSL fails.
test_certificate make_self_signed_certificate(const std::string& subject_alt_names);

/// A loopback HTTPS server answering every request 200 with body "hello over tls",
/// keeping connections alive. Runs on the executor given; the object must outlive
/// its io_context's run (sessions hold it by reference).
class tls_test_server {
public:
  tls_test_server(boost::asio::any_io_executor executor, const test_certificate& certificate);
  /// Spawns the accept loop.
  void start();
  unsigned short port() const;
  /// TLS handshakes that completed.
  std::uint64_t handshakes() const noexcept { return handshakes_; }

private:
  boost::asio::awaitable<void> accept_connections();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint64_t handshakes_ = 0;
};

}  // namespace qjob::test
