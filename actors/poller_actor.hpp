#pragma once

#include "poller_protocol.hpp"
#include "remote_provider_protocol.hpp"

#include "runtime/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qjob::actors {

/// The poller actor: one min-heap of deadlines, driven by one steady_timer, for
/// every job executing at a remote provider. Each job is polled with its own
/// exponential backoff (poll_initial_ms doubling to poll_max_ms, with jitter),
/// back at poll_initial_ms whenever the provider's word on it changes. Changes
/// go to the job's reply_to; a final status ends the watch.
///
/// Per provider, at most one poll round is in flight: the jobs due together are
/// polled in one round (one GET each, or list pages when there are more than
/// list_threshold), and jobs falling due meanwhile wait for it. A provider that
/// honours a Retry-After or holds requests behind its circuit breaker thus holds
/// back all of its polls; a round that ends in transient failures pauses that
/// provider's polls with a backoff of its own.
///
/// Runs on one executor (the I/O thread). run() is a single receive loop raced
/// with the timer coroutine that posts poll_tick; only run() touches the state.
/// Rounds are coroutines of their own that post poll_round_finished back.
class poller_actor {
public:
  /// `providers` maps a provider's configured name to its actor.
  poller_actor(net::any_io_executor executor, std::map<std::string, polled_provider> providers,
               poller_settings settings = {});
  poller_actor(const poller_actor&) = delete;
  poller_actor& operator=(const poller_actor&) = delete;
  ~poller_actor();

  poller_ref ref() const { return poller_ref(mailbox_); }

  /// Serves the mailbox until it is closed, then cancels the rounds in flight
  /// and waits for them. Cancelling run() ends it the same way. Throws only on
  /// a bug (an exception of a round is logged and ends that round).
  net::awaitable<void> run();

  /// Stops taking messages; run() then ends. I/O thread.
  void close();

  /// Jobs being watched now. I/O thread; for tests and metrics.
  std::size_t watched() const { return jobs_.size(); }

private:
  using clock = std::chrono::steady_clock;

  struct watched_job {
    std::string provider;
    std::string provider_job_id;
    std::string last_status;
    job_status_ref reply_to;
    std::uint64_t watch = 0;
    clock::duration interval{};
    clock::time_point due{};
    bool in_flight = false;
  };

  struct provider_state {
    remote_provider_ref ref;
    bool can_list = true;
    bool busy = false;                  // a round is in flight
    clock::time_point paused_until{};   // after transient failures
    clock::duration pause{};            // the next pause's length; 0 after a success
    std::vector<std::pair<std::string, std::uint64_t>> waiting;  // (job, watch) due during the round
  };

  // (due, job id, watch): entries whose watch or due no longer match are stale and skipped.
  using deadline = std::tuple<clock::time_point, std::string, std::uint64_t>;

  /// One job a round polls.
  struct round_item {
    std::string job_id;
    std::uint64_t watch = 0;
    std::string provider_job_id;
  };

  /// What one round asks of one provider.
  struct round_plan {
    std::string provider_name;
    remote_provider_ref provider;
    std::vector<round_item> items;
    bool use_list = false;
    std::size_t page_size = 100;
    std::size_t max_pages = 10;
  };

  net::awaitable<void> serve();
  net::awaitable<void> post_ticks();
  void on_watch(watch_job message);
  void on_reconfigure(reconfigure_poller& change);
  void on_tick();
  void on_round(poll_round_finished message);
  /// Tells the job's owner what changed and sets the job's next interval; true
  /// when the watch ends (a final status delivered, or a permanent failure).
  bool deliver(const std::string& job_id, watched_job& job, const remote_outcome<remote_job_status>& outcome);
  void schedule(const std::string& job_id, watched_job& job, clock::time_point due);
  /// Adds to a round of `provider` the jobs due within their jitter window, when
  /// the provider lists and has more than list_threshold jobs watched; returns
  /// how many it has (0 for a provider that does not list).
  std::size_t join_early(const std::string& provider, std::vector<round_item>& items, clock::time_point now);
  void start_round(round_plan plan);
  // Rounds touch no poller state: static, with everything they need passed in.
  static net::awaitable<void> poll_round(poller_ref poller, round_plan plan);
  static net::awaitable<void> list_round(const round_plan& plan, std::vector<poll_result>& results,
                                         std::vector<bool>& answered);
  void rearm();
  clock::duration jittered(clock::duration interval);

  net::any_io_executor executor_;
  poller_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<mailbox<poller_message>> mailbox_;
  std::unordered_map<std::string, watched_job> jobs_;
  std::map<std::string, provider_state> providers_;
  std::priority_queue<deadline, std::vector<deadline>, std::greater<>> deadlines_;
  std::uint64_t next_watch_ = 1;
  std::mt19937_64 jitter_;
  std::shared_ptr<metrics::registry> metrics_;
  metrics::histogram_family& poll_lag_;
  metrics::gauge& watched_jobs_;
  net::steady_timer wake_;  // expires at the earliest deadline; post_ticks waits on it
  // Declared after what the rounds use, so it is destroyed (and emptied) first.
  std::list<net::cancellation_signal> rounds_;
  net::steady_timer idle_;  // woken when the last round ends, for run()'s drain
};

}  // namespace qjob::actors
