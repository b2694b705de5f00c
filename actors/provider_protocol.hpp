#pragma once

#include "job_protocol.hpp"
#include "runtime/mailbox.hpp"

#include <cstdint>
#include <string>
#include <variant>

/// Messages of the embedded simulator's provider actor (local_provider_actor):
/// a run is handed over whole and its outcome comes back as run_finished.
/// Remote providers speak remote_provider_protocol.hpp.
namespace qjob::actors {

/// Run a job; the outcome comes back to `job` as run_finished.
struct run_job {
  std::string job_id;
  std::string target;
  std::string input_format;
  std::string input;   // JSON text
  std::string params;  // JSON text
  std::int64_t shots = 0;
  job_ref job;
};

/// Stop a running job; it then finishes with run_finished{cancelled = true}.
struct cancel_run {
  std::string job_id;
};

/// A worker thread is done with a job (sent by the provider to itself).
struct run_done {
  std::string job_id;
};

using provider_message = std::variant<run_job, cancel_run, run_done>;
using provider_ref = actor_ref<provider_message>;

inline constexpr std::size_t provider_mailbox_capacity = 4096;

}  // namespace qjob::actors
