#pragma once

#include "remote/provider_api.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/metrics.hpp"
#include "runtime/promise.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

/// Messages of a remote provider actor (a provider reached over its REST API).
/// Unlike the embedded simulator's run_job, a remote job is submitted once and
/// then polled, so every request here is answered through an actors::promise.
namespace qjob::actors {

/// Why a request to the provider failed, after the actor's retries.
enum class remote_failure_kind : std::uint8_t {
  transient,    ///< still failing when the retry budget ran out: try again later
  permanent,    ///< the provider refused the request: fail the job with `message`
  credentials,  ///< the provider refused our key: the provider is unhealthy, the job waits
  unconfirmed,  ///< the job may or may not be at the provider, which cannot tell: fail it rather than send it twice
};

/// A failed request: its kind and the provider's message (never a key or a body).
struct remote_failure {
  remote_failure() = default;
  remote_failure(remote_failure_kind failure_kind, std::string what)
      : kind(failure_kind), message(std::move(what)) {}

  remote_failure_kind kind = remote_failure_kind::transient;
  std::string message;
  /// A submission's failure that leaves the job surely not at the provider (its
  /// last request was refused outright): the next try needs no lookup first.
  bool job_absent = false;
};

/// A reply: the value, or why there is none.
template <class T>
struct remote_outcome {
  std::optional<T> value;
  std::optional<remote_failure> failure;
};

/// What the provider says about one of its jobs, in the unified words (`id` is
/// the provider's id of the job).
using remote_job_status = remote::job_state;

/// What a submission produced.
struct submitted_job {
  std::string provider_job_id;  ///< "" only when only_if_found and the job is not at the provider
  bool adopted = false;  ///< found at the provider by reconciliation, not created by this request
};

/// Submit our job exactly once: an answer lost on the way back is reconciled by
/// looking our job id up at the provider before anything is sent again.
/// `reconcile_first` is for a job whose earlier submission's answer was not
/// recorded (a restart, or retries that ran out). `only_if_found` (with
/// reconcile_first) sends nothing: a job cancelled before its provider had it
/// is only looked up, to be cancelled there if it arrived.
struct submit_job {
  std::string job_id;
  std::string target;
  std::string input_format;
  std::string input;   // JSON text
  std::string params;  // JSON text, "" for none
  std::int64_t shots = 0;
  std::string name;
  bool reconcile_first = false;
  bool only_if_found = false;
  promise<remote_outcome<submitted_job>> reply;
};

/// Read a job's status at the provider.
struct poll_job {
  std::string provider_job_id;
  promise<remote_outcome<remote_job_status>> reply;
};

/// One page of the provider's jobs, newest first, in the unified words.
using job_status_page = remote::state_page;

/// Read one page of the provider's job list (`GET /jobs?limit=&next=`): many
/// jobs' statuses in one request, for the poller.
struct list_provider_jobs {
  std::size_t limit = 100;
  std::optional<std::string> next;  ///< a cursor from the previous page; nullopt: the newest page
  promise<remote_outcome<job_status_page>> reply;
};

/// Cancel a job at the provider; the reply is its status afterwards, as the provider reports it.
struct cancel_job_at_provider {
  std::string provider_job_id;
  promise<remote_outcome<remote_job_status>> reply;
};

/// Fetch a finished job's results as our results document. The job's input is
/// needed to map the provider's outcomes back onto our circuits and bits.
struct fetch_result {
  std::string job_id;  // seeds sampled counts, so a job always gets the same ones
  std::string provider_job_id;
  std::string input_format;
  std::string input;  // JSON text
  std::int64_t shots = 0;
  promise<remote_outcome<std::string>> reply;
};

/// The provider's health, as /v1/targets reports it.
enum class provider_health_state : std::uint8_t { healthy, degraded, unhealthy };

/// "healthy", "degraded", "unhealthy".
inline std::string_view to_string(provider_health_state state) {
  switch (state) {
    case provider_health_state::healthy: return "healthy";
    case provider_health_state::degraded: return "degraded";
    case provider_health_state::unhealthy: return "unhealthy";
  }
  return "unhealthy";
}

/// The provider's health: unhealthy when it refused our credentials (jobs wait
/// until an operator fixes the key), degraded while the circuit breaker holds
/// requests back, healthy otherwise.
struct provider_health {
  provider_health_state state = provider_health_state::healthy;
  std::string message;  ///< why it is not healthy; "" when it is
};

/// Ask for the provider's health; answered at once, without a request to the provider.
struct get_health {
  promise<provider_health> reply;
};

/// Settings of one remote provider. The defaults are the daemon's; tests shrink
/// the times so that a retried request takes milliseconds.
struct remote_provider_settings {
  std::string name = "ionq";          ///< the provider's name in logs and health messages
  double requests_per_second = 10.0;  ///< token-bucket rate; <= 0: unlimited
  double burst = 1.0;                 ///< requests sent at once before the rate applies
  unsigned max_attempts = 6;          ///< tries of one request, the first included
  std::chrono::milliseconds backoff_initial{500};  ///< cap of the first retry's full-jitter delay
  std::chrono::milliseconds backoff_max{30'000};   ///< cap of any retry's delay
  std::chrono::milliseconds retry_budget{120'000};  ///< no retry starts after this much time
  /// What one second of a `Retry-After` is worth (tests scale it down).
  std::chrono::milliseconds retry_after_unit{1'000};
  unsigned breaker_threshold = 5;  ///< consecutive failures that open the circuit breaker
  std::chrono::milliseconds breaker_cool_down{30'000};
  std::size_t reconcile_page_size = 100;  ///< jobs per list page when reconciling
  std::size_t reconcile_max_pages = 10;   ///< pages looked at (newest first) before concluding "not there"
  /// How long a POST may still be at work at the provider after we stopped
  /// waiting for it (our request timeout): a job not found in the list is only
  /// concluded absent once this much time has passed since the last POST that
  /// might have created it ended, or since start-up for a previous run's POSTs.
  std::chrono::milliseconds reconcile_settle{30'000};
  std::uint64_t jitter_seed = 0;          ///< 0: seeded at random
  /// Where the actor's figures go; null: a registry of its own. Read at
  /// construction only (a reload keeps the registry the actor has).
  std::shared_ptr<metrics::registry> metrics;
};

/// A configuration reload: the provider's API from now on (fresh credentials, a
/// new address) and its settings. Requests under way finish on the API they
/// started with. A null `api` retires the provider (it left the configuration):
/// every request is then refused as a credentials problem, so its jobs wait
/// until a later reload brings it back.
struct reconfigure_provider {
  std::shared_ptr<remote::provider_api> api;
  remote_provider_settings settings;
};

using remote_provider_message = std::variant<submit_job, poll_job, cancel_job_at_provider, fetch_result, get_health,
                                             list_provider_jobs, reconfigure_provider>;
using remote_provider_ref = actor_ref<remote_provider_message>;

inline constexpr std::size_t remote_provider_mailbox_capacity = 4096;

}  // namespace qjob::actors
