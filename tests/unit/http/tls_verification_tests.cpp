#include "http/beast_http_client.hpp"

#include "fakes/fake_ionq.hpp"
#include "support/coroutine_runner.hpp"
#include "tls_test_server.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace {

namespace net = boost::asio;
namespace http = qjob::http;
using verb = boost::beast::http::verb;
using qjob::test::run_coroutine;

// One certificate for the suite: generating keys is the slow part.
const qjob::test::test_certificate& loopback_certificate() {
  static const auto certificate = qjob::test::make_self_signed_certificate("DNS:localhost,IP:127.0.0.1");
  return certificate;
}

// The system trust store plus `certificate` as a trusted anchor.
std::shared_ptr<net::ssl::context> trusting(const qjob::test::test_certificate& certificate) {
  auto context = http::make_default_tls_context();
  context->add_certificate_authority(net::buffer(certificate.certificate_pem));
  return context;
}

http::request hello() {
  http::request req;
  req.method = verb::get;
  req.target = "/hello";
  return req;
}

net::awaitable<void> untrusted_certificate_is_refused() {
  auto ex = co_await net::this_coro::executor;
  qjob::test::tls_test_server server(ex, loopback_certificate());
  server.start();
  http::beast_http_client client(ex, "https://127.0.0.1:" + std::to_string(server.port()));
  auto req = hello();
  const auto outcome = co_await client.send(std::move(req));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::certificate_invalid));
  BOOST_TEST(server.handshakes() == 0u);
}

net::awaitable<void> trusted_certificate_is_accepted(std::string host) {
  auto ex = co_await net::this_coro::executor;
  qjob::test::tls_test_server server(ex, loopback_certificate());
  server.start();
  std::string url = "https://" + host + ":" + std::to_string(server.port());
  http::beast_http_client client(ex, url, {}, trusting(loopback_certificate()));
  for (int i = 0; i < 2; ++i) {
    auto req = hello();
    const auto outcome = co_await client.send(std::move(req));
    BOOST_REQUIRE_MESSAGE(outcome.has_value(), outcome.error().message());
    BOOST_TEST(outcome->status == 200u);
    BOOST_TEST(outcome->body == "hello over tls");
  }
  BOOST_TEST(server.handshakes() == 1u);  // the TLS connection was kept alive
}

net::awaitable<void> certificate_for_another_host_is_refused() {
  auto ex = co_await net::this_coro::executor;
  const auto other = qjob::test::make_self_signed_certificate("DNS:api.example.com");
  qjob::test::tls_test_server server(ex, other);
  server.start();
  http::beast_http_client client(ex, "https://127.0.0.1:" + std::to_string(server.port()), {}, trusting(other));
  auto req = hello();
  const auto outcome = co_await client.send(std::move(req));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::certificate_invalid));
}

net::awaitable<void> plain_http_server_fails_the_handshake() {
  auto ex = co_await net::this_coro::executor;
  qjob::fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, "https://127.0.0.1:" + std::to_string(fake.port()));
  auto req = hello();
  const auto outcome = co_await client.send(std::move(req));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::tls_handshake_failed));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_verification_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(self_signed_certificate_fails_verification_with_the_system_store) {
  run_coroutine(untrusted_certificate_is_refused());
}

BOOST_AUTO_TEST_CASE(certificate_trusted_as_a_ca_is_accepted_for_its_ip_address) {
  run_coroutine(trusted_certificate_is_accepted("127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(certificate_trusted_as_a_ca_is_accepted_for_its_host_name) {
  run_coroutine(trusted_certificate_is_accepted("localhost"));
}

BOOST_AUTO_TEST_CASE(trusted_certificate_for_another_host_fails_verification) {
  run_coroutine(certificate_for_another_host_is_refused());
}

BOOST_AUTO_TEST_CASE(https_to_a_plain_http_server_is_tls_handshake_failed) {
  run_coroutine(plain_http_server_fails_the_handshake());
}

BOOST_AUTO_TEST_SUITE_END()
