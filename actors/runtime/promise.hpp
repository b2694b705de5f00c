#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>

namespace qjob::actors {

namespace net = boost::asio;

/// The shared one-shot slot a reply travels through. Thread-safe, so a responder on
/// another thread (storage, simulator workers) may fill it.
template <class T>
using reply_slot = net::experimental::concurrent_channel<void(boost::system::error_code, std::optional<T>)>;

/// The responder's half of a request: carried inside the request message. Filling
/// it never waits, so a late reply to a requester that gave up is harmless. A
/// promise dropped unfilled (its actor failed) wakes the requester with nullopt.
template <class T>
class promise {
public:
  promise() = default;
  explicit promise(std::shared_ptr<reply_slot<T>> slot) : slot_(std::move(slot)) {}
  promise(promise&& other) noexcept : slot_(std::exchange(other.slot_, nullptr)) {}
  promise& operator=(promise&& other) noexcept {
    if (this != &other) {
      abandon();
      slot_ = std::exchange(other.slot_, nullptr);
    }
    return *this;
  }
  promise(const promise&) = delete;
  promise& operator=(const promise&) = delete;
  ~promise() { abandon(); }

  void set(T value) {
    if (slot_) std::exchange(slot_, nullptr)->try_send(boost::system::error_code{}, std::move(value));
  }
  /// True when the requester is still waiting for the answer.
  bool wanted() const noexcept { return slot_ && slot_.use_count() > 1; }

private:
  void abandon() {
    if (slot_) std::exchange(slot_, nullptr)->try_send(boost::system::error_code{}, std::nullopt);
  }
  std::shared_ptr<reply_slot<T>> slot_;
};

/// The requester's half: await the reply, optionally with a deadline.
template <class T>
class future {
public:
  explicit future(std::shared_ptr<reply_slot<T>> slot) : slot_(std::move(slot)) {}

  /// The reply, or nullopt when the responder dropped the request. Runs on the
  /// caller's executor; cancellation of the awaiting coroutine ends the wait.
  net::awaitable<std::optional<T>> get() {
    auto [ec, value] = co_await slot_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) co_return std::nullopt;
    co_return std::move(value);
  }

  /// As get(), but nullopt once `timeout` has passed.
  net::awaitable<std::optional<T>> get_for(std::chrono::steady_clock::duration timeout) {
    using namespace net::experimental::awaitable_operators;
    net::steady_timer timer(co_await net::this_coro::executor, timeout);
    auto outcome = co_await (get() || timer.async_wait(net::as_tuple(net::use_awaitable)));
    if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
    co_return std::nullopt;
  }

private:
  std::shared_ptr<reply_slot<T>> slot_;
};

/// A connected promise/future pair whose replies are delivered on `executor`.
template <class T, class Executor>
std::pair<promise<T>, future<T>> make_promise(const Executor& executor) {
  auto slot = std::make_shared<reply_slot<T>>(executor, 1);
  // Built in place: a temporary promise would be abandoned (and wake the future) when destroyed.
  return std::pair<promise<T>, future<T>>(std::piecewise_construct, std::forward_as_tuple(slot),
                                          std::forward_as_tuple(slot));
}

}  // namespace qjob::actors
