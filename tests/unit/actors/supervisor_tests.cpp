#include "runtime/supervisor.hpp"

#include "support/coroutine_runner.hpp"
#include "test_log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace net = boost::asio;
namespace qa = qjob::actors;
using qjob::actors::test::captured_log;
using qjob::test::run_coroutine;
using namespace std::chrono_literals;

namespace {

net::awaitable<void> fail_with(std::string what) {
  co_await net::this_coro::executor;
  throw std::runtime_error(what);
}

net::awaitable<void> pause(std::chrono::milliseconds how_long, int* ended) {
  net::steady_timer timer(co_await net::this_coro::executor, how_long);
  co_await timer.async_wait(net::use_awaitable);
  ++*ended;
}

/// Waits on a timer far in the future; records how the wait ended.
net::awaitable<void> wait_for_cancellation(boost::system::error_code* outcome) {
  net::steady_timer timer(co_await net::this_coro::executor, 1h);
  auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  *outcome = ec;
}

/// As wait_for_cancellation, but lets the cancellation surface as an exception, as
/// an actor's plain `co_await timer.async_wait(use_awaitable)` does.
net::awaitable<void> wait_and_throw_on_cancellation() {
  net::steady_timer timer(co_await net::this_coro::executor, 1h);
  co_await timer.async_wait(net::use_awaitable);
}

net::awaitable<void> note_thread(std::thread::id* where) {
  co_await net::this_coro::executor;
  *where = std::this_thread::get_id();
}

net::awaitable<void> note_thread_then_fail(std::thread::id* where) {
  co_await net::this_coro::executor;
  *where = std::this_thread::get_id();
  throw std::runtime_error("elsewhere failed");
}

net::awaitable<void> failure_stops_the_daemon_body() {
  captured_log log;
  int stops = 0;
  auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(), [&stops] { ++stops; });
  tasks.spawn("storage", fail_with("disk on fire"), qa::on_failure::stop_daemon);
  co_await tasks.wait_all();
  BOOST_TEST(stops == 1);
  BOOST_TEST(log.contains("actor=storage failed: disk on fire"), log.text());
  BOOST_TEST(tasks.running() == 0u);
}

net::awaitable<void> contained_failure_body() {
  captured_log log;
  int stops = 0;
  int ended = 0;
  auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(), [&stops] { ++stops; });
  tasks.spawn("job j1", fail_with("bad job"), qa::on_failure::contain);
  tasks.spawn("job j2", pause(5ms, &ended), qa::on_failure::contain);
  co_await tasks.wait_all();
  BOOST_TEST(stops == 0);
  BOOST_TEST(ended == 1);  // its sibling ran on
  BOOST_TEST(log.contains("actor=job j1 failed: bad job"), log.text());
  BOOST_TEST(!log.contains("j2"), log.text());
}

net::awaitable<void> wait_all_body() {
  captured_log log;
  int ended = 0;
  auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(), {});
  co_await tasks.wait_all();  // nothing to wait for
  tasks.spawn("a", pause(2ms, &ended), qa::on_failure::contain);
  tasks.spawn("b", pause(10ms, &ended), qa::on_failure::contain);
  tasks.spawn("c", pause(5ms, &ended), qa::on_failure::contain);
  BOOST_TEST(tasks.running() == 3u);
  co_await tasks.wait_all();
  BOOST_TEST(ended == 3);
  BOOST_TEST(tasks.running() == 0u);
  // The supervisor is reusable: a second round is waited for as well.
  tasks.spawn("d", pause(1ms, &ended), qa::on_failure::contain);
  co_await tasks.wait_all();
  BOOST_TEST(ended == 4);
  BOOST_TEST(log.text().empty(), log.text());
}

net::awaitable<void> emit_total_body() {
  captured_log log;
  auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(), {});
  boost::system::error_code first, second;
  tasks.spawn("waiter 1", wait_for_cancellation(&first), qa::on_failure::contain);
  tasks.spawn("waiter 2", wait_for_cancellation(&second), qa::on_failure::contain);
  net::steady_timer settle(co_await net::this_coro::executor, 1ms);
  co_await settle.async_wait(net::use_awaitable);
  tasks.emit(net::cancellation_type::total);
  co_await tasks.wait_all();
  BOOST_TEST((first == net::error::operation_aborted));
  BOOST_TEST((second == net::error::operation_aborted));
}

net::awaitable<void> cancellation_is_not_a_failure_body() {
  captured_log log;
  int stops = 0;
  auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(), [&stops] { ++stops; });
  tasks.spawn("hub", wait_and_throw_on_cancellation(), qa::on_failure::stop_daemon);
  net::steady_timer settle(co_await net::this_coro::executor, 1ms);
  co_await settle.async_wait(net::use_awaitable);
  tasks.emit(net::cancellation_type::total);
  co_await tasks.wait_all();
  BOOST_TEST(stops == 0);
  BOOST_TEST(!log.contains("failed"), log.text());
}

net::awaitable<void> spawn_elsewhere_body() {
  captured_log log;
  const auto here = std::this_thread::get_id();
  net::io_context other(1);
  auto work = net::make_work_guard(other);
  std::thread other_thread([&other] { other.run(); });
  std::thread::id ran_on, failed_on, stopped_on;
  {
    auto executor = co_await net::this_coro::executor;
  qa::supervisor tasks(executor, log.logger(),
                         [&stopped_on] { stopped_on = std::this_thread::get_id(); });
    tasks.spawn_elsewhere("storage", note_thread(&ran_on), qa::on_failure::stop_daemon, other.get_executor());
    tasks.spawn_elsewhere("worker", note_thread_then_fail(&failed_on), qa::on_failure::stop_daemon,
                          other.get_executor());
    co_await tasks.wait_all();
    BOOST_TEST(tasks.running() == 0u);
  }
  work.reset();
  other_thread.join();
  BOOST_TEST((ran_on != here));
  BOOST_TEST((failed_on != here));
  BOOST_TEST((stopped_on == here));  // the completion came back to the supervisor's thread
  BOOST_TEST(log.contains("actor=worker failed: elsewhere failed"), log.text());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(supervisor_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(child_failure_is_logged_and_stops_the_daemon) { run_coroutine(failure_stops_the_daemon_body()); }

BOOST_AUTO_TEST_CASE(contained_failure_is_logged_and_the_daemon_runs_on) { run_coroutine(contained_failure_body()); }

BOOST_AUTO_TEST_CASE(wait_all_completes_when_every_child_has_ended) { run_coroutine(wait_all_body()); }

BOOST_AUTO_TEST_CASE(emit_total_cancels_a_child_waiting_on_a_timer) { run_coroutine(emit_total_body()); }

BOOST_AUTO_TEST_CASE(a_child_ended_by_emitted_cancellation_has_not_failed) {
  run_coroutine(cancellation_is_not_a_failure_body());
}

BOOST_AUTO_TEST_CASE(spawn_elsewhere_runs_on_another_executor_and_its_completion_comes_back) {
  run_coroutine(spawn_elsewhere_body());
}

BOOST_AUTO_TEST_SUITE_END()
