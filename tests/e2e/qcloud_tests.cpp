// The real qjobd against the fake Origin QCloud over loopback: jobs run on the
// simulator and the chip and come back with the right results through QCloud's
// own states, what QCloud cannot run is refused at submission, a cancel is
// honoured while the job waits here and refused (409) once QCloud has it, the
// chip's failures and a refused key are surfaced, and SIGKILL mid-batch with
// faults loses no job and never sends one twice (QCloud cannot look a job up,
// so a submission whose answer was lost fails the job instead).

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "support/child_process.hpp"
#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// A daemon configuration with `local` and `qcloud` at the fake, with fast polls
/// and retries. `provider_keys` are appended to the qcloud entry.
std::string qcloud_config(const fake_qcloud_thread& fake, const key_file& key, const std::string& provider_keys = "") {
  return "poll_initial_ms = 30\npoll_max_ms = 300\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n"
         "[[providers]]\nname = \"qcloud\"\ntype = \"qcloud\"\nbase_url = \"" +
         fake.base_url() + "\"\napi_key_file = \"" + key.path().string() +
         "\"\nrequests_per_second = 1000.0\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\n"
         "backoff_max_ms = 200\nretry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n" +
         provider_keys;
}

json::object qcloud_job(json::value input, json::object fields = {}) {
  fields["provider"] = "qcloud";
  return job_of(std::move(input), std::move(fields));
}

/// How many tasks the fake created for each task name (our job id).
std::map<std::string, std::size_t> creates(fake_qcloud_thread& fake) {
  return fake.call([](fakes::fake_qcloud& f) { return f.creates_by_task_name(); });
}

/// The provider's words on the job's way, in order.
std::vector<std::string> provider_words(const daemon_process& daemon, const std::string& id) {
  std::vector<std::string> words;
  const auto job = get_job(daemon, id, "?history=1");
  for (const auto& step : job.at("history").as_array())
    words.push_back(text(step.as_object(), "provider_status"));
  return words;
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qcloud_tests)

BOOST_AUTO_TEST_CASE(jobs_run_on_the_simulator_and_the_chip_and_come_back_with_their_results) {
  fake_qcloud_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key)});

  const auto provider = provider_of(daemon, "qcloud");
  BOOST_TEST(text(provider, "type") == "qcloud");
  BOOST_TEST(text(provider.at("health").as_object(), "status") == "healthy");
  std::vector<std::string> targets;
  for (const auto& target : provider.at("targets").as_array()) {
    targets.push_back(text(target.as_object(), "name"));
    BOOST_TEST(target.at("cancel_while_executing") == false, "QCloud has no cancel");
  }
  BOOST_TEST((targets == std::vector<std::string>{"origin_simulation", "origin_wukong"}));

  constexpr int qubits = 4;
  constexpr int shots = 40;
  const std::vector<std::uint64_t> values{0, 5, 9, 15};
  std::vector<std::string> valued;
  for (auto value : values)
    valued.push_back(text(submit(daemon, qcloud_job(value_input(value, qubits), {{"shots", shots}})), "id"));
  const auto bell = text(submit(daemon, qcloud_job(json::string(bell_qasm),
                                                    {{"shots", shots}, {"target", "origin_wukong"}})),
                         "id");

  for (std::size_t i = 0; i < valued.size(); ++i) {
    BOOST_TEST_CONTEXT("job " << valued[i]) {
      const auto job = wait_final(daemon, valued[i]);
      BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
      BOOST_TEST(text(job, "provider_status") == "FINISHED");
      BOOST_TEST(text(job, "provider_job_id").size() == 32u, "QCloud's task ids are 32 hex digits");
      const auto result = result_of(daemon, valued[i]);
      const auto& first = result.at("results").at(0).as_object();
      BOOST_TEST(first.at("counts") == (json::object{{bits_of(values[i], qubits), shots}}), json::serialize(result));
      BOOST_TEST(text(first, "counts_source") == "sampled");
    }
  }
  const auto simulated = provider_words(daemon, valued[0]);
  for (const char* word : {"submitting", "WAITING", "COMPUTING", "FINISHED"})
    BOOST_TEST(contains(simulated, word), "the simulator's history has " << word);

  const auto on_chip = wait_final(daemon, bell);
  BOOST_TEST(text(on_chip, "status") == "succeeded", json::serialize(on_chip));
  const auto result = result_of(daemon, bell);
  BOOST_TEST(result.at("results").at(0).at("probabilities") == (json::object{{"00", 0.5}, {"11", 0.5}}));
  std::int64_t total = 0;
  for (const auto& [bits, count] : result.at("results").at(0).at("counts").as_object()) {
    BOOST_TEST((bits == "00" || bits == "11"), "Bell outcome " << std::string(bits));
    total += count.as_int64();
  }
  BOOST_TEST(total == shots);
  const auto chip = provider_words(daemon, bell);
  for (const char* word : {"QUEUING", "SENT_TO_BUILD_SYSTEM", "BUILD_SYSTEM_RUN", "FINISHED"})
    BOOST_TEST(contains(chip, word), "the chip's history has " << word);

  const auto created = creates(fake);
  BOOST_TEST(created.size() == valued.size() + 1);
  for (const auto& [id, count] : created) BOOST_TEST(count == 1u, "job " << id << " created " << count << " times");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(what_qcloud_cannot_run_is_refused_at_submission_naming_it) {
  fake_qcloud_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key)});

  auto several = daemon.post_json("/v1/jobs", qcloud_job(json::array{bell_input(), bell_input()}));
  BOOST_TEST(several.status == 400u, several.body);
  BOOST_TEST(several.body.find("one circuit per job") != std::string::npos, several.body);

  auto conditional = daemon.post_json(
      "/v1/jobs", qcloud_job(json::string("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\n"
                                          "measure q[0] -> c[0];\nif (c == 1) x q[0];\n")));
  BOOST_TEST(conditional.status == 400u, conditional.body);
  BOOST_TEST(conditional.body.find("invalid_input") != std::string::npos, conditional.body);

  auto unknown = daemon.post_json("/v1/jobs", qcloud_job(bell_input(), {{"target", "origin_72"}}));
  BOOST_TEST(unknown.status == 422u, unknown.body);
  BOOST_TEST(unknown.body.find("origin_72") != std::string::npos, unknown.body);

  BOOST_TEST(fake.call([](fakes::fake_qcloud& f) { return f.task_count(); }) == 0u, "QCloud heard of none");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_cancel_is_honoured_while_the_job_waits_here_and_refused_once_qcloud_has_it) {
  fakes::fake_qcloud_options held;
  held.hold_at = 2;  // COMPUTING until released
  fake_qcloud_thread fake(std::move(held));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key, "max_in_flight = 1\n")});

  const auto computing = text(submit(daemon, qcloud_job(bell_input())), "id");
  eventually([&] { return text(get_job(daemon, computing), "provider_status") == "COMPUTING"; },
             "the first job computes at QCloud");
  const auto queued = text(submit(daemon, qcloud_job(bell_input())), "id");
  BOOST_TEST(get_job(daemon, queued).at("queue_position") == 1);

  auto here = daemon.post("/v1/jobs/" + queued + "/cancel", "");
  BOOST_TEST(here.status == 202u, here.body);
  BOOST_TEST(text(get_job(daemon, queued), "status") == "cancelled");

  auto there = daemon.post("/v1/jobs/" + computing + "/cancel", "");
  BOOST_TEST(there.status == 409u, there.body);
  BOOST_TEST(there.body.find("not_cancellable") != std::string::npos, there.body);
  BOOST_TEST(there.body.find("cannot cancel") != std::string::npos, there.body);
  BOOST_TEST(text(get_job(daemon, computing), "status") == "executing");

  fake.call([](fakes::fake_qcloud& f) {
    f.release_held();
    return 0;
  });
  BOOST_TEST(text(wait_final(daemon, computing), "status") == "succeeded", "the job ran to its end");
  const auto created = creates(fake);
  BOOST_TEST(!created.contains(queued));
  BOOST_TEST(created.at(computing) == 1u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(qjobctl_result_blocks_until_the_job_ends_and_status_and_query_show_qclouds_word) {
  fakes::fake_qcloud_options held;
  held.hold_at = 2;  // COMPUTING until released
  fake_qcloud_thread fake(std::move(held));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key)});
  const auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daemon.socket().string()});
    return test::run_qjobctl(args, {{"QJOBD_SOCKET", std::nullopt}});
  };

  const auto id = text(submit(daemon, qcloud_job(bell_input(), {{"shots", 64}})), "id");
  eventually([&] { return text(get_job(daemon, id), "provider_status") == "COMPUTING"; }, "the job computes");
  const auto task = text(get_job(daemon, id), "provider_job_id");

  // query: QCloud's task id and its own word, then its words in order.
  const auto query = ctl({"query", id});
  BOOST_TEST(query.exit_code == 0, query.err);
  BOOST_TEST(query.out.find(task) != std::string::npos, query.out);
  BOOST_TEST(query.out.find("COMPUTING") != std::string::npos, query.out);
  BOOST_TEST(query.out.find("WAITING") != std::string::npos, "the history shows the earlier word: " << query.out);
  const auto query_json = ctl({"query", id, "--json"});
  BOOST_TEST_REQUIRE(query_json.exit_code == 0, query_json.err);
  const auto view = json::parse(query_json.out).as_object();
  BOOST_TEST(text(view, "provider_status") == "COMPUTING");
  BOOST_TEST(text(view, "provider_job_id") == task);
  BOOST_TEST(view.at("history").as_array().size() >= 2u);

  // result: blocks while QCloud computes, like QCloudJob.result(), and prints the
  // outcomes once the job is done.
  auto waiting = std::async(std::launch::async, [&] { return ctl({"result", id}); });
  BOOST_TEST((waiting.wait_for(700ms) == std::future_status::timeout), "result waits for the job");
  fake.call([](fakes::fake_qcloud& f) {
    f.release_held();
    return 0;
  });
  const auto result = waiting.get();
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.find("00") != std::string::npos, result.out);
  BOOST_TEST(result.out.find("11") != std::string::npos, result.out);

  const auto status = ctl({"status", id});
  BOOST_TEST(status.exit_code == 0, status.err);
  BOOST_TEST(status.out.find("succeeded") != std::string::npos, status.out);
  BOOST_TEST(status.out.find("FINISHED") != std::string::npos, status.out);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(the_chips_failures_and_a_refused_key_are_surfaced) {
  fakes::fake_qcloud_options strict;
  strict.max_chip_operations = 3;
  fake_qcloud_thread fake(std::move(strict));
  key_file key("not-the-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key)});

  // Our key refused: the provider is unhealthy and the job waits, without error.
  const auto waiting = text(submit(daemon, qcloud_job(bell_input())), "id");
  eventually([&] { return text(health_of(daemon, "qcloud"), "status") == "unhealthy"; }, "qcloud is unhealthy");
  BOOST_TEST(text(health_of(daemon, "qcloud"), "message").find("not-the-key") == std::string::npos);
  const auto job = get_job(daemon, waiting);
  BOOST_TEST(text(job, "status") == "waiting", json::serialize(job));
  BOOST_TEST(job.at("error").is_null());

  // The key fixed and reloaded (SIGHUP; a restart while a refused submission is
  // on its way would leave it unconfirmed, which QCloud cannot look up): the
  // waiting job runs, and a circuit too long for the chip fails with QCloud's
  // state and message.
  std::ofstream(key.path()) << "test-key\n";
  daemon.reload(qcloud_config(fake, key));
  BOOST_TEST(text(wait_final(daemon, waiting), "status") == "succeeded");
  const auto long_one = text(submit(daemon, qcloud_job(ghz_input(4), {{"target", "origin_wukong"}})), "id");
  const auto failed = wait_final(daemon, long_one);
  BOOST_TEST(text(failed, "status") == "failed", json::serialize(failed));
  BOOST_TEST(text(failed.at("error").as_object(), "code") == "SEQUENCE_TOO_LONG", json::serialize(failed));
  BOOST_TEST(text(failed.at("error").as_object(), "message").find("too long") != std::string::npos);
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(daemon.log().find("test-key") == std::string::npos, "the key is not in the log");
}

BOOST_AUTO_TEST_CASE(sigkill_mid_batch_against_a_faulty_qcloud_loses_no_job_and_sends_none_twice) {
  // Faults on both calls: answers lost after the task was created, 429 with
  // Retry-After, 5xx, resets, malformed bodies, slow answers.
  fakes::fake_qcloud_options options;
  options.faults = faults(
      "post:accept_reset:path=/oqcs/task/submit:p=0.02,post:429:retry_after=1:p=0.01,"
      "post:500:path=/oqcs/task/getTask:p=0.03,post:reset:path=/oqcs/task/getTask:p=0.03,"
      "post:malformed:path=/oqcs/task/getTask:p=0.03,any:slow:delay_ms=150:p=0.02,seed=5");
  fake_qcloud_thread fake(std::move(options));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = qcloud_config(fake, key, "max_in_flight = 30\n")});

  constexpr int count = 200;
  constexpr int qubits = 6;
  constexpr int shots = 20;
  json::array jobs;
  for (int index = 0; index < count; ++index)
    jobs.push_back(qcloud_job(value_input(static_cast<std::uint64_t>(index % 64), qubits),
                              {{"id", "qcloud-" + std::to_string(index)}, {"shots", shots}}));
  auto accepted = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(accepted.status == 201u, accepted.body);

  kill_at_random_moments(daemon, 4, 600ms);

  std::size_t succeeded = 0;
  std::size_t unconfirmed = 0;
  for (int index = 0; index < count; ++index) {
    const auto id = "qcloud-" + std::to_string(index);
    BOOST_TEST_CONTEXT("job " << id) {
      const auto job = wait_final(daemon, id);
      const auto status = text(job, "status");
      if (status == "succeeded") {
        ++succeeded;
        BOOST_TEST(creates(fake).count(id) == 1u, "a succeeded job was created at QCloud");
        const auto result = result_of(daemon, id);
        BOOST_TEST(result.at("results").at(0).at("counts") ==
                       (json::object{{bits_of(static_cast<std::uint64_t>(index % 64), qubits), shots}}),
                   json::serialize(result));
      } else {
        // Only a submission cut short by a kill or a lost answer may end so.
        BOOST_TEST(status == "failed", json::serialize(job));
        BOOST_TEST(text(job.at("error").as_object(), "code") == "submission_unconfirmed", json::serialize(job));
        ++unconfirmed;
      }
    }
  }
  BOOST_TEST_MESSAGE(succeeded << " succeeded, " << unconfirmed << " failed unconfirmed");
  BOOST_TEST(succeeded > static_cast<std::size_t>(count) / 2);
  const auto after = creates(fake);
  for (const auto& [id, times] : after) BOOST_TEST(times == 1u, "job " << id << " was sent " << times << " times");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
