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

  /// Starts `task` as a child named `name` (for the log) on the supervisor's executor.
  void spawn(std::string name, net::awaitable<void> task, on_failure policy);

  /// Starts `task` on another thread's `executor`. emit() does not reach it (a
  /// cancellation signal is not thread-safe): stop it by closing its mailbox.
  void spawn_elsewhere(std::string name, net::awaitable<void> task, on_failure policy,
                       net::any_io_executor executor);

  /// Delivers `type` cancellation to every running child on this executor.
  void emit(net::cancellation_type type);

  /// Completes once no child is running. I/O thread only.
  net::awaitable<void> wait_all();

  std::size_t running() const noexcept { return children_.size(); }

private:
  net::any_io_executor executor_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void()> stop_daemon_;
  struct child {
    net::cancellation_signal signal;
    bool cancellable = true;
    bool cancelled = false;  // emit() reached it: operation_aborted is then no failure
  };
  void start(std::string name, net::awaitable<void> task, on_failure policy, net::any_io_executor where,
             bool cancellable);

  std::list<child> children_;
  net::steady_timer idle_;  // cancelled when the last child ends, to wake wait_all()
};

}  // namespace qjob::actors
