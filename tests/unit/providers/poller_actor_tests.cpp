#include "poller_actor.hpp"

#include "ionq/ionq_api.hpp"
#include "fast_provider.hpp"

#include "fakes/fake_ionq.hpp"
#include "http/beast_http_client.hpp"
#include "remote_provider_actor.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
namespace actors = qjob::actors;
namespace fakes = qjob::fakes;
using qjob::test::run_coroutine;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

using qjob::test::bell_input;

/// A Retry-After second is worth 200 ms here.
actors::remote_provider_settings fast_provider() {
  return qjob::test::fast_provider_settings(milliseconds(200));
}

/// Polls every 5 ms at first, at most every 40 ms, without jitter so that counts are steady.
actors::poller_settings fast_poller() {
  actors::poller_settings settings;
  settings.poll_initial_ms = milliseconds(5);
  settings.poll_max_ms = milliseconds(40);
  settings.jitter = 0;
  settings.slot_ms = milliseconds(2);
  settings.list_threshold = 100;
  settings.jitter_seed = 3;
  return settings;
}

net::awaitable<void> sleep_ms(int ms) {
  net::steady_timer timer(co_await net::this_coro::executor, milliseconds(ms));
  co_await timer.async_wait(net::use_awaitable);
}

/// A job's inbox of changes, as a job actor would hold it (16 messages, the
/// poller's changes only).
struct inbox {
  explicit inbox(net::any_io_executor ex) : box(std::make_shared<actors::mailbox<actors::job_message>>(ex, 16)) {}
  actors::job_status_ref ref() const { return actors::job_status_ref(actors::job_ref(box)); }

  /// The next change, or nullopt after `timeout`.
  net::awaitable<std::optional<actors::job_status_changed>> next(milliseconds timeout = milliseconds(2'000)) {
    using namespace net::experimental::awaitable_operators;
    net::steady_timer timer(co_await net::this_coro::executor, timeout);
    auto outcome = co_await (box->async_receive(net::as_tuple(net::use_awaitable)) ||
                             timer.async_wait(net::as_tuple(net::use_awaitable)));
    if (outcome.index() != 0) co_return std::nullopt;
    auto [ec, message] = std::get<0>(std::move(outcome));
    if (ec) co_return std::nullopt;
    co_return std::get<actors::job_status_changed>(std::move(message));
  }

  std::shared_ptr<actors::mailbox<actors::job_message>> box;
};

/// The fake IonQ, a provider actor talking to it and a poller, both actors'
/// run() spawned on the test's executor.
class fixture {
public:
  fixture(net::any_io_executor ex, fakes::fake_ionq_options fake_options, actors::poller_settings settings = fast_poller())
      : ex_(ex), fake_(ex, std::move(fake_options)) {
    fake_.start();
    auto http = std::make_unique<qjob::http::beast_http_client>(ex, fake_.base_url());
    auto api = std::make_unique<qjob::ionq::ionq_api>(std::move(http), "test-key");
    provider_ = std::make_unique<actors::remote_provider_actor>(ex, std::move(api), fast_provider());
    std::map<std::string, actors::polled_provider> providers{{"ionq", {provider_->ref(), true}}};
    poller_ = std::make_unique<actors::poller_actor>(ex, std::move(providers), std::move(settings));
    provider_stopped_.emplace(spawn(provider_->run()));
    poller_stopped_.emplace(spawn(poller_->run()));
  }

  fakes::fake_ionq& fake() { return fake_; }
  actors::poller_actor& poller() { return *poller_; }

  /// Submits a job through the provider actor; the provider's id of it.
  net::awaitable<std::string> submit(std::string job_id) {
    auto [reply, answer] = actors::make_promise<actors::remote_outcome<actors::submitted_job>>(ex_);
    actors::submit_job request;
    request.job_id = std::move(job_id);
    request.target = "simulator";
    request.input = bell_input;
    request.shots = 10;
    request.name = "bell";
    request.reply = std::move(reply);
    const bool sent = co_await provider_->ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto got = co_await answer.get();
    BOOST_REQUIRE(got && got->value);
    co_return got->value->provider_job_id;
  }

  net::awaitable<void> watch(std::string job_id, std::string provider_job_id, const inbox& to) {
    actors::watch_job message;
    message.job_id = std::move(job_id);
    message.provider = "ionq";
    message.provider_job_id = std::move(provider_job_id);
    message.last_status = "submitted";
    message.reply_to = to.ref();
    const bool sent = co_await poller_->ref().send(std::move(message));
    BOOST_REQUIRE(sent);
  }

  /// Submits `count` jobs ("job-0", "job-1", ...), then watches each; their inboxes, in order.
  net::awaitable<std::vector<std::unique_ptr<inbox>>> submit_and_watch(int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      std::string job_id = "job-" + std::to_string(i);
      auto provider_job_id = co_await submit(std::move(job_id));
      ids.push_back(std::move(provider_job_id));
    }
    std::vector<std::unique_ptr<inbox>> inboxes;
    for (int i = 0; i < count; ++i) {
      inboxes.push_back(std::make_unique<inbox>(ex_));
      std::string job_id = "job-" + std::to_string(i);
      co_await watch(std::move(job_id), ids[static_cast<std::size_t>(i)], *inboxes.back());
    }
    co_return inboxes;
  }

  net::awaitable<void> unwatch(std::string job_id) {
    actors::unwatch_job message{std::move(job_id)};
    const bool sent = co_await poller_->ref().send(std::move(message));
    BOOST_REQUIRE(sent);
  }

  /// Per-job GETs the fake has seen (list requests are `GET /jobs`, without the slash).
  std::size_t job_gets() const { return fake_.count("GET", "/jobs/"); }
  std::size_t list_gets() const {
    std::size_t lists = 0;
    for (const auto& request : fake_.requests())
      if (request.method == "GET" && request.path == "/jobs") ++lists;
    return lists;
  }

  /// Closes the poller and then the provider, requiring both run()s to end cleanly.
  net::awaitable<void> stop() {
    poller_->close();
    auto poller_clean = co_await poller_stopped_->get_for(milliseconds(2'000));
    BOOST_TEST(poller_clean.value_or(false));
    provider_->close();
    auto provider_clean = co_await provider_stopped_->get_for(milliseconds(2'000));
    BOOST_TEST(provider_clean.value_or(false));
  }

private:
  actors::future<bool> spawn(net::awaitable<void> task) {
    auto [promise, future] = actors::make_promise<bool>(ex_);
    net::co_spawn(ex_, std::move(task), [done = std::move(promise)](std::exception_ptr failure) mutable {
      done.set(failure == nullptr);
    });
    return std::move(future);
  }

  net::any_io_executor ex_;
  fakes::fake_ionq fake_;
  std::unique_ptr<actors::remote_provider_actor> provider_;
  std::unique_ptr<actors::poller_actor> poller_;
  std::optional<actors::future<bool>> provider_stopped_;
  std::optional<actors::future<bool>> poller_stopped_;
};

fakes::fake_ionq_options moving_every(unsigned polls) {
  fakes::fake_ionq_options options;
  options.polls_per_step = polls;
  return options;
}

net::awaitable<void> watched_job_is_polled_to_completion() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(1));
  inbox changes(ex);
  auto id = co_await f.submit("job-1");
  co_await f.watch("job-1", id, changes);
  std::vector<std::string> seen;
  for (;;) {
    auto change = co_await changes.next();
    BOOST_REQUIRE(change.has_value());
    BOOST_REQUIRE(!change->failure);
    BOOST_TEST(change->job_id == "job-1");
    seen.push_back(change->status.provider_status);
    if (change->status.final) {
      BOOST_TEST(change->status.state == "succeeded");
      break;
    }
  }
  const std::vector<std::string> expected{"ready", "started", "completed"};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
  co_await sleep_ms(30);
  BOOST_TEST(f.poller().watched() == 0u);
  const auto polls = f.job_gets();
  BOOST_TEST(polls == 3u);
  co_await f.stop();
}

net::awaitable<void> backoff_grows_while_nothing_changes() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(0));
  inbox changes(ex);
  auto id = co_await f.submit("job-1");
  co_await f.watch("job-1", id, changes);
  co_await sleep_ms(300);
  // Every 5 ms would be about 60 polls; doubling to 40 ms (5, 10, 20, 40, 40, ...) makes about 10.
  const auto polls = f.job_gets();
  BOOST_TEST(polls >= 4u);
  BOOST_TEST(polls <= 16u);
  co_await f.stop();
}

net::awaitable<void> backoff_resets_when_the_status_changes() {
  auto ex = co_await net::this_coro::executor;
  // A change every 4th poll: with resets each cycle is 5+10+20+40 ms, so three
  // changes take about 225 ms; without them the intervals would grow to 80 ms
  // and the twelve polls would take about 700 ms.
  auto settings = fast_poller();
  settings.poll_max_ms = milliseconds(80);
  fixture f(ex, moving_every(4), settings);
  inbox changes(ex);
  auto id = co_await f.submit("job-1");
  const auto started = clock_type::now();
  co_await f.watch("job-1", id, changes);
  std::size_t delivered = 0;
  for (;;) {
    auto change = co_await changes.next();
    BOOST_REQUIRE(change.has_value());
    ++delivered;
    if (change->status.final) break;
  }
  const auto took = clock_type::now() - started;
  BOOST_TEST(delivered == 3u);
  BOOST_TEST(f.job_gets() == 12u);
  BOOST_TEST(took < milliseconds(500));
  co_await f.stop();
}

net::awaitable<void> unwatch_stops_polling() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(0));
  inbox changes(ex);
  auto id = co_await f.submit("job-1");
  co_await f.watch("job-1", id, changes);
  co_await sleep_ms(30);
  co_await f.unwatch("job-1");
  const auto before = f.job_gets();
  BOOST_TEST(before >= 1u);
  co_await sleep_ms(120);
  // A poll already in flight may still land.
  BOOST_TEST(f.job_gets() <= before + 1);
  BOOST_TEST(f.poller().watched() == 0u);
  co_await f.stop();
}

net::awaitable<void> many_due_jobs_are_read_with_list_requests() {
  auto ex = co_await net::this_coro::executor;
  auto settings = fast_poller();
  settings.list_threshold = 5;
  settings.page_size = 8;  // twenty jobs: three pages a round
  settings.slot_ms = milliseconds(20);
  fixture f(ex, moving_every(1), settings);
  constexpr int job_count = 20;
  auto inboxes = co_await f.submit_and_watch(job_count);
  for (auto& changes : inboxes) {
    for (;;) {
      auto change = co_await changes->next();
      BOOST_REQUIRE(change.has_value());
      if (change->status.final) break;
    }
  }
  BOOST_TEST(f.job_gets() == 0u);
  // Three rounds (ready, started, completed) of three pages each.
  BOOST_TEST(f.list_gets() >= 3u);
  BOOST_TEST(f.list_gets() <= 12u);
  co_await f.stop();
}

net::awaitable<void> jobs_spread_by_jitter_join_one_list_round() {
  auto ex = co_await net::this_coro::executor;
  auto settings = fast_poller();
  // Twenty jobs whose first polls fall anywhere in [100, 200] ms, a few per 2 ms
  // slot: each slot alone is under the threshold, and would poll with GETs.
  settings.poll_initial_ms = milliseconds(200);
  settings.poll_max_ms = milliseconds(400);
  settings.jitter = 0.5;
  settings.list_threshold = 5;
  settings.page_size = 8;
  fixture f(ex, moving_every(0), settings);
  constexpr int job_count = 20;
  auto inboxes = co_await f.submit_and_watch(job_count);
  co_await sleep_ms(300);  // every job polled once, none changed
  BOOST_TEST(f.job_gets() == 0u);
  BOOST_TEST(f.list_gets() >= 1u);
  BOOST_TEST(f.list_gets() <= 6u, "one round of three pages, or two");
  for (int i = 0; i < job_count; ++i) {
    std::string job_id = "job-" + std::to_string(i);
    co_await f.unwatch(std::move(job_id));
  }
  co_await f.stop();
}

net::awaitable<void> retry_after_holds_back_the_providers_polls() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(0));
  inbox first(ex);
  inbox second(ex);
  auto id1 = co_await f.submit("job-1");
  auto id2 = co_await f.submit("job-2");
  fakes::fault_rule throttled;
  throttled.kind = fakes::fault_kind::status;
  throttled.method = "GET";
  throttled.path_prefix = "/jobs/";
  throttled.status = 429;
  throttled.retry_after_s = 1;  // 200 ms here
  throttled.count = 1;
  f.fake().add_fault(throttled);
  co_await f.watch("job-1", id1, first);
  // job-1's first poll, answered 429 (its retry is 200 ms away).
  for (int waited = 0; f.job_gets() == 0 && waited < 150; waited += 2) co_await sleep_ms(2);
  BOOST_REQUIRE(f.job_gets() == 1u);
  co_await f.watch("job-2", id2, second);
  co_await sleep_ms(100);
  // Unthrottled, two jobs polled from every 5 ms would have made a dozen GETs by
  // now; the provider's round waits out the Retry-After, and job-2's first poll with it.
  BOOST_TEST(f.job_gets() == 1u);
  co_await sleep_ms(250);
  BOOST_TEST(f.job_gets() >= 4u);
  co_await f.stop();
}

net::awaitable<void> a_pause_ending_just_after_a_poll_is_waited_out() {
  auto ex = co_await net::this_coro::executor;
  auto settings = fast_poller();
  // Once both reach poll_max, a failing job's next poll (jittered below the
  // interval) falls within one slot before the provider's pause ends.
  settings.jitter = 0.2;
  settings.slot_ms = milliseconds(10);
  fixture f(ex, moving_every(1), settings);
  auto id = co_await f.submit("job-1");
  fakes::fault_rule failing;
  failing.kind = fakes::fault_kind::status;
  failing.method = "GET";
  failing.path_prefix = "/jobs/";
  failing.status = 500;
  failing.count = 60;
  f.fake().add_fault(failing);
  inbox changes(ex);
  co_await f.watch("job-1", id, changes);
  // The poller keeps serving its mailbox while the provider fails, and polls
  // the job to its end once the failures stop.
  for (;;) {
    auto change = co_await changes.next(milliseconds(5'000));
    BOOST_REQUIRE_MESSAGE(change.has_value(), "the poller stopped polling");
    if (change->status.final) break;
  }
  BOOST_TEST(f.poller().watched() == 0u);
  co_await f.stop();
}

net::awaitable<void> job_unknown_to_the_provider_ends_its_watch() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(1));
  inbox changes(ex);
  co_await f.watch("job-1", "no-such-job", changes);
  auto change = co_await changes.next();
  BOOST_REQUIRE(change.has_value());
  BOOST_REQUIRE(change->failure.has_value());
  BOOST_TEST(static_cast<int>(change->failure->kind) == static_cast<int>(actors::remote_failure_kind::permanent));
  co_await sleep_ms(20);
  BOOST_TEST(f.poller().watched() == 0u);
  BOOST_TEST(f.job_gets() == 1u);
  co_await f.stop();
}

net::awaitable<void> close_ends_run() {
  auto ex = co_await net::this_coro::executor;
  fixture f(ex, moving_every(0));
  inbox changes(ex);
  auto id = co_await f.submit("job-1");
  co_await f.watch("job-1", id, changes);
  co_await sleep_ms(20);
  co_await f.stop();
}

net::awaitable<void> cancelled_run_ends() {
  auto ex = co_await net::this_coro::executor;
  actors::poller_actor poller(ex, {}, fast_poller());
  auto [promise, future] = actors::make_promise<bool>(ex);
  net::cancellation_signal cancel;
  net::co_spawn(ex, poller.run(),
                net::bind_cancellation_slot(cancel.slot(), [done = std::move(promise)](std::exception_ptr failure) mutable {
                  done.set(failure == nullptr);
                }));
  co_await sleep_ms(5);
  cancel.emit(net::cancellation_type::terminal);
  auto clean = co_await future.get_for(milliseconds(2'000));
  BOOST_TEST(clean.value_or(false));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(poller_actor_tests)

BOOST_AUTO_TEST_CASE(watched_job_is_polled_until_completed_and_changes_arrive_in_order, *boost::unit_test::timeout(10)) {
  run_coroutine(watched_job_is_polled_to_completion());
}
BOOST_AUTO_TEST_CASE(backoff_grows_while_the_status_stays_the_same, *boost::unit_test::timeout(10)) {
  run_coroutine(backoff_grows_while_nothing_changes());
}
BOOST_AUTO_TEST_CASE(backoff_resets_to_the_initial_interval_on_a_change, *boost::unit_test::timeout(10)) {
  run_coroutine(backoff_resets_when_the_status_changes());
}
BOOST_AUTO_TEST_CASE(unwatched_job_is_no_longer_polled, *boost::unit_test::timeout(10)) {
  run_coroutine(unwatch_stops_polling());
}
BOOST_AUTO_TEST_CASE(jobs_spread_by_jitter_are_read_in_one_list_round, *boost::unit_test::timeout(10)) {
  run_coroutine(jobs_spread_by_jitter_join_one_list_round());
}

BOOST_AUTO_TEST_CASE(many_due_jobs_of_one_provider_are_read_with_list_requests, *boost::unit_test::timeout(10)) {
  run_coroutine(many_due_jobs_are_read_with_list_requests());
}
BOOST_AUTO_TEST_CASE(a_pause_ending_just_after_a_jobs_poll_is_waited_out, *boost::unit_test::timeout(20)) {
  run_coroutine(a_pause_ending_just_after_a_poll_is_waited_out());
}
BOOST_AUTO_TEST_CASE(retry_after_holds_back_the_providers_next_polls, *boost::unit_test::timeout(10)) {
  run_coroutine(retry_after_holds_back_the_providers_polls());
}
BOOST_AUTO_TEST_CASE(job_the_provider_does_not_know_is_reported_and_unwatched, *boost::unit_test::timeout(10)) {
  run_coroutine(job_unknown_to_the_provider_ends_its_watch());
}
BOOST_AUTO_TEST_CASE(closing_the_poller_ends_run, *boost::unit_test::timeout(10)) {
  run_coroutine(close_ends_run());
}

BOOST_AUTO_TEST_CASE(cancelling_run_ends_it_cleanly, *boost::unit_test::timeout(10)) {
  run_coroutine(cancelled_run_ends());
}

BOOST_AUTO_TEST_SUITE_END()
