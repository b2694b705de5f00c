// Durability of the real qjobd: SIGKILL with a thousand accepted jobs, some
// waiting and some executing, and SIGTERM's drain; after a restart on the same
// state directory every accepted job is there, ends exactly once, and has the
// right result.

#include "e2e_jobs.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

// Each job measures its own index in this many bits, so a result shows which job
// it belongs to; the padding makes a run take a few milliseconds.
constexpr int job_qubits = 14;
constexpr int job_padding = 4;
constexpr int job_shots = 4;

std::string job_id(int index) { return "job-" + std::to_string(index); }

json::object indexed_job(int index) {
  return job_of(value_input(static_cast<std::uint64_t>(index), job_qubits, job_padding),
                {{"id", job_id(index)}, {"shots", job_shots}, {"tags", json::array{"durability"}}});
}

/// The counts job `index` must have: every shot on its index.
json::value expected_counts(int index) {
  return json::object{{bits_of(static_cast<std::uint64_t>(index), job_qubits), job_shots}};
}

/// Every job the daemon lists (all pages), by id; fails on an id listed twice.
std::map<std::string, json::object> all_jobs(const daemon_process& daemon, const std::string& query = "") {
  std::map<std::string, json::object> jobs;
  std::string cursor;
  for (;;) {
    auto answer = daemon.get("/v1/jobs?limit=1000" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
    const auto page = answer.json().as_object();
    for (const auto& job : page.at("jobs").as_array()) {
      const auto id = text(job.as_object(), "id");
      BOOST_TEST(!jobs.contains(id), "job " << id << " is listed twice");
      jobs[id] = job.as_object();
    }
    if (!page.contains("next_cursor")) return jobs;
    cursor = text(page, "next_cursor");
  }
}

/// How many jobs have `status`, counting no further than `limit` (cheap to poll).
std::size_t count_with_status(const daemon_process& daemon, const std::string& status, int limit = 1000) {
  auto answer = daemon.get("/v1/jobs?status=" + status + "&limit=" + std::to_string(limit));
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  return answer.json().at("jobs").as_array().size();
}

/// Waits until none of the daemon's jobs is waiting or executing.
void wait_all_final(const daemon_process& daemon) {
  eventually([&] { return count_with_status(daemon, "waiting", 1) + count_with_status(daemon, "executing", 1) == 0; },
             "every job is final", std::chrono::seconds(240));
}

/// Submits jobs 0..count-1 as one batch and waits until `succeeded` of them have succeeded.
void submit_indexed_batch_until_some_succeed(const daemon_process& daemon, int count, std::size_t succeeded) {
  json::array jobs;
  for (int index = 0; index < count; ++index) jobs.push_back(indexed_job(index));
  auto answer = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  const auto limit = static_cast<int>(succeeded);
  eventually([&] { return count_with_status(daemon, "succeeded", limit) == succeeded; },
             std::to_string(succeeded) + " jobs have succeeded");
}

/// Checks job `index` after the restart: it succeeded, its history holds exactly
/// one final transition, and its counts are its own.
void check_ended_once_with_its_result(const daemon_process& daemon, int index) {
  const auto id = job_id(index);
  BOOST_TEST_CONTEXT("job " << id) {
    const auto job = get_job(daemon, id, "?history=1");
    BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
    int finals = 0;
    for (const auto& step : job.at("history").as_array()) finals += is_final_status(text(step.as_object(), "status"));
    BOOST_TEST(finals == 1, "one final transition: " << json::serialize(job.at("history")));
    auto result = daemon.get("/v1/jobs/" + id + "/result");
    BOOST_TEST_REQUIRE(result.status == 200u, result.body);
    BOOST_TEST(result.json().at("results").at(0).at("counts") == expected_counts(index), result.body);
  }
}

/// After a restart, once every job is final: every `accepted` job (answered 201)
/// is there, every job there was submitted (accepted, or sent without an
/// answer), and each ended once with its own result.
void check_after_restart(const daemon_process& daemon, const std::set<int>& accepted,
                         const std::set<int>& unanswered) {
  wait_all_final(daemon);
  const auto jobs = all_jobs(daemon);
  for (int index : accepted) BOOST_TEST(jobs.contains(job_id(index)), "accepted job " << job_id(index) << " is there");
  for (const auto& [id, job] : jobs) {
    const int index = std::stoi(id.substr(4));
    BOOST_TEST((accepted.contains(index) || unanswered.contains(index)), "job " << id << " was submitted");
    check_ended_once_with_its_result(daemon, index);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(restart_tests)

BOOST_AUTO_TEST_CASE(no_accepted_job_is_lost_or_run_twice_after_sigkill_with_a_thousand_jobs) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  constexpr int batched = 900;
  constexpr int batch_size = 100;
  constexpr int singles = 100;

  // Singles go one by one from a second thread while the batches go in and the
  // worker runs, and go on until the kill, so that it finds a submission in flight.
  std::mutex accepted_mutex;
  std::set<int> accepted;   // answered 201
  std::set<int> unanswered;  // sent, no answer: may or may not exist
  std::atomic<bool> stop_singles{false};
  std::atomic<int> singles_accepted{0};
  std::thread single_submitter([&] {
    for (int index = batched; index < batched + 3 * singles && !stop_singles; ++index) {
      try {
        auto answer = daemon.post_json("/v1/jobs", indexed_job(index));
        std::lock_guard lock(accepted_mutex);
        if (answer.status == 201) {
          accepted.insert(index);
          ++singles_accepted;
        } else if (answer.status != 503) {
          unanswered.insert(index);  // an odd answer is checked below like a lost one
        }
      } catch (const std::exception&) {
        std::lock_guard lock(accepted_mutex);
        unanswered.insert(index);
        break;  // the daemon is gone
      }
    }
  });

  for (int first = 0; first < batched; first += batch_size) {
    json::array jobs;
    for (int index = first; index < first + batch_size; ++index) jobs.push_back(indexed_job(index));
    auto answer = daemon.post_json("/v1/batches", jobs);
    BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
    std::lock_guard lock(accepted_mutex);
    for (int index = first; index < first + batch_size; ++index) accepted.insert(index);
  }

  // Some results exist before the kill: they must come back unchanged.
  std::map<std::string, std::string> results_before;
  eventually([&] { return count_with_status(daemon, "succeeded", 20) == 20; }, "20 jobs have succeeded");
  for (const auto& [id, job] : all_jobs(daemon, "&status=succeeded")) {
    auto result = daemon.get("/v1/jobs/" + id + "/result");
    BOOST_TEST_REQUIRE(result.status == 200u, result.body);
    results_before[id] = result.body;
  }
  const auto waiting = count_with_status(daemon, "waiting");
  BOOST_TEST_MESSAGE("before the kill: " << waiting << " waiting, " << count_with_status(daemon, "executing")
                                         << " executing");
  BOOST_TEST(waiting > 0u, "jobs are still waiting at the kill");
  eventually([&] { return singles_accepted >= singles; }, "a thousand jobs are accepted");
  daemon.kill();
  stop_singles = true;
  single_submitter.join();
  BOOST_TEST_MESSAGE(accepted.size() << " jobs accepted, " << unanswered.size() << " without an answer");
  BOOST_TEST(accepted.size() >= static_cast<std::size_t>(batched + singles));

  daemon.restart();
  check_after_restart(daemon, accepted, unanswered);
  for (const auto& [id, body] : results_before)
    BOOST_TEST(daemon.get("/v1/jobs/" + id + "/result").body == body, "the result of " << id << " is unchanged");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(sigterm_drains_with_status_0_and_every_job_resumes_after_restart) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  constexpr int count = 200;
  submit_indexed_batch_until_some_succeed(daemon, count, 10);

  BOOST_TEST(daemon.terminate() == 0, "the drain exits 0");
  daemon.restart();
  wait_all_final(daemon);
  const auto after = all_jobs(daemon);
  BOOST_TEST(after.size() == static_cast<std::size_t>(count));
  for (int index = 0; index < count; ++index) check_ended_once_with_its_result(daemon, index);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(sigterm_while_batches_and_jobs_pour_in_keeps_every_job_answered_201) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  // Three clients submit until the daemon stops answering: one sends batches of
  // 50, two send single jobs; each index belongs to one client.
  constexpr int batch_size = 50;
  std::mutex mutex;
  std::set<int> accepted, unanswered;
  std::atomic<int> accepted_count{0};
  std::atomic<int> draining_answers{0};
  const auto submit_until_stopped = [&](int first, int stride, bool batches) {
    for (int index = first;; index += stride) {
      try {
        test::http_answer answer;
        if (batches) {
          json::array jobs;
          for (int i = index; i < index + batch_size; ++i) jobs.push_back(indexed_job(i));
          answer = daemon.post_json("/v1/batches", jobs);
        } else {
          answer = daemon.post_json("/v1/jobs", indexed_job(index));
        }
        std::lock_guard lock(mutex);
        const int count = batches ? batch_size : 1;
        if (answer.status == 201) {
          for (int i = index; i < index + count; ++i) accepted.insert(i);
          accepted_count += count;
          continue;
        }
        if (answer.status == 503) ++draining_answers;
        for (int i = index; i < index + count; ++i) unanswered.insert(i);
        if (answer.status == 503) return;  // draining: no more
      } catch (const std::exception&) {
        std::lock_guard lock(mutex);
        for (int i = index; i < index + (batches ? batch_size : 1); ++i) unanswered.insert(i);
        return;  // the socket is closed
      }
    }
  };
  // Indexes: batches take 150k to 150k + 49, singles 150k + 50 and 150k + 100.
  std::vector<std::thread> clients;
  clients.emplace_back(submit_until_stopped, 0, 150, true);
  clients.emplace_back(submit_until_stopped, 50, 150, false);
  clients.emplace_back(submit_until_stopped, 100, 150, false);
  eventually([&] { return accepted_count >= 400; }, "400 jobs are accepted");
  BOOST_TEST(daemon.terminate() == 0, "the drain exits 0");
  for (auto& client : clients) client.join();
  BOOST_TEST_MESSAGE(accepted.size() << " jobs accepted, " << unanswered.size() << " refused or unanswered, "
                                     << draining_answers << " answers 503");

  daemon.restart();
  check_after_restart(daemon, accepted, unanswered);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_batch_interrupted_by_a_kill_goes_on_in_submission_order) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  constexpr int count = 40;
  submit_indexed_batch_until_some_succeed(daemon, count, 5);
  daemon.kill();
  daemon.restart();
  wait_all_final(daemon);
  // One owner, one batch, one priority, one worker: jobs start in submission
  // order, before the kill and after it.
  std::vector<std::pair<std::string, int>> started;
  for (const auto& [id, job] : all_jobs(daemon)) started.emplace_back(text(job, "started_at"), std::stoi(id.substr(4)));
  std::sort(started.begin(), started.end());
  BOOST_TEST_REQUIRE(started.size() == static_cast<std::size_t>(count));
  for (int position = 0; position < count; ++position)
    BOOST_TEST(started[static_cast<std::size_t>(position)].second == position, "job started " << position + 1 << "th");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_job_cancelled_before_a_kill_stays_cancelled) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto running = text(submit(daemon, job_of(endless_input())), "id");
  const auto waiting = text(submit(daemon, job_of(bell_input())), "id");
  wait_status(daemon, running, "executing");
  BOOST_TEST(daemon.post("/v1/jobs/" + waiting + "/cancel", "").status == 202u);
  daemon.kill();
  daemon.restart();
  BOOST_TEST(text(get_job(daemon, waiting), "status") == "cancelled");
  // The endless job was executing: it runs again after the restart until cancelled.
  wait_status(daemon, running, "executing");
  BOOST_TEST(daemon.post("/v1/jobs/" + running + "/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, running), "status") == "cancelled");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
