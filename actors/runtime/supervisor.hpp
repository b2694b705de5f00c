#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace qjob::actors {

namespace net = boost::asio;

/// What the supervisor does when an actor's coroutine throws.
enum class on_failure {
  contain,      // log it; the rest of the daemon runs on (job actors: the job resumes at next start)
  stop_daemon,  // log it and ask the daemon to stop (storage, scheduler: nothing works without them)
};

/// Owns every long-lived coroutine of the daemon (a task group): spawns them with
/// a cancellation slot, logs how each one ended, and lets shutdown cancel them all
/// and wait. Lives on the I/O thread; children may run on other executors (their
/// completion is carried back here). Outlives every child: declare it before the
/// actors' state and destroy it after waiting.
class supervisor {
public:
  supervisor(net::any_io_executor executor, std::shared_ptr<spdlog::logger> log,
             std::function<void()> stop_daemon);
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Starts `task` on `where` as a child named `name` (for the log).
  void spawn(std::string name, net::awaitable<void> task, on_failure policy,
             net::any_io_executor where = {});

  /// Delivers `type` cancellation to every running child.
  void emit(net::cancellation_type type);

  /// Completes once no child is running. I/O thread only.
  net::awaitable<void> wait_all();

  std::size_t running() const noexcept { return children_.size(); }

private:
  net::any_io_executor executor_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void()> stop_daemon_;
  std::list<net::cancellation_signal> children_;
  net::steady_timer idle_;  // cancelled when the last child ends, to wake wait_all()
};

}  // namespace qjob::actors
