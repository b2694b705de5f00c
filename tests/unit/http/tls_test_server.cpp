#include "tls_test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace qjob::test {

namespace net = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making the test certificate: ") + what + " failed");
}

std::string to_pem(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

test_certificate make_self_signed_certificate(const std::string& subject_alt_names) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("qjob test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_subject_alt_name, subject_alt_names);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  test_certificate out;
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  out.certificate_pem = to_pem(cert_bio.get());
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  out.private_key_pem = to_pem(key_bio.get());
  return out;
}

tls_test_server::tls_test_server(net::any_io_executor executor, const test_certificate& certificate)
    : executor_(executor), context_(net::ssl::context::tls_server), acceptor_(executor) {
  context_.use_certificate(net::buffer(certificate.certificate_pem), net::ssl::context::pem);
  context_.use_private_key(net::buffer(certificate.private_key_pem), net::ssl::context::pem);
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

void tls_test_server::start() {
  net::co_spawn(executor_, accept_connections(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

unsigned short tls_test_server::port() const { return acceptor_.local_endpoint().port(); }

net::awaitable<void> tls_test_server::accept_connections() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    net::co_spawn(executor_, serve(std::move(socket)), [](std::exception_ptr) {});
  }
}

net::awaitable<void> tls_test_server::serve(tcp::socket socket) {
  net::ssl::stream<tcp::socket> stream(std::move(socket), context_);
  auto [handshake_error] =
      co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
  if (handshake_error) co_return;  // the client refused our certificate
  ++handshakes_;
  boost::beast::flat_buffer buffer;
  for (;;) {
    beast_http::request<beast_http::string_body> request;
    auto [read_error, read] = co_await beast_http::async_read(stream, buffer, request, net::as_tuple(net::use_awaitable));
    if (read_error) co_return;
    beast_http::response<beast_http::string_body> response{beast_http::status::ok, 11};
    response.set(beast_http::field::content_type, "text/plain");
    response.body() = "hello over tls";
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    auto [write_error, written] =
        co_await beast_http::async_write(stream, response, net::as_tuple(net::use_awaitable));
    if (write_error || !request.keep_alive()) co_return;
  }
}

}  // namespace qjob::test
