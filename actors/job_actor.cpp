#include "job_actor.hpp"

#include "clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

namespace qjob::actors {

using storage::job_status;

job_actor::job_actor(net::any_io_executor executor, storage::job_row job,
                     std::shared_ptr<const job_services> services)
    : mailbox_(std::make_shared<mailbox<job_message>>(executor, job_mailbox_capacity)),
      job_(std::move(job)), services_(std::move(services)) {}

net::awaitable<void> job_actor::run(std::unique_ptr<job_actor> self) {
  co_await self->live();
  self->mailbox_->close();
  job_ended ended{self->job_.id};
  co_await self->services_->supervisor.send(std::move(ended));
}

net::awaitable<void> job_actor::live() {
  // A job found executing at start-up lost its run with the daemon: it queues again
  // and reruns; its status stays executing, so the run history shows one attempt more.
  enqueue_job request{job_.id, job_.provider, job_.priority, job_.owner, job_.batch_id, job_.seq, ref()};
  co_await services_->scheduler.send(std::move(request));
  while (!done_) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) break;  // closed: the daemon is stopping
    if (std::holds_alternative<slot_granted>(message)) {
      co_await on_slot_granted();
    } else if (auto* cancel = std::get_if<request_cancel>(&message)) {
      co_await on_cancel(*cancel);
    } else {
      co_await on_run_finished(std::get<run_finished>(message));
    }
  }
  if (holds_slot_) services_->scheduler.try_send(release_slot{job_.provider});
}

net::awaitable<void> job_actor::on_slot_granted() {
  holds_slot_ = true;
  auto provider = services_->providers.find(job_.provider);
  if (provider == services_->providers.end()) {
    storage::job_error error{"unknown_provider", "provider '" + job_.provider + "' is not configured"};
    co_await finish(job_status::failed, std::move(error), std::nullopt);
    co_return;
  }
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

  auto [reply, answer] = make_promise<job_view>(co_await net::this_coro::executor);
  get_job read{job_.id, true, false, std::move(reply)};
  const bool asked = co_await services_->storage.send(std::move(read));
  if (!asked) {
    done_ = true;
    co_return;
  }
  auto view = co_await answer.get();
  if (!view || !view->job) {
    done_ = true;  // storage is gone: the job resumes at the next start
    co_return;
  }
  running_ = true;
  run_job run{job_.id, job_.target, job_.input_format, std::move(view->job->input), job_.params, job_.shots, ref()};
  co_await provider->second.send(std::move(run));
}

net::awaitable<void> job_actor::on_cancel(request_cancel& request) {
  // Replies and messages are built as named locals: with g++ 12 the aggregate
  // temporaries written inline here crashed the coroutine (SIGILL) on every cancel.
  if (job_.run.cancel_requested) {
    cancel_reply already{cancel_outcome::accepted, "cancellation already requested"};
    request.reply.set(std::move(already));
    co_return;
  }
  job_.run.cancel_requested = true;
  if (!running_) {
    // Waiting here: always honoured at once.
    if (!holds_slot_) {
      withdraw_job withdrawal{job_.id, job_.provider};
      services_->scheduler.try_send(std::move(withdrawal));
    }
    std::optional<storage::job_error> no_error;
    std::optional<std::string> no_result;
    co_await finish(job_status::cancelled, std::move(no_error), std::move(no_result));
    cancel_reply cancelled{cancel_outcome::accepted, "cancelled"};
    request.reply.set(std::move(cancelled));
    co_return;
  }
  // Executing: remembered durably, then passed on to the provider. (`if (!co_await
  // ...)` here compiled to an illegal instruction with g++ 12: keep the named bool.)
  const bool remembered = co_await commit(false);
  if (!remembered) {
    done_ = true;
    co_return;
  }
  cancel_run stop{job_.id};
  services_->providers.at(job_.provider).try_send(std::move(stop));
  cancel_reply passed_on{cancel_outcome::accepted, "cancellation passed on to the provider"};
  request.reply.set(std::move(passed_on));
}

net::awaitable<void> job_actor::on_run_finished(run_finished& outcome) {
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

net::awaitable<void> job_actor::finish(job_status status, std::optional<storage::job_error> error,
                                       std::optional<std::string> result_json) {
  job_.run.status = status;
  job_.run.provider_status = std::string(storage::to_string(status));
  job_.run.error = std::move(error);
  job_.run.finished_at = now_micros();
  done_ = true;
  const bool committed = co_await commit(true, std::move(result_json));
  if (committed && holds_slot_) {
    holds_slot_ = false;
    services_->scheduler.try_send(release_slot{job_.provider});
  }
}

net::awaitable<bool> job_actor::commit(bool is_transition, std::optional<std::string> result_json) {
  auto delay = std::chrono::milliseconds(100);
  for (;;) {
    auto [reply, answer] = make_promise<write_ack>(co_await net::this_coro::executor);
    record_run request{job_.id, job_.run, is_transition, now_micros(), result_json, std::move(reply)};
    const bool sent = co_await services_->storage.send(std::move(request));
    if (!sent) co_return false;
    auto ack = co_await answer.get();
    if (!ack) co_return false;
    if (ack->ok()) {
      if (is_transition) {
        job_transitioned change{job_.id, job_.run.status};
        co_await services_->hub.send(std::move(change));
      }
      co_return true;
    }
    // The store refused the write (a full disk): nothing may act on an uncommitted
    // state, so the job holds still and tries again.
    services_->log->warn("job={} commit failed, retrying in {} ms: {}", job_.id, delay.count(), ack->error);
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(net::use_awaitable);
    delay = std::min(delay * 2, std::chrono::milliseconds(30'000));
  }
}

}  // namespace qjob::actors
