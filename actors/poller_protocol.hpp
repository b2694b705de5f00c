#pragma once

#include "job_protocol.hpp"
#include "remote_provider_protocol.hpp"
#include "runtime/mailbox.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// Messages of the poller actor, which watches every job executing at a remote
/// provider and tells each job's owner when the provider's word on it changes.
namespace qjob::actors {

/// Where the poller delivers a job's changes (job_status_changed): the job
/// actor's inbox. The poller only try_sends into it: a full inbox makes it
/// deliver the change again on a later poll.
using job_status_ref = job_ref;

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

using poller_message = std::variant<watch_job, unwatch_job, poll_tick, poll_round_finished>;
using poller_ref = actor_ref<poller_message>;

inline constexpr std::size_t poller_mailbox_capacity = 4096;

}  // namespace qjob::actors
