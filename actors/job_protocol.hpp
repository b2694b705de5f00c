#pragma once

#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"

#include <string>
#include <variant>

/// Messages a job actor receives. Only the scheduler, the provider actor and the
/// job supervisor send them.
namespace qjob::actors {

/// From the scheduler: the job may run now; it holds one of its provider's slots
/// until it sends release_slot.
struct slot_granted {};

enum class cancel_outcome {
  accepted,         // cancelled, or passed on to the provider
  already_final,    // the job had ended
  not_cancellable,  // the provider cannot cancel it in its current state
};

struct cancel_reply {
  cancel_outcome outcome = cancel_outcome::accepted;
  std::string message;
};

/// From the owner, through the job supervisor.
struct request_cancel {
  promise<cancel_reply> reply;
};

/// From the provider actor: how a run ended. Exactly one of the three holds.
struct run_finished {
  std::string result_json;  // the results document, when it succeeded
  std::string error_code;   // when it failed
  std::string error_message;
  bool cancelled = false;
};

using job_message = std::variant<slot_granted, request_cancel, run_finished>;
using job_ref = actor_ref<job_message>;

/// A job receives at most a grant, a run outcome and a few cancels at once.
inline constexpr std::size_t job_mailbox_capacity = 8;

}  // namespace qjob::actors
