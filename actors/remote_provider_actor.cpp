#include "remote_provider_actor.hpp"

#include "formats/job_input.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace qjob::actors {

namespace {

using clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> provider_log(const std::string& name) {
  auto log = spdlog::get("provider." + name);
  return log ? log : spdlog::default_logger()->clone("provider." + name);
}

remote_failure to_failure(const remote::api_error& error) {
  remote_failure failure;
  failure.message = error.message;
  switch (error.kind) {
    case remote::error_kind::permanent: failure.kind = remote_failure_kind::permanent; break;
    case remote::error_kind::credentials: failure.kind = remote_failure_kind::credentials; break;
    case remote::error_kind::transient:
    case remote::error_kind::outcome_unknown: failure.kind = remote_failure_kind::transient; break;
  }
  return failure;
}

remote_failure permanent(std::string message) { return remote_failure{remote_failure_kind::permanent, std::move(message)}; }

template <class T>
remote_outcome<T> failed(remote_failure failure) {
  remote_outcome<T> outcome;
  outcome.failure = std::move(failure);
  return outcome;
}

template <class T>
remote_outcome<T> succeeded(T value) {
  remote_outcome<T> outcome;
  outcome.value = std::move(value);
  return outcome;
}

/// Our job's input and params, parsed as the translation needs them.
struct parsed_job {
  std::optional<formats::parsed_input> input;
  boost::json::value params;
  std::string error;  // "" when parsed
};

parsed_job parse_job(const std::string& input_format, const std::string& input, const std::string& params) {
  parsed_job job;
  boost::system::error_code ec;
  auto input_json = boost::json::parse(input, ec);
  if (ec) {
    job.error = "stored job input is not valid JSON: " + ec.message();
    return job;
  }
  if (!params.empty()) {
    job.params = boost::json::parse(params, ec);
    if (ec) {
      job.error = "stored job params are not valid JSON: " + ec.message();
      return job;
    }
  }
  auto parsed = formats::parse_job_input(input_format, input_json, formats::input_limits{});
  if (parsed.error) {
    job.error = parsed.error->message;
    return job;
  }
  job.input = std::move(parsed.input);
  return job;
}

/// Frees the breaker's probe slot unless disarmed (the outcome was recorded).
struct probe_guard {
  explicit probe_guard(circuit_breaker& b) : breaker(b) {}
  probe_guard(const probe_guard&) = delete;
  probe_guard& operator=(const probe_guard&) = delete;
  ~probe_guard() {
    if (armed) breaker.record_abandoned();
  }
  circuit_breaker& breaker;
  bool armed = true;
};

// One exchange each (results: the job, then its results): callables that
// call() may run more than once. `request` names the exchange in the metrics.
struct submit_op {
  static constexpr std::string_view request = "submit";
  std::string body;
  net::awaitable<remote::api_result<std::string>> operator()(remote::provider_api& api) const {
    return api.submit(body);
  }
};

struct get_op {
  std::string id;
  std::string_view request = "poll";
  net::awaitable<remote::api_result<remote::job_state>> operator()(remote::provider_api& api) const {
    return api.get(id);
  }
};

struct cancel_op {
  static constexpr std::string_view request = "cancel";
  std::string id;
  net::awaitable<remote::api_result<remote::job_state>> operator()(remote::provider_api& api) const {
    return api.cancel(id);
  }
};

struct list_op {
  std::size_t limit = 0;
  std::optional<std::string> next;
  std::string_view request = "list";
  net::awaitable<remote::api_result<remote::state_page>> operator()(remote::provider_api& api) const {
    return api.list(limit, next);
  }
};

struct results_op {
  static constexpr std::string_view request = "fetch";
  remote::result_request spec;
  net::awaitable<remote::api_result<std::string>> operator()(remote::provider_api& api) const {
    return api.results(spec);
  }
};

}  // namespace

remote_provider_actor::remote_provider_actor(net::any_io_executor executor, std::shared_ptr<remote::provider_api> api,
                                             remote_provider_settings settings)
    : executor_(executor),
      settings_(std::move(settings)),
      log_(provider_log(settings_.name)),
      api_(std::move(api)),
      abilities_(api_->abilities()),
      mailbox_(std::make_shared<mailbox<remote_provider_message>>(executor, remote_provider_mailbox_capacity)),
      limiter_(settings_.requests_per_second, settings_.burst, clock::now()),
      breaker_(settings_.breaker_threshold, settings_.breaker_cool_down),
      started_(clock::now()),
      jitter_(settings_.jitter_seed ? settings_.jitter_seed : std::random_device{}()),
      metrics_(metrics::registry_or_own(settings_.metrics)),
      request_counts_(metrics_->counters("qjob_provider_requests_total",
                                         "Exchanges with remote providers, by provider, request and HTTP status "
                                         "(2xx: answered; error: no HTTP answer, such as a timeout or a reset).",
                                         {"provider", "request", "code"})),
      request_seconds_(metrics_->histograms("qjob_provider_request_duration_seconds",
                                            "Time of one exchange with a remote provider, retries not included.",
                                            {"provider", "request"}, metrics::request_seconds_buckets())),
      idle_(executor) {}

remote_provider_actor::~remote_provider_actor() = default;

net::awaitable<void> remote_provider_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) break;
    if (auto* health_request = std::get_if<get_health>(&message)) {
      health_request->reply.set(health());
      continue;
    }
    if (auto* change = std::get_if<reconfigure_provider>(&message)) {
      reconfigure(*change);
      continue;
    }
    start(std::move(message));
  }
  while (!requests_.empty()) {
    idle_.expires_at(clock::time_point::max());
    co_await idle_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

void remote_provider_actor::close() {
  mailbox_->close();
  for (auto& signal : requests_) signal.emit(net::cancellation_type::terminal);
}

void remote_provider_actor::start(remote_provider_message message) {
  auto request = requests_.emplace(requests_.end());
  auto done = [this, request](std::exception_ptr failure) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const boost::system::system_error& e) {
        if (e.code() != net::error::operation_aborted) log_->error("request failed: {}", e.what());
      } catch (const std::exception& e) {
        log_->error("request failed: {}", e.what());
      }
    }
    requests_.erase(request);
    if (requests_.empty()) idle_.cancel();
  };
  net::co_spawn(executor_, serve(std::move(message)),
                net::bind_cancellation_slot(request->slot(), std::move(done)));
}

void remote_provider_actor::reconfigure(reconfigure_provider& change) {
  const bool was_retired = api_ == nullptr;
  api_ = std::move(change.api);
  change.settings.name = settings_.name;
  settings_ = std::move(change.settings);
  limiter_ = token_bucket(settings_.requests_per_second, settings_.burst, clock::now());
  breaker_.set_limits(settings_.breaker_threshold, settings_.breaker_cool_down);
  // New credentials get the benefit of the doubt until the provider answers.
  credentials_problem_.clear();
  if (!api_)
    log_->warn("removed from the configuration: its jobs wait until a reload brings it back");
  else if (was_retired)
    log_->info("back in the configuration: its jobs go on");
  else
    log_->info("configuration and credentials reloaded");
}

remote::api_error remote_provider_actor::retired() const {
  remote::api_error error;
  error.kind = remote::error_kind::credentials;
  error.message = settings_.name + " is not in the configuration since the last reload";
  return error;
}

net::awaitable<void> remote_provider_actor::serve(remote_provider_message message) {
  if (auto* submit = std::get_if<submit_job>(&message)) {
    co_await serve_submit(std::move(*submit));
  } else if (auto* poll = std::get_if<poll_job>(&message)) {
    co_await serve_poll(std::move(*poll));
  } else if (auto* cancel = std::get_if<cancel_job_at_provider>(&message)) {
    co_await serve_cancel(std::move(*cancel));
  } else if (auto* fetch = std::get_if<fetch_result>(&message)) {
    co_await serve_fetch(std::move(*fetch));
  } else if (auto* list = std::get_if<list_provider_jobs>(&message)) {
    co_await serve_list(std::move(*list));
  }
}

provider_health remote_provider_actor::health() const {
  provider_health health;
  if (!api_) {
    health.state = provider_health_state::unhealthy;
    health.message = retired().message;
    return health;
  }
  if (!credentials_problem_.empty()) {
    health.state = provider_health_state::unhealthy;
    health.message = settings_.name + " refused our credentials: " + credentials_problem_;
    return health;
  }
  if (breaker_.current(clock::now()) != circuit_breaker::state::closed) {
    health.state = provider_health_state::degraded;
    health.message = settings_.name + " keeps failing (" + std::to_string(breaker_.consecutive_failures()) +
                     " failures in a row), requests paused: " + last_failure_;
  }
  return health;
}

void remote_provider_actor::record(const remote::api_error* error) {
  const auto before = breaker_.current(clock::now());
  if (error == nullptr || error->kind == remote::error_kind::permanent) {
    // A refusal of one request is an answer: the provider works.
    breaker_.record_success();
    credentials_problem_.clear();
  } else {
    if (error->kind == remote::error_kind::credentials) credentials_problem_ = error->message;
    last_failure_ = error->message;
    breaker_.record_failure(clock::now());
  }
  const auto after = breaker_.current(clock::now());
  if (before != after && after == circuit_breaker::state::open)
    log_->warn("circuit breaker open after {} consecutive failures", breaker_.consecutive_failures());
  else if (before != after && after == circuit_breaker::state::closed)
    log_->info("circuit breaker closed");
}

void remote_provider_actor::measure(std::string_view request, const remote::api_error* error,
                                    clock::duration took) {
  // The adapters answer values, not statuses: any success is "2xx".
  std::string code = "2xx";
  if (error != nullptr) code = error->status == 0 ? "error" : std::to_string(error->status);
  const std::string kind(request);
  request_counts_.with({settings_.name, kind, code}).inc();
  request_seconds_.with({settings_.name, kind}).observe(std::chrono::duration<double>(took).count());
}

net::awaitable<void> remote_provider_actor::sleep_for(clock::duration delay) {
  if (delay <= clock::duration::zero()) co_return;
  net::steady_timer timer(executor_, delay);
  co_await timer.async_wait(net::use_awaitable);
}

net::awaitable<void> remote_provider_actor::pace() {
  const auto delay = limiter_.take(clock::now());
  co_await sleep_for(delay);
}

clock::duration remote_provider_actor::retry_delay(unsigned attempt, const remote::api_error& error) {
  // Full jitter (uniform in [0, cap]) keeps many clients that failed together from retrying together.
  const auto shift = std::min(attempt - 1, 20u);
  const auto cap = std::min<std::chrono::milliseconds::rep>(settings_.backoff_max.count(),
                                                            settings_.backoff_initial.count() << shift);
  std::uniform_int_distribution<std::chrono::milliseconds::rep> draw(0, std::max<std::chrono::milliseconds::rep>(cap, 0));
  clock::duration delay = std::chrono::milliseconds(draw(jitter_));
  if (error.retry_after) delay = std::max<clock::duration>(delay, error.retry_after->count() * settings_.retry_after_unit);
  return delay;
}

template <class Op>
std::invoke_result_t<Op&, remote::provider_api&> remote_provider_actor::call(Op op) {
  const auto started = clock::now();
  remote::api_error last;
  for (unsigned attempt = 1;; ++attempt) {
    co_await pace();
    auto api = api_;
    if (!api) co_return retired();
    const bool allowed = breaker_.allow(clock::now());
    if (allowed) {
      // Should the exchange throw, a half-open probe must not stay taken forever.
      probe_guard guard(breaker_);
      const auto sent = clock::now();
      auto outcome = co_await op(*api);
      guard.armed = false;
      if (outcome) {
        measure(op.request, nullptr, clock::now() - sent);
        record(nullptr);
        co_return outcome;
      }
      last = outcome.error();  // result<T, E>::error() answers a copy
      measure(op.request, &last, clock::now() - sent);
      record(&last);
      if (last.kind != remote::error_kind::transient) co_return outcome;
    } else {
      last.kind = remote::error_kind::transient;
      last.status = 0;
      last.retry_after.reset();
      last.message = settings_.name + " requests paused after repeated failures: " + last_failure_;
    }
    if (attempt >= std::max(settings_.max_attempts, 1u)) break;
    auto delay = retry_delay(attempt, last);
    if (!allowed) delay = std::max(delay, breaker_.remaining(clock::now()));
    if (clock::now() + delay - started > settings_.retry_budget) break;
    co_await sleep_for(delay);
  }
  co_return last;
}

net::awaitable<remote_provider_actor::call_result<std::string>> remote_provider_actor::find_submitted(
    std::string job_id) {
  switch (abilities_.lookup) {
    case remote::lost_submission_lookup::get_by_qjob_id: {
      // The provider's id is ours: a 404 is the provider saying "not there".
      get_op op{job_id, "lookup"};
      auto got = co_await call(std::move(op));
      if (got) co_return std::move(got->id);
      if (got.error().status == 404) co_return std::string();
      co_return std::move(got.error());
    }
    case remote::lost_submission_lookup::none:  // serve_submit never looks then
    case remote::lost_submission_lookup::list_by_qjob_id:
      break;
  }
  std::optional<std::string> next;
  for (std::size_t page = 0; page < settings_.reconcile_max_pages; ++page) {
    list_op op{settings_.reconcile_page_size, next, "lookup"};
    auto listed = co_await call(std::move(op));
    if (!listed) co_return std::move(listed.error());
    for (const auto& job : listed->jobs)
      if (job.qjob_id && *job.qjob_id == job_id) co_return job.id;
    if (!listed->next) break;
    next = std::move(listed->next);
  }
  co_return std::string();
}

net::awaitable<void> remote_provider_actor::serve_submit(submit_job request) {
  auto job = parse_job(request.input_format, request.input, request.params);
  if (!job.error.empty()) {
    request.reply.set(failed<submitted_job>(permanent(job.error)));
    co_return;
  }
  remote::job_spec spec;
  spec.job_id = request.job_id;
  spec.name = request.name;
  spec.target = request.target;
  spec.shots = request.shots > 0 ? static_cast<std::uint64_t>(request.shots) : 0;
  spec.input = &*job.input;
  spec.params = job.params.is_null() ? nullptr : &job.params;
  if (!api_) {
    auto failure = to_failure(retired());
    failure.job_absent = !request.reconcile_first;  // nothing was sent now
    request.reply.set(failed<submitted_job>(std::move(failure)));
    co_return;
  }
  auto prepared = api_->prepare(spec);
  if (!prepared) {
    request.reply.set(failed<submitted_job>(to_failure(prepared.error())));
    co_return;
  }
  const auto body = std::move(*prepared);

  // Exactly once: after any POST whose answer was lost, look for the job before
  // sending it again. A job not in the list may still be on its way in (a POST
  // the provider is still working on, after our client gave up on it, or one sent
  // just before a crash): "not there" is trusted only once reconcile_settle has
  // passed since the last such POST ended (or since start-up, for a previous
  // run's). Each round is one POST, so the rounds share the attempt bound.
  bool reconcile = request.reconcile_first;
  auto not_before = reconcile ? started_ + settings_.reconcile_settle : clock::now();
  if (auto uncertain = uncertain_posts_.find(request.job_id); uncertain != uncertain_posts_.end())
    not_before = std::max(not_before, uncertain->second + settings_.reconcile_settle);
  std::string last_failure = "no answer";
  for (unsigned round = 0; round < std::max(settings_.max_attempts, 1u); ++round) {
    if (reconcile && abilities_.lookup == remote::lost_submission_lookup::none) {
      remote_failure unconfirmed{remote_failure_kind::unconfirmed,
                                 "the submission to " + settings_.name +
                                     " was not confirmed (its answer was lost, or qjobd stopped during it), and " +
                                     settings_.name +
                                     " cannot look jobs up: the job is not sent again, so that it never runs twice"};
      request.reply.set(failed<submitted_job>(std::move(unconfirmed)));
      co_return;
    }
    if (reconcile) {
      auto found = co_await find_submitted(request.job_id);
      if (found && found->empty() && clock::now() < not_before) {
        co_await sleep_for(not_before - clock::now());
        found = co_await find_submitted(request.job_id);
      }
      if (!found) {
        request.reply.set(failed<submitted_job>(to_failure(found.error())));
        co_return;
      }
      if (!found->empty()) {
        uncertain_posts_.erase(request.job_id);
        log_->info("job {} found at the provider as {} after a lost answer", request.job_id, *found);
        request.reply.set(succeeded(submitted_job{std::move(*found), true}));
        co_return;
      }
      uncertain_posts_.erase(request.job_id);
      if (request.only_if_found) {
        request.reply.set(succeeded(submitted_job{}));
        co_return;
      }
    }
    submit_op op{body};
    auto sent = co_await call(std::move(op));
    if (sent) {
      uncertain_posts_.erase(request.job_id);
      request.reply.set(succeeded(submitted_job{std::move(*sent), false}));
      co_return;
    }
    if (sent.error().kind != remote::error_kind::outcome_unknown) {
      // Not there before this request (never sent, or looked up), and refused now.
      auto failure = to_failure(sent.error());
      failure.job_absent = true;
      request.reply.set(failed<submitted_job>(std::move(failure)));
      co_return;
    }
    last_failure = sent.error().message;
    reconcile = true;
    not_before = clock::now() + settings_.reconcile_settle;
    uncertain_posts_[request.job_id] = clock::now();
  }
  // Every POST's answer was lost and none of them shows in the list yet: the job
  // stays to be reconciled, never blindly sent again.
  remote_failure failure{remote_failure_kind::transient,
                         "submission to " + settings_.name + " not confirmed: " + last_failure};
  request.reply.set(failed<submitted_job>(std::move(failure)));
}

remote_job_status remote_provider_actor::observe(remote::job_state state) {
  if (!state.known && unknown_words_.insert(state.provider_status).second)
    log_->warn("unknown job status '{}' from {}: the job stays waiting", state.provider_status, settings_.name);
  return state;
}

net::awaitable<void> remote_provider_actor::serve_poll(poll_job request) {
  get_op op{request.provider_job_id};
  auto got = co_await call(std::move(op));
  if (!got) {
    request.reply.set(failed<remote_job_status>(to_failure(got.error())));
    co_return;
  }
  request.reply.set(succeeded(observe(std::move(*got))));
}

net::awaitable<void> remote_provider_actor::serve_cancel(cancel_job_at_provider request) {
  cancel_op op{request.provider_job_id};
  auto got = co_await call(std::move(op));
  if (!got) {
    request.reply.set(failed<remote_job_status>(to_failure(got.error())));
    co_return;
  }
  request.reply.set(succeeded(observe(std::move(*got))));
}

net::awaitable<void> remote_provider_actor::serve_fetch(fetch_result request) {
  auto job = parse_job(request.input_format, request.input, std::string());
  if (!job.error.empty()) {
    request.reply.set(failed<std::string>(permanent(job.error)));
    co_return;
  }
  results_op op;
  op.spec.job_id = request.job_id;
  op.spec.provider_job_id = request.provider_job_id;
  op.spec.circuits = std::move(job.input->circuits);
  op.spec.shots = request.shots > 0 ? static_cast<std::uint64_t>(request.shots) : 0;
  auto document = co_await call(std::move(op));
  if (!document) {
    request.reply.set(failed<std::string>(to_failure(document.error())));
    co_return;
  }
  request.reply.set(succeeded(std::move(*document)));
}

net::awaitable<void> remote_provider_actor::serve_list(list_provider_jobs request) {
  list_op op{request.limit, std::move(request.next)};
  auto listed = co_await call(std::move(op));
  if (!listed) {
    request.reply.set(failed<job_status_page>(to_failure(listed.error())));
    co_return;
  }
  for (auto& job : listed->jobs) job = observe(std::move(job));
  request.reply.set(succeeded(std::move(*listed)));
}

}  // namespace qjob::actors
