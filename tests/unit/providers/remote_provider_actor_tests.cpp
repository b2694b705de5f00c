#include "remote_provider_actor.hpp"

#include "ionq/ionq_api.hpp"
#include "fast_provider.hpp"

#include "fakes/fake_ionq.hpp"
#include "http/beast_http_client.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

namespace qjob::actors {
// For Boost.Test's messages.
inline std::ostream& boost_test_print_type(std::ostream& out, remote_failure_kind kind) {
  return out << static_cast<int>(kind);
}
inline std::ostream& boost_test_print_type(std::ostream& out, provider_health_state state) {
  return out << to_string(state);
}
}  // namespace qjob::actors

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace actors = qjob::actors;
namespace fakes = qjob::fakes;
using qjob::test::run_coroutine;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

using qjob::test::bell_input;

/// Settings whose waits take milliseconds; a Retry-After second is worth 30 ms here.
actors::remote_provider_settings fast_settings() {
  return qjob::test::fast_provider_settings(milliseconds(30));
}

fakes::fault_rule fault(fakes::fault_kind kind, std::string method, unsigned status = 503,
                        std::optional<std::uint64_t> count = 1) {
  fakes::fault_rule rule;
  rule.kind = kind;
  rule.method = std::move(method);
  rule.status = status;
  rule.count = count;
  return rule;
}

/// The fake and an actor talking to it, the actor's run() spawned on the test's executor.
class fixture {
public:
  explicit fixture(net::any_io_executor ex, actors::remote_provider_settings settings = fast_settings(),
                   std::string key = "test-key")
      : fake_(ex) {
    fake_.start();
    auto http = std::make_unique<qjob::http::beast_http_client>(ex, fake_.base_url());
    auto api = std::make_unique<qjob::ionq::ionq_api>(std::move(http), std::move(key));
    actor_ = std::make_unique<actors::remote_provider_actor>(ex, std::move(api), std::move(settings));
    auto [promise, future] = actors::make_promise<bool>(ex);
    stopped_.emplace(std::move(future));
    net::co_spawn(ex, actor_->run(), [done = std::move(promise)](std::exception_ptr failure) mutable {
      done.set(failure == nullptr);
    });
  }

  fakes::fake_ionq& fake() { return fake_; }
  actors::remote_provider_ref ref() const { return actor_->ref(); }

  /// Closes the actor and requires its run() to end cleanly.
  net::awaitable<void> stop() {
    actor_->close();
    auto clean = co_await stopped_->get();
    BOOST_TEST(clean.value_or(false));
  }

  net::awaitable<actors::remote_outcome<actors::submitted_job>> submit(std::string job_id,
                                                                       bool reconcile_first = false) {
    auto [reply, answer] = actors::make_promise<actors::remote_outcome<actors::submitted_job>>(
        co_await net::this_coro::executor);
    actors::submit_job request;
    request.job_id = std::move(job_id);
    request.target = "simulator";
    request.input = bell_input;
    request.shots = 100;
    request.name = "bell";
    request.reconcile_first = reconcile_first;
    request.reply = std::move(reply);
    const bool sent = co_await ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto got = co_await answer.get();
    BOOST_REQUIRE(got.has_value());
    co_return std::move(*got);
  }

  net::awaitable<actors::remote_outcome<actors::remote_job_status>> poll(std::string provider_job_id) {
    auto [reply, answer] = actors::make_promise<actors::remote_outcome<actors::remote_job_status>>(
        co_await net::this_coro::executor);
    actors::poll_job request;
    request.provider_job_id = std::move(provider_job_id);
    request.reply = std::move(reply);
    const bool sent = co_await ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto got = co_await answer.get();
    BOOST_REQUIRE(got.has_value());
    co_return std::move(*got);
  }

  net::awaitable<actors::remote_outcome<std::string>> fetch(std::string job_id, std::string provider_job_id) {
    auto [reply, answer] = actors::make_promise<actors::remote_outcome<std::string>>(co_await net::this_coro::executor);
    actors::fetch_result request;
    request.job_id = std::move(job_id);
    request.provider_job_id = std::move(provider_job_id);
    request.input = bell_input;
    request.shots = 100;
    request.reply = std::move(reply);
    const bool sent = co_await ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto got = co_await answer.get();
    BOOST_REQUIRE(got.has_value());
    co_return std::move(*got);
  }

  net::awaitable<actors::provider_health> health() {
    auto [reply, answer] = actors::make_promise<actors::provider_health>(co_await net::this_coro::executor);
    actors::get_health request{std::move(reply)};
    const bool sent = co_await ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto got = co_await answer.get();
    BOOST_REQUIRE(got.has_value());
    co_return std::move(*got);
  }

private:
  fakes::fake_ionq fake_;
  std::unique_ptr<actors::remote_provider_actor> actor_;
  std::optional<actors::future<bool>> stopped_;
};

std::string message_of(const std::optional<actors::remote_failure>& failure) {
  return failure ? failure->message : std::string();
}

net::awaitable<void> sleep_ms(int ms) {
  net::steady_timer timer(co_await net::this_coro::executor, milliseconds(ms));
  co_await timer.async_wait(net::use_awaitable);
}

net::awaitable<void> happy_path() {
  fixture f(co_await net::this_coro::executor);
  auto submitted = co_await f.submit("job-1");
  BOOST_REQUIRE_MESSAGE(submitted.value, message_of(submitted.failure));
  BOOST_TEST(!submitted.value->adopted);
  std::string state;
  for (int i = 0; i < 3; ++i) {
    auto polled = co_await f.poll(submitted.value->provider_job_id);
    BOOST_REQUIRE_MESSAGE(polled.value, message_of(polled.failure));
    state = polled.value->state;
  }
  BOOST_TEST(state == "succeeded");
  auto document = co_await f.fetch("job-1", submitted.value->provider_job_id);
  BOOST_REQUIRE_MESSAGE(document.value, message_of(document.failure));
  BOOST_TEST(json::parse(*document.value).at("results").at(0).at("counts_source").as_string() == "sampled");
  auto health = co_await f.health();
  BOOST_TEST(health.state == actors::provider_health_state::healthy);
  BOOST_TEST(f.fake().creates_by_qjob_id().at("job-1") == 1u);
  co_await f.stop();
}

net::awaitable<void> retry_after_is_waited_out() {
  fixture f(co_await net::this_coro::executor);
  auto throttled = fault(fakes::fault_kind::status, "POST", 429);
  throttled.retry_after_s = 1;  // worth 30 ms here; the jittered backoff is at most 4 ms
  f.fake().add_fault(throttled);
  const auto started = clock_type::now();
  auto submitted = co_await f.submit("job-429");
  const auto waited = clock_type::now() - started;
  BOOST_REQUIRE_MESSAGE(submitted.value, message_of(submitted.failure));
  BOOST_TEST(waited >= milliseconds(30));
  BOOST_TEST(f.fake().count("POST", "/jobs") == 2u);
  BOOST_TEST(f.fake().creates_by_qjob_id().at("job-429") == 1u);
  co_await f.stop();
}

net::awaitable<void> server_errors_are_retried() {
  fixture f(co_await net::this_coro::executor);
  auto submitted = co_await f.submit("job-5xx");
  BOOST_REQUIRE(submitted.value);
  f.fake().add_fault(fault(fakes::fault_kind::status, "GET", 503, 2));
  auto polled = co_await f.poll(submitted.value->provider_job_id);
  BOOST_REQUIRE_MESSAGE(polled.value, message_of(polled.failure));
  BOOST_TEST(f.fake().count("GET", "/jobs/") == 3u);
  co_await f.stop();
}

net::awaitable<void> retries_are_bounded() {
  auto settings = fast_settings();
  settings.max_attempts = 3;
  fixture f(co_await net::this_coro::executor, settings);
  f.fake().add_fault(fault(fakes::fault_kind::status, "GET", 500, std::nullopt));
  auto polled = co_await f.poll("some-job");
  BOOST_REQUIRE(polled.failure);
  BOOST_TEST(polled.failure->kind == actors::remote_failure_kind::transient);
  BOOST_TEST(f.fake().count("GET", "/jobs/") == 3u);
  co_await f.stop();
}

/// A POST that creates the job but whose answer is lost (`kind`) is found by
/// listing, never sent twice.
net::awaitable<void> lost_answer_is_reconciled(fakes::fault_kind kind) {
  fixture f(co_await net::this_coro::executor);
  co_await f.submit("earlier-job");  // something else in the list
  f.fake().add_fault(fault(kind, "POST"));
  auto submitted = co_await f.submit("job-lost");
  BOOST_REQUIRE_MESSAGE(submitted.value, message_of(submitted.failure));
  BOOST_TEST(submitted.value->adopted);
  BOOST_TEST(f.fake().creates_by_qjob_id().at("job-lost") == 1u);
  BOOST_TEST(f.fake().count("POST", "/jobs") == 2u);
  auto polled = co_await f.poll(submitted.value->provider_job_id);
  BOOST_REQUIRE(polled.value);
  BOOST_TEST(polled.value->id == submitted.value->provider_job_id);
  co_await f.stop();
}

net::awaitable<void> refused_post_is_sent_again_after_reconciling() {
  fixture f(co_await net::this_coro::executor);
  // A 503 to a POST might come from behind a server that took the job: look first.
  f.fake().add_fault(fault(fakes::fault_kind::status, "POST", 503));
  auto submitted = co_await f.submit("job-503");
  BOOST_REQUIRE_MESSAGE(submitted.value, message_of(submitted.failure));
  BOOST_TEST(!submitted.value->adopted);
  BOOST_TEST(f.fake().count("POST", "/jobs") == 2u);
  BOOST_TEST(f.fake().creates_by_qjob_id().at("job-503") == 1u);
  co_await f.stop();
}

net::awaitable<void> bad_request_fails_permanently() {
  fixture f(co_await net::this_coro::executor);
  f.fake().add_fault(fault(fakes::fault_kind::status, "POST", 400));
  auto submitted = co_await f.submit("job-400");
  BOOST_REQUIRE(submitted.failure);
  BOOST_TEST(submitted.failure->kind == actors::remote_failure_kind::permanent);
  BOOST_TEST(submitted.failure->message.find("400 Bad Request") != std::string::npos, submitted.failure->message);
  BOOST_TEST(f.fake().count("POST", "/jobs") == 1u);
  auto health = co_await f.health();
  BOOST_TEST(health.state == actors::provider_health_state::healthy);
  co_await f.stop();
}

net::awaitable<void> wrong_key_makes_the_provider_unhealthy() {
  fixture f(co_await net::this_coro::executor, fast_settings(), "wrong-key");
  auto submitted = co_await f.submit("job-401");
  BOOST_REQUIRE(submitted.failure);
  BOOST_TEST(submitted.failure->kind == actors::remote_failure_kind::credentials);
  BOOST_TEST(f.fake().count("POST", "/jobs") == 1u);
  auto health = co_await f.health();
  BOOST_TEST(health.state == actors::provider_health_state::unhealthy);
  BOOST_TEST(health.message.find("credentials") != std::string::npos, health.message);
  BOOST_TEST(health.message.find("wrong-key") == std::string::npos);
  co_await f.stop();
}

net::awaitable<void> breaker_opens_and_closes() {
  auto settings = fast_settings();
  settings.max_attempts = 1;
  settings.breaker_threshold = 3;
  settings.breaker_cool_down = milliseconds(100);  // long enough for the refused poll on a slow machine
  fixture f(co_await net::this_coro::executor, settings);
  auto submitted = co_await f.submit("job-breaker");
  BOOST_REQUIRE(submitted.value);
  const auto id = submitted.value->provider_job_id;
  f.fake().add_fault(fault(fakes::fault_kind::status, "GET", 503, 3));
  for (int i = 0; i < 3; ++i) {
    auto polled = co_await f.poll(id);
    BOOST_TEST(polled.failure.has_value());
  }
  auto degraded = co_await f.health();
  BOOST_TEST(degraded.state == actors::provider_health_state::degraded);
  const auto gets_before = f.fake().count("GET", "/jobs/");
  auto refused = co_await f.poll(id);
  BOOST_REQUIRE(refused.failure);
  BOOST_TEST(refused.failure->kind == actors::remote_failure_kind::transient);
  BOOST_TEST(f.fake().count("GET", "/jobs/") == gets_before);  // nothing sent while open
  co_await sleep_ms(110);
  auto probe = co_await f.poll(id);
  BOOST_REQUIRE_MESSAGE(probe.value, message_of(probe.failure));
  auto healthy = co_await f.health();
  BOOST_TEST(healthy.state == actors::provider_health_state::healthy);
  co_await f.stop();
}

net::awaitable<void> paced_requests() {
  auto settings = fast_settings();
  settings.requests_per_second = 100;  // one request per 10 ms after the first
  settings.burst = 1;
  fixture f(co_await net::this_coro::executor, settings);
  const auto started = clock_type::now();
  auto submitted = co_await f.submit("job-paced");
  BOOST_REQUIRE(submitted.value);
  for (int i = 0; i < 4; ++i) {
    auto polled = co_await f.poll(submitted.value->provider_job_id);
    BOOST_REQUIRE(polled.value);
  }
  const auto elapsed = clock_type::now() - started;
  BOOST_TEST(elapsed >= milliseconds(38));
  co_await f.stop();
}

net::awaitable<void> restart_adopts_the_job_already_submitted() {
  fixture f(co_await net::this_coro::executor);
  auto first = co_await f.submit("job-restart");
  BOOST_REQUIRE(first.value);
  // As after a restart that found the job in `submitting`: look before sending.
  auto again = co_await f.submit("job-restart", true);
  BOOST_REQUIRE_MESSAGE(again.value, message_of(again.failure));
  BOOST_TEST(again.value->adopted);
  BOOST_TEST(again.value->provider_job_id == first.value->provider_job_id);
  BOOST_TEST(f.fake().count("POST", "/jobs") == 1u);
  auto fresh = co_await f.submit("job-never-sent", true);
  BOOST_REQUIRE(fresh.value);
  BOOST_TEST(!fresh.value->adopted);
  BOOST_TEST(f.fake().creates_by_qjob_id().at("job-never-sent") == 1u);
  co_await f.stop();
}

net::awaitable<void> close_drops_a_request_waiting_to_retry() {
  auto settings = fast_settings();
  settings.backoff_initial = milliseconds(10'000);
  settings.backoff_max = milliseconds(10'000);
  settings.retry_budget = milliseconds(60'000);
  settings.jitter_seed = 1;
  fixture f(co_await net::this_coro::executor, settings);
  f.fake().add_fault(fault(fakes::fault_kind::status, "GET", 503, std::nullopt));
  auto [reply, answer] = actors::make_promise<actors::remote_outcome<actors::remote_job_status>>(
      co_await net::this_coro::executor);
  actors::poll_job request;
  request.provider_job_id = "some-job";
  request.reply = std::move(reply);
  const bool sent = co_await f.ref().send(std::move(request));
  BOOST_REQUIRE(sent);
  co_await sleep_ms(20);  // the first GET failed; the retry waits up to 10 s
  BOOST_TEST(f.fake().count("GET", "/jobs/") == 1u);
  co_await f.stop();
  auto got = co_await answer.get();
  BOOST_TEST(!got.has_value());  // dropped unanswered, as close() promises
}

/// Every exchange is counted by request and status, and timed: a success is
/// "2xx", a refusal its status, a reset "error"; looking up a lost submission is
/// "lookup", not "list".
net::awaitable<void> exchanges_are_counted_and_timed() {
  auto registry = std::make_shared<qjob::metrics::registry>();
  auto settings = fast_settings();
  settings.name = "fake";
  settings.metrics = registry;
  fixture f(co_await net::this_coro::executor, settings);
  co_await f.submit("earlier-job");
  f.fake().add_fault(fault(fakes::fault_kind::accept_reset, "POST"));
  auto submitted = co_await f.submit("job-lost");
  BOOST_REQUIRE_MESSAGE(submitted.value, message_of(submitted.failure));
  BOOST_TEST(submitted.value->adopted);
  f.fake().add_fault(fault(fakes::fault_kind::status, "GET", 503));
  auto polled = co_await f.poll(submitted.value->provider_job_id);
  BOOST_REQUIRE_MESSAGE(polled.value, message_of(polled.failure));
  co_await f.stop();

  auto& requests = registry->counters("qjob_provider_requests_total", "", {"provider", "request", "code"});
  BOOST_TEST(requests.with({"fake", "submit", "2xx"}).value() == 1u);
  BOOST_TEST(requests.with({"fake", "submit", "error"}).value() == 1u);
  BOOST_TEST(requests.with({"fake", "lookup", "2xx"}).value() == 1u);
  BOOST_TEST(requests.with({"fake", "poll", "503"}).value() == 1u);
  BOOST_TEST(requests.with({"fake", "poll", "2xx"}).value() == 1u);
  auto& seconds = registry->histograms("qjob_provider_request_duration_seconds", "", {"provider", "request"},
                                       qjob::metrics::request_seconds_buckets());
  BOOST_TEST(seconds.with({"fake", "submit"}).read().count == 2u);
  BOOST_TEST(seconds.with({"fake", "lookup"}).read().count == 1u);
  BOOST_TEST(seconds.with({"fake", "poll"}).read().count == 2u);
  BOOST_TEST(seconds.with({"fake", "poll"}).read().sum > 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(remote_provider_actor_tests)

BOOST_AUTO_TEST_CASE(job_is_submitted_polled_to_success_and_its_results_fetched, *boost::unit_test::timeout(10)) {
  run_coroutine(happy_path());
}
BOOST_AUTO_TEST_CASE(throttled_submission_waits_out_retry_after_and_succeeds, *boost::unit_test::timeout(10)) {
  run_coroutine(retry_after_is_waited_out());
}
BOOST_AUTO_TEST_CASE(server_errors_are_retried_with_backoff, *boost::unit_test::timeout(10)) {
  run_coroutine(server_errors_are_retried());
}
BOOST_AUTO_TEST_CASE(retries_stop_after_the_attempt_bound, *boost::unit_test::timeout(10)) {
  run_coroutine(retries_are_bounded());
}
BOOST_AUTO_TEST_CASE(post_accepted_but_answered_502_is_reconciled_not_resent, *boost::unit_test::timeout(10)) {
  run_coroutine(lost_answer_is_reconciled(fakes::fault_kind::accept_502));
}
BOOST_AUTO_TEST_CASE(post_accepted_then_reset_is_reconciled_not_resent, *boost::unit_test::timeout(10)) {
  run_coroutine(lost_answer_is_reconciled(fakes::fault_kind::accept_reset));
}
BOOST_AUTO_TEST_CASE(post_refused_with_503_is_sent_again_once_the_list_lacks_it, *boost::unit_test::timeout(10)) {
  run_coroutine(refused_post_is_sent_again_after_reconciling());
}
BOOST_AUTO_TEST_CASE(bad_request_fails_permanently_with_ionqs_message, *boost::unit_test::timeout(10)) {
  run_coroutine(bad_request_fails_permanently());
}
BOOST_AUTO_TEST_CASE(wrong_key_fails_as_credentials_and_makes_the_provider_unhealthy, *boost::unit_test::timeout(10)) {
  run_coroutine(wrong_key_makes_the_provider_unhealthy());
}
BOOST_AUTO_TEST_CASE(breaker_opens_after_repeated_failures_and_closes_after_the_cool_down,
                     *boost::unit_test::timeout(10)) {
  run_coroutine(breaker_opens_and_closes());
}
BOOST_AUTO_TEST_CASE(rate_limiter_spaces_requests, *boost::unit_test::timeout(10)) {
  run_coroutine(paced_requests());
}

BOOST_AUTO_TEST_CASE(job_found_in_submitting_after_a_restart_is_adopted_not_resent, *boost::unit_test::timeout(10)) {
  run_coroutine(restart_adopts_the_job_already_submitted());
}
BOOST_AUTO_TEST_CASE(close_drops_a_request_waiting_out_its_backoff, *boost::unit_test::timeout(10)) {
  run_coroutine(close_drops_a_request_waiting_to_retry());
}
BOOST_AUTO_TEST_CASE(exchanges_are_counted_by_request_and_status_and_timed, *boost::unit_test::timeout(10)) {
  run_coroutine(exchanges_are_counted_and_timed());
}

BOOST_AUTO_TEST_SUITE_END()
