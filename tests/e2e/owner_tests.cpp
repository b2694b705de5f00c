// Two owners on one real qjobd: a user sees and cancels only their own jobs; root
// (and members of admin_group) see every job. The daemon runs as root; the other
// user is nobody (65534), reached through a forked child that drops to that uid.
// Needs root: skipped otherwise.

#include "e2e_jobs.hpp"

#include "support/child_process.hpp"
#include "support/daemon_process.hpp"
#include "support/http_exchange.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <grp.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

constexpr uid_t nobody = 65534;

struct root_only {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result running_as_root(::geteuid() == 0);
    running_as_root.message() << "skipped: the owner tests must run as root (to act as uid " << nobody << ")";
    return running_as_root;
  }
};

/// A daemon that every user may connect to.
daemon_options shared_daemon(const std::string& extra_config = "") {
  return daemon_options{.config = one_worker_config("socket_mode = \"0666\"\n" + extra_config),
                        .reachable_by_all = true};
}

/// One request to `daemon` made as nobody.
test::http_answer as_nobody(const daemon_process& daemon, std::string_view method, const std::string& target,
                            const std::string& body = "") {
  return test::http_exchange_as(nobody, daemon.socket(), method, target, body);
}

std::set<std::string> listed_ids(const test::http_answer& answer) {
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  std::set<std::string> ids;
  const auto body = answer.json();
  for (const auto& job : body.at("jobs").as_array()) ids.insert(text(job.as_object(), "id"));
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(owner_tests, *boost::unit_test::precondition(root_only{}))

BOOST_AUTO_TEST_CASE(another_user_can_neither_see_nor_cancel_roots_jobs) {
  daemon_process daemon(shared_daemon());
  auto batch = daemon.post_json("/v1/batches", json::array{job_of(endless_input(), {{"id", "roots-job"}})});
  BOOST_TEST_REQUIRE(batch.status == 201u, batch.body);
  const auto batch_id = text(batch.json().as_object(), "batch_id");
  wait_status(daemon, "roots-job", "executing");
  BOOST_TEST(get_job(daemon, "roots-job").at("owner").to_number<int>() == 0);

  BOOST_TEST(as_nobody(daemon, "GET", "/v1/jobs/roots-job").status == 404u);
  BOOST_TEST(as_nobody(daemon, "GET", "/v1/jobs/roots-job?wait=1").status == 404u);
  BOOST_TEST(as_nobody(daemon, "GET", "/v1/jobs/roots-job/result").status == 404u);
  BOOST_TEST(as_nobody(daemon, "POST", "/v1/jobs/roots-job/cancel").status == 404u);
  BOOST_TEST(as_nobody(daemon, "GET", "/v1/batches/" + batch_id).status == 404u);
  BOOST_TEST(as_nobody(daemon, "POST", "/v1/batches/" + batch_id + "/cancel").status == 404u);
  BOOST_TEST(listed_ids(as_nobody(daemon, "GET", "/v1/jobs")).empty());
  BOOST_TEST(listed_ids(as_nobody(daemon, "GET", "/v1/jobs?batch=" + batch_id)).empty());
  // Ids are unique on the daemon, but a retry with root's id and content must not
  // hand nobody root's job.
  auto same_id = as_nobody(daemon, "POST", "/v1/batches",
                           json::serialize(json::array{job_of(endless_input(), {{"id", "roots-job"}})}));
  BOOST_TEST(same_id.status == 409u, same_id.body);
  BOOST_TEST(same_id.body.find("executing") == std::string::npos, same_id.body);

  BOOST_TEST(text(get_job(daemon, "roots-job"), "status") == "executing", "nobody's cancel changed nothing");
  BOOST_TEST(get_job(daemon, "roots-job").at("cancel_requested") == json::value(false));
  BOOST_TEST(daemon.post("/v1/jobs/roots-job/cancel", "").status == 202u);
  BOOST_TEST(text(wait_final(daemon, "roots-job"), "status") == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_user_sees_their_own_jobs_and_root_sees_everyones) {
  daemon_process daemon(shared_daemon());
  const auto roots = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  auto submitted = as_nobody(daemon, "POST", "/v1/jobs", json::serialize(job_of(bell_input(), {{"shots", 10}})));
  BOOST_TEST_REQUIRE(submitted.status == 201u, submitted.body);
  const auto job = submitted.json().as_object();
  const auto nobodys = text(job, "id");
  BOOST_TEST(job.at("owner").to_number<std::int64_t>() == nobody);

  auto own = as_nobody(daemon, "GET", "/v1/jobs/" + nobodys + "?wait=30");
  BOOST_TEST_REQUIRE(own.status == 200u, own.body);
  BOOST_TEST(text(own.json().as_object(), "status") == "succeeded", own.body);
  BOOST_TEST(as_nobody(daemon, "GET", "/v1/jobs/" + nobodys + "/result").status == 200u);
  BOOST_TEST((listed_ids(as_nobody(daemon, "GET", "/v1/jobs")) == std::set<std::string>{nobodys}));

  BOOST_TEST((listed_ids(daemon.get("/v1/jobs")) == std::set<std::string>{roots, nobodys}), "root sees both");
  BOOST_TEST(get_job(daemon, nobodys).at("owner").to_number<std::int64_t>() == nobody);
  wait_final(daemon, roots);
  BOOST_TEST(daemon.get("/v1/jobs/" + nobodys + "/result").status == 200u, "root reads anyone's result");
}

BOOST_AUTO_TEST_CASE(a_user_cancels_their_own_batch_but_not_roots) {
  daemon_process daemon(shared_daemon());
  const auto roots = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, roots, "executing");
  auto batch = as_nobody(daemon, "POST", "/v1/batches",
                         json::serialize(json::array{job_of(bell_input()), job_of(bell_input())}));
  BOOST_TEST_REQUIRE(batch.status == 201u, batch.body);
  const auto batch_id = text(batch.json().as_object(), "batch_id");
  auto counts = as_nobody(daemon, "GET", "/v1/batches/" + batch_id);
  BOOST_TEST_REQUIRE(counts.status == 200u, counts.body);
  BOOST_TEST(counts.json().at("counts").at("waiting").to_number<int>() == 2, counts.body);
  auto cancel = as_nobody(daemon, "POST", "/v1/batches/" + batch_id + "/cancel");
  BOOST_TEST(cancel.status == 202u, cancel.body);
  eventually(
      [&] {
        return daemon.get("/v1/batches/" + batch_id).json().at("counts").at("cancelled").to_number<int>() == 2;
      },
      "nobody's batch is cancelled");
  BOOST_TEST(text(get_job(daemon, roots), "status") == "executing");
  BOOST_TEST(daemon.post("/v1/jobs/" + roots + "/cancel", "").status == 202u);
  wait_final(daemon, roots);
}

BOOST_AUTO_TEST_CASE(ten_jobs_of_a_user_run_long_before_ten_thousand_that_root_handed_in_first) {
  daemon_process daemon(shared_daemon());
  // The only worker is taken while both owners hand their jobs in, so the order
  // they run in is the scheduler's alone.
  const auto holder = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, holder, "executing");
  std::string sweep;
  for (int i = 0; i < 10'000; ++i) sweep += json::serialize(job_of(bell_input(), {{"shots", 1}})) + "\n";
  const auto big = daemon.post("/v1/batches", sweep, "application/x-ndjson");
  BOOST_TEST_REQUIRE(big.status == 201u, big.body);
  const auto big_batch = text(big.json().as_object(), "batch_id");
  std::vector<std::string> small;
  for (int i = 0; i < 10; ++i) {
    const auto answer = as_nobody(daemon, "POST", "/v1/jobs", json::serialize(job_of(bell_input(), {{"shots", 1}})));
    BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
    small.push_back(text(answer.json().as_object(), "id"));
  }
  // Root's urgent job, last in: a higher priority class goes before any share.
  const auto urgent = text(submit(daemon, job_of(bell_input(), {{"priority", 9}, {"shots", 1}})), "id");

  // Owners take turns, root's first: nobody's last job is 20th after the urgent one.
  BOOST_TEST(get_job(daemon, urgent).at("queue_position") == 1);
  const auto last_small = as_nobody(daemon, "GET", "/v1/jobs/" + small.back());
  BOOST_TEST_REQUIRE(last_small.status == 200u, last_small.body);
  BOOST_TEST(last_small.json().at("queue_position") == 21, last_small.body);

  BOOST_TEST(daemon.post("/v1/jobs/" + holder + "/cancel", "").status == 202u);
  std::string small_started_first;
  for (const auto& id : small) {
    const auto job = wait_final(daemon, id);
    BOOST_TEST(text(job, "status") == "succeeded");
    if (small_started_first.empty()) small_started_first = text(job, "started_at");
  }
  // Read at once: root's jobs go on running meanwhile, one every few milliseconds.
  const auto counts = daemon.get("/v1/batches/" + big_batch).json().at("counts");
  const auto big_done = counts.at("succeeded").to_number<int>();
  BOOST_TEST(big_done < 100, "root's jobs that ran before nobody's ten were done: " << big_done);
  BOOST_TEST(text(wait_final(daemon, urgent), "started_at") < small_started_first);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(members_of_admin_group_see_every_job) {
  if (::getgrnam("nogroup") == nullptr) {
    BOOST_TEST_MESSAGE("skipped: this host has no group 'nogroup'");
    return;
  }
  // nobody's primary group (as the test sets it) is 65534, nogroup on Debian.
  daemon_process daemon(shared_daemon("admin_group = \"nogroup\"\n"));
  const auto roots = text(submit(daemon, job_of(bell_input(), {{"shots", 5}})), "id");
  BOOST_TEST(as_nobody(daemon, "GET", "/v1/jobs/" + roots).status == 200u);
  BOOST_TEST(listed_ids(as_nobody(daemon, "GET", "/v1/jobs")).contains(roots));
}

BOOST_AUTO_TEST_CASE(qjobctl_as_another_user_lists_only_that_users_jobs) {
  if (::access(test::qjobctl_path().c_str(), X_OK) != 0) {
    BOOST_TEST_MESSAGE("skipped: qjobctl is not executable");
    return;
  }
  daemon_process daemon(shared_daemon());
  const auto roots = text(submit(daemon, job_of(bell_input(), {{"shots", 5}})), "id");
  const auto file = daemon.root() / "bell.json";
  std::ofstream(file) << json::serialize(bell_input());
  const std::vector<std::string> socket{"--socket", daemon.socket().string()};

  auto args = socket;
  args.insert(args.end(), {"submit", file.string(), "--shots", "5", "--wait"});
  const auto submitted = test::run_qjobctl(args, {{"HOME", "/"}}, nobody);
  if (submitted.exit_code == 127 || submitted.exit_code == 125) {
    BOOST_TEST_MESSAGE("skipped: nobody cannot run the built qjobctl here: " << submitted.err);
    return;
  }
  BOOST_TEST_REQUIRE(submitted.exit_code == 0, submitted.err);
  const auto nobodys = submitted.out.substr(0, submitted.out.find('\n'));

  args = socket;
  args.insert(args.end(), {"list", "--json"});
  const auto listed = test::run_qjobctl(args, {{"HOME", "/"}}, nobody);
  BOOST_TEST_REQUIRE(listed.exit_code == 0, listed.err);
  const auto jobs = json::parse(listed.out).as_array();
  BOOST_TEST_REQUIRE(jobs.size() == 1u, listed.out);
  BOOST_TEST(text(jobs[0].as_object(), "id") == nobodys);

  args = socket;
  args.insert(args.end(), {"status", roots});
  const auto status = test::run_qjobctl(args, {{"HOME", "/"}}, nobody);
  BOOST_TEST(status.exit_code == 2, "root's job is unknown to nobody: " << status.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
