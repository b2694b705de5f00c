#pragma once

#include "job_protocol.hpp"
#include "job_supervisor_protocol.hpp"
#include "remote_provider_protocol.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/metrics.hpp"

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// Messages of the poller actor, which watches every job executing at a remote
/// provider and tells each job's owner when the provider's word on it changes.
namespace qjob::actors {

/// Where the poller delivers a job's changes (job_status_changed): the job
/// supervisor, which hands them to the job's actor or starts one for a job whose
/// actor has parked; or straight into a job actor's inbox (tests). The poller
/// only try_sends: a full inbox makes it deliver the change again on a later poll.
class job_status_ref {
public:
  job_status_ref() = default;
  job_status_ref(job_ref job) : job_(std::move(job)) {}
  job_status_ref(job_supervisor_ref supervisor, std::int64_t seq) : supervisor_(std::move(supervisor)), seq_(seq) {}

  bool try_send(job_status_changed change) const {
    if (!supervisor_) return job_.try_send(std::move(change));
    return supervisor_.try_send(job_event{seq_, std::move(change)});
  }

private:
  job_ref job_;
  job_supervisor_ref supervisor_;
  std::int64_t seq_ = 0;
};

/// Start polling a job executing at `provider` until it is final or unwatched.
/// Watching a job already watched replaces the earlier watch.
struct watch_job {
  std::string job_id;           ///< ours
  std::string provider;         ///< the provider's configured name
  std::string provider_job_id;  ///< the provider's id of the job
  std::string last_status;      ///< the provider's word last seen, "" when none: a different one is a change
  job_status_ref reply_to;
};

/// Stop polling a job (it was cancelled, or its actor is going away). Unknown ids are ignored.
struct unwatch_job {
  std::string job_id;
};

/// Posted by the poller's own timer: some jobs may be due.
struct poll_tick {};

/// One job's outcome of a poll round.
struct poll_result {
  std::string job_id;
  std::uint64_t watch = 0;  ///< which watch of the job was polled (a re-watch starts another)
  remote_outcome<remote_job_status> outcome;
};

/// Posted by a poll round when all its requests to one provider are answered.
struct poll_round_finished {
  std::string provider;
  std::vector<poll_result> results;
};

/// Settings of the poller. The defaults are the daemon's; tests shrink the times.
struct poller_settings {
  std::chrono::milliseconds poll_initial_ms{1'000};  ///< first interval, and the interval after a change
  std::chrono::milliseconds poll_max_ms{60'000};     ///< the interval stops doubling here
  /// Each delay is drawn uniformly from [interval * (1 - jitter), interval], so
  /// jobs watched together drift apart instead of polling in lockstep.
  double jitter = 0.2;
  /// Jobs due within this much of each other are polled in one round (the
  /// wheel's slot width): fewer wake-ups, and more jobs per list request.
  std::chrono::milliseconds slot_ms{100};
  /// More than this many jobs of one provider due at once are read by listing
  /// the provider's jobs (one request per page) instead of one GET each.
  std::size_t list_threshold = 20;
  std::size_t page_size = 100;  ///< jobs per list page
  /// Pages read per round beyond those the due jobs fill (due / page_size);
  /// jobs not seen in them get a GET each.
  std::size_t max_pages = 10;
  std::uint64_t jitter_seed = 0;  ///< 0: seeded at random
  /// Where the actor's figures go; null: a registry of its own. Read at
  /// construction only (a reload keeps the registry the actor has).
  std::shared_ptr<metrics::registry> metrics;
};

/// A remote provider as the poller reaches it.
struct polled_provider {
  remote_provider_ref ref;
  /// The provider lists its jobs: many due at once are read a page at a time
  /// (otherwise every job is one GET, however many there are).
  bool can_list = true;
};

/// A configuration reload: the poll settings from now on, and the remote
/// providers added or reconfigured (a provider is never taken away: one that
/// left the configuration refuses its polls, and its jobs stay watched).
struct reconfigure_poller {
  poller_settings settings;
  std::map<std::string, polled_provider> providers;
};

using poller_message = std::variant<watch_job, unwatch_job, poll_tick, poll_round_finished, reconfigure_poller>;
using poller_ref = actor_ref<poller_message>;

inline constexpr std::size_t poller_mailbox_capacity = 4096;

}  // namespace qjob::actors
