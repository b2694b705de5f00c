// The real qjobd when what it stands on fails: a full disk under the state
// directory (a small tmpfs), a database file that is corrupt or not ours, a
// second qjobd on the same state directory, and a provider that hangs.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"

#include "support/child_process.hpp"
#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// A tmpfs of `bytes` mounted on a temp directory (qjobd's state directory is
/// made inside it), unmounted and removed afterwards. Needs CAP_SYS_ADMIN, which
/// the suite's machines give it.
class small_filesystem {
public:
  explicit small_filesystem(std::size_t bytes) {
    std::string pattern = (std::filesystem::temp_directory_path() / "qjob-small-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
    const auto options = "size=" + std::to_string(bytes) + ",mode=0755";
    mounted_ = ::mount("tmpfs", root_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    BOOST_TEST_REQUIRE(mounted_, "cannot mount a tmpfs on " << root_ << ": " << std::strerror(errno));
  }
  small_filesystem(const small_filesystem&) = delete;
  small_filesystem& operator=(const small_filesystem&) = delete;
  ~small_filesystem() {
    if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  const std::filesystem::path& root() const { return root_; }

private:
  std::filesystem::path root_;
  bool mounted_ = false;
};

/// Writes `bytes` of filler into `file`, stopping quietly where the disk is full.
void fill(const std::filesystem::path& file, std::size_t bytes) {
  std::ofstream out(file, std::ios::binary);
  const std::string chunk(64 * 1024, 'x');
  for (std::size_t written = 0; written < bytes && out; written += chunk.size()) out.write(chunk.data(), chunk.size());
}

/// A job with a large name-sized payload in its params, so that a few hundred
/// of them fill a small disk.
json::object bulky_job(int index) {
  return job_of(value_input(static_cast<std::uint64_t>(index % 8), 3),
                {{"shots", 10}, {"params", json::object{{"note", std::string(8 * 1024, 'p')}}}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_tests)

BOOST_AUTO_TEST_CASE(a_full_disk_answers_503_harms_nothing_stored_and_recovers_when_space_returns) {
  small_filesystem disk(8u << 20);
  const auto filler = disk.root() / "filler";
  daemon_options options;
  options.config = one_worker_config();
  options.state_dir = disk.root() / "state";
  daemon_process daemon(options);

  // Accepted jobs before the disk fills, with their results.
  std::vector<std::string> accepted;
  for (int i = 0; i < 20; ++i) accepted.push_back(text(submit(daemon, bulky_job(i)), "id"));
  for (const auto& id : accepted) BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  std::map<std::string, std::string> results;
  for (const auto& id : accepted) results[id] = daemon.get("/v1/jobs/" + id + "/result").body;

  // The rest of the disk taken by something else; submissions go on until refused.
  fill(filler, 16u << 20);
  test::http_answer refused;
  for (int i = 0; i < 2000; ++i) {
    auto answer = daemon.post_json("/v1/jobs", bulky_job(i));
    if (answer.status == 201) {
      accepted.push_back(text(answer.json().as_object(), "id"));
      continue;
    }
    refused = answer;
    break;
  }
  BOOST_TEST_REQUIRE(refused.status == 503u, "a full disk refuses submissions: " << refused.body);
  BOOST_TEST(refused.error_code() == "storage_full");
  BOOST_TEST(refused.body.find("full") != std::string::npos);
  BOOST_TEST(!refused.retry_after.empty());
  // Reads still answer; nothing accepted is lost or changed.
  BOOST_TEST(daemon.get("/v1/health").status == 200u);
  for (const auto& [id, body] : results) BOOST_TEST(daemon.get("/v1/jobs/" + id + "/result").body == body);
  for (const auto& id : accepted) BOOST_TEST(daemon.get("/v1/jobs/" + id).status == 200u);

  // Space back: the same daemon takes jobs again, and every accepted one ends.
  std::filesystem::remove(filler);
  const auto after = text(submit(daemon, bulky_job(3)), "id");
  BOOST_TEST(text(wait_final(daemon, after), "status") == "succeeded");
  for (const auto& id : accepted) BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  BOOST_TEST(daemon.terminate() == 0);
  // And a restart finds everything.
  daemon.restart();
  for (const auto& id : accepted) BOOST_TEST(text(get_job(daemon, id), "status") == "succeeded");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_corrupt_or_foreign_database_stops_qjobd_naming_the_file) {
  for (const std::string& content : {std::string("this is not a database at all, only text"),
                                    std::string("SQLite format 3") + std::string(1, '\0') + std::string(4096, 'z')}) {
    std::string pattern = (std::filesystem::temp_directory_path() / "qjob-corrupt-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    const std::filesystem::path root = pattern;
    std::filesystem::create_directories(root / "state");
    const auto database = root / "state" / "qjobd.db";
    std::ofstream(database, std::ios::binary) << content;
    const auto before = content;
    auto run = test::run_process({test::qjobd_path().string(), "--socket", (root / "qjobd.sock").string(),
                                  "--state-dir", (root / "state").string()},
                                 {{"NOTIFY_SOCKET", std::nullopt}}, std::nullopt, "", std::chrono::seconds(60));
    BOOST_TEST(run.exit_code == 1, run.err);
    BOOST_TEST(run.err.find(database.string()) != std::string::npos, run.err);
    BOOST_TEST(!std::filesystem::exists(root / "qjobd.sock"), "no socket for a daemon that did not start");
    std::ifstream stored(database, std::ios::binary);
    BOOST_TEST(std::string(std::istreambuf_iterator<char>(stored), {}) == before, "the file is left untouched");
    std::filesystem::remove_all(root);
  }
}

BOOST_AUTO_TEST_CASE(a_second_qjobd_on_the_same_state_directory_refuses_to_start) {
  daemon_process first(daemon_options{.config = one_worker_config()});
  const auto id = text(submit(first, job_of(bell_input())), "id");
  auto second = test::run_process({test::qjobd_path().string(), "--socket", (first.root() / "other.sock").string(),
                                   "--state-dir", first.state_dir().string()},
                                  {{"NOTIFY_SOCKET", std::nullopt}}, std::nullopt, "", std::chrono::seconds(60));
  BOOST_TEST(second.exit_code == 1, second.err);
  BOOST_TEST(second.err.find(first.state_dir().string()) != std::string::npos, second.err);
  BOOST_TEST(second.err.find("another qjobd") != std::string::npos, second.err);
  // The first goes on unharmed.
  BOOST_TEST(text(wait_final(first, id), "status") == "succeeded");
  BOOST_TEST(first.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_provider_that_hangs_keeps_its_jobs_waiting_while_the_others_run) {
  fakes::fake_ionq_options hanging;
  hanging.faults = faults("any:slow:delay_ms=600000");
  fake_ionq_thread fake(hanging);
  key_file key("test-key");
  const auto config = one_worker_config() + "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" +
                      fake.base_url() + "\"\napi_key_file = \"" + key.path().string() +
                      "\"\nrequest_timeout_ms = 300\nbackoff_initial_ms = 20\nbackoff_max_ms = 100\n"
                      "retry_budget_ms = 1000\nbreaker_threshold = 3\nbreaker_cool_down_ms = 500\n";
  daemon_process daemon(daemon_options{.config = config});
  const auto stuck = text(submit(daemon, job_of(bell_input(), {{"provider", "ionq"}})), "id");
  std::vector<std::string> local;
  for (int i = 0; i < 10; ++i) local.push_back(text(submit(daemon, job_of(value_input(i, 3))), "id"));
  for (const auto& id : local) BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  eventually([&] { return text(health_of(daemon, "ionq"), "status") != "healthy"; }, "ionq is not healthy");
  const auto job = get_job(daemon, stuck);
  BOOST_TEST(!is_final_status(text(job, "status")), json::serialize(job));
  // Not failed for a hang: once the provider answers, the job runs, once.
  fake.call([](fakes::fake_ionq& f) {
    f.set_faults(fakes::fault_plan{});
    return 0;
  });
  BOOST_TEST(text(wait_final(daemon, stuck), "status") == "succeeded");
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
