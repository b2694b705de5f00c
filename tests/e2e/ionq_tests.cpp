// The real qjobd against the fake IonQ v0.4 server over loopback: jobs run at
// "IonQ" and come back with the right results, what IonQ cannot run is refused
// at submission, cancels reach the job wherever it is (queued here, at the
// provider, or on its way there), a refused key leaves jobs waiting, and SIGKILL
// at random moments with faults on every path neither loses a job nor creates
// one twice at the provider.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "fakes/fault_plan.hpp"
#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <variant>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// A daemon configuration with the `local` provider and `ionq` at the fake, with
/// fast polls and retries. `provider_keys` are appended to the ionq entry.
std::string ionq_config(const fake_ionq_thread& fake, const key_file& key, const std::string& provider_keys = "") {
  return "poll_initial_ms = 30\npoll_max_ms = 300\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n"
         "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" +
         fake.base_url() + "\"\napi_key_file = \"" + key.path().string() +
         "\"\nrequests_per_second = 1000.0\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\n"
         "backoff_max_ms = 200\nretry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n" +
         provider_keys;
}

json::object ionq_job(json::value input, json::object fields = {}) {
  fields["provider"] = "ionq";
  return job_of(std::move(input), std::move(fields));
}

/// How many jobs the fake created for each of our ids.
std::map<std::string, std::size_t> creates(fake_ionq_thread& fake) {
  return fake.call([](fakes::fake_ionq& f) { return f.creates_by_qjob_id(); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_tests)

BOOST_AUTO_TEST_CASE(jobs_run_at_ionq_and_come_back_with_their_results) {
  fake_ionq_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key)});
  BOOST_TEST(text(health_of(daemon, "ionq"), "status") == "healthy");

  constexpr int qubits = 5;
  constexpr int shots = 50;
  std::vector<std::string> valued;
  for (int value : {0, 1, 6, 19, 31}) {
    auto job = submit(daemon, ionq_job(value_input(static_cast<std::uint64_t>(value), qubits), {{"shots", shots}}));
    valued.push_back(text(job, "id"));
  }
  const auto bell = text(submit(daemon, ionq_job(json::string(bell_qasm),
                                                 {{"shots", shots}, {"target", "qpu.aria-1"}})),
                         "id");
  const auto multi = text(submit(daemon, ionq_job(json::array{value_input(2, 3), value_input(5, 3)}, {{"shots", shots}})),
                          "id");

  const std::array<int, 5> values{0, 1, 6, 19, 31};
  for (std::size_t i = 0; i < valued.size(); ++i) {
    BOOST_TEST_CONTEXT("job " << valued[i]) {
      const auto job = wait_final(daemon, valued[i]);
      BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
      BOOST_TEST(text(job, "provider_status") == "completed");
      BOOST_TEST(!text(job, "provider_job_id").empty());
      // What IonQ reports on size and billing is kept with the job.
      BOOST_TEST((job.contains("usage") && job.at("usage").as_object().contains("stats")), json::serialize(job));
      const auto result = result_of(daemon, valued[i]);
      const auto& first = result.at("results").at(0).as_object();
      BOOST_TEST(first.at("counts") == (json::object{{bits_of(static_cast<std::uint64_t>(values[i]), qubits), shots}}),
                 json::serialize(result));
      BOOST_TEST(text(first, "counts_source") == "sampled");
    }
  }
  {
    const auto job = wait_final(daemon, bell);
    BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
    const auto result = result_of(daemon, bell);
    const auto& counts = result.at("results").at(0).at("counts").as_object();
    std::int64_t total = 0;
    for (const auto& [bits, count] : counts) {
      BOOST_TEST((bits == "00" || bits == "11"), "Bell outcome " << std::string(bits));
      total += count.as_int64();
    }
    BOOST_TEST(total == shots);
    BOOST_TEST(result.at("results").at(0).at("probabilities") == (json::object{{"00", 0.5}, {"11", 0.5}}));
  }
  {
    BOOST_TEST(text(wait_final(daemon, multi), "status") == "succeeded");
    const auto results = result_of(daemon, multi).at("results").as_array();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    BOOST_TEST(results[0].at("counts") == (json::object{{"010", shots}}));
    BOOST_TEST(results[1].at("counts") == (json::object{{"101", shots}}));
  }

  // The run history shows the way through IonQ's own words.
  const auto with_history = get_job(daemon, valued[0], "?history=1");
  const auto& history = with_history.at("history").as_array();
  std::vector<std::string> words;
  for (const auto& step : history) words.push_back(text(step.as_object(), "provider_status"));
  for (const char* word : {"submitting", "submitted", "started", "completed"})
    BOOST_TEST((std::find(words.begin(), words.end(), word) != words.end()), "history has " << word);

  const auto created = creates(fake);
  BOOST_TEST(created.size() == valued.size() + 2);
  for (const auto& [id, count] : created) BOOST_TEST(count == 1u, "job " << id << " created " << count << " times");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(what_ionq_cannot_run_is_refused_at_submission_naming_it) {
  fake_ionq_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key)});

  auto conditional = daemon.post_json(
      "/v1/jobs", ionq_job(json::string("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\n"
                                        "measure q[0] -> c[0];\nif (c == 1) x q[0];\n")));
  BOOST_TEST(conditional.status == 400u, conditional.body);
  BOOST_TEST(conditional.error_code() == "invalid_input");
  BOOST_TEST(conditional.error_message().find("'x'") != std::string::npos, conditional.body);
  BOOST_TEST(conditional.error_message().find("conditional") != std::string::npos, conditional.body);

  auto unknown_param = daemon.post_json("/v1/jobs", ionq_job(bell_input(), {{"params", json::object{{"turbo", true}}}}));
  BOOST_TEST(unknown_param.status == 400u, unknown_param.body);
  BOOST_TEST(unknown_param.error_field().find("params") != std::string::npos, unknown_param.body);

  auto too_wide = daemon.post_json("/v1/jobs", ionq_job(ghz_input(26), {{"target", "qpu.aria-1"}}));
  BOOST_TEST(too_wide.status == 400u, too_wide.body);

  auto unknown_target = daemon.post_json("/v1/jobs", ionq_job(bell_input(), {{"target", "qpu.harmony-9"}}));
  BOOST_TEST(unknown_target.status == 422u, unknown_target.body);
  BOOST_TEST(unknown_target.error_code() == "unknown_target");

  BOOST_TEST(fake.call([](fakes::fake_ionq& f) { return f.count("POST"); }) == 0u, "nothing reached IonQ");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(cancel_reaches_a_job_queued_here_at_the_provider_and_while_submitting) {
  // Jobs at this fake run (`started`) until cancelled.
  fake_ionq_thread fake(holding_at("started"));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key, "max_in_flight = 1\n")});

  const auto at_provider = text(submit(daemon, ionq_job(bell_input())), "id");
  wait_status(daemon, at_provider, "executing");
  BOOST_TEST(text(get_job(daemon, at_provider), "provider_status") == "started");
  const auto queued = text(submit(daemon, ionq_job(bell_input())), "id");
  BOOST_TEST(get_job(daemon, queued).at("queue_position") == 1);

  // Queued here: cancelled at once, and IonQ never hears of it.
  BOOST_TEST(daemon.post("/v1/jobs/" + queued + "/cancel", "").status == 202u);
  BOOST_TEST(text(get_job(daemon, queued), "status") == "cancelled");

  // Executing at the provider: passed on, and the job ends as IonQ then reports it.
  const auto provider_id = text(get_job(daemon, at_provider), "provider_job_id");
  BOOST_TEST(daemon.post("/v1/jobs/" + at_provider + "/cancel", "").status == 202u);
  const auto cancelled = wait_final(daemon, at_provider);
  BOOST_TEST(text(cancelled, "status") == "cancelled", json::serialize(cancelled));
  BOOST_TEST(text(cancelled, "provider_status") == "canceled");
  BOOST_TEST(fake.call([&](fakes::fake_ionq& f) { return f.job_status(provider_id).value_or("?"); }) == "canceled");

  // While submitting (IonQ takes its time to answer the POST): remembered, and
  // applied once IonQ's id is known.
  fake.call([](fakes::fake_ionq& f) {
    f.set_faults(faults("post:slow:delay_ms=1500"));
    return 0;
  });
  const auto submitting = text(submit(daemon, ionq_job(bell_input())), "id");
  eventually([&] { return text(get_job(daemon, submitting), "provider_status") == "submitting"; },
             "the third job is being submitted");
  auto answer = daemon.post("/v1/jobs/" + submitting + "/cancel", "");
  BOOST_TEST(answer.status == 202u, answer.body);
  const auto late = wait_final(daemon, submitting);
  BOOST_TEST(text(late, "status") == "cancelled", json::serialize(late));
  const auto late_id = text(late, "provider_job_id");
  BOOST_TEST(!late_id.empty(), "the job reached IonQ before it was cancelled there");
  BOOST_TEST(fake.call([&](fakes::fake_ionq& f) { return f.job_status(late_id).value_or("?"); }) == "canceled");

  const auto created = creates(fake);
  BOOST_TEST(!created.contains(queued));
  BOOST_TEST(created.at(at_provider) == 1u);
  BOOST_TEST(created.at(submitting) == 1u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_key_leaves_jobs_waiting_and_a_refused_job_fails_with_ionqs_message) {
  fake_ionq_thread fake;
  key_file key("not-the-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key)});
  const auto id = text(submit(daemon, ionq_job(bell_input())), "id");
  eventually([&] { return text(health_of(daemon, "ionq"), "status") == "unhealthy"; }, "ionq is unhealthy");
  BOOST_TEST(text(health_of(daemon, "ionq"), "message").find("not-the-key") == std::string::npos);
  std::this_thread::sleep_for(300ms);
  const auto waiting = get_job(daemon, id);
  BOOST_TEST(text(waiting, "status") == "waiting", json::serialize(waiting));
  BOOST_TEST(waiting.at("error").is_null());

  // The key fixed (and read at the next start), the same job runs, created once.
  BOOST_TEST(daemon.terminate() == 0);
  std::ofstream(key.path()) << "test-key\n";
  daemon.restart();
  BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  BOOST_TEST(text(health_of(daemon, "ionq"), "status") == "healthy");

  // A job IonQ refuses for good (400) fails with IonQ's message, and is not retried.
  fake.call([](fakes::fake_ionq& f) {
    f.set_faults(faults("post:400:count=1"));
    return 0;
  });
  const auto refused = text(submit(daemon, ionq_job(bell_input())), "id");
  const auto failed = wait_final(daemon, refused);
  BOOST_TEST(text(failed, "status") == "failed", json::serialize(failed));
  BOOST_TEST(text(failed.at("error").as_object(), "code") == "provider_rejected");
  BOOST_TEST(!text(failed.at("error").as_object(), "message").empty());
  BOOST_TEST(creates(fake).at(id) == 1u);
  BOOST_TEST(!creates(fake).contains(refused));
  BOOST_TEST(daemon.terminate() == 0);

  // Neither key, the wrong one nor the right one, is in the log or the state
  // directory (the database, its WAL, the results).
  const auto log = daemon.log();
  std::string stored;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(daemon.state_dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    stored.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  BOOST_TEST(stored.size() > 0u);
  for (const char* secret : {"not-the-key", "test-key"}) {
    BOOST_TEST(log.find(secret) == std::string::npos, secret << " is in the log");
    BOOST_TEST(stored.find(secret) == std::string::npos, secret << " is in the state directory");
  }
}

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_against_a_faulty_ionq_loses_no_job_and_creates_none_twice) {
  // Faults on every path: lost POST answers (the job was created), 5xx and 429
  // with Retry-After, resets, malformed bodies, slow answers.
  fakes::fake_ionq_options options;
  options.faults = faults(
      "post:accept_502:p=0.05,post:accept_reset:p=0.05,post:503:p=0.05,get:429:retry_after=1:p=0.01,"
      "any:500:p=0.03,any:reset:p=0.03,get:malformed:p=0.03,any:slow:delay_ms=200:p=0.02,seed=11");
  fake_ionq_thread fake(std::move(options));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key, "max_in_flight = 40\n")});

  constexpr int count = 500;
  constexpr int qubits = 9;
  constexpr int shots = 20;
  json::array jobs;
  for (int index = 0; index < count; ++index)
    jobs.push_back(ionq_job(value_input(static_cast<std::uint64_t>(index), qubits),
                            {{"id", "ionq-" + std::to_string(index)}, {"shots", shots}}));
  auto accepted = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(accepted.status == 201u, accepted.body);

  kill_at_random_moments(daemon, 6, 700ms);
  const auto before = get_job(daemon, "ionq-" + std::to_string(count - 1));
  BOOST_TEST_MESSAGE("the last job was " << text(before, "status") << " at the last restart");

  for (int index = 0; index < count; ++index) {
    const auto id = "ionq-" + std::to_string(index);
    BOOST_TEST_CONTEXT("job " << id) {
      const auto job = wait_final(daemon, id);
      BOOST_TEST_REQUIRE(text(job, "status") == "succeeded", json::serialize(job));
      const auto result = result_of(daemon, id);
      BOOST_TEST(result.at("results").at(0).at("counts") ==
                     (json::object{{bits_of(static_cast<std::uint64_t>(index), qubits), shots}}),
                 json::serialize(result));
    }
  }
  const auto created = creates(fake);
  BOOST_TEST(created.size() == static_cast<std::size_t>(count));
  std::size_t twice = 0;
  for (const auto& [id, times] : created) {
    BOOST_TEST(times == 1u, "job " << id << " was created " << times << " times");
    twice += times > 1;
  }
  BOOST_TEST(twice == 0u);
  const auto requests = fake.call([](fakes::fake_ionq& f) { return f.requests().size(); });
  BOOST_TEST_MESSAGE(requests << " requests to the fake for " << count << " jobs");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
