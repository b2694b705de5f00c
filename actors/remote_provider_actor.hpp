#pragma once

#include "circuit_breaker.hpp"
#include "remote_provider_protocol.hpp"
#include "token_bucket.hpp"

#include "runtime/metrics.hpp"

#include "remote/provider_api.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace qjob::actors {

/// The provider actor of one remote provider, whichever it is: owns its API
/// (remote::provider_api: the HTTP client, the credentials, the translation), a
/// token-bucket rate limiter, the retry policy (exponential backoff with full
/// jitter, honouring Retry-After, bounded in attempts and time), a circuit
/// breaker that is also the provider's health, and exactly-once submission (a
/// submission whose answer was lost is looked up at the provider by our id
/// before it is sent again; failed where the provider cannot look it up).
///
/// Runs on one executor (the I/O thread). run() receives the messages; each
/// request is served by a coroutine of its own on the same thread, so a request
/// waiting out a backoff never holds up the others. The limiter, the breaker and
/// the health are touched only on that thread, without locks.
class remote_provider_actor {
  using clock_type = std::chrono::steady_clock;

public:
  remote_provider_actor(net::any_io_executor executor, std::shared_ptr<remote::provider_api> api,
                        remote_provider_settings settings);
  remote_provider_actor(const remote_provider_actor&) = delete;
  remote_provider_actor& operator=(const remote_provider_actor&) = delete;
  ~remote_provider_actor();

  remote_provider_ref ref() const { return remote_provider_ref(mailbox_); }

  /// Serves the mailbox until it is closed, then waits for the requests still
  /// being served. Requests cut short by close() are dropped unanswered (their
  /// requesters see nullopt). Exceptions of a request end that request only.
  net::awaitable<void> run();

  /// Stops taking requests and cancels those in progress. I/O thread.
  void close();

  /// The health now (also answered to get_health). I/O thread.
  provider_health health() const;

  /// What the provider's API can do (cancel, list, look up a lost submission).
  /// A reload never changes it: a provider keeps its type.
  remote::capabilities abilities() const { return abilities_; }

  /// The outcome of one request to the provider, after the retries.
  template <class T>
  using call_result = remote::api_result<T>;

private:
  void start(remote_provider_message message);
  void reconfigure(reconfigure_provider& change);
  /// The failure every request gets once the provider left the configuration.
  remote::api_error retired() const;
  net::awaitable<void> serve(remote_provider_message message);
  net::awaitable<void> serve_submit(submit_job request);
  net::awaitable<void> serve_poll(poll_job request);
  net::awaitable<void> serve_cancel(cancel_job_at_provider request);
  net::awaitable<void> serve_fetch(fetch_result request);
  net::awaitable<void> serve_list(list_provider_jobs request);

  /// Runs `op` (a callable making one exchange with the client) under the rate
  /// limiter and the breaker, retrying transient failures. Answers at once on
  /// success, permanent, credentials and outcome_unknown failures.
  template <class Op>
  std::invoke_result_t<Op&, remote::provider_api&> call(Op op);

  /// Our job at the provider, found the way the provider allows (its list, or a
  /// GET of our id): its provider id, or "" when it is not there. Not for a
  /// provider that cannot look jobs up.
  net::awaitable<call_result<std::string>> find_submitted(std::string job_id);

  /// Waits for a token of the rate limiter.
  net::awaitable<void> pace();
  net::awaitable<void> sleep_for(std::chrono::steady_clock::duration delay);
  std::chrono::steady_clock::duration retry_delay(unsigned attempt, const remote::api_error& error);
  void record(const remote::api_error* error);
  /// Counts one exchange of kind `request` ("submit", "poll", ...) and its time;
  /// `error` null on success.
  void measure(std::string_view request, const remote::api_error* error, clock_type::duration took);
  /// `state`, once its word has been logged if the provider never published it.
  remote_job_status observe(remote::job_state state);

  net::any_io_executor executor_;
  remote_provider_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  // Shared with the requests under way, which finish on the API they started
  // with when a reload replaces it; null once the provider is retired.
  std::shared_ptr<remote::provider_api> api_;
  remote::capabilities abilities_;
  std::shared_ptr<mailbox<remote_provider_message>> mailbox_;
  token_bucket limiter_;
  circuit_breaker breaker_;
  std::string last_failure_;         // the latest transient failure, for health
  std::string credentials_problem_;  // set by a 401, cleared by any success
  std::set<std::string> unknown_words_;  // provider statuses logged once
  const clock_type::time_point started_;
  // Jobs whose last POST's outcome is unknown, with when it ended: they are not
  // concluded absent before reconcile_settle has passed since then.
  std::unordered_map<std::string, clock_type::time_point> uncertain_posts_;
  std::mt19937_64 jitter_;
  std::shared_ptr<metrics::registry> metrics_;
  metrics::counter_family& request_counts_;
  metrics::histogram_family& request_seconds_;
  // Declared after what the requests use, so it is destroyed (and emptied) first.
  std::list<net::cancellation_signal> requests_;
  net::steady_timer idle_;  // woken when the last request ends, for run()'s drain
};

}  // namespace qjob::actors
