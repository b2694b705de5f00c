#include "poller_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace qjob::actors {

namespace {

using clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> poller_log() {
  auto log = spdlog::get("poller");
  return log ? log : spdlog::default_logger()->clone("poller");
}

/// A failure standing for "no answer": the provider actor dropped the request or has stopped.
remote_failure no_answer(const std::string& provider) {
  return remote_failure{remote_failure_kind::transient, "no answer from provider " + provider};
}

}  // namespace

/// Reads the list pages until every item is seen, the pages end or max_pages
/// were read. Fills `results` for the items seen; a failed page fails the rest,
/// as transient (a refused list says nothing about any one job).
net::awaitable<void> poller_actor::list_round(const round_plan& plan, std::vector<poll_result>& results, std::vector<bool>& answered) {
  auto executor = co_await net::this_coro::executor;
  // Views into the plan, which outlives the round: no copy of every id per round.
  std::unordered_map<std::string_view, std::size_t> wanted;
  wanted.reserve(plan.items.size());
  for (std::size_t i = 0; i < plan.items.size(); ++i) wanted.emplace(plan.items[i].provider_job_id, i);
  std::optional<std::string> next;
  for (std::size_t page = 0; page < plan.max_pages && !wanted.empty(); ++page) {
    auto [reply, answer] = make_promise<remote_outcome<job_status_page>>(executor);
    list_provider_jobs request;
    request.limit = plan.page_size;
    request.next = next;
    request.reply = std::move(reply);
    const bool sent = co_await plan.provider.send(std::move(request));
    if (!sent) co_return;
    auto got = co_await answer.get();
    if (!got || !got->value) {
      remote_failure failure = no_answer(plan.provider_name);
      if (got && got->failure) failure.message = got->failure->message;
      for (const auto& [id, index] : wanted) {
        results[index].outcome.failure = failure;
        answered[index] = true;
      }
      co_return;
    }
    for (auto& status : got->value->jobs) {
      auto found = wanted.find(status.id);
      if (found == wanted.end()) continue;
      results[found->second].outcome.value = std::move(status);
      answered[found->second] = true;
      wanted.erase(found);
    }
    if (!got->value->next) co_return;
    next = std::move(got->value->next);
  }
}

/// One poll round against one provider: list pages when the plan says so, then
/// one GET for each job not answered yet, all GETs in flight together (the
/// provider actor paces them). Posts the outcomes back to the poller. Touches
/// no poller state, so it is safe to cancel at any await.
net::awaitable<void> poller_actor::poll_round(poller_ref poller, round_plan plan) {
  auto executor = co_await net::this_coro::executor;
  std::vector<poll_result> results(plan.items.size());
  std::vector<bool> answered(plan.items.size(), false);
  for (std::size_t i = 0; i < plan.items.size(); ++i) {
    results[i].job_id = plan.items[i].job_id;
    results[i].watch = plan.items[i].watch;
  }
  if (plan.use_list) co_await list_round(plan, results, answered);

  std::vector<std::pair<std::size_t, future<remote_outcome<remote_job_status>>>> pending;
  for (std::size_t i = 0; i < plan.items.size(); ++i) {
    if (answered[i]) continue;
    auto [reply, answer] = make_promise<remote_outcome<remote_job_status>>(executor);
    poll_job request;
    request.provider_job_id = plan.items[i].provider_job_id;
    request.reply = std::move(reply);
    const bool sent = co_await plan.provider.send(std::move(request));
    if (!sent) {
      results[i].outcome.failure = no_answer(plan.provider_name);
      continue;
    }
    pending.emplace_back(i, std::move(answer));
  }
  for (auto& [index, answer] : pending) {
    auto got = co_await answer.get();
    if (got) {
      results[index].outcome = std::move(*got);
    } else {
      results[index].outcome.failure = no_answer(plan.provider_name);
    }
  }
  poll_round_finished finished;
  finished.provider = std::move(plan.provider_name);
  finished.results = std::move(results);
  co_await poller.send(std::move(finished));
}

poller_actor::poller_actor(net::any_io_executor executor, std::map<std::string, polled_provider> providers,
                           poller_settings settings)
    : executor_(executor),
      settings_(std::move(settings)),
      log_(poller_log()),
      mailbox_(std::make_shared<mailbox<poller_message>>(executor, poller_mailbox_capacity)),
      jitter_(settings_.jitter_seed ? settings_.jitter_seed : std::random_device{}()),
      metrics_(metrics::registry_or_own(settings_.metrics)),
      poll_lag_(metrics_->histograms("qjob_poll_lag_seconds",
                                     "How late a job's poll round started after the time the job was due, by provider.",
                                     {"provider"}, metrics::request_seconds_buckets())),
      watched_jobs_(metrics_->gauges("qjob_poller_watched_jobs", "Jobs at remote providers the poller watches.")
                        .with({})),
      wake_(executor, clock::time_point::max()),
      idle_(executor) {
  for (auto& [name, provider] : providers) {
    providers_[name].ref = std::move(provider.ref);
    providers_[name].can_list = provider.can_list;
  }
}

poller_actor::~poller_actor() = default;

void poller_actor::on_reconfigure(reconfigure_poller& change) {
  // Intervals already drawn run their course; the next ones follow the new settings.
  change.settings.jitter_seed = settings_.jitter_seed;
  settings_ = std::move(change.settings);
  for (auto& [name, provider] : change.providers) {
    auto& state = providers_[name];
    state.ref = std::move(provider.ref);
    state.can_list = provider.can_list;
  }
}

net::awaitable<void> poller_actor::run() {
  using namespace net::experimental::awaitable_operators;
  // The ticker never ends by itself: serve() ending (the mailbox closed) cancels it.
  co_await (serve() || post_ticks());
  // Ended by cancellation too: the drain below must still run to completion.
  co_await net::this_coro::reset_cancellation_state();
  for (auto& round : rounds_) round.emit(net::cancellation_type::terminal);
  while (!rounds_.empty()) {
    idle_.expires_at(clock::time_point::max());
    co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

void poller_actor::close() { mailbox_->close(); }

net::awaitable<void> poller_actor::serve() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    if (auto* watch = std::get_if<watch_job>(&message)) {
      on_watch(std::move(*watch));
    } else if (auto* unwatch = std::get_if<unwatch_job>(&message)) {
      jobs_.erase(unwatch->job_id);
    } else if (std::holds_alternative<poll_tick>(message)) {
      on_tick();
    } else if (auto* finished = std::get_if<poll_round_finished>(&message)) {
      on_round(std::move(*finished));
    } else if (auto* change = std::get_if<reconfigure_poller>(&message)) {
      on_reconfigure(*change);
    }
    watched_jobs_.set(static_cast<double>(jobs_.size()));
    rearm();
  }
}

net::awaitable<void> poller_actor::post_ticks() {
  for (;;) {
    auto [ec] = co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
    auto state = co_await net::this_coro::cancellation_state;
    if (state.cancelled() != net::cancellation_type::none) co_return;
    // Aborted: run() moved the deadline; wait for the new one.
    if (ec) continue;
    // Parked until run() re-arms it after this tick, so a passed deadline does not spin.
    wake_.expires_at(clock::time_point::max());
    poller_message tick{poll_tick{}};
    auto [send_ec] = co_await mailbox_->async_send(boost::system::error_code{}, std::move(tick),
                                                   net::as_tuple(net::use_awaitable));
    if (send_ec) co_return;
  }
}

void poller_actor::on_watch(watch_job message) {
  auto provider = providers_.find(message.provider);
  if (provider == providers_.end()) {
    log_->warn("job {} cannot be watched: no remote provider named '{}'", message.job_id, message.provider);
    job_status_changed refused;
    refused.job_id = message.job_id;
    refused.failure = remote_failure{remote_failure_kind::permanent, "no remote provider named " + message.provider};
    message.reply_to.try_send(std::move(refused));
    return;
  }
  auto& job = jobs_[message.job_id];
  job.provider = std::move(message.provider);
  job.provider_job_id = std::move(message.provider_job_id);
  job.last_status = std::move(message.last_status);
  job.reply_to = std::move(message.reply_to);
  job.watch = next_watch_++;  // a round still polling an earlier watch is ignored
  job.in_flight = false;
  job.interval = settings_.poll_initial_ms;
  schedule(message.job_id, job, clock::now() + jittered(job.interval));
}

void poller_actor::on_tick() {
  const auto now = clock::now();
  const auto horizon = now + settings_.slot_ms;
  std::map<std::string, std::vector<round_item>> due;
  // Jobs of a paused provider go back on the heap once the loop is done: a pause
  // ending within the horizon would otherwise pop them again, for ever.
  std::vector<std::string> held_back;
  while (!deadlines_.empty() && std::get<0>(deadlines_.top()) <= horizon) {
    auto [when, job_id, watch] = deadlines_.top();
    deadlines_.pop();
    auto found = jobs_.find(job_id);
    if (found == jobs_.end()) continue;
    auto& job = found->second;
    if (job.watch != watch || job.due != when || job.in_flight) continue;
    auto& provider = providers_[job.provider];
    if (provider.busy) {
      // Polled as soon as the provider's round in flight ends.
      job.due = clock::time_point::max();
      provider.waiting.emplace_back(job_id, job.watch);
      continue;
    }
    if (provider.paused_until > now) {
      held_back.push_back(job_id);
      continue;
    }
    // Jobs due within the slot ahead are polled early: they count as on time.
    poll_lag_.with({job.provider}).observe(std::max(0.0, std::chrono::duration<double>(now - when).count()));
    due[job.provider].push_back(round_item{job_id, job.watch, job.provider_job_id});
  }
  for (const auto& job_id : held_back) {
    auto& job = jobs_.at(job_id);
    schedule(job_id, job, providers_[job.provider].paused_until);
  }
  for (auto& [name, items] : due) {
    const auto watched = join_early(name, items, now);
    for (const auto& item : items) jobs_[item.job_id].in_flight = true;
    providers_[name].busy = true;
    round_plan plan;
    plan.provider_name = name;
    plan.provider = providers_[name].ref;
    plan.use_list = providers_[name].can_list && items.size() > settings_.list_threshold;
    plan.page_size = settings_.page_size;
    // Enough pages to hold every job watched at the provider (the due ones may be
    // anywhere among them), and max_pages more for the provider's other jobs: the
    // round stops at the page where the last due job shows up.
    plan.max_pages = settings_.max_pages + watched / std::max<std::size_t>(settings_.page_size, 1);
    plan.items = std::move(items);
    start_round(std::move(plan));
  }
}

void poller_actor::on_round(poll_round_finished message) {
  const auto now = clock::now();
  auto& provider = providers_[message.provider];
  provider.busy = false;
  bool any_success = false;
  bool any_transient = false;
  for (auto& result : message.results) {
    auto found = jobs_.find(result.job_id);
    if (found == jobs_.end() || found->second.watch != result.watch) continue;
    auto& job = found->second;
    job.in_flight = false;
    const auto& outcome = result.outcome;
    if (outcome.value) {
      any_success = true;
    } else if (!outcome.failure || outcome.failure->kind != remote_failure_kind::permanent) {
      any_transient = true;
    }
    if (deliver(result.job_id, job, outcome)) {
      jobs_.erase(found);
      continue;
    }
    schedule(result.job_id, job, now + jittered(job.interval));
  }
  if (any_transient) {
    // The whole provider backs off: its other jobs would most likely fail the same way.
    provider.pause = provider.pause == clock::duration::zero()
                         ? clock::duration(settings_.poll_initial_ms)
                         : std::min<clock::duration>(provider.pause * 2, settings_.poll_max_ms);
    provider.paused_until = now + provider.pause;
    log_->info("polls of {} paused for {} ms after failures", message.provider,
               std::chrono::duration_cast<std::chrono::milliseconds>(provider.pause).count());
  } else if (any_success) {
    provider.pause = clock::duration::zero();
  }
  // Jobs that fell due during the round.
  for (auto& [job_id, watch] : std::exchange(provider.waiting, {})) {
    auto found = jobs_.find(job_id);
    if (found == jobs_.end() || found->second.watch != watch || found->second.due != clock::time_point::max()) continue;
    schedule(job_id, found->second, std::max(now, provider.paused_until));
  }
}

bool poller_actor::deliver(const std::string& job_id, watched_job& job, const remote_outcome<remote_job_status>& outcome) {
  const auto grow = [&] {
    job.interval = std::min<clock::duration>(job.interval * 2, settings_.poll_max_ms);
  };
  if (!outcome.value) {
    if (outcome.failure && outcome.failure->kind == remote_failure_kind::permanent) {
      log_->warn("job {} no longer polled: {}", job_id, outcome.failure->message);
      job_status_changed ended;
      ended.job_id = job_id;
      ended.failure = outcome.failure;
      job.reply_to.try_send(std::move(ended));
      return true;
    }
    grow();
    return false;
  }
  const auto& status = *outcome.value;
  if (status.provider_status == job.last_status && !status.final) {
    grow();
    return false;
  }
  job_status_changed changed;
  changed.job_id = job_id;
  changed.status = status;
  if (!job.reply_to.try_send(std::move(changed))) {
    // Not delivered (the owner's inbox is full): told again at a later poll.
    grow();
    return false;
  }
  job.last_status = status.provider_status;
  job.interval = settings_.poll_initial_ms;
  return status.final;
}

void poller_actor::schedule(const std::string& job_id, watched_job& job, clock::time_point due) {
  job.due = due;
  deadlines_.emplace(due, job_id, job.watch);
}

void poller_actor::start_round(round_plan plan) {
  // Should the round fail, its jobs come back as unanswered so that neither
  // they nor the provider stay in flight for ever.
  poll_round_finished fallback;
  fallback.provider = plan.provider_name;
  for (const auto& item : plan.items) {
    poll_result result;
    result.job_id = item.job_id;
    result.watch = item.watch;
    fallback.results.push_back(std::move(result));
  }
  auto round = rounds_.emplace(rounds_.end());
  auto done = [this, round, fallback = std::move(fallback)](std::exception_ptr failure) mutable {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const boost::system::system_error& e) {
        if (e.code() != net::error::operation_aborted) log_->error("poll round failed: {}", e.what());
      } catch (const std::exception& e) {
        log_->error("poll round failed: {}", e.what());
      }
      ref().try_send(poller_message(std::move(fallback)));
    }
    rounds_.erase(round);
    if (rounds_.empty()) idle_.cancel();
  };
  net::co_spawn(executor_, poll_round(ref(), std::move(plan)),
                net::bind_cancellation_slot(round->slot(), std::move(done)));
}

void poller_actor::rearm() {
  // Skip what is stale, so the timer wakes for a job that is still due.
  while (!deadlines_.empty()) {
    const auto& [when, job_id, watch] = deadlines_.top();
    auto found = jobs_.find(job_id);
    if (found != jobs_.end() && found->second.watch == watch && found->second.due == when && !found->second.in_flight)
      break;
    deadlines_.pop();
  }
  const auto next = deadlines_.empty() ? clock::time_point::max() : std::get<0>(deadlines_.top());
  if (wake_.expiry() != next) wake_.expires_at(next);
}

std::size_t poller_actor::join_early(const std::string& provider, std::vector<round_item>& items,
                                     clock::time_point now) {
  // A provider with many jobs watched is read from its list; with polls spread
  // by jitter, few fall due in one slot, and each would cost a GET. The jobs
  // whose next poll is anyway within their jitter window join the round, so one
  // list read serves them all and the rounds that follow have fewer jobs to find.
  if (!providers_[provider].can_list) return 0;
  const auto horizon = now + settings_.slot_ms;
  const double jitter = std::clamp(settings_.jitter, 0.0, 1.0);
  std::size_t watched = 0;
  std::vector<round_item> early;
  for (auto& [job_id, job] : jobs_) {
    if (job.provider != provider) continue;
    ++watched;
    if (job.in_flight || job.due <= horizon || job.due == clock::time_point::max()) continue;
    if (job.due - now <= std::chrono::duration_cast<clock::duration>(job.interval * jitter))
      early.push_back(round_item{job_id, job.watch, job.provider_job_id});
  }
  if (watched > settings_.list_threshold) items.insert(items.end(), early.begin(), early.end());
  return watched;
}

clock::duration poller_actor::jittered(clock::duration interval) {
  const double jitter = std::clamp(settings_.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> draw(1.0 - jitter, 1.0);
  return std::chrono::duration_cast<clock::duration>(interval * draw(jitter_));
}

}  // namespace qjob::actors
