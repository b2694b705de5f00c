#pragma once

#include "job_protocol.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

/// Messages of the scheduler actor: the queues of waiting jobs per provider.
namespace qjob::actors {

/// A job waiting for a slot of its provider. Jobs leave the queue by priority
/// (higher first), then round-robin across owners, then across the owner's
/// batches, then by submission order (`seq`).
struct enqueue_job {
  std::string job_id;
  std::string provider;
  std::int32_t priority = 5;
  std::uint32_t owner = 0;
  std::string batch_id;
  std::int64_t seq = 0;
  job_ref job;
};

/// The job no longer wants a slot (cancelled while waiting).
struct withdraw_job {
  std::string job_id;
  std::string provider;
};

/// A job gives its slot back (it ended, or left the provider).
struct release_slot {
  std::string provider;
};

/// A job already in flight at its provider (found so at start-up) takes a slot
/// without queueing, even beyond the provider's capacity: it is there already.
/// It gives the slot back with release_slot like any other.
struct claim_slot {
  std::string provider;
};

/// How many jobs of its provider leave the queue before this one; nullopt when
/// it is not waiting here.
struct get_queue_position {
  std::string job_id;
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
    std::variant<enqueue_job, withdraw_job, release_slot, claim_slot, get_queue_position, set_capacity>;
using scheduler_ref = actor_ref<scheduler_message>;

inline constexpr std::size_t scheduler_mailbox_capacity = 65'536;

}  // namespace qjob::actors
