#include "runtime/promise.hpp"

#include "support/coroutine_runner.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace qa = qjob::actors;
using qjob::test::run_coroutine;
using namespace std::chrono_literals;

namespace {

net::awaitable<void> reply_is_delivered_body() {
  auto [reply, answer] = qa::make_promise<std::string>(co_await net::this_coro::executor);
  BOOST_TEST(reply.wanted());
  reply.set("done");
  BOOST_TEST(!reply.wanted());
  auto value = co_await answer.get();
  BOOST_TEST(value.value_or("<none>") == "done");
}

net::awaitable<void> reply_from_a_thread_body() {
  const auto requester = std::this_thread::get_id();
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  std::thread responder([reply = std::move(reply)]() mutable { reply.set(42); });
  auto value = co_await answer.get();
  BOOST_TEST((std::this_thread::get_id() == requester));
  responder.join();
  BOOST_TEST(value.value_or(-1) == 42);
}

/// The responder runs on a second io_context, as the storage actor does.
net::awaitable<void> reply_from_another_io_context_body() {
  const auto requester = std::this_thread::get_id();
  net::io_context other(1);
  auto work = net::make_work_guard(other);
  std::thread other_thread([&other] { other.run(); });
  std::thread::id responder_thread;
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  net::post(other, [reply = std::move(reply), &responder_thread]() mutable {
    responder_thread = std::this_thread::get_id();
    reply.set(7);
  });
  auto value = co_await answer.get();
  BOOST_TEST((std::this_thread::get_id() == requester));
  work.reset();
  other_thread.join();
  BOOST_TEST((responder_thread != requester));
  BOOST_TEST(value.value_or(-1) == 7);
}

net::awaitable<void> dropped_promise_body() {
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  { auto dropped = std::move(reply); }
  auto value = co_await answer.get();
  BOOST_TEST(!value.has_value());
}

net::awaitable<void> dropped_on_another_thread_body() {
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  std::thread responder([reply = std::move(reply)]() mutable { auto dropped = std::move(reply); });
  auto value = co_await answer.get();
  responder.join();
  BOOST_TEST(!value.has_value());
}

net::awaitable<void> overwritten_promise_body() {
  auto executor = co_await net::this_coro::executor;
  auto [first, first_answer] = qa::make_promise<int>(executor);
  auto [second, second_answer] = qa::make_promise<int>(executor);
  first = std::move(second);  // abandons the first request
  first.set(3);
  auto abandoned = co_await first_answer.get();
  auto answered = co_await second_answer.get();
  BOOST_TEST(!abandoned.has_value());
  BOOST_TEST(answered.value_or(-1) == 3);
}

net::awaitable<void> get_for_times_out_body() {
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  const auto start = std::chrono::steady_clock::now();
  auto value = co_await answer.get_for(20ms);
  BOOST_TEST(!value.has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 20ms));
  BOOST_TEST(reply.wanted());  // the requester still holds its future
}

net::awaitable<void> get_for_returns_a_prompt_reply_body() {
  auto [reply, answer] = qa::make_promise<int>(co_await net::this_coro::executor);
  reply.set(5);
  auto value = co_await answer.get_for(10s);
  BOOST_TEST(value.value_or(-1) == 5);
}

net::awaitable<void> late_reply_body() {
  auto executor = co_await net::this_coro::executor;
  auto [reply, answer] = qa::make_promise<int>(executor);
  {
    auto gave_up = std::move(answer);
    auto value = co_await gave_up.get_for(1ms);
    BOOST_TEST(!value.has_value());
  }
  BOOST_TEST(!reply.wanted());
  reply.set(1);  // must neither wait nor fail
  reply.set(2);  // a second answer is ignored
  // From another thread too, as the storage actor would answer.
  auto [late, late_answer] = qa::make_promise<int>(executor);
  { auto gave_up = std::move(late_answer); }
  std::thread responder([late = std::move(late)]() mutable { late.set(9); });
  responder.join();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(promise_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(reply_is_delivered) { run_coroutine(reply_is_delivered_body()); }

BOOST_AUTO_TEST_CASE(reply_from_another_thread_is_delivered_on_the_requesters_executor) {
  run_coroutine(reply_from_a_thread_body());
}

BOOST_AUTO_TEST_CASE(reply_from_another_io_context_is_delivered_on_the_requesters_executor) {
  run_coroutine(reply_from_another_io_context_body());
}

BOOST_AUTO_TEST_CASE(dropped_promise_wakes_the_future_with_nullopt) { run_coroutine(dropped_promise_body()); }

BOOST_AUTO_TEST_CASE(promise_dropped_on_another_thread_wakes_the_future_with_nullopt) {
  run_coroutine(dropped_on_another_thread_body());
}

BOOST_AUTO_TEST_CASE(assigning_over_a_promise_abandons_its_request) { run_coroutine(overwritten_promise_body()); }

BOOST_AUTO_TEST_CASE(get_for_times_out_with_nullopt) { run_coroutine(get_for_times_out_body()); }

BOOST_AUTO_TEST_CASE(get_for_returns_a_reply_that_arrives_in_time) {
  run_coroutine(get_for_returns_a_prompt_reply_body());
}

BOOST_AUTO_TEST_CASE(late_reply_after_the_requester_gave_up_is_harmless) { run_coroutine(late_reply_body()); }

BOOST_AUTO_TEST_SUITE_END()
