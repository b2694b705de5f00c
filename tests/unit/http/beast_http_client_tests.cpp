#include "http/beast_http_client.hpp"

#include "fakes/fake_ionq.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace http = qjob::http;
namespace fakes = qjob::fakes;
using verb = boost::beast::http::verb;
using qjob::test::run_coroutine;

const char* const bell_job =
    R"({"type":"ionq.circuit.v1","backend":"simulator","shots":100,"metadata":{"qjob_id":"job-1"},)"
    R"("input":{"qubits":2,"gateset":"qis","circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]}})";

http::request authorized(verb method, std::string target, std::string body = {}) {
  http::request req;
  req.method = method;
  req.target = std::move(target);
  req.headers.add("Authorization", "apiKey test-key");
  if (!body.empty()) req.headers.add("Content-Type", "application/json");
  req.body = std::move(body);
  return req;
}

fakes::fault_rule fault(fakes::fault_kind kind, std::string method, std::uint64_t count = 1) {
  fakes::fault_rule rule;
  rule.kind = kind;
  rule.method = std::move(method);
  rule.count = count;
  return rule;
}

// Sends one request and requires a response.
net::awaitable<http::response> must_send(http::http_client& client, http::request req) {
  auto outcome = co_await client.send(std::move(req));
  BOOST_REQUIRE_MESSAGE(outcome.has_value(), "send failed: " << outcome.error().message());
  co_return std::move(*outcome);
}

net::awaitable<void> get_and_post_round_trip() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto post = authorized(verb::post, "/jobs", bell_job);
  const auto created = co_await must_send(client, std::move(post));
  BOOST_TEST(created.status == 201u);
  const auto id = std::string(json::parse(created.body).at("id").as_string());
  auto get = authorized(verb::get, "/jobs/" + id);
  const auto job = co_await must_send(client, std::move(get));
  BOOST_TEST(job.status == 200u);
  BOOST_TEST(json::parse(job.body).at("metadata").at("qjob_id").as_string() == "job-1");
  BOOST_TEST(fake.requests().at(1).target == "/v0.4/jobs/" + id);
  BOOST_TEST(fake.requests().at(0).content_type == "application/json");
  BOOST_TEST(fake.requests().at(0).authorized);
}

net::awaitable<void> header_lookup_ignores_case() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  const auto listed = co_await must_send(client, std::move(get));
  BOOST_TEST(listed.headers.find("content-type").value_or("") == "application/json");
  BOOST_TEST(listed.headers.find("CONTENT-TYPE").value_or("") == "application/json");
  BOOST_TEST(listed.headers.contains("X-Request-Id"));
  BOOST_TEST(!listed.headers.contains("Retry-After"));
}

net::awaitable<void> error_statuses_are_responses() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  auto rule = fault(fakes::fault_kind::status, "GET");
  rule.status = 429;
  rule.retry_after_s = 3;
  fake.add_fault(rule);
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  const auto limited = co_await must_send(client, std::move(get));
  BOOST_TEST(limited.status == 429u);
  BOOST_TEST(limited.headers.find("retry-after").value_or("") == "3");
  BOOST_TEST(json::parse(limited.body).at("statusCode").as_int64() == 429);
}

net::awaitable<void> check_keep_alive_reuses_one_connection() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  for (int i = 0; i < 5; ++i) {
    auto get = authorized(verb::get, "/jobs?limit=1");
    const auto listed = co_await must_send(client, std::move(get));
    BOOST_TEST(listed.status == 200u);
  }
  BOOST_TEST(fake.connections_accepted() == 1u);
  BOOST_TEST(client.connections_opened() == 1u);
  BOOST_TEST(client.idle_connections() == 1u);
}

net::awaitable<void> pool_keeps_at_most_its_bound() {
  using namespace net::experimental::awaitable_operators;
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::client_options options;
  options.max_idle_connections = 2;
  http::beast_http_client client(ex, fake.base_url(), options);
  auto a = authorized(verb::get, "/jobs");
  auto b = authorized(verb::get, "/jobs");
  auto c = authorized(verb::get, "/jobs");
  auto [ra, rb, rc] = co_await (client.send(std::move(a)) && client.send(std::move(b)) && client.send(std::move(c)));
  BOOST_TEST((ra.has_value() && rb.has_value() && rc.has_value()));
  BOOST_TEST(client.connections_opened() == 3u);
  BOOST_TEST(client.idle_connections() == 2u);
}

net::awaitable<void> slow_answer_times_out() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  auto rule = fault(fakes::fault_kind::slow, "GET");
  rule.delay = std::chrono::milliseconds(3000);
  fake.add_fault(rule);
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  get.timeout = std::chrono::milliseconds(100);
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = co_await client.send(std::move(get));
  const auto waited = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::timeout));
  BOOST_TEST(waited < std::chrono::milliseconds(1500));
  BOOST_TEST(client.idle_connections() == 0u);
}

net::awaitable<void> reset_is_connection_reset() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake.add_fault(fault(fakes::fault_kind::reset, "GET"));
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::connection_reset));
  // A fresh connection is not retried: the reset may be the server's answer.
  BOOST_TEST(fake.count("GET") == 1u);
}

net::awaitable<void> malformed_json_arrives_as_is() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake.add_fault(fault(fakes::fault_kind::malformed, "GET"));
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  const auto listed = co_await must_send(client, std::move(get));
  BOOST_TEST(listed.status == 200u);
  BOOST_TEST(!listed.body.empty());
  boost::system::error_code parse_error;
  json::parse(listed.body, parse_error);
  BOOST_TEST(parse_error.failed());
}

net::awaitable<void> broken_http_is_malformed_response() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake.add_fault(fault(fakes::fault_kind::garbage, "GET"));
  http::beast_http_client client(ex, fake.base_url());
  auto get = authorized(verb::get, "/jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::malformed_response));
}

net::awaitable<void> post_is_not_retried_after_an_answer_lost_on_a_pooled_connection() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto warm = authorized(verb::get, "/jobs");
  co_await must_send(client, std::move(warm));
  BOOST_REQUIRE(client.idle_connections() == 1u);
  // The server creates the job, then the connection dies before any answer byte.
  fake.add_fault(fault(fakes::fault_kind::accept_reset, "POST"));
  auto post = authorized(verb::post, "/jobs", bell_job);
  const auto outcome = co_await client.send(std::move(post));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::connection_reset));
  BOOST_TEST(fake.count("POST") == 1u);
  BOOST_TEST(fake.job_count() == 1u);
  BOOST_TEST(fake.creates_by_qjob_id().at("job-1") == 1u);
}

/// Sends `request` on a pooled connection the server has closed while idle:
/// it fails, and is not sent again on a fresh connection.
net::awaitable<void> check_not_resent_on_a_stale_pooled_connection(http::request request) {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto warm = authorized(verb::get, "/jobs");
  co_await must_send(client, std::move(warm));
  fake.close_idle_connections();
  const std::string method(boost::beast::http::to_string(request.method));
  const auto outcome = co_await client.send(std::move(request));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::connection_reset));
  BOOST_TEST(fake.count(method) == 0u);
  BOOST_TEST(fake.connections_accepted() == 1u, "no fresh connection was opened to send it again");
}

net::awaitable<void> get_is_retried_once_after_a_stale_pooled_connection() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto warm = authorized(verb::get, "/jobs");
  co_await must_send(client, std::move(warm));
  fake.close_idle_connections();
  auto get = authorized(verb::get, "/jobs");
  const auto listed = co_await must_send(client, std::move(get));
  BOOST_TEST(listed.status == 200u);
  BOOST_TEST(fake.connections_accepted() == 2u);
  BOOST_TEST(client.connections_opened() == 2u);
}

net::awaitable<void> check_get_is_retried_only_once() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::beast_http_client client(ex, fake.base_url());
  auto warm = authorized(verb::get, "/jobs");
  co_await must_send(client, std::move(warm));
  // The pooled connection and the fresh one both die without answering.
  fake.add_fault(fault(fakes::fault_kind::reset, "GET", 2));
  auto get = authorized(verb::get, "/jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::connection_reset));
  BOOST_TEST(fake.count("GET") == 3u);
  BOOST_TEST(fake.connections_accepted() == 2u);
}

net::awaitable<void> large_body_is_refused() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  http::client_options options;
  options.max_body_bytes = 120;
  http::beast_http_client client(ex, fake.base_url(), options);
  auto post = authorized(verb::post, "/jobs", bell_job);
  co_await must_send(client, std::move(post));  // the create answer fits
  auto get = authorized(verb::get, "/jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::body_too_large));
}

net::awaitable<void> check_closed_port_is_connection_refused() {
  auto ex = co_await net::this_coro::executor;
  unsigned short port = 0;
  {
    net::ip::tcp::acceptor probe(ex, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  http::beast_http_client client(ex, "http://127.0.0.1:" + std::to_string(port));
  auto get = authorized(verb::get, "/jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::connection_refused));
}

net::awaitable<void> target_must_be_a_path() {
  auto ex = co_await net::this_coro::executor;
  http::beast_http_client client(ex, "http://127.0.0.1:9");
  auto get = authorized(verb::get, "jobs");
  const auto outcome = co_await client.send(std::move(get));
  BOOST_REQUIRE(outcome.has_error());
  BOOST_TEST(outcome.error() == make_error_code(http::errc::invalid_request));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(beast_http_client_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(get_and_post_round_trip_through_the_fake) { run_coroutine(get_and_post_round_trip()); }

BOOST_AUTO_TEST_CASE(response_headers_are_found_whatever_their_case) { run_coroutine(header_lookup_ignores_case()); }

BOOST_AUTO_TEST_CASE(error_statuses_come_back_as_responses_with_their_headers) {
  run_coroutine(error_statuses_are_responses());
}

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) { run_coroutine(check_keep_alive_reuses_one_connection()); }

BOOST_AUTO_TEST_CASE(pool_keeps_at_most_max_idle_connections) { run_coroutine(pool_keeps_at_most_its_bound()); }

BOOST_AUTO_TEST_CASE(slow_answer_ends_in_timeout) { run_coroutine(slow_answer_times_out()); }

BOOST_AUTO_TEST_CASE(reset_without_answer_is_connection_reset) { run_coroutine(reset_is_connection_reset()); }

BOOST_AUTO_TEST_CASE(malformed_json_body_arrives_as_is) { run_coroutine(malformed_json_arrives_as_is()); }

BOOST_AUTO_TEST_CASE(broken_http_response_is_malformed_response) {
  run_coroutine(broken_http_is_malformed_response());
}

BOOST_AUTO_TEST_CASE(post_is_not_retried_when_its_answer_is_lost_on_a_pooled_connection) {
  run_coroutine(post_is_not_retried_after_an_answer_lost_on_a_pooled_connection());
}

BOOST_AUTO_TEST_CASE(post_on_a_stale_pooled_connection_fails_without_retry) {
  run_coroutine(check_not_resent_on_a_stale_pooled_connection(authorized(verb::post, "/jobs", bell_job)));
}

BOOST_AUTO_TEST_CASE(a_put_that_may_not_be_resent_fails_on_a_stale_pooled_connection) {
  auto put = authorized(verb::put, "/jobs/x/status/cancel");
  put.may_resend = false;
  run_coroutine(check_not_resent_on_a_stale_pooled_connection(std::move(put)));
}

BOOST_AUTO_TEST_CASE(get_is_retried_on_a_fresh_connection_after_a_stale_pooled_one) {
  run_coroutine(get_is_retried_once_after_a_stale_pooled_connection());
}

BOOST_AUTO_TEST_CASE(get_is_retried_only_once) { run_coroutine(check_get_is_retried_only_once()); }

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_body_too_large) { run_coroutine(large_body_is_refused()); }

BOOST_AUTO_TEST_CASE(closed_port_is_connection_refused) { run_coroutine(check_closed_port_is_connection_refused()); }

BOOST_AUTO_TEST_CASE(target_that_is_not_a_path_is_invalid_request) { run_coroutine(target_must_be_a_path()); }

BOOST_AUTO_TEST_CASE(base_url_must_be_http_or_https_with_a_host) {
  net::io_context io;
  BOOST_CHECK_THROW(http::beast_http_client(io.get_executor(), "ftp://example.com"), std::invalid_argument);
  BOOST_CHECK_THROW(http::beast_http_client(io.get_executor(), "not a url"), std::invalid_argument);
  BOOST_CHECK_THROW(http::beast_http_client(io.get_executor(), "http:///v0.4"), std::invalid_argument);
  BOOST_CHECK_NO_THROW(http::beast_http_client(io.get_executor(), "https://api.ionq.co/v0.4"));
}

BOOST_AUTO_TEST_SUITE_END()
