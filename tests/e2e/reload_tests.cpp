// SIGHUP (systemctl reload) on the real qjobd: the configuration file and the
// credentials it names are read again; providers are added, changed and removed
// while jobs run, without a restart and without losing or re-sending a job; a
// file that cannot be used leaves the running configuration as it was.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// An `[[providers]]` entry for a fake IonQ, with fast retries.
std::string ionq_entry(const std::string& name, const fake_ionq_thread& fake, const key_file& key,
                       const std::string& extra = "", const std::string& rate = "1000.0") {
  return "[[providers]]\nname = \"" + name + "\"\ntype = \"ionq\"\nbase_url = \"" + fake.base_url() +
         "\"\napi_key_file = \"" + key.path().string() + "\"\nrequests_per_second = " + rate +
         "\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\n"
         "backoff_max_ms = 200\nretry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n" + extra;
}

const std::string local_entry =
    "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n";
const std::string fast_polls = "poll_initial_ms = 30\npoll_max_ms = 200\n";

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

/// Rewrites the configuration, sends SIGHUP and waits until qjobd has said how
/// the reload went (`outcome`, counted so that an earlier reload's line does not count).
void reload(daemon_process& daemon, const std::string& config, const std::string& outcome) {
  const auto before = occurrences(daemon.log(), outcome);
  daemon.reload(config);
  eventually([&] { return occurrences(daemon.log(), outcome) > before; }, "qjobd logs '" + outcome + "'");
}

const std::string reloaded = "configuration reloaded";
const std::string refused = "reload refused";

json::object job_for(const std::string& provider, std::uint64_t value) {
  return job_of(value_input(value, 4), {{"provider", provider}, {"shots", 20}});
}

std::map<std::string, std::size_t> creates(fake_ionq_thread& fake) {
  return fake.call([](fakes::fake_ionq& f) { return f.creates_by_qjob_id(); });
}

/// The jobs of a batch, by id, as `GET /v1/jobs?batch=` lists them (every page).
std::vector<json::object> jobs_of_batch(const daemon_process& daemon, const std::string& batch) {
  std::vector<json::object> jobs;
  std::string cursor;
  for (;;) {
    auto answer = daemon.get("/v1/jobs?batch=" + batch + "&limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
    auto page = answer.json().as_object();
    for (auto& job : page.at("jobs").as_array()) jobs.push_back(job.as_object());
    if (!page.contains("next_cursor")) break;
    cursor = text(page, "next_cursor");
  }
  return jobs;
}

std::string submit_batch(const daemon_process& daemon, const std::string& provider, std::size_t count) {
  json::array jobs;
  for (std::size_t i = 0; i < count; ++i) jobs.push_back(job_for(provider, i % 16));
  auto answer = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  return text(answer.json().as_object(), "batch_id");
}

void wait_batch_final(const daemon_process& daemon, const std::string& batch, std::size_t count) {
  eventually(
      [&] {
        auto counts = daemon.get("/v1/batches/" + batch).json().at("counts").as_object();
        return static_cast<std::size_t>(counts.at("succeeded").as_int64() + counts.at("failed").as_int64() +
                                        counts.at("cancelled").as_int64()) == count;
      },
      "every job of batch " + batch + " is final", std::chrono::seconds(300));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reload_tests)

BOOST_AUTO_TEST_CASE(a_provider_added_and_one_changed_under_load_lose_no_job_and_send_none_twice) {
  fakes::fake_ionq_options slow;
  slow.polls_per_step = 2;
  fake_ionq_thread first(slow);
  fake_ionq_thread second;
  key_file key("test-key");
  const auto before = fast_polls + local_entry + ionq_entry("ionq-a", first, key, "max_in_flight = 50\n");
  daemon_process daemon(daemon_options{.config = before});
  const auto pid = daemon.pid();

  constexpr std::size_t in_flight = 1000;
  const auto batch = submit_batch(daemon, "ionq-a", in_flight);
  eventually([&] { return first.call([](fakes::fake_ionq& f) { return f.count("POST", "/jobs"); }) >= 100u; },
             "ionq-a has begun the batch");

  // ionq-a changed (more slots, another rate) and ionq-b added, while the batch runs.
  const auto after = fast_polls + local_entry +
                     ionq_entry("ionq-a", first, key, "max_in_flight = 200\n", "500.0") +
                     ionq_entry("ionq-b", second, key);
  reload(daemon, after, reloaded);
  BOOST_TEST(daemon.log().find("added ionq-b") != std::string::npos);
  BOOST_TEST(text(health_of(daemon, "ionq-b"), "status") == "healthy");
  const auto added = text(submit(daemon, job_for("ionq-b", 5)), "id");

  wait_batch_final(daemon, batch, in_flight);
  BOOST_TEST(daemon.pid() == pid, "qjobd was not restarted");
  const auto jobs = jobs_of_batch(daemon, batch);
  BOOST_TEST_REQUIRE(jobs.size() == in_flight);
  const auto created = creates(first);
  std::size_t succeeded = 0, once = 0;
  for (const auto& job : jobs) {
    succeeded += text(job, "status") == "succeeded";
    auto found = created.find(text(job, "id"));
    once += found != created.end() && found->second == 1u;
  }
  BOOST_TEST(succeeded == in_flight);
  BOOST_TEST(once == in_flight, "every job created exactly once at ionq-a");
  BOOST_TEST(created.size() == in_flight);

  BOOST_TEST(text(wait_final(daemon, added), "status") == "succeeded");
  BOOST_TEST(creates(second).at(added) == 1u);
  BOOST_TEST(occurrences(daemon.log(), "qjobd ready") == 1u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_key_fixed_and_reloaded_lets_the_waiting_jobs_run_without_a_restart) {
  fake_ionq_thread fake;
  key_file key("not-the-key");
  const auto config = fast_polls + local_entry + ionq_entry("ionq", fake, key);
  daemon_process daemon(daemon_options{.config = config});
  const auto id = text(submit(daemon, job_for("ionq", 3)), "id");
  eventually([&] { return text(health_of(daemon, "ionq"), "status") == "unhealthy"; }, "ionq is unhealthy");
  BOOST_TEST(text(get_job(daemon, id), "status") == "waiting");

  std::ofstream(key.path()) << "test-key\n";
  reload(daemon, config, reloaded);
  BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  BOOST_TEST(creates(fake).at(id) == 1u);
  BOOST_TEST(text(health_of(daemon, "ionq"), "status") == "healthy");
  BOOST_TEST(occurrences(daemon.log(), "qjobd ready") == 1u);
  BOOST_TEST(daemon.log().find("test-key") == std::string::npos);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_job_at_a_provider_missing_at_start_up_is_watched_again_once_a_reload_brings_it_back) {
  fake_ionq_thread fake(holding_at("started"));
  key_file key("test-key");
  const auto with_ionq = fast_polls + local_entry + ionq_entry("ionq", fake, key);
  daemon_process daemon(daemon_options{.config = with_ionq});
  const auto id = text(submit(daemon, job_for("ionq", 5)), "id");
  wait_status(daemon, id, "executing");
  // Removed, then the daemon restarts without it: the job is found at a provider
  // that is not configured, and waits for it.
  reload(daemon, fast_polls + local_entry, reloaded);
  BOOST_TEST(daemon.terminate() == 0);
  daemon.restart();
  BOOST_TEST(text(get_job(daemon, id), "status") == "executing");
  fake.call([](fakes::fake_ionq& f) {
    f.set_hold_at("");
    return 0;
  });
  // Brought back: the job is watched where it is, never sent again.
  reload(daemon, with_ionq, reloaded);
  const auto done = wait_final(daemon, id);
  BOOST_TEST(text(done, "status") == "succeeded", json::serialize(done));
  BOOST_TEST(creates(fake).at(id) == 1u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(jobs_stranded_at_a_provider_missing_at_start_up_take_their_slots_back_when_a_reload_brings_it) {
  fake_ionq_thread fake(holding_at("started"));
  key_file key("test-key");
  daemon_process daemon(
      daemon_options{.config = fast_polls + local_entry + ionq_entry("ionq", fake, key, "max_in_flight = 3\n")});
  std::vector<std::string> ids;
  for (std::uint64_t value : {1, 2, 3}) ids.push_back(text(submit(daemon, job_for("ionq", value)), "id"));
  for (const auto& id : ids) wait_status(daemon, id, "executing");
  const auto& [kept, cancelled_there, cancelled_here] = std::tie(ids[0], ids[1], ids[2]);
  const auto provider_id_of = [&](const std::string& id) { return text(get_job(daemon, id), "provider_job_id"); };
  const auto status_at_fake = [&](const std::string& id) {
    return fake.call([&, provider_id = provider_id_of(id)](fakes::fake_ionq& f) {
      return f.job_status(provider_id).value_or("?");
    });
  };
  reload(daemon, fast_polls + local_entry, reloaded);
  BOOST_TEST(daemon.terminate() == 0);
  daemon.restart();
  for (const auto& id : ids) {
    const auto job = get_job(daemon, id);
    BOOST_TEST(text(job, "status") == "executing");
    BOOST_TEST(text(job, "waiting_reason").find("provider 'ionq' is not in the configuration") != std::string::npos,
               json::serialize(job));
  }

  // Stranded while the provider is not configured: a cancel ends the job here,
  // since nobody can tell the provider.
  BOOST_TEST(daemon.post("/v1/jobs/" + cancelled_here + "/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, cancelled_here), "status") == "cancelled");

  // Brought back with one slot: the two left are at the provider, so both take
  // a slot back (one over the limit) and are watched there. The one cancelled
  // there gives its slot back; the other still holds the only one.
  reload(daemon, fast_polls + local_entry + ionq_entry("ionq", fake, key, "max_in_flight = 1\n"), reloaded);
  BOOST_TEST(daemon.post("/v1/jobs/" + cancelled_there + "/cancel", "").status == 202u);
  const auto cancelled = wait_final(daemon, cancelled_there);
  BOOST_TEST(text(cancelled, "status") == "cancelled", json::serialize(cancelled));
  BOOST_TEST(status_at_fake(cancelled_there) == "canceled");
  const auto next = text(submit(daemon, job_for("ionq", 4)), "id");
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(text(get_job(daemon, next), "status") == "waiting", "the only slot is still taken");
  BOOST_TEST(!creates(fake).contains(next));
  BOOST_TEST(text(get_job(daemon, kept), "status") == "executing");
  BOOST_TEST(status_at_fake(cancelled_here) == "started", "the provider was never told");

  fake.call([](fakes::fake_ionq& f) {
    f.set_hold_at("");
    return 0;
  });
  for (const auto& id : {kept, next}) {
    const auto job = wait_final(daemon, id);
    BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
    BOOST_TEST(creates(fake).at(id) == 1u);
  }
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_removed_provider_s_jobs_wait_saying_why_until_a_reload_brings_it_back) {
  fake_ionq_thread fake(holding_at("started"));
  key_file key("test-key");
  const auto with_ionq = fast_polls + local_entry + ionq_entry("ionq", fake, key, "max_in_flight = 1\n");
  daemon_process daemon(daemon_options{.config = with_ionq});
  const auto executing = text(submit(daemon, job_for("ionq", 1)), "id");
  wait_status(daemon, executing, "executing");
  const auto queued = text(submit(daemon, job_for("ionq", 2)), "id");  // behind it: one slot
  BOOST_TEST(text(get_job(daemon, queued), "status") == "waiting");

  reload(daemon, fast_polls + local_entry, reloaded);
  BOOST_TEST(daemon.log().find("removed ionq") != std::string::npos);
  for (const auto& id : {executing, queued}) {
    const auto job = get_job(daemon, id);
    BOOST_TEST(text(job, "waiting_reason").find("provider 'ionq' is not in the configuration") != std::string::npos,
               json::serialize(job));
  }
  // Jobs for it are refused now; the rest of the daemon runs on.
  auto refused = daemon.post_json("/v1/jobs", job_for("ionq", 3));
  BOOST_TEST(refused.status == 422u, refused.body);
  BOOST_TEST(text(wait_final(daemon, text(submit(daemon, job_for("local", 3)), "id")), "status") == "succeeded");
  fake.call([](fakes::fake_ionq& f) {
    f.set_hold_at("");
    return 0;
  });
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(text(get_job(daemon, executing), "status") == "executing", "not polled while removed");
  BOOST_TEST(text(get_job(daemon, queued), "status") == "waiting", "not sent while removed");

  reload(daemon, with_ionq, reloaded);
  for (const auto& id : {executing, queued}) {
    const auto job = wait_final(daemon, id);
    BOOST_TEST(text(job, "status") == "succeeded", json::serialize(job));
    BOOST_TEST(!job.contains("waiting_reason"));
    BOOST_TEST(creates(fake).at(id) == 1u);
  }
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_used_keeps_the_running_configuration_and_says_where) {
  fake_ionq_thread fake;
  key_file key("test-key");
  const auto config = fast_polls + local_entry + ionq_entry("ionq", fake, key);
  daemon_process daemon(daemon_options{.config = config});
  const auto config_name = (daemon.root() / "qjobd.toml").string();

  // An unknown key on line 3: named with the file and the line.
  reload(daemon, fast_polls + "retention_dayz = 3\n" + local_entry, refused);
  BOOST_TEST(daemon.log().find(config_name + ":3") != std::string::npos, daemon.log());
  // A key file that is not there, and a provider that would change its type.
  reload(daemon, fast_polls + local_entry + "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" +
                     fake.base_url() + "\"\napi_key_file = \"/nonexistent/key\"\n",
         refused);
  BOOST_TEST(daemon.log().find("/nonexistent/key") != std::string::npos);
  reload(daemon, fast_polls + local_entry + "[[providers]]\nname = \"ionq\"\ntype = \"local\"\n", refused);
  BOOST_TEST(daemon.log().find("would change type from ionq to local") != std::string::npos);

  // Still the configuration it started with: both providers run jobs.
  BOOST_TEST(occurrences(daemon.log(), reloaded) == 0u);
  BOOST_TEST(text(wait_final(daemon, text(submit(daemon, job_for("ionq", 7)), "id")), "status") == "succeeded");
  BOOST_TEST(text(wait_final(daemon, text(submit(daemon, job_for("local", 7)), "id")), "status") == "succeeded");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(log_level_changes_at_reload) {
  const auto quiet = "log_level = \"info\"\n" + local_entry;
  daemon_process daemon(daemon_options{.config = quiet});
  BOOST_TEST(daemon.get("/v1/health").status == 200u);
  BOOST_TEST(daemon.log().find("GET /v1/health -> 200") == std::string::npos);

  reload(daemon, "log_level = \"debug\"\n" + local_entry, reloaded);
  auto answer = daemon.get("/v1/health");
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST_REQUIRE(!answer.request_id.empty());
  eventually([&] { return daemon.log().find("req=" + answer.request_id + " ") != std::string::npos; },
             "the request is logged at debug level under its X-Request-Id");
  BOOST_TEST(daemon.log().find("GET /v1/health -> 200") != std::string::npos);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
