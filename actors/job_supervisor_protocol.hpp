#pragma once

#include "job_protocol.hpp"
#include "provider_protocol.hpp"
#include "remote_provider_protocol.hpp"
#include "scheduler_protocol.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"
#include "storage/job_row.hpp"

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

/// Messages of the job supervisor: it gives a job an actor when the job needs
/// one (admitted by the scheduler, cancelled, or found in flight at start-up),
/// and routes commands to it. A job waiting in the scheduler's queue has none.
namespace qjob::actors {

/// New jobs, durable and waiting: counted in the backlog and queued at the
/// scheduler.
struct queue_jobs {
  std::vector<queued_run> runs;
};

/// A page of the unfinished jobs read at start-up, in submission order: those
/// that may be at their provider get an actor (and their slot) at once; the
/// others are queued again once the last page has come, so that they are
/// admitted only into the slots the first have left.
struct resume_jobs {
  std::vector<storage::job_row> jobs;
  bool last_page = true;
};

/// Cancel a job (its seq); answered already_final when the job has ended.
struct cancel_job {
  std::int64_t seq = 0;
  promise<cancel_reply> reply;
};

/// A job actor has ended: its job is final, it parked (at its provider, watched
/// by the poller), or the daemon is stopping. `incarnation` tells this actor from
/// a later one of the same job.
struct job_ended {
  std::int64_t seq = 0;
  std::uint32_t owner = 0;
  bool final = false;
  std::uint64_t incarnation = 0;
};

/// A job actor gave its slot back to try again after a backoff: it leaves its
/// provider's submission window (see max_submitting), and its next grant comes
/// to it directly.
struct job_requeued {
  std::int64_t seq = 0;
};

/// A message for a job, whether or not it has an actor now (the poller's word on
/// a job whose actor has parked).
struct job_event {
  std::int64_t seq = 0;
  job_message message;
};

/// Rows read from the store for jobs that need an actor (without their input);
/// a job purged meanwhile is missing.
struct jobs_loaded {
  std::vector<std::int64_t> asked;
  std::vector<storage::job_row> rows;
};

/// How many jobs are not yet final: in all, and of one owner. For the API's
/// backpressure.
struct backlog {
  std::size_t total = 0;
  std::size_t of_owner = 0;
};

struct get_backlog {
  std::uint32_t owner = 0;
  promise<backlog> reply;
};

/// A remote provider as job actors reach it.
struct remote_provider_link {
  remote_provider_ref ref;
  /// A job whose request kept failing (the provider actor's own retries ran
  /// out, or the provider refused our key) waits this long before trying again,
  /// doubling up to retry_max.
  std::chrono::milliseconds retry_initial{1'000};
  std::chrono::milliseconds retry_max{60'000};
  /// The provider cancels jobs it has; otherwise a cancel of a job sent there
  /// (or on its way) is refused, and the job runs to its end.
  bool can_cancel = true;
  /// Jobs granted a slot that are sent at once: activated, and not yet at the
  /// provider (or final). The provider's other granted jobs keep their slot and
  /// wait for a place, without an actor.
  std::size_t max_submitting = 1'024;
};

/// A configuration reload: the providers job actors reach, added or updated by
/// name. None is taken away (a job may be waiting for an answer from it): one
/// that left the configuration gets no slot from the scheduler, and a remote one
/// refuses what it is still asked.
struct update_providers {
  std::unordered_map<std::string, provider_ref> providers;  // embedded simulators
  std::unordered_map<std::string, remote_provider_link> remote_providers;
};

using job_supervisor_message = std::variant<queue_jobs, resume_jobs, cancel_job, job_ended, job_requeued, jobs_admitted,
                                            jobs_loaded, job_event, get_backlog, update_providers>;
using job_supervisor_ref = actor_ref<job_supervisor_message>;

inline constexpr std::size_t job_supervisor_mailbox_capacity = 65'536;

}  // namespace qjob::actors
