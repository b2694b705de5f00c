#pragma once

#include "remote_provider_protocol.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"

#include <optional>
#include <string>
#include <variant>

/// Messages a job actor receives: from its provider (the embedded simulator's
/// run outcome, or a remote provider's answers forwarded by the job actor
/// itself), and through the job supervisor from the scheduler, the poller and
/// the API.
namespace qjob::actors {

/// From the scheduler, through the job supervisor: the job may run now; it holds
/// one of its provider's slots until it sends release_slot.
struct slot_granted {
  std::string provider;
};

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

/// From the poller: the provider's new status of the job (a final one ends the
/// watch), or a failure that ends the watch (the provider refused the poll for
/// good, e.g. it no longer knows the job).
struct job_status_changed {
  std::string job_id;
  remote_job_status status;               ///< meaningful when `failure` is empty
  std::optional<remote_failure> failure;  ///< set when the watch ended without a final status
};

/// A remote provider's answer to submit_job.
struct submission_answered {
  remote_outcome<submitted_job> outcome;
};

/// A remote provider's answer to cancel_job_at_provider: the job's status after it.
struct provider_cancel_answered {
  remote_outcome<remote_job_status> outcome;
};

/// A remote provider's answer to fetch_result: the results document.
struct result_fetched {
  remote_outcome<std::string> outcome;
};

/// The job's own timer: a backoff after a failed request to its provider is over.
struct retry_due {};

using job_message = std::variant<slot_granted, request_cancel, run_finished, job_status_changed, submission_answered,
                                 provider_cancel_answered, result_fetched, retry_due>;
using job_ref = actor_ref<job_message>;

/// A job receives at most a grant, one provider answer, a status change and a
/// few cancels at once.
inline constexpr std::size_t job_mailbox_capacity = 8;

}  // namespace qjob::actors
