#pragma once

#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"
#include "storage/job_row.hpp"

#include <string>
#include <variant>

/// Messages of the event hub: who is told when a job changes state. Today it
/// serves `?wait=` on the API; it is the seam for the event stream.
namespace qjob::actors {

/// A committed state change (sent by job actors after the commit).
struct job_transitioned {
  std::string job_id;
  storage::job_status status;
};

/// Tell `reply` once the job is final. The caller registers before it reads the
/// job, so a job that ends in between is not missed.
struct watch_final {
  std::string job_id;
  promise<storage::job_status> reply;
};

using hub_message = std::variant<job_transitioned, watch_final>;
using hub_ref = actor_ref<hub_message>;

inline constexpr std::size_t hub_mailbox_capacity = 65'536;

}  // namespace qjob::actors
