#pragma once

#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// Messages of the scheduler actor: the queues of jobs waiting here for a slot,
/// per provider and target. A waiting job is only its `seq` in the queue its
/// place names; it has no actor until it is admitted.
namespace qjob::actors {

/// Which queue a job waits in. Jobs leave a provider's queues by priority
/// (higher first), then round-robin across the provider's targets, then across
/// owners, then across each owner's batches (jobs outside batches form one),
/// then by submission order (`seq`).
struct queue_place {
  std::string provider;
  std::string target;
  std::int32_t priority = 5;
  std::uint32_t owner = 0;
  std::string batch_id;

  bool operator==(const queue_place&) const = default;
};

/// Jobs that share a place, by ascending seq.
struct queued_run {
  queue_place place;
  std::vector<std::int64_t> seqs;
};

/// Jobs waiting for a slot of their provider. A seq already queued is not
/// queued twice.
struct enqueue_jobs {
  std::vector<queued_run> runs;
};

/// The job no longer wants a slot (cancelled while waiting); nothing when it is
/// not queued (it may have just been admitted).
struct withdraw_job {
  queue_place place;
  std::int64_t seq = 0;
};

/// A job gives its slot back (it ended, or left the provider).
struct release_slot {
  std::string provider;
};

/// Jobs already in flight at their provider (found so at start-up) take a slot
/// each without queueing, even beyond the provider's capacity: they are there
/// already. Each gives its slot back with release_slot like any other.
struct claim_slot {
  std::string provider;
  std::size_t count = 1;
};

/// How many jobs of its provider leave the queue before this one, plus one;
/// nullopt when it is not waiting here. Cheap: no walk over the waiting jobs.
struct get_queue_position {
  queue_place place;
  std::int64_t seq = 0;
  promise<std::optional<std::int64_t>> reply;
};

/// A provider's slot count from now on (a configuration reload): 0 for one that
/// left the configuration, whose jobs then wait here. Jobs running beyond a
/// lowered capacity finish; no new one starts until they are under it.
struct set_capacity {
  std::string provider;
  std::size_t capacity = 0;
};

using scheduler_message =
    std::variant<enqueue_jobs, withdraw_job, release_slot, claim_slot, get_queue_position, set_capacity>;
using scheduler_ref = actor_ref<scheduler_message>;

inline constexpr std::size_t scheduler_mailbox_capacity = 65'536;

/// From the scheduler to the job supervisor: these jobs of `provider` each hold
/// one of its slots now, until they send release_slot.
struct jobs_admitted {
  std::string provider;
  std::vector<std::int64_t> seqs;
};

}  // namespace qjob::actors
