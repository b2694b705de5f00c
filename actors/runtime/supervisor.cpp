#include "runtime/supervisor.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>

namespace qjob::actors {

namespace {

/// co_spawn lets only terminal cancellation reach a coroutine by default, so the
/// total cancellation emit() sends at drain would never wake a child waiting on a
/// timer or a socket. Opening the filter here lets every child see it.
net::awaitable<void> accept_total_cancellation(net::awaitable<void> task) {
  co_await net::this_coro::reset_cancellation_state(net::enable_total_cancellation());
  co_await std::move(task);
}

}  // namespace

supervisor::supervisor(net::any_io_executor executor, std::shared_ptr<spdlog::logger> log,
                       std::function<void()> stop_daemon)
    : executor_(executor), log_(std::move(log)), stop_daemon_(std::move(stop_daemon)),
      idle_(executor, net::steady_timer::time_point::max()) {}

void supervisor::spawn(std::string name, net::awaitable<void> task, on_failure policy) {
  start(std::move(name), std::move(task), policy, executor_, true);
}

void supervisor::spawn_elsewhere(std::string name, net::awaitable<void> task, on_failure policy,
                                 net::any_io_executor executor) {
  start(std::move(name), std::move(task), policy, std::move(executor), false);
}

void supervisor::start(std::string name, net::awaitable<void> task, on_failure policy, net::any_io_executor where,
                       bool cancellable) {
  auto child = children_.emplace(children_.end());
  child->cancellable = cancellable;
  auto on_done = [this, child, name = std::move(name), policy](std::exception_ptr failure) {
    const bool cancelled = child->cancelled;
    children_.erase(child);
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const boost::system::system_error& e) {
        // A child we cancelled (drain) ends with operation_aborted: that is how it
        // was told to stop, not a failure.
        if (cancelled && e.code() == net::error::operation_aborted) {
          log_->debug("actor={} cancelled", name);
          failure = nullptr;
        } else {
          log_->error("actor={} failed: {}", name, e.what());
        }
      } catch (const std::exception& e) {
        log_->error("actor={} failed: {}", name, e.what());
      } catch (...) {
        log_->error("actor={} failed with a non-standard exception", name);
      }
      if (failure && policy == on_failure::stop_daemon && stop_daemon_) stop_daemon_();
    }
    if (children_.empty()) idle_.cancel();
  };
  auto done = net::bind_executor(executor_, std::move(on_done));
  if (cancellable)
    net::co_spawn(where, accept_total_cancellation(std::move(task)),
                  net::bind_cancellation_slot(child->signal.slot(), std::move(done)));
  else
    net::co_spawn(where, std::move(task), std::move(done));
}

void supervisor::emit(net::cancellation_type type) {
  for (auto& child : children_)
    if (child.cancellable) {
      child.cancelled = true;
      child.signal.emit(type);
    }
}

net::awaitable<void> supervisor::wait_all() {
  while (!children_.empty()) {
    boost::system::error_code ec;
    co_await idle_.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

}  // namespace qjob::actors
