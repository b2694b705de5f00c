#pragma once

#include "hub_protocol.hpp"
#include "job_protocol.hpp"
#include "job_supervisor_protocol.hpp"
#include "poller_protocol.hpp"
#include "provider_protocol.hpp"
#include "remote_provider_protocol.hpp"
#include "scheduler_protocol.hpp"
#include "storage_protocol.hpp"

#include "runtime/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace qjob::actors {

/// The actors every job actor talks to.
struct job_services {
  storage_ref storage;
  scheduler_ref scheduler;
  hub_ref hub;
  job_supervisor_ref supervisor;
  std::unordered_map<std::string, provider_ref> providers;  // embedded simulators
  std::unordered_map<std::string, remote_provider_link> remote_providers;
  poller_ref poller;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<metrics::registry> metrics;  ///< counts transitions; may be null (tests)
};

/// One per job that is running or about to: owns the job's state machine. The
/// job supervisor starts it when the scheduler grants the job a slot (its
/// provider's in-flight quota), when the job is cancelled while queued, or at
/// start-up for a job that may be at its provider. It writes every transition
/// through the storage actor before acting on it, and ends when the job is final
/// or its mailbox closes (shutdown: the job is resumed at the next start). Runs
/// on the I/O thread.
///
/// On the embedded simulator, a run is one run_job and its run_finished.
///
/// A remote job that is at its provider with nothing asked of it but the
/// poller's watch parks: its actor ends and keeps its slot, and the poller's
/// next word on the job (or a cancel) reaches it through the supervisor, which
/// starts it again from its row. A hundred thousand jobs executing at a provider
/// are then poller entries, not coroutines.
///
/// On a remote provider, exactly once: the intent to submit is committed before
/// the provider is asked, and the provider's job id when it answers; a job whose
/// answer was never recorded is looked up at the provider (by our id) before it
/// is sent again. The poller then reports the provider's word on the job until
/// it is final, and the results are fetched before the job succeeds. Every
/// request to the provider is answered into this actor's mailbox, so that a
/// cancel is answered at once whatever the job is waiting for; a cancel that
/// comes while the provider's id is not yet known is applied when it is.
class job_actor {
public:
  /// How the job came to need an actor.
  enum class start_reason {
    admitted,  // granted a slot by the scheduler (the grant is in the mailbox)
    message,   // another message for it: cancelled, or its parked watch spoke
    start_up,  // found not final at start-up, possibly at its provider
    stranded,  // a message (a cancel) for a job found at start-up at a provider that is
               // not configured: it holds no slot and is not watched
  };

  /// `job` is durable and not final; its `input` is not needed (it is read when
  /// the job runs). `incarnation` tells this actor from another one of the same
  /// job (see parking).
  job_actor(net::any_io_executor executor, storage::job_row job, std::shared_ptr<const job_services> services,
            start_reason reason, std::uint64_t incarnation);

  job_ref ref() const { return job_ref(mailbox_); }
  const std::string& id() const noexcept { return job_.id; }
  const std::string& provider() const noexcept { return job_.provider; }

  /// Runs the actor it owns; the actor lives as long as this coroutine.
  static net::awaitable<void> run(std::unique_ptr<job_actor> self);

private:
  /// Where a remote job is in its exchanges with the provider.
  enum class remote_step {
    none,        // queued here, or waiting out a backoff
    submitting,  // submit_job sent, answer awaited
    watching,    // at the provider; the poller reports its status
    fetching,    // final there; fetch_result sent (or to be retried)
  };

  net::awaitable<void> live();
  net::awaitable<void> handle(slot_granted&);
  net::awaitable<void> handle(request_cancel& request);
  net::awaitable<void> handle(run_finished& outcome);
  net::awaitable<void> handle(submission_answered& answer);
  net::awaitable<void> handle(job_status_changed& change);
  net::awaitable<void> handle(provider_cancel_answered& answer);
  net::awaitable<void> handle(result_fetched& answer);
  net::awaitable<void> handle(retry_due&);

  // The embedded simulator.
  net::awaitable<void> run_locally(provider_ref provider);

  // Remote providers.
  const remote_provider_link* remote() const;
  /// True for a remote job that may be at its provider already.
  bool in_flight_remotely() const;
  /// Sends `request` to the job's remote provider; its answer comes back into this
  /// actor's mailbox as an `Answer` message. False when the provider actor has stopped.
  template <class Answer, class Request, class T>
  net::awaitable<bool> ask_remote(Request request, future<remote_outcome<T>> answer);
  net::awaitable<void> enqueue();
  net::awaitable<void> submit();
  net::awaitable<void> watch();
  net::awaitable<void> on_provider_status(const remote_job_status& status);
  net::awaitable<void> fetch();
  net::awaitable<void> cancel_at_provider();
  /// Gives the slot back and tries again (re-queues, or fetches again) after a backoff.
  void retry_later(const remote_failure& failure);

  /// The job's input, read from the store; nullopt when the store is gone.
  net::awaitable<std::optional<std::string>> read_input();
  /// Commits the job's run state; retries while the disk is full. False when the
  /// storage actor is gone (shutdown).
  net::awaitable<bool> commit(bool is_transition, std::optional<std::string> result_json = std::nullopt);
  /// Moves to a final state and commits it.
  net::awaitable<void> finish(storage::job_status status, std::optional<storage::job_error> error,
                              std::optional<std::string> result_json);
  void release_slot_held();
  /// Counts the state change just committed in the metrics, unless only the
  /// provider's word changed.
  void count_transition();
  void answer_cancel(request_cancel& request, std::string message);
  /// True when the actor may end and leave the job to the poller: watched at its
  /// provider, holding its slot, no answer awaited and nothing in the mailbox.
  bool may_park() const;

  std::shared_ptr<mailbox<job_message>> mailbox_;
  storage::job_row job_;
  std::shared_ptr<const job_services> services_;
  bool holds_slot_ = false;  // granted by the scheduler and not yet released
  bool running_ = false;     // handed to the embedded simulator, outcome not yet back
  bool done_ = false;        // final, or the daemon is stopping
  bool cancel_sent_ = false; // a cancel is at the provider, its answer awaited
  start_reason reason_ = start_reason::message;
  std::uint64_t incarnation_ = 0;
  remote_step step_ = remote_step::none;
  std::chrono::milliseconds retry_delay_{0};  // the last backoff; 0 after a success
  storage::job_status counted_status_ = job_.run.status;  // the state last counted in the metrics
};

}  // namespace qjob::actors
