#include "local_provider_actor.hpp"

#include "formats/job_input.hpp"
#include "local/result_document.hpp"
#include "local/simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <random>

namespace qjob::actors {

namespace {

/// The seed a run uses: `params.seed` when the user gave one (reproducible
/// counts), otherwise a fresh random one, reported in the result.
std::uint64_t seed_of(const boost::json::value& params) {
  if (const auto* object = params.if_object())
    if (const auto* seed = object->if_contains("seed")) {
      if (seed->is_uint64()) return seed->as_uint64();
      if (seed->is_int64() && seed->as_int64() >= 0) return static_cast<std::uint64_t>(seed->as_int64());
    }
  std::random_device entropy;
  return (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
}

/// Parses and simulates one job. Runs on a worker thread.
run_finished simulate_job(const run_job& request, const local_provider_settings& settings,
                          const std::atomic<bool>& cancel) {
  run_finished outcome;
  boost::system::error_code ec;
  auto input = boost::json::parse(request.input, ec);
  if (ec) {
    outcome.error_code = "invalid_input";
    outcome.error_message = "stored job input is not valid JSON: " + ec.message();
    return outcome;
  }
  auto params = request.params.empty() ? boost::json::value() : boost::json::parse(request.params, ec);
  if (ec) {
    outcome.error_code = "invalid_input";
    outcome.error_message = "stored job params are not valid JSON: " + ec.message();
    return outcome;
  }
  formats::input_limits limits;
  limits.max_qubits = settings.max_qubits;
  auto parsed = formats::parse_job_input(request.input_format, input, limits);
  if (parsed.error) {
    outcome.error_code = "invalid_input";
    outcome.error_message = parsed.error->message;
    return outcome;
  }
  local::run_options options;
  options.shots = static_cast<std::uint64_t>(request.shots);
  options.seed = seed_of(params);
  options.threads = settings.simulator_threads;
  options.cancel = &cancel;
  try {
    auto run = local::simulate(parsed.input->circuits, options);
    if (run.cancelled) {
      outcome.cancelled = true;
      return outcome;
    }
    outcome.result_json = local::result_document(run.results, options.seed, "measured");
  } catch (const std::bad_alloc&) {
    outcome.error_code = "out_of_memory";
    outcome.error_message = "the state vector does not fit in this host's memory";
  }
  return outcome;
}

}  // namespace

local_provider_actor::local_provider_actor(net::any_io_executor executor, local_provider_settings settings)
    : executor_(executor), settings_(settings),
      mailbox_(std::make_shared<mailbox<provider_message>>(executor, provider_mailbox_capacity)),
      workers_(settings.workers) {}

local_provider_actor::~local_provider_actor() {
  for (auto& [id, flag] : cancel_flags_) flag->store(true);
  workers_.join();
}

net::awaitable<void> local_provider_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    if (auto* request = std::get_if<run_job>(&message)) {
      start(*request);
    } else if (auto* cancel = std::get_if<cancel_run>(&message)) {
      if (auto found = cancel_flags_.find(cancel->job_id); found != cancel_flags_.end()) found->second->store(true);
    } else {
      cancel_flags_.erase(std::get<run_done>(message).job_id);
    }
  }
}

void local_provider_actor::close() {
  mailbox_->close();
  for (auto& [id, flag] : cancel_flags_) flag->store(true);
}

void local_provider_actor::start(run_job& request) {
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  cancel_flags_[request.job_id] = cancel;
  net::post(workers_, [request = std::move(request), cancel, settings = settings_, executor = executor_,
                       self = ref()]() mutable {
    auto outcome = simulate_job(request, settings, *cancel);
    // Back to the I/O thread, where the mailboxes live.
    net::post(executor, [job = std::move(request.job), id = std::move(request.job_id), self,
                         outcome = std::move(outcome)]() mutable {
      job.post(std::move(outcome));
      self.post(run_done{std::move(id)});
    });
  });
}

}  // namespace qjob::actors
