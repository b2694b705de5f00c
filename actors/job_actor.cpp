#include "job_actor.hpp"

#include "clock.hpp"
#include "queued_runs.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

// g++ 12 rules kept throughout (each one crashed a coroutine here): messages and
// replies are built as named locals, never as aggregate temporaries inside a
// co_await expression; the result of a co_await is put in a named bool before
// it is tested; no `?:` between string temporaries.
namespace qjob::actors {

using storage::job_status;

namespace {

/// Waits for a remote provider's answer and posts it into the job's mailbox as
/// `Message`. A provider actor that dropped the request (it stopped, or failed)
/// is a transient failure: the job tries again later.
template <class Message, class T>
net::awaitable<void> forward_answer(future<remote_outcome<T>> answer, job_ref job) {
  auto outcome = co_await answer.get();
  Message message;
  if (outcome) {
    message.outcome = std::move(*outcome);
  } else {
    remote_failure dropped{remote_failure_kind::transient, "the provider actor stopped before answering"};
    message.outcome.failure = std::move(dropped);
  }
  co_await job.send(std::move(message));
}

net::awaitable<void> post_retry_after(std::chrono::milliseconds delay, job_ref job) {
  net::steady_timer timer(co_await net::this_coro::executor, delay);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  retry_due due;
  co_await job.send(std::move(due));
}

}  // namespace

job_actor::job_actor(net::any_io_executor executor, storage::job_row job,
                     std::shared_ptr<const job_services> services, start_reason reason,
                     std::uint64_t incarnation)
    : mailbox_(std::make_shared<mailbox<job_message>>(executor, job_mailbox_capacity)),
      job_(std::move(job)), services_(std::move(services)), reason_(reason), incarnation_(incarnation) {}

net::awaitable<void> job_actor::run(std::unique_ptr<job_actor> self) {
  co_await self->live();
  self->mailbox_->close();
  job_ended ended{self->job_.seq, self->job_.owner, storage::is_final(self->job_.run.status), self->incarnation_};
  co_await self->services_->supervisor.send(std::move(ended));
}

net::awaitable<void> job_actor::live() {
  // An admitted job starts from its grant, whatever it did before (see
  // handle(slot_granted)); a stranded one holds nothing (see handle(request_cancel)).
  const bool may_hold_slot = reason_ == start_reason::start_up || reason_ == start_reason::message;
  if (may_hold_slot && in_flight_remotely()) {
    // Found at start-up already sent to its provider (or maybe sent: its answer was
    // never recorded), or started again after parking: it holds its slot (claimed
    // back by the supervisor at start-up, kept while parked) and goes on from there.
    holds_slot_ = true;
    if (job_.run.provider_job_id.empty()) {
      co_await submit();
    } else if (reason_ == start_reason::message) {
      // Parked: the poller still watches it, and what it said is in the mailbox.
      step_ = remote_step::watching;
    } else {
      co_await watch();
      // The cancel may have been remembered but not yet sent when the daemon stopped.
      if (job_.run.cancel_requested) co_await cancel_at_provider();
    }
  }
  // Otherwise the job is here (queued, or admitted with its grant), and the
  // message it was started for is in the mailbox. (A local job found executing at start-up lost its run
  // with the daemon: it was queued again and reruns; its status stays executing,
  // so the run history shows one attempt more.)
  while (!done_ && !may_park()) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) break;  // closed: the daemon is stopping
    auto handled = std::visit([this](auto& m) { return handle(m); }, message);
    co_await std::move(handled);
  }
  if (!done_ && may_park()) {
    // Nothing can come into the mailbox between this check and its closing (one
    // thread), and what comes later goes to the supervisor, which starts the job
    // again. The slot stays taken: the job is at its provider.
    co_return;
  }
  release_slot_held();
  // A grant that crossed the job's end in the mailbox (a cancel while queued)
  // holds one of the provider's slots too: give it back.
  while (mailbox_->try_receive([this](boost::system::error_code, job_message message) {
    if (!std::holds_alternative<slot_granted>(message)) return;
    holds_slot_ = true;
    release_slot_held();
  })) {
  }
}

net::awaitable<void> job_actor::handle(slot_granted&) {
  holds_slot_ = true;
  if (auto local = services_->providers.find(job_.provider); local != services_->providers.end()) {
    co_await run_locally(local->second);
  } else if (remote() != nullptr && !job_.run.provider_job_id.empty()) {
    // Already at the provider (not queued as a rule: see the supervisor's
    // stranded jobs): watched there, never sent again.
    co_await watch();
    if (job_.run.cancel_requested) co_await cancel_at_provider();
  } else if (remote() != nullptr) {
    co_await submit();  // with an intent left from before, looked up there first
  } else {
    storage::job_error error{"unknown_provider", "provider '" + job_.provider + "' is not configured"};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
  }
}

net::awaitable<void> job_actor::handle(request_cancel& request) {
  if (job_.run.cancel_requested) {
    answer_cancel(request, "cancellation already requested");
    co_return;
  }
  if (in_flight_remotely() && !remote()->can_cancel) {
    cancel_reply refusal{cancel_outcome::not_cancellable,
                         job_.provider + " cannot cancel a job once it has it: the job runs to its end"};
    request.reply.set(std::move(refusal));
    co_return;
  }
  job_.run.cancel_requested = true;
  // Stranded at a provider that was not configured: nobody can tell it, so the
  // job ends here, as one waiting here does.
  if (!running_ && (!in_flight_remotely() || reason_ == start_reason::stranded)) {
    // Waiting here: always honoured at once.
    if (!holds_slot_) {
      withdraw_job withdrawal{place_of(job_), job_.seq};
      services_->scheduler.post(std::move(withdrawal));
    }
    co_await finish(job_status::cancelled, std::nullopt, std::nullopt);
    answer_cancel(request, "cancelled");
    co_return;
  }
  // At the provider (or on its way there): remembered durably, then passed on.
  const bool remembered = co_await commit(false);
  if (!remembered) {
    done_ = true;
    co_return;
  }
  if (running_) {
    cancel_run stop{job_.id};
    services_->providers.at(job_.provider).post(std::move(stop));
    answer_cancel(request, "cancellation passed on to the provider");
  } else if (!job_.run.provider_job_id.empty()) {
    co_await cancel_at_provider();
    answer_cancel(request, "cancellation passed on to the provider");
  } else {
    // Submitting: applied once the provider's id is known (or the job is found
    // never to have reached it).
    answer_cancel(request, "cancellation will be passed on once the provider has the job");
  }
}

net::awaitable<void> job_actor::handle(run_finished& outcome) {
  running_ = false;
  if (outcome.cancelled) {
    co_await finish(job_status::cancelled, std::nullopt, std::nullopt);
  } else if (!outcome.error_code.empty()) {
    storage::job_error error{outcome.error_code, outcome.error_message};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
  } else {
    co_await finish(job_status::succeeded, std::nullopt, std::move(outcome.result_json));
  }
}

// ---------------------------------------------------------------------------
// The embedded simulator

net::awaitable<void> job_actor::run_locally(provider_ref provider) {
  const auto now = now_micros();
  if (job_.run.status == job_status::waiting) {
    job_.run.status = job_status::executing;
    // The embedded simulator starts a job the moment it is handed over.
    job_.run.submitted_at = now;
    job_.run.started_at = now;
  }
  job_.run.provider_status = "running";
  job_.run.attempts += 1;
  const bool started = co_await commit(true);
  if (!started) {
    done_ = true;
    co_return;
  }
  auto input = co_await read_input();
  if (!input) {
    done_ = true;  // storage is gone: the job resumes at the next start
    co_return;
  }
  running_ = true;
  run_job run{job_.id, job_.target, job_.input_format, std::move(*input), job_.params, job_.shots, ref()};
  co_await provider.send(std::move(run));
}

// ---------------------------------------------------------------------------
// Remote providers

const remote_provider_link* job_actor::remote() const {
  auto found = services_->remote_providers.find(job_.provider);
  return found == services_->remote_providers.end() ? nullptr : &found->second;
}

bool job_actor::in_flight_remotely() const {
  return remote() != nullptr &&
         (step_ != remote_step::none || job_.run.submit_intent || !job_.run.provider_job_id.empty());
}

template <class Answer, class Request, class T>
net::awaitable<bool> job_actor::ask_remote(Request request, future<remote_outcome<T>> answer) {
  const bool sent = co_await remote()->ref.send(std::move(request));
  if (sent)
    net::co_spawn(mailbox_->get_executor(), forward_answer<Answer>(std::move(answer), ref()), net::detached);
  co_return sent;
}

net::awaitable<void> job_actor::enqueue() {
  // This actor stays; the grant comes back to it through the supervisor.
  queued_run run{place_of(job_), {job_.seq}};
  enqueue_jobs request{{std::move(run)}};
  co_await services_->scheduler.send(std::move(request));
}

net::awaitable<void> job_actor::submit() {
  // An intent already set means an earlier submission's answer was never recorded:
  // the job may be at the provider, so it is looked up there before it is sent.
  const bool reconcile = job_.run.submit_intent;
  if (!reconcile) {
    // A transition once: tries after a refusal only set the intent again, so
    // that a provider down for hours adds nothing to the job's history.
    const bool first_try = job_.run.provider_status != "submitting";
    job_.run.submit_intent = true;
    if (first_try) {
      job_.run.provider_status = "submitting";
      job_.run.submitted_at = now_micros();
      job_.run.attempts += 1;
    }
    const bool recorded = co_await commit(first_try);
    if (!recorded) {
      done_ = true;
      co_return;
    }
  }
  auto input = co_await read_input();
  if (!input) {
    done_ = true;
    co_return;
  }
  auto [reply, answer] = make_promise<remote_outcome<submitted_job>>(mailbox_->get_executor());
  submit_job request;
  request.job_id = job_.id;
  request.target = job_.target;
  request.input_format = job_.input_format;
  request.input = std::move(*input);
  request.params = job_.params;
  request.shots = job_.shots;
  request.name = job_.name;
  request.reconcile_first = reconcile;
  // Cancelled before the provider had it: never send it now, only find it.
  request.only_if_found = reconcile && job_.run.cancel_requested;
  request.reply = std::move(reply);
  const bool sent = co_await ask_remote<submission_answered>(std::move(request), std::move(answer));
  if (!sent) {
    done_ = true;
    co_return;
  }
  step_ = remote_step::submitting;
}

net::awaitable<void> job_actor::handle(submission_answered& answer) {
  if (step_ != remote_step::submitting) co_return;
  step_ = remote_step::none;
  auto& outcome = answer.outcome;
  if (outcome.value && outcome.value->provider_job_id.empty()) {
    // Looked up for a cancelled job and not found: it never reached the provider.
    job_.run.submit_intent = false;
    co_await finish(job_status::cancelled, std::nullopt, std::nullopt);
    co_return;
  }
  if (outcome.value) {
    if (outcome.value->adopted)
      services_->log->info("job={} found at {} as {}: adopted, not sent again", job_.id, job_.provider,
                           outcome.value->provider_job_id);
    job_.run.submit_intent = false;
    job_.run.provider_job_id = std::move(outcome.value->provider_job_id);
    job_.run.provider_status = "submitted";
    retry_delay_ = std::chrono::milliseconds(0);
    const bool recorded = co_await commit(true);
    if (!recorded) {
      done_ = true;
      co_return;
    }
    co_await watch();
    if (job_.run.cancel_requested) co_await cancel_at_provider();
    co_return;
  }
  const auto& failure = *outcome.failure;
  if (failure.kind == remote_failure_kind::unconfirmed) {
    // Perhaps at the provider, perhaps not, and no way to know: sending it
    // again could run it twice.
    job_.run.submit_intent = false;
    storage::job_error error{"submission_unconfirmed", failure.message};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
    co_return;
  }
  if (failure.kind == remote_failure_kind::permanent) {
    // Refused: the provider has no such job, so no intent is left to reconcile.
    job_.run.submit_intent = false;
    if (job_.run.cancel_requested) {
      co_await finish(job_status::cancelled, std::nullopt, std::nullopt);
    } else {
      storage::job_error error{"provider_rejected", failure.message};
      co_await finish(job_status::failed, std::move(error), std::nullopt);
    }
    co_return;
  }
  // Transient, or our key refused: the job stays waiting. The intent stays too,
  // so that the next try looks for it at the provider first, unless the
  // provider surely does not have it.
  if (failure.job_absent) {
    job_.run.submit_intent = false;
    const bool recorded = co_await commit(false);
    if (!recorded) {
      done_ = true;
      co_return;
    }
  }
  retry_later(failure);
}

bool job_actor::may_park() const {
  return step_ == remote_step::watching && holds_slot_ && !cancel_sent_ && !mailbox_->ready();
}

net::awaitable<void> job_actor::watch() {
  // The poller's words go through the supervisor: they reach this actor, or a
  // later one of the job if this one has parked.
  job_status_ref reply_to(services_->supervisor, job_.seq);
  watch_job request{job_.id, job_.provider, job_.run.provider_job_id, job_.run.provider_status, std::move(reply_to)};
  co_await services_->poller.send(std::move(request));
  step_ = remote_step::watching;
}

net::awaitable<void> job_actor::handle(job_status_changed& change) {
  if (step_ != remote_step::watching) co_return;  // a late change: the job has moved on
  if (change.failure) {
    // The provider no longer answers for the job (e.g. it does not know it).
    step_ = remote_step::none;
    storage::job_error error{"provider_error", change.failure->message};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
    co_return;
  }
  co_await on_provider_status(change.status);
}

net::awaitable<void> job_actor::on_provider_status(const remote_job_status& status) {
  // Kept with the job's next commit (IonQ's execution time and cost model, ...).
  if (!status.usage.empty()) job_.run.usage = status.usage;
  if (status.state == "succeeded") {
    job_.run.provider_status = status.provider_status;
    co_await fetch();
    co_return;
  }
  if (status.state == "failed" || status.state == "cancelled") {
    if (step_ == remote_step::watching) {
      unwatch_job stop{job_.id};
      services_->poller.post(std::move(stop));
    }
    step_ = remote_step::none;
    job_.run.provider_status = status.provider_status;
    if (status.state == "cancelled") {
      co_await finish(job_status::cancelled, std::nullopt, std::nullopt);
      co_return;
    }
    storage::job_error error{status.error_code, status.error_message};
    if (error.code.empty()) error.code = "provider_failed";
    if (error.message.empty()) error.message = job_.provider + " reports the job failed";
    co_await finish(job_status::failed, std::move(error), std::nullopt);
    co_return;
  }
  const bool started = status.state == "executing" && job_.run.status == job_status::waiting;
  if (!started && status.provider_status == job_.run.provider_status) co_return;
  if (started) {
    job_.run.status = job_status::executing;
    job_.run.started_at = now_micros();
  }
  job_.run.provider_status = status.provider_status;
  const bool recorded = co_await commit(true);
  if (!recorded) done_ = true;
}

net::awaitable<void> job_actor::fetch() {
  step_ = remote_step::fetching;
  auto input = co_await read_input();
  if (!input) {
    done_ = true;
    co_return;
  }
  auto [reply, answer] = make_promise<remote_outcome<std::string>>(mailbox_->get_executor());
  fetch_result request{job_.id,         job_.run.provider_job_id, job_.input_format, std::move(*input),
                       job_.shots,      std::move(reply)};
  const bool sent = co_await ask_remote<result_fetched>(std::move(request), std::move(answer));
  if (!sent) done_ = true;
}

net::awaitable<void> job_actor::handle(result_fetched& answer) {
  if (step_ != remote_step::fetching) co_return;
  auto& outcome = answer.outcome;
  if (outcome.value) {
    step_ = remote_step::none;
    co_await finish(job_status::succeeded, std::nullopt, std::move(*outcome.value));
  } else if (outcome.failure->kind == remote_failure_kind::permanent) {
    step_ = remote_step::none;
    storage::job_error error{"result_unavailable", outcome.failure->message};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
  } else {
    retry_later(*outcome.failure);
  }
}

net::awaitable<void> job_actor::cancel_at_provider() {
  auto [reply, answer] = make_promise<remote_outcome<remote_job_status>>(mailbox_->get_executor());
  cancel_job_at_provider request{job_.run.provider_job_id, std::move(reply)};
  cancel_sent_ = co_await ask_remote<provider_cancel_answered>(std::move(request), std::move(answer));
}

net::awaitable<void> job_actor::handle(provider_cancel_answered& answer) {
  cancel_sent_ = false;
  const auto& outcome = answer.outcome;
  if (!outcome.value) {
    // The poller keeps watching: the job ends however the provider ends it.
    services_->log->warn("job={} cancel at {} failed: {}", job_.id, job_.provider, outcome.failure->message);
    co_return;
  }
  // Trust what the provider says now: cancelled, or already final another way.
  if (step_ == remote_step::watching && outcome.value->final) co_await on_provider_status(*outcome.value);
}

void job_actor::retry_later(const remote_failure& failure) {
  const auto* link = remote();
  retry_delay_ = retry_delay_.count() == 0 ? link->retry_initial : std::min(retry_delay_ * 2, link->retry_max);
  services_->log->warn("job={} waits {} ms before trying {} again: {}", job_.id, retry_delay_.count(),
                       job_.provider, failure.message);
  // A job that is not being fetched gives its slot back and queues again.
  if (step_ != remote_step::fetching) {
    release_slot_held();
    job_requeued requeued{job_.seq};
    services_->supervisor.post(std::move(requeued));
  }
  net::co_spawn(mailbox_->get_executor(), post_retry_after(retry_delay_, ref()), net::detached);
}

net::awaitable<void> job_actor::handle(retry_due&) {
  if (step_ == remote_step::fetching) {
    co_await fetch();
  } else if (step_ == remote_step::none && !holds_slot_) {
    co_await enqueue();
  }
}

// ---------------------------------------------------------------------------
// Storage and endings

net::awaitable<std::optional<std::string>> job_actor::read_input() {
  auto [reply, answer] = make_promise<job_view>(mailbox_->get_executor());
  get_job read{job_.id, true, false, std::move(reply)};
  const bool asked = co_await services_->storage.send(std::move(read));
  if (!asked) co_return std::nullopt;
  auto view = co_await answer.get();
  if (!view || !view->job) co_return std::nullopt;
  co_return std::move(view->job->input);
}

net::awaitable<void> job_actor::finish(job_status status, std::optional<storage::job_error> error,
                                       std::optional<std::string> result_json) {
  job_.run.status = status;
  // A job the provider has keeps the provider's own last word ("completed", "canceled").
  if (job_.run.provider_job_id.empty()) job_.run.provider_status = std::string(storage::to_string(status));
  job_.run.error = std::move(error);
  job_.run.finished_at = now_micros();
  done_ = true;
  const bool committed = co_await commit(true, std::move(result_json));
  if (committed) release_slot_held();
}

void job_actor::release_slot_held() {
  if (!holds_slot_) return;
  holds_slot_ = false;
  release_slot release{job_.provider};
  services_->scheduler.post(std::move(release));
}

void job_actor::count_transition() {
  if (!services_->metrics || job_.run.status == counted_status_) return;
  counted_status_ = job_.run.status;
  services_->metrics
      ->counters("qjob_job_transitions_total", "Committed job state changes, by provider and new state.",
                 {"provider", "status"})
      .with({job_.provider, std::string(storage::to_string(job_.run.status))})
      .inc();
}

void job_actor::answer_cancel(request_cancel& request, std::string message) {
  cancel_reply reply{cancel_outcome::accepted, std::move(message)};
  request.reply.set(std::move(reply));
}

net::awaitable<bool> job_actor::commit(bool is_transition, std::optional<std::string> result_json) {
  auto delay = std::chrono::milliseconds(100);
  for (;;) {
    auto [reply, answer] = make_promise<write_ack>(mailbox_->get_executor());
    record_run request{job_.id, job_.run, is_transition, now_micros(), result_json, std::move(reply)};
    const bool sent = co_await services_->storage.send(std::move(request));
    if (!sent) co_return false;
    auto ack = co_await answer.get();
    if (!ack) co_return false;
    if (ack->ok()) {
      if (is_transition) {
        count_transition();
        job_transitioned change{job_.id, job_.run.status};
        co_await services_->hub.send(std::move(change));
      }
      co_return true;
    }
    // The store refused the write (a full disk): nothing may act on an uncommitted
    // state, so the job holds still and tries again.
    services_->log->warn("job={} commit failed, retrying in {} ms: {}", job_.id, delay.count(), ack->error);
    net::steady_timer timer(mailbox_->get_executor(), delay);
    co_await timer.async_wait(net::use_awaitable);
    delay = std::min(delay * 2, std::chrono::milliseconds(30'000));
  }
}

}  // namespace qjob::actors
