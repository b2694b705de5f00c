#include "job_supervisor_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>

namespace qjob::actors {

namespace {

/// Parked jobs activated at once for the poller's words: enough to keep up
/// with list pages of the biggest providers, few enough to cost little memory.
constexpr std::size_t max_word_activations = 1'024;

/// Reads the rows for activation and posts them back to the supervisor. With the
/// store gone (shutdown), no rows: the jobs resume at the next start.
net::awaitable<void> load_rows(std::vector<std::int64_t> seqs, storage_ref storage, job_supervisor_ref supervisor) {
  auto [reply, answer] = make_promise<std::vector<storage::job_row>>(co_await net::this_coro::executor);
  load_jobs request{seqs, std::move(reply)};
  const bool asked = co_await storage.send(std::move(request));
  jobs_loaded loaded{std::move(seqs), {}};
  if (asked) {
    auto rows = co_await answer.get();
    if (rows) loaded.rows = std::move(*rows);
  }
  co_await supervisor.send(std::move(loaded));
}

}  // namespace

job_supervisor_actor::job_supervisor_actor(net::any_io_executor executor, supervisor& tasks,
                                           job_services services)
    : executor_(executor), tasks_(tasks),
      mailbox_(std::make_shared<mailbox<job_supervisor_message>>(executor, job_supervisor_mailbox_capacity)),
      metrics_(metrics::registry_or_own(services.metrics)),
      actors_gauge_(metrics_->gauges("qjob_job_actors",
                                     "Job actors running: jobs admitted to run, being cancelled, or whose "
                                     "provider's word is being handled (not those queued or parked at a provider).")
                        .with({})) {
  services.supervisor = ref();
  services_ = std::make_shared<job_services>(std::move(services));
}

net::awaitable<void> job_supervisor_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) break;
    if (auto* request = std::get_if<queue_jobs>(&message)) {
      co_await queue(std::move(request->runs));
    } else if (auto* admitted = std::get_if<jobs_admitted>(&message)) {
      co_await admit(*admitted);
    } else if (auto* cancel = std::get_if<cancel_job>(&message)) {
      request_cancel forwarded{std::move(cancel->reply)};
      co_await deliver(cancel->seq, std::move(forwarded));
    } else if (auto* event = std::get_if<job_event>(&message)) {
      co_await deliver(event->seq, std::move(event->message));
    } else if (auto* loaded = std::get_if<jobs_loaded>(&message)) {
      co_await activate(*loaded);
    } else if (auto* end = std::get_if<job_ended>(&message)) {
      ended(*end);
    } else if (auto* requeued = std::get_if<job_requeued>(&message)) {
      close_grant(requeued->seq);
    } else if (auto* resumed = std::get_if<resume_jobs>(&message)) {
      co_await resume(*resumed);
    } else if (auto* update = std::get_if<update_providers>(&message)) {
      // Updated in place: job actors hold the services, and look providers up by name.
      for (auto& [name, provider] : update->providers) services_->providers.insert_or_assign(name, std::move(provider));
      for (auto& [name, link] : update->remote_providers) {
        services_->remote_providers.insert_or_assign(name, std::move(link));
        resume_stranded(name);
      }
    } else {
      auto& query = std::get<get_backlog>(message);
      backlog answer;
      answer.total = unfinished_;
      if (auto owner = unfinished_per_owner_.find(query.owner); owner != unfinished_per_owner_.end())
        answer.of_owner = owner->second;
      query.reply.set(answer);
    }
    open_windows();
    open_deferred_words();
    load_pending();
    trim_after_burst();
    actors_gauge_.set(static_cast<double>(live_.size()));
  }
  for (auto& [seq, job] : live_) job.ref.close();
  live_.clear();
}

net::awaitable<void> job_supervisor_actor::queue(std::vector<queued_run> runs) {
  for (const auto& run : runs) count_unfinished(run.place.owner, run.seqs.size());
  enqueue_jobs request{std::move(runs)};
  co_await services_->scheduler.send(std::move(request));
}

net::awaitable<void> job_supervisor_actor::resume(resume_jobs& page) {
  // Jobs at their provider take their slots back, one claim per provider, before
  // any of their actors can give one back.
  std::map<std::string, std::size_t> claims;
  std::vector<storage::job_row> at_provider;
  for (auto& job : page.jobs) {
    count_unfinished(job.owner, 1);
    const bool sent = job.run.submit_intent || !job.run.provider_job_id.empty();
    const bool configured = services_->remote_providers.contains(job.provider);
    if (sent && !configured && !services_->providers.contains(job.provider)) {
      stranded_.emplace(job.seq, job.provider);
      continue;
    }
    if (!sent || !configured) {
      resumed_.add(job);
      continue;
    }
    ++claims[job.provider];
    at_provider.push_back(std::move(job));
  }
  for (const auto& [provider, count] : claims) {
    claim_slot claim{provider, count};
    co_await services_->scheduler.send(std::move(claim));
  }
  for (auto& job : at_provider) start(std::move(job), job_actor::start_reason::start_up, {});
  if (!page.last_page || resumed_.size() == 0) co_return;
  enqueue_jobs request{resumed_.take()};  // counted above already
  co_await services_->scheduler.send(std::move(request));
}

net::awaitable<void> job_supervisor_actor::deliver(std::int64_t seq, job_message message) {
  if (auto live = live_.find(seq); live != live_.end()) {
    const job_ref job = live->second.ref;
    // Kept to hand on if the actor has just ended: a grant goes back, the
    // poller's word goes to the job's next actor (this one parked). A cancel's
    // requester, finding its promise dropped, reads the job again.
    std::optional<std::string> granted_by;
    std::optional<job_status_changed> change;
    if (auto* grant = std::get_if<slot_granted>(&message)) granted_by = grant->provider;
    if (auto* status = std::get_if<job_status_changed>(&message)) change = *status;
    const bool delivered = co_await job.send(std::move(message));
    if (delivered) co_return;
    if (granted_by) give_back(*granted_by);
    if (!change) co_return;
    // Its job_ended is on its way; that incarnation no longer counts here.
    live_.erase(seq);
    leave_paced_places(seq);
    message = std::move(*change);
  }
  // A job waiting in a submission window is activated at once, its grant after
  // the message: a cancel ends it here, unsent, and the grant goes back.
  const auto windowed = windowed_.find(seq);
  const bool in_window = windowed != windowed_.end() && !windowed->second.open;
  const bool word = std::holds_alternative<job_status_changed>(message);
  hold_for_activation(seq, std::move(message), word);
  if (in_window) open_grant(seq);
}

void job_supervisor_actor::hold_for_activation(std::int64_t seq, job_message message, bool may_wait) {
  auto [pending, first] = activating_.try_emplace(seq);
  pending->second.messages.push_back(std::move(message));
  if (pending->second.asked) return;
  if (may_wait) {
    if (first) deferred_words_.push_back(seq);
    return;
  }
  // Anything else (a grant, a cancel) is not kept waiting, even behind a word.
  pending->second.asked = true;
  to_load_.push_back(seq);
}

void job_supervisor_actor::open_deferred_words() {
  while (word_activated_.size() < max_word_activations && !deferred_words_.empty()) {
    const auto seq = deferred_words_.front();
    deferred_words_.pop_front();
    auto pending = activating_.find(seq);
    if (pending == activating_.end() || pending->second.asked) continue;  // asked for since
    pending->second.asked = true;
    to_load_.push_back(seq);
    word_activated_.insert(seq);
  }
}

net::awaitable<void> job_supervisor_actor::admit(jobs_admitted& admitted) {
  // An embedded simulator's slots are few and its jobs hold no request: no window.
  const bool remote = services_->remote_providers.contains(admitted.provider);
  submission_window* window = nullptr;
  if (remote) {
    auto [named, added] = windows_.try_emplace(admitted.provider);
    if (added) named->second.provider = admitted.provider;
    window = &named->second;
  }
  for (const auto seq : admitted.seqs) {
    // A job with an actor (trying again after a failure) or one on its way (a
    // cancel came) takes its grant at once.
    if (!window || live_.contains(seq) || activating_.contains(seq) || windowed_.contains(seq)) {
      slot_granted grant{admitted.provider};
      co_await deliver(seq, std::move(grant));
      continue;
    }
    windowed_.emplace(seq, windowed_grant{window, false});
    window->waiting.push_back(seq);
  }
}

void job_supervisor_actor::open_windows() {
  for (auto& [provider, window] : windows_) {
    auto link = services_->remote_providers.find(provider);
    const std::size_t limit = link == services_->remote_providers.end() ? 1 : link->second.max_submitting;
    while (window.open < limit && !window.waiting.empty()) {
      const auto seq = window.waiting.front();
      window.waiting.pop_front();
      if (auto grant = windowed_.find(seq); grant != windowed_.end() && !grant->second.open) open_grant(seq);
    }
  }
}

void job_supervisor_actor::open_grant(std::int64_t seq) {
  auto& grant = windowed_.at(seq);
  grant.open = true;
  ++grant.window->open;
  slot_granted granted{grant.window->provider};
  hold_for_activation(seq, std::move(granted));
}

void job_supervisor_actor::close_grant(std::int64_t seq) {
  auto grant = windowed_.find(seq);
  if (grant == windowed_.end() || !grant->second.open) return;
  --grant->second.window->open;
  windowed_.erase(grant);
}

void job_supervisor_actor::leave_paced_places(std::int64_t seq) {
  close_grant(seq);
  word_activated_.erase(seq);
}

void job_supervisor_actor::give_back(const std::string& provider) {
  release_slot release{provider};
  services_->scheduler.post(std::move(release));
}

void job_supervisor_actor::load_pending() {
  if (to_load_.empty()) return;
  net::co_spawn(executor_, load_rows(std::exchange(to_load_, {}), services_->storage, ref()), net::detached);
}

void job_supervisor_actor::resume_stranded(const std::string& provider) {
  for (auto job = stranded_.begin(); job != stranded_.end();) {
    if (job->second != provider) {
      ++job;
      continue;
    }
    const auto seq = job->first;
    job = stranded_.erase(job);
    // An actor started for a cancel while the provider was away ends the job itself.
    if (live_.contains(seq)) continue;
    auto& pending = activating_[seq];
    pending.at_provider = true;
    if (!pending.asked) {
      pending.asked = true;
      to_load_.push_back(seq);
    }
  }
}

net::awaitable<void> job_supervisor_actor::activate(jobs_loaded& loaded) {
  std::unordered_map<std::int64_t, storage::job_row*> rows;
  for (auto& row : loaded.rows) rows.emplace(row.seq, &row);
  for (const auto seq : loaded.asked) {
    auto pending = activating_.extract(seq);
    if (pending.empty()) continue;
    auto row = rows.find(seq);
    auto& messages = pending.mapped().messages;
    if (row == rows.end() || storage::is_final(row->second->run.status)) {
      for (auto& message : messages) refuse(message);
      leave_paced_places(seq);
      continue;
    }
    if (pending.mapped().at_provider) {
      // As at start-up: the job is at its provider and takes its slot back.
      claim_slot claim{row->second->provider};
      co_await services_->scheduler.send(std::move(claim));
      start(std::move(*row->second), job_actor::start_reason::start_up, std::move(messages));
      continue;
    }
    const bool granted = std::any_of(messages.begin(), messages.end(),
                                     [](const job_message& m) { return std::holds_alternative<slot_granted>(m); });
    auto reason = granted ? job_actor::start_reason::admitted : job_actor::start_reason::message;
    if (stranded_.contains(seq)) reason = job_actor::start_reason::stranded;
    start(std::move(*row->second), reason, std::move(messages));
  }
}

void job_supervisor_actor::refuse(job_message& message) {
  if (auto* grant = std::get_if<slot_granted>(&message)) {
    give_back(grant->provider);
  } else if (auto* cancel = std::get_if<request_cancel>(&message)) {
    cancel->reply.set(cancel_reply{cancel_outcome::already_final, "the job has ended"});
  }
}

void job_supervisor_actor::start(storage::job_row job, job_actor::start_reason reason,
                                 std::vector<job_message> first_messages) {
  const auto seq = job.seq;
  if (live_.contains(seq)) return;
  const auto incarnation = next_incarnation_++;
  auto actor = std::make_unique<job_actor>(executor_, std::move(job), services_, reason, incarnation);
  // What the job was activated for; a fresh mailbox holds a few. Beyond that (a
  // cancel sent again and again), the requester finds its promise dropped.
  for (auto& message : first_messages) {
    const bool grant = std::holds_alternative<slot_granted>(message);
    if (!actor->ref().try_send(std::move(message)) && grant) give_back(actor->provider());
  }
  live_.emplace(seq, live_job{actor->ref(), incarnation});
  auto name = "job " + actor->id();
  tasks_.spawn(std::move(name), job_actor::run(std::move(actor)), on_failure::contain);
}

void job_supervisor_actor::ended(const job_ended& end) {
  // A later incarnation may have started meanwhile (a message came after this one parked).
  if (auto live = live_.find(end.seq); live != live_.end() && live->second.incarnation == end.incarnation) {
    live_.erase(live);
    leave_paced_places(end.seq);
  }
  if (!end.final) return;
  stranded_.erase(end.seq);
  if (unfinished_ > 0) --unfinished_;
  auto owner = unfinished_per_owner_.find(end.owner);
  if (owner != unfinished_per_owner_.end() && --owner->second == 0) unfinished_per_owner_.erase(owner);
}

void job_supervisor_actor::trim_after_burst() {
  // A hundred thousand jobs admitted at once to a remote provider each live as an
  // actor until the provider has them, then park: the heap they grew is free but
  // kept by malloc, and the daemon would hold a gigabyte for jobs that now cost
  // a few hundred bytes. Handing it back costs a walk of the heap, once per halving.
  constexpr std::size_t burst = 4'096;
  live_peak_ = std::max(live_peak_, live_.size());
  if (live_peak_ < burst || live_.size() > live_peak_ / 2) return;
  ::malloc_trim(0);
  live_peak_ = live_.size();
}

void job_supervisor_actor::count_unfinished(std::uint32_t owner, std::size_t added) {
  unfinished_ += added;
  unfinished_per_owner_[owner] += added;
}

}  // namespace qjob::actors
