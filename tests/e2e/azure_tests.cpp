// The real qjobd against the fake Azure Quantum workspace (with its blob store
// and Entra token endpoint) over loopback: jobs run on IonQ's and Quantinuum's
// targets through SAS, blob upload and PUT of our id, and come back with the
// right results and Azure's cost estimate; Entra tokens are fetched once and
// reused; what Azure's targets cannot run is refused at submission; a cancel
// reaches the job wherever it is; a failed job carries Azure's errorData; and
// SIGKILL mid-batch with lost answers creates no job twice.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// The `azure` provider entry at `fake`: its workspace, fast polls and retries;
/// `auth` holds the key or Entra lines.
std::string azure_config(const fake_azure_thread& fake, const std::string& auth, const std::string& extra = "") {
  return "poll_initial_ms = 30\npoll_max_ms = 300\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n"
         "[[providers]]\nname = \"azure\"\ntype = \"azure\"\nendpoint = \"" +
         fake.base_url() +
         "\"\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"myresourcegroup\"\n"
         "workspace = \"myworkspace\"\n" +
         auth +
         "requests_per_second = 1000.0\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\n"
         "backoff_max_ms = 200\nretry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n" +
         extra;
}

std::string key_auth(const key_file& key) { return "api_key_file = \"" + key.path().string() + "\"\n"; }

json::object azure_job(json::value input, json::object fields = {}) {
  fields["provider"] = "azure";
  return job_of(std::move(input), std::move(fields));
}

std::map<std::string, std::size_t> creates(fake_azure_thread& fake) {
  return fake.call([](fakes::fake_azure& f) { return f.creates_by_job_id(); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_tests)

BOOST_AUTO_TEST_CASE(jobs_run_on_ionq_and_quantinuum_targets_and_come_back_with_results_and_cost) {
  fake_azure_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = azure_config(fake, key_auth(key))});

  const auto provider = provider_of(daemon, "azure");
  BOOST_TEST(text(provider, "type") == "azure");
  bool rigetti_listed = false;
  for (const auto& target : provider.at("targets").as_array()) {
    if (text(target.as_object(), "name") != "rigetti.sim.qvm") continue;
    rigetti_listed = true;
    BOOST_TEST(text(target.as_object(), "unsupported").find("Quil") != std::string::npos);
  }
  BOOST_TEST(rigetti_listed);

  constexpr int qubits = 4;
  constexpr int shots = 30;
  const std::vector<std::uint64_t> values{0, 6, 13};
  std::vector<std::string> on_ionq;
  for (auto value : values)
    on_ionq.push_back(text(submit(daemon, azure_job(value_input(value, qubits), {{"shots", shots}})), "id"));
  const auto on_quantinuum =
      text(submit(daemon, azure_job(json::string(bell_qasm), {{"shots", shots}, {"target", "quantinuum.sim.h2-1sc"}})),
           "id");

  for (std::size_t i = 0; i < on_ionq.size(); ++i) {
    BOOST_TEST_CONTEXT("job " << on_ionq[i]) {
      const auto job = wait_final(daemon, on_ionq[i]);
      BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
      BOOST_TEST(text(job, "provider_status") == "Succeeded");
      BOOST_TEST(text(job, "provider_job_id") == on_ionq[i], "Azure's job id is ours");
      BOOST_TEST(job.contains("usage"), "Azure's cost estimate is kept: " << json::serialize(job));
      const auto result = result_of(daemon, on_ionq[i]);
      BOOST_TEST(result.at("results").at(0).at("counts") == (json::object{{bits_of(values[i], qubits), shots}}),
                 json::serialize(result));
    }
  }
  const auto job = wait_final(daemon, on_quantinuum);
  BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
  const auto result = result_of(daemon, on_quantinuum);
  std::int64_t total = 0;
  for (const auto& [bits, count] : result.at("results").at(0).at("counts").as_object()) {
    BOOST_TEST((bits == "00" || bits == "11"), "Bell outcome " << std::string(bits));
    total += count.as_int64();
  }
  BOOST_TEST(total == shots);

  // The submission went as the SDK's: SAS, container, blob, then PUT of our id.
  const auto requests = fake.call([](fakes::fake_azure& f) { return f.server().requests(); });
  std::vector<std::string> steps;
  for (const auto& r : requests) {
    if (r.path.find(on_quantinuum) == std::string::npos && r.method != "POST") continue;
    if (r.path.ends_with("/storage/sasUri")) steps.push_back("sas");
    else if (r.method == "PUT" && r.path.starts_with("/blob/") && r.path.ends_with("/inputData")) steps.push_back("blob");
    else if (r.method == "PUT" && r.path.ends_with("/jobs/" + on_quantinuum)) steps.push_back("job");
  }
  BOOST_TEST((std::find(steps.begin(), steps.end(), "job") != steps.end()), "the job was PUT");
  for (const auto& [id, count] : creates(fake)) BOOST_TEST(count == 1u, "job " << id << " created " << count << " times");
  BOOST_TEST(creates(fake).size() == on_ionq.size() + 1);
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(daemon.log().find("test-key") == std::string::npos, "the key is not in the log");
}

BOOST_AUTO_TEST_CASE(entra_client_credentials_fetch_one_token_and_reuse_it) {
  fake_azure_thread fake;
  key_file secret("test-secret");
  const std::string entra = "tenant_id = \"11111111-1111-1111-1111-111111111111\"\nclient_id = \"qjob-client\"\n"
                            "client_secret_file = \"" +
                            secret.path().string() + "\"\nauthority = \"" + fake.base_url() + "\"\n";
  daemon_process daemon(daemon_options{.config = azure_config(fake, entra)});
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(text(submit(daemon, azure_job(bell_input())), "id"));
  for (const auto& id : ids) BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  BOOST_TEST(fake.call([](fakes::fake_azure& f) { return f.tokens_issued(); }) == 1u, "one token, cached");
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(daemon.log().find("test-secret") == std::string::npos, "the secret is not in the log");
}

BOOST_AUTO_TEST_CASE(what_azure_cannot_run_is_refused_at_submission_naming_it) {
  fake_azure_thread fake;
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = azure_config(fake, key_auth(key))});

  auto quil = daemon.post_json("/v1/jobs", azure_job(bell_input(), {{"target", "rigetti.sim.qvm"}}));
  BOOST_TEST(quil.status == 422u, quil.body);
  BOOST_TEST(quil.body.find("unsupported_target") != std::string::npos, quil.body);
  BOOST_TEST(quil.body.find("Quil") != std::string::npos, quil.body);

  auto several = daemon.post_json("/v1/jobs", azure_job(json::array{bell_input(), bell_input()}));
  BOOST_TEST(several.status == 400u, several.body);

  auto not_uuid = daemon.post_json("/v1/jobs", azure_job(bell_input(), {{"id", "my-job-1"}}));
  BOOST_TEST(not_uuid.status == 400u, not_uuid.body);

  BOOST_TEST(fake.call([](fakes::fake_azure& f) { return f.job_count(); }) == 0u, "Azure heard of none");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_cancel_reaches_the_job_here_and_at_azure_and_a_failure_carries_azures_error) {
  fakes::fake_azure_options held;
  held.hold_at = "Executing";
  held.max_operations = 3;
  fake_azure_thread fake(std::move(held));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = azure_config(fake, key_auth(key), "max_in_flight = 1\n")});

  const auto executing = text(submit(daemon, azure_job(bell_input())), "id");
  wait_status(daemon, executing, "executing");
  const auto queued = text(submit(daemon, azure_job(bell_input())), "id");
  BOOST_TEST(daemon.post("/v1/jobs/" + queued + "/cancel", "").status == 202u);
  BOOST_TEST(text(get_job(daemon, queued), "status") == "cancelled");
  BOOST_TEST(daemon.post("/v1/jobs/" + executing + "/cancel", "").status == 202u);
  const auto cancelled = wait_final(daemon, executing);
  BOOST_TEST(text(cancelled, "status") == "cancelled", json::serialize(cancelled));
  BOOST_TEST(text(cancelled, "provider_status") == "Cancelled");
  BOOST_TEST(fake.call([&](fakes::fake_azure& f) { return f.job_status(executing).value_or("?"); }) == "Cancelled");
  BOOST_TEST(!creates(fake).contains(queued));
  BOOST_TEST(daemon.terminate() == 0);

  // A program the target refuses: Azure's errorData is the job's error.
  fakes::fake_azure_options strict;
  strict.max_operations = 3;
  fake_azure_thread refusing(std::move(strict));
  daemon_process second(daemon_options{.config = azure_config(refusing, key_auth(key))});
  const auto long_one = text(submit(second, azure_job(ghz_input(4))), "id");
  const auto failed = wait_final(second, long_one);
  BOOST_TEST(text(failed, "status") == "failed", json::serialize(failed));
  BOOST_TEST(text(failed.at("error").as_object(), "code") == "InvalidInputData", json::serialize(failed));
  BOOST_TEST(text(failed.at("error").as_object(), "message").find("operations") != std::string::npos);
  BOOST_TEST(second.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(sigkill_mid_batch_against_a_faulty_azure_loses_no_job_and_creates_none_twice) {
  // Lost answers to the PUT of the job (it was created), 429 with Retry-After,
  // 5xx, resets, malformed bodies and slow answers, on the workspace and blobs.
  fakes::fake_azure_options options;
  options.faults = faults(
      "put:accept_502:path=/subscriptions:p=0.05,put:accept_reset:path=/subscriptions:p=0.05,"
      "get:429:retry_after=1:p=0.01,any:500:p=0.02,any:reset:p=0.02,get:malformed:p=0.02,"
      "any:slow:delay_ms=150:p=0.02,seed=3");
  fake_azure_thread fake(std::move(options));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = azure_config(fake, key_auth(key), "max_in_flight = 30\n")});

  constexpr int count = 150;
  constexpr int qubits = 6;
  constexpr int shots = 20;
  json::array jobs;
  std::vector<std::string> ids;
  for (int index = 0; index < count; ++index) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", index);
    ids.emplace_back(id);
    jobs.push_back(azure_job(value_input(static_cast<std::uint64_t>(index % 64), qubits), {{"id", id}, {"shots", shots}}));
  }
  auto accepted = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(accepted.status == 201u, accepted.body);

  kill_at_random_moments(daemon, 4, 600ms);
  for (int index = 0; index < count; ++index) {
    BOOST_TEST_CONTEXT("job " << ids[index]) {
      const auto job = wait_final(daemon, ids[index]);
      BOOST_TEST_REQUIRE(text(job, "status") == "succeeded", json::serialize(job));
      const auto result = result_of(daemon, ids[index]);
      BOOST_TEST(result.at("results").at(0).at("counts") ==
                     (json::object{{bits_of(static_cast<std::uint64_t>(index % 64), qubits), shots}}),
                 json::serialize(result));
    }
  }
  const auto created = creates(fake);
  BOOST_TEST(created.size() == static_cast<std::size_t>(count));
  for (const auto& [id, times] : created) BOOST_TEST(times == 1u, "job " << id << " was created " << times << " times");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
