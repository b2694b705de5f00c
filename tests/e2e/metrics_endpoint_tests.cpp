// `GET /metrics` of the real qjobd while real jobs run, on the embedded
// simulator and at the fake IonQ over loopback: the figures move as the jobs
// do, and Prometheus' own `promtool check metrics` finds nothing to say about
// the text.
//
// Every figure is read after the job it counts is seen final (or queued) by the
// client, and /metrics reads the store before the registry: the job actor's
// count happens before the answer the client saw, so no assertion here waits.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "support/child_process.hpp"
#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>
#include <unistd.h>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// The samples of an exposition text: `name{labels}` as rendered -> value.
using samples = std::map<std::string, double>;

samples parse_samples(const std::string& text) {
  samples parsed;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    BOOST_TEST_REQUIRE(space != std::string_view::npos, "sample line without a value: " << line);
    parsed[std::string(line.substr(0, space))] = std::stod(std::string(line.substr(space + 1)));
  }
  return parsed;
}

/// The value of one sample; fails the test when it is not there.
double value_of(const samples& all, const std::string& key) {
  auto found = all.find(key);
  BOOST_TEST((found != all.end()), "no sample " << key);
  return found == all.end() ? -1 : found->second;
}

/// The value of one sample, or 0 while it has not appeared (a counter's labels
/// appear with its first count).
double value_or_zero(const samples& all, const std::string& key) {
  auto found = all.find(key);
  return found == all.end() ? 0 : found->second;
}

/// promtool from PATH: the setup script installs it (Debian's `prometheus`), so
/// its absence is a failure, not a reason to skip.
std::filesystem::path promtool() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const auto candidate = std::filesystem::path(dir.empty() ? "." : std::string(dir)) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
  }
  BOOST_TEST_REQUIRE(false, "promtool is not on PATH: run scripts/setup-deps.sh (Debian package prometheus)");
  return {};
}

/// Scrapes /metrics, checks it with promtool (exit 0 and not a word of lint),
/// and answers its samples.
samples scrape(const daemon_process& daemon) {
  auto answer = daemon.get("/metrics");
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  BOOST_TEST(answer.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const auto checked = test::run_process({promtool().string(), "check", "metrics"}, {}, std::nullopt, answer.body);
  BOOST_TEST(checked.exit_code == 0, "promtool exit " << checked.exit_code << ": " << checked.out << checked.err
                                                      << "\n" << answer.body);
  BOOST_TEST(checked.out.empty(), "promtool: " << checked.out << "\n" << answer.body);
  BOOST_TEST(checked.err.empty(), "promtool: " << checked.err << "\n" << answer.body);
  return parse_samples(answer.body);
}

std::string transitions(const std::string& provider, const std::string& status) {
  return "qjob_job_transitions_total{provider=\"" + provider + "\",status=\"" + status + "\"}";
}

std::string requests(const std::string& request, const std::string& code) {
  return "qjob_provider_requests_total{provider=\"ionq\",request=\"" + request + "\",code=\"" + code + "\"}";
}

std::string ionq_config(const fake_ionq_thread& fake, const key_file& key, int requests_per_second = 1'000) {
  return "poll_initial_ms = 30\npoll_max_ms = 300\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n"
         "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" +
         fake.base_url() + "\"\napi_key_file = \"" + key.path().string() +
         "\"\nrequests_per_second = " + std::to_string(requests_per_second) +
         ".0\nrequest_timeout_ms = 2000\nbackoff_initial_ms = 20\n"
         "backoff_max_ms = 200\nretry_budget_ms = 3000\nbreaker_cool_down_ms = 200\n";
}

/// Submits `count` Bell jobs for ionq in one batch; their ids, in order.
std::vector<std::string> submit_ionq_batch(const daemon_process& daemon, int count) {
  json::array jobs;
  for (int i = 0; i < count; ++i) jobs.push_back(job_of(bell_input(), {{"provider", "ionq"}}));
  auto accepted = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(accepted.status == 201u, accepted.body);
  std::vector<std::string> ids;
  const auto answer = json::parse(accepted.body);
  for (const auto& id : answer.at("job_ids").as_array()) ids.emplace_back(id.as_string());
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_endpoint_tests)

BOOST_AUTO_TEST_CASE(local_jobs_move_transitions_submissions_commits_and_queue_depth) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto idle = scrape(daemon);
  BOOST_TEST(value_of(idle, "qjob_jobs_submitted_total") == 0);
  BOOST_TEST(value_of(idle, "qjob_open_connections") >= 1);  // the scrape's own

  // One job holds the only worker, the next one waits in the queue.
  const auto endless = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, endless, "executing");
  const auto queued = text(submit(daemon, job_of(bell_input())), "id");
  BOOST_TEST_REQUIRE(get_job(daemon, queued).at("queue_position") == 1);
  const auto busy = scrape(daemon);
  BOOST_TEST(value_of(busy, "qjob_scheduler_waiting_jobs{provider=\"local\"}") == 1);
  BOOST_TEST(value_of(busy, "qjob_scheduler_running_jobs{provider=\"local\"}") == 1);
  BOOST_TEST(value_of(busy, "qjob_scheduler_slots{provider=\"local\"}") == 1);
  BOOST_TEST(value_of(busy, "qjob_jobs{provider=\"local\",status=\"waiting\"}") == 1);

  // Cancelled while waiting here, then the endless one; then one runs through.
  BOOST_TEST(daemon.post("/v1/jobs/" + queued + "/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, queued), "status") == "cancelled");
  BOOST_TEST(daemon.post("/v1/jobs/" + endless + "/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, endless), "status") == "cancelled");
  const auto bell = text(submit(daemon, job_of(bell_input())), "id");
  BOOST_TEST(text(wait_final(daemon, bell), "status") == "succeeded");

  const auto after = scrape(daemon);
  BOOST_TEST(value_of(after, "qjob_jobs_submitted_total") == 3);
  BOOST_TEST(value_of(after, "qjob_http_responses_total{code=\"201\"}") == 3);
  BOOST_TEST(value_of(after, transitions("local", "executing")) == 2);
  BOOST_TEST(value_of(after, transitions("local", "cancelled")) == 2);
  BOOST_TEST(value_of(after, transitions("local", "succeeded")) == 1);
  BOOST_TEST(!after.contains(transitions("local", "failed")));
  BOOST_TEST(value_of(after, "qjob_scheduler_waiting_jobs{provider=\"local\"}") == 0);
  BOOST_TEST(value_of(after, "qjob_scheduler_running_jobs{provider=\"local\"}") == 0);
  BOOST_TEST(value_of(after, "qjob_jobs{provider=\"local\",status=\"cancelled\"}") == 2);
  BOOST_TEST(value_of(after, "qjob_jobs{provider=\"local\",status=\"succeeded\"}") == 1);

  // Three inserts and the five transitions above at least, in fewer or as many transactions.
  const auto commits = value_of(after, "qjob_db_commit_duration_seconds_count");
  BOOST_TEST(commits == value_of(after, "qjob_db_transactions_total{outcome=\"committed\"}"));
  BOOST_TEST(commits == value_of(after, "qjob_db_commit_duration_seconds_bucket{le=\"+Inf\"}"));
  BOOST_TEST(commits > value_of(idle, "qjob_db_commit_duration_seconds_count"));
  BOOST_TEST(value_of(after, "qjob_db_writes_total") >= 8);
  BOOST_TEST(value_of(after, "qjob_db_writes_total") >= commits);
  BOOST_TEST(value_of(after, "qjob_db_commit_duration_seconds_sum") > 0);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(provider_requests_are_counted_by_code_with_latency_histograms_to_match) {
  fakes::fake_ionq_options options;
  // The first POST is refused for good; the first two GETs (polls) are answered 503 and retried.
  options.faults = faults("post:400:count=1,get:503:count=2");
  fake_ionq_thread fake(std::move(options));
  key_file key("test-key");
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key)});

  const auto refused = text(submit(daemon, job_of(bell_input(), {{"provider", "ionq"}})), "id");
  BOOST_TEST(text(wait_final(daemon, refused), "status") == "failed");
  std::vector<std::string> ran;
  for (int i = 0; i < 2; ++i) ran.push_back(text(submit(daemon, job_of(bell_input(), {{"provider", "ionq"}})), "id"));
  for (const auto& id : ran) BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");

  const auto all = scrape(daemon);
  BOOST_TEST(value_of(all, requests("submit", "400")) == 1);
  BOOST_TEST(value_of(all, requests("submit", "2xx")) == 2);
  BOOST_TEST(value_of(all, requests("poll", "503")) == 2);
  BOOST_TEST(value_of(all, requests("poll", "2xx")) >= 2);
  BOOST_TEST(value_of(all, requests("fetch", "2xx")) == 2);
  BOOST_TEST(!all.contains(requests("cancel", "2xx")));

  // Per request kind, the histogram counts every exchange the counter does, whatever its code.
  const std::string prefix = "qjob_provider_requests_total{provider=\"ionq\",request=\"";
  std::map<std::string, double> by_kind;
  for (const auto& [sample, value] : all) {
    if (!sample.starts_with(prefix)) continue;
    const auto kind = sample.substr(prefix.size(), sample.find('"', prefix.size()) - prefix.size());
    by_kind[kind] += value;
  }
  BOOST_TEST((by_kind.size() >= 3u));
  for (const auto& [kind, count] : by_kind) {
    BOOST_TEST_CONTEXT("request " << kind) {
      const auto labels = "{provider=\"ionq\",request=\"" + kind + "\"";
      BOOST_TEST(value_of(all, "qjob_provider_request_duration_seconds_count" + labels + "}") == count);
      BOOST_TEST(value_of(all, "qjob_provider_request_duration_seconds_bucket" + labels + ",le=\"+Inf\"}") == count);
      BOOST_TEST(value_of(all, "qjob_provider_request_duration_seconds_sum" + labels + "}") > 0);
    }
  }

  BOOST_TEST(value_of(all, transitions("ionq", "failed")) == 1);
  BOOST_TEST(value_of(all, transitions("ionq", "executing")) == 2);
  BOOST_TEST(value_of(all, transitions("ionq", "succeeded")) == 2);
  // Every GET of a job was a poll round's: the lag histogram saw each round's jobs.
  BOOST_TEST(value_of(all, "qjob_poll_lag_seconds_count{provider=\"ionq\"}") >= 2);
  BOOST_TEST(value_of(all, "qjob_poller_watched_jobs") == 0);
  BOOST_TEST(value_of(all, "qjob_scheduler_running_jobs{provider=\"ionq\"}") == 0);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(jobs_executing_at_a_provider_park_their_actors_and_come_back_for_its_words) {
  // Held at `started` until released: the jobs sit at the provider, watched.
  fake_ionq_thread fake(holding_at("started"));
  key_file key("test-key");
  // Room for every job at the provider at once (ionq's entry is the last table).
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key) + "max_in_flight = 1000\n"});
  constexpr int count = 200;
  const auto ids = submit_ionq_batch(daemon, count);
  for (const auto& id : ids) wait_status(daemon, id, "executing");
  // Each job waits at the provider as the poller's entry, with no actor of its own.
  eventually([&] { return value_of(scrape(daemon), "qjob_job_actors") == 0; }, "every executing job parked");
  auto parked = scrape(daemon);
  BOOST_TEST(value_of(parked, "qjob_poller_watched_jobs") == count);
  BOOST_TEST(value_of(parked, "qjob_scheduler_running_jobs{provider=\"ionq\"}") == count);

  // A cancel starts the job's actor again, which passes it on.
  BOOST_TEST(daemon.post("/v1/jobs/" + ids.front() + "/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, ids.front()), "status") == "cancelled");
  // Released: the poller's word on each brings its actor back to fetch the results.
  fake.call([](fakes::fake_ionq& f) {
    f.set_hold_at("");
    return 0;
  });
  for (std::size_t i = 1; i < ids.size(); ++i) BOOST_TEST(text(wait_final(daemon, ids[i]), "status") == "succeeded");
  const auto created = fake.call([](fakes::fake_ionq& f) { return f.creates_by_qjob_id(); });
  for (const auto& id : ids) BOOST_TEST(created.at(id) == 1u);
  eventually([&] { return value_of(scrape(daemon), "qjob_job_actors") == 0; }, "every actor ended");
  const auto after = scrape(daemon);
  BOOST_TEST(value_of(after, "qjob_poller_watched_jobs") == 0);
  BOOST_TEST(value_of(after, "qjob_scheduler_running_jobs{provider=\"ionq\"}") == 0);
  BOOST_TEST(value_of(after, transitions("ionq", "succeeded")) == count - 1);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(the_poller_s_words_bring_parked_jobs_back_1024_at_a_time) {
  // A job's own GETs (its results) take a second: every actor brought back is
  // still fetching when the last word comes. The list pages are not slowed, and
  // the request rate bounds how many GETs are open at once.
  fake_ionq_thread fake(holding_at("started", "get:slow:delay_ms=1000:path=/jobs/"));
  key_file key("test-key");
  // More parked jobs than the words bring back at once.
  constexpr int count = 1'100;
  constexpr double most_at_once = 1'024;
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key, 250) + "max_in_flight = 2000\n"});
  const auto ids = submit_ionq_batch(daemon, count);
  eventually(
      [&] {
        const auto now = parse_samples(daemon.get("/metrics").body);
        return value_of(now, "qjob_poller_watched_jobs") == count && value_of(now, "qjob_job_actors") == 0;
      },
      "every job parked at the provider");

  // Released: one list page after another tells of every job at once; the words
  // wait for a place rather than each starting an actor.
  fake.call([](fakes::fake_ionq& f) {
    f.set_hold_at("");
    return 0;
  });
  double most_actors = 0;
  eventually(
      [&] {
        const auto now = parse_samples(daemon.get("/metrics").body);
        most_actors = std::max(most_actors, value_of(now, "qjob_job_actors"));
        return value_or_zero(now, transitions("ionq", "succeeded")) == count;
      },
      "every job succeeded");
  BOOST_TEST(most_actors == most_at_once);
  const auto created = fake.call([](fakes::fake_ionq& f) { return f.creates_by_qjob_id(); });
  for (const auto& id : ids) BOOST_TEST(created.at(id) == 1u);
  const auto after = scrape(daemon);
  BOOST_TEST(value_of(after, "qjob_job_actors") == 0);
  BOOST_TEST(value_of(after, "qjob_poller_watched_jobs") == 0);
  BOOST_TEST(value_of(after, "qjob_scheduler_running_jobs{provider=\"ionq\"}") == 0);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(jobs_granted_a_slot_are_sent_max_submitting_at_a_time) {
  // Each POST takes 200 ms at the fake, and the jobs then stay `submitted` there:
  // once sent, a job has nothing more for an actor to do.
  fake_ionq_thread fake(holding_at("submitted", "post:slow:delay_ms=200"));
  key_file key("test-key");
  constexpr int count = 40;
  constexpr int max_submitting = 4;
  daemon_process daemon(daemon_options{.config = ionq_config(fake, key) + "max_in_flight = 1000\nmax_submitting = " +
                                                  std::to_string(max_submitting) + "\n"});
  const auto ids = submit_ionq_batch(daemon, count);
  // The last job is granted its slot with the others but waits its turn to be
  // sent: a cancel then ends it without a word to the provider.
  BOOST_TEST(daemon.post("/v1/jobs/" + ids.back() + "/cancel", "").status == 202u);

  // Every job holds its slot from the start, but only max_submitting of them
  // have an actor while they are sent (read without promtool, to sample often).
  double most_actors = 0;
  bool slots_before_sent = false;
  eventually(
      [&] {
        const auto now = parse_samples(daemon.get("/metrics").body);
        const auto watched = value_of(now, "qjob_poller_watched_jobs");
        most_actors = std::max(most_actors, value_of(now, "qjob_job_actors"));
        if (watched < count - 2 && value_of(now, "qjob_scheduler_running_jobs{provider=\"ionq\"}") == count - 1)
          slots_before_sent = true;
        return watched == count - 1;
      },
      "every job but the cancelled one sent");
  BOOST_TEST(most_actors > 0);
  BOOST_TEST(most_actors <= max_submitting);
  BOOST_TEST(slots_before_sent);
  BOOST_TEST(text(wait_final(daemon, ids.back()), "status") == "cancelled");
  const auto created = fake.call([](fakes::fake_ionq& f) { return f.creates_by_qjob_id(); });
  BOOST_TEST(!created.contains(ids.back()));
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) BOOST_TEST(created.at(ids[i]) == 1u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
