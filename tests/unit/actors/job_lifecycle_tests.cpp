#include "job_supervisor_actor.hpp"
#include "queued_runs.hpp"

#include "formats/job_input.hpp"
#include "hub_actor.hpp"
#include "local/simulator.hpp"
#include "local_provider_actor.hpp"
#include "runtime/promise.hpp"
#include "runtime/supervisor.hpp"
#include "scheduler_actor.hpp"
#include "storage_actor.hpp"
#include "storage_fixture.hpp"
#include "storage_thread.hpp"
#include "support/coroutine_runner.hpp"
#include "temp_state_dir.hpp"
#include "test_log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace qa = qjob::actors;
namespace qs = qjob::storage;
using qjob::actors::test::captured_log;
using qjob::actors::test::make_job;
using qjob::actors::test::storage_thread;
using qjob::test::run_coroutine;
using namespace std::chrono_literals;

namespace {

/// The rows of one insert, built outside any co_await expression (see mailbox.hpp
/// on g++ 12 and temporaries there).
template <class... Rows>
std::vector<qs::job_row> rows(Rows&&... jobs) {
  std::vector<qs::job_row> out;
  (out.push_back(std::forward<Rows>(jobs)), ...);
  return out;
}

/// A job that runs for minutes in any build yet stops within one shot of a
/// cancel: a mid-circuit measurement makes the simulator replay the circuit per
/// shot, and it looks at the cancel flag before each.
qs::job_row make_long_job(const std::string& id) {
  auto row = make_job(id);
  row.input_format = "qasm2";
  const std::string program =
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[16];\ncreg c[16];\n"
      "h q;\nmeasure q[0] -> c[0];\nh q;\nrz(0.25) q;\nh q;\nmeasure q -> c;\n";
  row.input = boost::json::serialize(boost::json::value(program));
  row.shots = 10'000'000;
  row.fingerprint = "fp-long-" + id;
  return row;
}

std::vector<qs::job_status> statuses(const std::vector<qs::transition_row>& history) {
  std::vector<qs::job_status> out;
  for (const auto& entry : history) out.push_back(entry.status);
  return out;
}

using qs::job_status;
using status_list = std::vector<job_status>;

/// The actors of qjobd wired as daemon/daemon.cpp wires them: storage on its own
/// thread, the rest on the test's executor, all under one supervisor; the local
/// provider with one worker and capacity 1, so jobs run one at a time.
class daemon_fixture {
public:
  explicit daemon_fixture(net::any_io_executor executor)
      : executor_(executor), tasks_(executor, log_.logger(), [this] { failed_ = true; }),
        scheduler_(executor, {{"local", 1}}), hub_(executor) {
    storage_.emplace(thread_.executor(), qs::job_store::open(dir_.path()));
    provider_ = std::make_unique<qa::local_provider_actor>(executor, qa::local_provider_settings{1, 2, 26});
    qa::job_services services;
    services.storage = storage_->ref();
    services.scheduler = scheduler_.ref();
    services.hub = hub_.ref();
    services.log = log_.logger();
    services.providers.emplace("local", provider_->ref());
    jobs_ = std::make_unique<qa::job_supervisor_actor>(executor, tasks_, std::move(services));
    scheduler_.admit_to(jobs_->ref());

    tasks_.spawn_elsewhere("storage", storage_->run(), qa::on_failure::stop_daemon, thread_.executor());
    tasks_.spawn("scheduler", scheduler_.run(), qa::on_failure::stop_daemon);
    tasks_.spawn("hub", hub_.run(), qa::on_failure::stop_daemon);
    tasks_.spawn("provider local", provider_->run(), qa::on_failure::stop_daemon);
    tasks_.spawn("job supervisor", jobs_->run(), qa::on_failure::stop_daemon);
  }

  daemon_fixture(const daemon_fixture&) = delete;
  daemon_fixture& operator=(const daemon_fixture&) = delete;

  /// A test that failed midway still stops the storage thread before its actor goes.
  ~daemon_fixture() {
    jobs_->close();
    scheduler_.close();
    provider_->close();
    hub_.close();
    if (storage_) storage_->close();
    thread_.join();
  }

  /// Stores `rows`, registers for their end with the hub, then queues them, as the
  /// API does for a submission. Returns a future per job, in order.
  net::awaitable<std::vector<qa::future<job_status>>> submit(std::vector<qs::job_row> rows) {
    auto [reply, answer] = qa::make_promise<qa::insert_reply>(executor_);
    qa::insert_jobs insert{std::move(rows), std::move(reply)};
    const bool stored_sent = co_await storage_->ref().send(std::move(insert));
    BOOST_REQUIRE(stored_sent);
    auto stored = co_await answer.get();
    BOOST_REQUIRE(stored.has_value());
    BOOST_REQUIRE(stored->ack.ok());
    std::vector<qa::future<job_status>> finals;
    for (const auto& row : stored->rows) {
      auto [watch_reply, final_status] = qa::make_promise<job_status>(executor_);
      qa::watch_final watch{row.id, std::move(watch_reply)};
      const bool watching = co_await hub_.ref().send(std::move(watch));
      BOOST_REQUIRE(watching);
      finals.push_back(std::move(final_status));
    }
    qa::queued_runs queued;
    for (const auto& row : stored->rows) {
      seq_of_[row.id] = row.seq;
      queued.add(row);
    }
    qa::queue_jobs queue{queued.take()};
    const bool sent = co_await jobs_->ref().send(std::move(queue));
    BOOST_REQUIRE(sent);
    co_return finals;
  }

  net::awaitable<qa::cancel_reply> cancel(std::string id) {
    auto [reply, answer] = qa::make_promise<qa::cancel_reply>(executor_);
    qa::cancel_job request{seq_of_.at(id), std::move(reply)};
    const bool sent = co_await jobs_->ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto outcome = co_await answer.get_for(5s);
    BOOST_REQUIRE(outcome.has_value());
    co_return std::move(*outcome);
  }

  net::awaitable<qa::job_view> get(std::string id) {
    auto [reply, answer] = qa::make_promise<qa::job_view>(executor_);
    qa::get_job request{std::move(id), false, true, std::move(reply)};
    const bool sent = co_await storage_->ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto view = co_await answer.get();
    BOOST_REQUIRE(view.has_value());
    BOOST_REQUIRE(view->job.has_value());
    co_return std::move(*view);
  }

  net::awaitable<std::optional<std::string>> result(std::string id) {
    auto [reply, answer] = qa::make_promise<std::optional<std::string>>(executor_);
    qa::read_result request{std::move(id), std::move(reply)};
    const bool sent = co_await storage_->ref().send(std::move(request));
    BOOST_REQUIRE(sent);
    auto document = co_await answer.get();
    BOOST_REQUIRE(document.has_value());
    co_return std::move(*document);
  }

  /// Waits until the store shows `id` in `status` (the job actor has committed it).
  net::awaitable<void> wait_for_status(std::string id, job_status status) {
    const auto until = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      auto view = co_await get(id);
      if (view.job->run.status == status) co_return;
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until,
                            "job " << id << " never reached " << qs::to_string(status));
      net::steady_timer poll(executor_, 2ms);
      co_await poll.async_wait(net::use_awaitable);
    }
  }

  /// The daemon's drain: job actors first (each stops where it is), then the
  /// scheduler, the provider and the hub, cancellation, and the storage last,
  /// which serves what is buffered before run() returns.
  net::awaitable<void> drain() {
    jobs_->close();
    // Where the daemon grants a grace period, wait for the job actors themselves:
    // the four actors below are then the only tasks left.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (tasks_.running() > 4) {
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, "job actors did not stop after close");
      net::steady_timer poll(executor_, 1ms);
      co_await poll.async_wait(net::use_awaitable);
    }
    scheduler_.close();
    provider_->close();
    hub_.close();
    tasks_.emit(net::cancellation_type::total);
    storage_->close();
    co_await tasks_.wait_all();
    BOOST_TEST(!failed_, log_.text());
  }

  /// Ends the storage actor (after drain()) so the test can reopen its directory.
  void release_store() { storage_.reset(); }
  const qjob::storage::test::temp_state_dir& dir() const noexcept { return dir_; }
  const captured_log& log() const noexcept { return log_; }

private:
  net::any_io_executor executor_;
  qjob::storage::test::temp_state_dir dir_;
  captured_log log_;
  bool failed_ = false;
  storage_thread thread_;
  qa::supervisor tasks_;  // declared before the actors its tasks use
  std::optional<qa::storage_actor> storage_;
  std::map<std::string, std::int64_t> seq_of_;  // of the jobs submitted
  qa::scheduler_actor scheduler_;
  qa::hub_actor hub_;
  std::unique_ptr<qa::local_provider_actor> provider_;
  std::unique_ptr<qa::job_supervisor_actor> jobs_;
};

/// The counts of each circuit of a stored results document.
std::vector<std::map<std::string, std::uint64_t>> counts_of(const std::string& document) {
  std::vector<std::map<std::string, std::uint64_t>> out;
  const auto parsed = boost::json::parse(document);
  for (const auto& entry : parsed.at("results").as_array()) {
    auto& counts = out.emplace_back();
    for (const auto& [bits, n] : entry.at("counts").as_object()) counts[std::string(bits)] = n.to_number<std::uint64_t>();
  }
  return out;
}

/// What the simulator gives for the job on its own: the counts it must have stored.
std::map<std::string, std::uint64_t> expected_counts(const qs::job_row& job, std::uint64_t seed) {
  auto parsed = qjob::formats::parse_job_input(job.input_format, boost::json::parse(job.input), {});
  BOOST_REQUIRE(parsed.input.has_value());
  qjob::local::run_options options;
  options.shots = static_cast<std::uint64_t>(job.shots);
  options.seed = seed;
  auto run = qjob::local::simulate(parsed.input->circuits, options);
  BOOST_REQUIRE(run.results.size() == 1u);
  std::map<std::string, std::uint64_t> counts(run.results[0].counts.begin(), run.results[0].counts.end());
  return counts;
}

net::awaitable<void> bell_job_body() {
  daemon_fixture d(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  batch = rows(make_job("bell"));
  auto finals = co_await d.submit(std::move(batch));
  auto final_status = co_await finals[0].get_for(5s);
  BOOST_REQUIRE(final_status.has_value());
  BOOST_TEST((*final_status == job_status::succeeded));

  auto view = co_await d.get("bell");
  BOOST_TEST((statuses(view.history) == status_list{job_status::waiting, job_status::executing,
                                                    job_status::succeeded}));
  BOOST_TEST(view.job->run.attempts == 1);
  BOOST_TEST(view.job->run.started_at > 0);
  BOOST_TEST(view.job->run.finished_at >= view.job->run.started_at);
  BOOST_TEST(!view.job->run.error.has_value());
  BOOST_TEST(view.job->run.output_uri.starts_with("file://"));
  auto document = co_await d.result("bell");
  BOOST_REQUIRE(document.has_value());
  auto counts = counts_of(*document);
  BOOST_REQUIRE(counts.size() == 1u);
  BOOST_TEST(counts[0].size() == 2u);
  BOOST_TEST(counts[0]["00"] + counts[0]["11"] == 1000u);
  BOOST_TEST((counts[0] == expected_counts(make_job("bell"), 42)));
  co_await d.drain();
}

net::awaitable<void> cancel_waiting_body() {
  daemon_fixture d(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  batch = rows(make_long_job("long"));
  auto long_final = co_await d.submit(std::move(batch));
  batch = rows(make_job("behind"));
  auto waiting_final = co_await d.submit(std::move(batch));
  co_await d.wait_for_status("long", job_status::executing);

  auto reply = co_await d.cancel("behind");
  BOOST_TEST((reply.outcome == qa::cancel_outcome::accepted));
  auto final_status = co_await waiting_final[0].get_for(5s);
  BOOST_REQUIRE(final_status.has_value());
  BOOST_TEST((*final_status == job_status::cancelled));
  auto view = co_await d.get("behind");
  BOOST_TEST((statuses(view.history) == status_list{job_status::waiting, job_status::cancelled}));
  BOOST_TEST(view.job->run.attempts == 0);
  BOOST_TEST(view.job->run.started_at == 0);
  BOOST_TEST(view.job->run.cancel_requested);
  auto long_view = co_await d.get("long");
  BOOST_TEST((long_view.job->run.status == job_status::executing));

  auto again = co_await d.cancel("behind");
  BOOST_TEST((again.outcome == qa::cancel_outcome::already_final));
  co_await d.drain();
}

net::awaitable<void> cancel_executing_body() {
  daemon_fixture d(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  batch = rows(make_long_job("long"));
  auto long_final = co_await d.submit(std::move(batch));
  co_await d.wait_for_status("long", job_status::executing);
  const auto asked = std::chrono::steady_clock::now();
  auto reply = co_await d.cancel("long");
  BOOST_TEST((reply.outcome == qa::cancel_outcome::accepted));
  auto final_status = co_await long_final[0].get_for(5s);
  BOOST_REQUIRE(final_status.has_value());
  BOOST_TEST((*final_status == job_status::cancelled));
  BOOST_TEST_MESSAGE("cancel took " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - asked).count() << " ms");
  auto view = co_await d.get("long");
  BOOST_TEST((statuses(view.history) == status_list{job_status::waiting, job_status::executing,
                                                    job_status::cancelled}));
  BOOST_TEST(view.job->run.cancel_requested);
  BOOST_TEST(view.job->run.output_uri.empty());

  // Its slot was given back: the next job runs.
  batch = rows(make_job("next"));
  auto next_final = co_await d.submit(std::move(batch));
  auto next_status = co_await next_final[0].get_for(5s);
  BOOST_TEST((next_status.value_or(job_status::waiting) == job_status::succeeded));
  co_await d.drain();
}

net::awaitable<void> invalid_input_body() {
  daemon_fixture d(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  auto bad = make_job("bad");
  bad.input = R"({"qubits":2,"circuit":[{"gate":"warp","target":0}]})";
  batch = rows(std::move(bad));
  auto finals = co_await d.submit(std::move(batch));
  auto final_status = co_await finals[0].get_for(5s);
  BOOST_REQUIRE(final_status.has_value());
  BOOST_TEST((*final_status == job_status::failed));
  auto view = co_await d.get("bad");
  BOOST_REQUIRE(view.job->run.error.has_value());
  BOOST_TEST(view.job->run.error->code == "invalid_input");
  BOOST_TEST(!view.job->run.error->message.empty());
  BOOST_TEST((statuses(view.history) == status_list{job_status::waiting, job_status::executing,
                                                    job_status::failed}));
  co_await d.drain();
}

/// Input that is not JSON at all (the store does not check it): failed with a
/// message that says so.
net::awaitable<void> input_not_json_body() {
  daemon_fixture d(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  auto bad = make_job("garbled");
  bad.input = "{\"qubits\": 2, \"circuit\": [";
  batch = rows(std::move(bad));
  auto finals = co_await d.submit(std::move(batch));
  auto final_status = co_await finals[0].get_for(5s);
  BOOST_TEST((final_status.value_or(job_status::waiting) == job_status::failed));
  auto view = co_await d.get("garbled");
  BOOST_REQUIRE(view.job->run.error.has_value());
  BOOST_TEST(view.job->run.error->code == "invalid_input");
  BOOST_TEST(view.job->run.error->message.find("not valid JSON") != std::string::npos, view.job->run.error->message);
  co_await d.drain();
}

net::awaitable<void> drain_body() {
  auto executor = co_await net::this_coro::executor;
  std::optional<daemon_fixture> d(std::in_place, executor);
  std::vector<qs::job_row> batch;
  batch = rows(make_long_job("long"), make_job("behind"));
  auto finals = co_await d->submit(std::move(batch));
  co_await d->wait_for_status("long", job_status::executing);
  co_await d->drain();
  d->release_store();

  // As the next start would see it: both still to do, in submission order.
  auto store = qs::job_store::open(d->dir().path());
  auto unfinished = store.load_unfinished();
  BOOST_REQUIRE(unfinished.size() == 2u);
  BOOST_TEST(unfinished[0].id == "long");
  BOOST_TEST((unfinished[0].run.status == job_status::executing));
  BOOST_TEST(unfinished[1].id == "behind");
  BOOST_TEST((unfinished[1].run.status == job_status::waiting));
  BOOST_TEST(store.history("long").size() == 2u);
  BOOST_TEST(store.history("behind").size() == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(job_lifecycle_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(bell_job_goes_from_waiting_to_succeeded_with_its_counts_stored) { run_coroutine(bell_job_body()); }

BOOST_AUTO_TEST_CASE(cancelled_while_waiting_behind_a_long_job_it_never_executes) {
  run_coroutine(cancel_waiting_body());
}

BOOST_AUTO_TEST_CASE(cancelled_while_executing_it_ends_cancelled_and_frees_its_slot) {
  run_coroutine(cancel_executing_body());
}

BOOST_AUTO_TEST_CASE(invalid_stored_input_fails_the_job_with_invalid_input) { run_coroutine(invalid_input_body()); }

BOOST_AUTO_TEST_CASE(input_that_is_not_json_fails_the_job_with_invalid_input) {
  run_coroutine(input_not_json_body());
}

BOOST_AUTO_TEST_CASE(drain_leaves_unfinished_jobs_unfinished_in_the_store) { run_coroutine(drain_body()); }

BOOST_AUTO_TEST_SUITE_END()
