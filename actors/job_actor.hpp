#pragma once

#include "hub_protocol.hpp"
#include "job_protocol.hpp"
#include "job_supervisor_protocol.hpp"
#include "provider_protocol.hpp"
#include "scheduler_protocol.hpp"
#include "storage_protocol.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace qjob::actors {

/// The actors every job actor talks to.
struct job_services {
  storage_ref storage;
  scheduler_ref scheduler;
  hub_ref hub;
  job_supervisor_ref supervisor;
  std::unordered_map<std::string, provider_ref> providers;
  std::shared_ptr<spdlog::logger> log;
};

/// One per live job: owns the job's state machine. Asks the scheduler for a slot,
/// the provider actor to run it, and writes every transition through the storage
/// actor before acting on it. Ends when the job is final or its mailbox closes
/// (shutdown: the job is resumed at the next start). Runs on the I/O thread.
class job_actor {
public:
  /// `job` is durable and not final; its `input` is not needed (it is read when
  /// the job runs).
  job_actor(net::any_io_executor executor, storage::job_row job, std::shared_ptr<const job_services> services);

  job_ref ref() const { return job_ref(mailbox_); }
  const std::string& id() const noexcept { return job_.id; }

  /// Runs the actor it owns; the actor lives as long as this coroutine.
  static net::awaitable<void> run(std::unique_ptr<job_actor> self);

private:
  net::awaitable<void> live();
  net::awaitable<void> on_slot_granted();
  net::awaitable<void> on_cancel(request_cancel& request);
  net::awaitable<void> on_run_finished(run_finished& outcome);

  /// Commits the job's run state; retries while the disk is full. False when the
  /// storage actor is gone (shutdown).
  net::awaitable<bool> commit(bool is_transition, std::optional<std::string> result_json = std::nullopt);
  /// Moves to a final state and commits it.
  net::awaitable<void> finish(storage::job_status status, std::optional<storage::job_error> error,
                              std::optional<std::string> result_json);

  std::shared_ptr<mailbox<job_message>> mailbox_;
  storage::job_row job_;
  std::shared_ptr<const job_services> services_;
  bool holds_slot_ = false;  // granted by the scheduler and not yet released
  bool running_ = false;     // handed to the provider, outcome not yet back
  bool done_ = false;        // final, or the daemon is stopping
};

}  // namespace qjob::actors
