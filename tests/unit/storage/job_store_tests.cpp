#include "storage/job_store.hpp"

#include "storage/error.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite_handles.hpp"
#include "temp_state_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace qs = qjob::storage;
namespace qt = qjob::storage::test;

namespace {

qs::job_row make_job(const std::string& id, std::uint32_t owner = 1000) {
  qs::job_row row;
  row.id = id;
  row.name = "bell";
  row.provider = "local";
  row.target = "simulator";
  row.shots = 1000;
  row.input_format = "ionq.circuit.v0";
  row.input = R"({"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]})";
  row.params = "{}";
  row.tags = {"exp", "bell"};
  row.owner = owner;
  row.fingerprint = "fp-" + id;
  row.created_at = 1'700'000'000'000'000;
  return row;
}

/// Inserts `row` in its own transaction and returns the outcome.
qs::insert_outcome insert(qs::job_store& store, qs::job_row& row) {
  qs::job_store::transaction txn(store);
  const auto outcome = store.insert_job(row);
  txn.commit();
  return outcome;
}

std::vector<std::string> ids_of(const std::vector<qs::job_row>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

bool message_contains(const qs::storage_error& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

/// All pages of a listing, following `next`.
std::vector<std::string> list_all(qs::job_store& store, const qs::job_filter& filter, std::uint32_t limit) {
  std::vector<std::string> ids;
  std::optional<std::int64_t> cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = store.list_jobs(filter, limit, cursor);
    BOOST_TEST(page.jobs.size() <= limit);
    for (const auto& row : page.jobs) ids.push_back(row.id);
    if (!page.next) break;
    BOOST_TEST(page.jobs.size() == limit);
    cursor = page.next;
  }
  return ids;
}

}  // namespace

// The timeout is a backstop: each case takes milliseconds, more only on a disk
// whose fsync is slow.
BOOST_AUTO_TEST_SUITE(job_store_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(fresh_open_stamps_version_and_application_id) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  BOOST_TEST(std::filesystem::is_directory(dir.path() / "results"));
  BOOST_TEST(std::filesystem::exists(dir.path() / "qjobd.lock"));
  struct stat info {};
  BOOST_REQUIRE(::stat(dir.path().c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0700u);

  qs::connection probe(dir.path() / "qjobd.db");
  BOOST_TEST(probe.query_int("PRAGMA application_id", "test") == qs::application_id);
  BOOST_TEST(probe.query_int("PRAGMA user_version", "test") == qs::schema_version());
  BOOST_TEST(probe.query_text("PRAGMA journal_mode", "test") == "wal");
}

BOOST_AUTO_TEST_CASE(data_survives_reopen) {
  qt::temp_state_dir dir;
  {
    auto store = qs::job_store::open(dir.path());
    auto row = make_job("job-1");
    BOOST_TEST((insert(store, row) == qs::insert_outcome::inserted));
  }
  auto store = qs::job_store::open(dir.path());
  auto row = store.get_job("job-1", true);
  BOOST_REQUIRE(row.has_value());
  const auto expected = make_job("job-1");
  BOOST_TEST(row->input == expected.input);
  BOOST_TEST(row->tags == expected.tags, boost::test_tools::per_element());
  BOOST_TEST(row->owner == 1000u);
  BOOST_TEST(row->seq > 0);
  BOOST_TEST((row->run.status == qs::job_status::waiting));
}

BOOST_AUTO_TEST_CASE(second_open_of_the_same_directory_fails_naming_the_lock) {
  qt::temp_state_dir dir;
  auto first = qs::job_store::open(dir.path());
  try {
    auto second = qs::job_store::open(dir.path());
    BOOST_FAIL("a second open succeeded");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, "another qjobd is running on state directory " + dir.path().string()));
    BOOST_TEST(message_contains(e, (dir.path() / "qjobd.lock").string()));
    BOOST_TEST(message_contains(e, "--state-dir"));
  }
}

BOOST_AUTO_TEST_CASE(lock_is_released_when_the_store_closes) {
  qt::temp_state_dir dir;
  { auto first = qs::job_store::open(dir.path()); }
  BOOST_CHECK_NO_THROW(qs::job_store::open(dir.path()));
}

BOOST_AUTO_TEST_CASE(insert_get_roundtrips_every_field) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("job-1");
  row.batch_id = "batch-1";
  row.priority = 9;
  row.params = R"({"noise":"none"})";
  BOOST_TEST((insert(store, row) == qs::insert_outcome::inserted));
  BOOST_TEST(row.seq > 0);

  auto with_input = store.get_job("job-1", true);
  BOOST_REQUIRE(with_input.has_value());
  BOOST_TEST(with_input->seq == row.seq);
  BOOST_TEST(with_input->name == "bell");
  BOOST_TEST(with_input->provider == "local");
  BOOST_TEST(with_input->target == "simulator");
  BOOST_TEST(with_input->shots == 1000);
  BOOST_TEST(with_input->input_format == "ionq.circuit.v0");
  BOOST_TEST(with_input->input == row.input);
  BOOST_TEST(with_input->params == row.params);
  BOOST_TEST(with_input->priority == 9);
  BOOST_TEST(with_input->batch_id == "batch-1");
  BOOST_TEST(with_input->fingerprint == "fp-job-1");
  BOOST_TEST(with_input->created_at == row.created_at);
  BOOST_TEST(!with_input->run.error.has_value());

  auto without_input = store.get_job("job-1");
  BOOST_REQUIRE(without_input.has_value());
  BOOST_TEST(without_input->input.empty());
  BOOST_TEST(!store.get_job("no-such-job").has_value());
}

BOOST_AUTO_TEST_CASE(duplicate_with_same_fingerprint_fills_the_row) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto first = make_job("job-1");
  insert(store, first);

  qs::job_row retry;
  retry.id = "job-1";
  retry.fingerprint = "fp-job-1";
  BOOST_TEST((insert(store, retry) == qs::insert_outcome::duplicate));
  BOOST_TEST(retry.seq == first.seq);
  BOOST_TEST(retry.input == first.input);
  BOOST_TEST(retry.name == "bell");
  BOOST_TEST(store.history("job-1").size() == 1u);
}

BOOST_AUTO_TEST_CASE(same_id_with_other_content_is_a_conflict) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto first = make_job("job-1");
  insert(store, first);
  auto other = make_job("job-1");
  other.fingerprint = "something else";
  other.shots = 5;
  BOOST_TEST((insert(store, other) == qs::insert_outcome::conflict));
  BOOST_TEST(store.get_job("job-1")->shots == 1000);
}

BOOST_AUTO_TEST_CASE(update_run_with_and_without_transition) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("job-1");
  insert(store, row);

  qs::run_state run;
  run.status = qs::job_status::executing;
  run.provider_status = "Executing";
  run.provider_job_id = "prov-7";
  run.submitted_at = 11;
  run.started_at = 12;
  run.attempts = 1;
  std::int64_t seq = 0;
  {
    qs::job_store::transaction txn(store);
    seq = store.update_run("job-1", run, true, 12);
    txn.commit();
  }
  BOOST_TEST(seq > 0);

  // A change that is not a transition (the cancel flag) adds no history entry.
  run.cancel_requested = true;
  {
    qs::job_store::transaction txn(store);
    BOOST_TEST(store.update_run("job-1", run, false, 13) == 0);
    txn.commit();
  }
  run.status = qs::job_status::failed;
  run.provider_status = "Failed";
  run.finished_at = 20;
  run.error = qs::job_error{"provider_error", "the target went offline"};
  run.cost = R"({"amount":1.5})";
  run.usage = R"({"seconds":3})";
  run.output_uri = "file:///x";
  {
    qs::job_store::transaction txn(store);
    BOOST_TEST(store.update_run("job-1", run, true, 20) > seq);
    txn.commit();
  }

  auto stored = store.get_job("job-1");
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST((stored->run.status == qs::job_status::failed));
  BOOST_TEST(stored->run.provider_status == "Failed");
  BOOST_TEST(stored->run.provider_job_id == "prov-7");
  BOOST_TEST(stored->run.submitted_at == 11);
  BOOST_TEST(stored->run.started_at == 12);
  BOOST_TEST(stored->run.finished_at == 20);
  BOOST_TEST(stored->run.attempts == 1);
  BOOST_TEST(stored->run.cancel_requested);
  BOOST_REQUIRE(stored->run.error.has_value());
  BOOST_TEST(stored->run.error->code == "provider_error");
  BOOST_TEST(stored->run.error->message == "the target went offline");
  BOOST_TEST(stored->run.cost == run.cost);
  BOOST_TEST(stored->run.usage == run.usage);
  BOOST_TEST(stored->run.output_uri == "file:///x");
}

BOOST_AUTO_TEST_CASE(submit_intent_is_set_and_cleared_durably) {
  qt::temp_state_dir dir;
  {
    auto store = qs::job_store::open(dir.path());
    auto row = make_job("job-1");
    insert(store, row);
    BOOST_TEST(!store.get_job("job-1")->run.submit_intent);
    qs::run_state run;
    run.provider_status = "submitting";
    run.submit_intent = true;
    store.update_run("job-1", run, true, 5);
  }
  auto store = qs::job_store::open(dir.path());
  auto stored = store.get_job("job-1");
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->run.submit_intent);
  BOOST_TEST(store.load_unfinished().front().run.submit_intent);
  stored->run.submit_intent = false;
  stored->run.provider_job_id = "ionq-1";
  store.update_run("job-1", stored->run, false, 6);
  BOOST_TEST(!store.get_job("job-1")->run.submit_intent);
  BOOST_TEST(store.get_job("job-1")->run.provider_job_id == "ionq-1");
}

BOOST_AUTO_TEST_CASE(version_1_database_is_migrated_keeping_its_jobs) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  {
    // A database as the first release wrote it, with one job.
    qs::connection db(dir.path() / "qjobd.db");
    db.exec(qs::migrations()[0], "test");
    db.exec(("PRAGMA application_id = " + std::to_string(qs::application_id) + "; PRAGMA user_version = 1").c_str(),
            "test");
    db.exec("INSERT INTO jobs (id, provider, target, shots, input_format, input, params, tags, priority, owner, "
            "fingerprint, created_at, status, provider_status, provider_job_id, submitted_at, started_at, "
            "finished_at, attempts, cancel_requested, output_uri, cost, usage) VALUES ('old', 'local', "
            "'simulator', 10, 'qasm2', '\"\"', '{}', '[]', 5, 1, 'fp', 1, 'waiting', 'queued', '', 0, 0, 0, 0, 0, "
            "'', '', '')",
            "test");
  }
  auto store = qs::job_store::open(dir.path());
  qs::connection probe(dir.path() / "qjobd.db");
  BOOST_TEST(probe.query_int("PRAGMA user_version", "test") == qs::schema_version());
  auto old = store.get_job("old");
  BOOST_REQUIRE(old.has_value());
  BOOST_TEST(!old->run.submit_intent);
  BOOST_TEST(old->run.provider_status == "queued");
}

BOOST_AUTO_TEST_CASE(purge_deletes_final_jobs_finished_before_the_cutoff_oldest_first) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  for (const auto* id : {"old-1", "old-2", "old-3", "recent", "waiting"}) {
    auto row = make_job(id);
    insert(store, row);
  }
  auto finish = [&](const std::string& id, std::int64_t at) {
    qs::run_state run;
    run.status = qs::job_status::succeeded;
    run.finished_at = at;
    qs::job_store::transaction txn(store);
    store.write_result(id, R"({"results":[]})");
    store.update_run(id, run, true, at);
    txn.commit();
  };
  finish("old-1", 100);
  finish("old-2", 200);
  finish("old-3", 300);
  finish("recent", 10'000);

  BOOST_TEST(store.purge_finished_before(1'000, 2) == 2u);  // the two oldest
  BOOST_TEST(!store.get_job("old-1").has_value());
  BOOST_TEST(!store.get_job("old-2").has_value());
  BOOST_TEST(store.get_job("old-3").has_value());
  BOOST_TEST(store.purge_finished_before(1'000, 2) == 1u);
  BOOST_TEST(store.purge_finished_before(1'000, 2) == 0u);
  BOOST_TEST(!store.get_job("old-3").has_value());
  BOOST_TEST(store.history("old-3").empty());
  BOOST_TEST(!store.read_result("old-3").has_value());
  BOOST_TEST(!std::filesystem::exists(dir.path() / "results" / "old-3.json"));
  qs::job_filter by_tag;
  by_tag.tag = "bell";
  BOOST_TEST((ids_of(store.list_jobs(by_tag, 10, std::nullopt).jobs) == std::vector<std::string>{"waiting", "recent"}));
  // What is left is untouched: the recent final job and the waiting one.
  BOOST_TEST(store.read_result("recent").has_value());
  BOOST_TEST(store.history("recent").size() == 2u);
  BOOST_TEST((store.get_job("waiting")->run.status == qs::job_status::waiting));
  qs::connection probe(dir.path() / "qjobd.db");
  BOOST_TEST(probe.query_int("SELECT count(*) FROM job_tags", "test") == 4);
  BOOST_TEST(probe.query_int("SELECT count(*) FROM transitions", "test") == 3);
}

BOOST_AUTO_TEST_CASE(events_after_follow_the_transitions_by_job_batch_and_owner) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto a = make_job("a", 1000);
  a.batch_id = "b1";
  auto b = make_job("b", 1000);
  b.batch_id = "b1";
  auto c = make_job("c", 2000);
  insert(store, a);
  insert(store, b);
  insert(store, c);
  qs::run_state run;
  run.status = qs::job_status::executing;
  run.provider_status = "running";
  for (const auto* id : {"a", "c", "b"}) store.update_run(id, run, true, 7);

  auto ids = [](const std::vector<qs::transition_row>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.job_id);
    return out;
  };
  const auto all = store.events_after(0, qs::event_filter{}, 100);
  BOOST_TEST((ids(all) == std::vector<std::string>{"a", "b", "c", "a", "c", "b"}));
  for (std::size_t i = 1; i < all.size(); ++i) BOOST_TEST(all[i].seq > all[i - 1].seq);
  // Resumed after an event id: only what came later.
  BOOST_TEST((ids(store.events_after(all[2].seq, qs::event_filter{}, 100)) == std::vector<std::string>{"a", "c", "b"}));
  BOOST_TEST((ids(store.events_after(0, qs::event_filter{}, 2)) == std::vector<std::string>{"a", "b"}));
  qs::event_filter batch;
  batch.batch_id = "b1";
  BOOST_TEST((ids(store.events_after(0, batch, 100)) == std::vector<std::string>{"a", "b", "a", "b"}));
  qs::event_filter job;
  job.job_id = "c";
  const auto of_c = store.events_after(0, job, 100);
  BOOST_TEST((ids(of_c) == std::vector<std::string>{"c", "c"}));
  BOOST_TEST((of_c.back().status == qs::job_status::executing));
  BOOST_TEST(of_c.back().provider_status == "running");
  qs::event_filter owner;
  owner.owner = 2000;
  BOOST_TEST((ids(store.events_after(0, owner, 100)) == std::vector<std::string>{"c", "c"}));
  job.owner = 1000;
  BOOST_TEST(store.events_after(0, job, 100).empty(), "another owner's job shows nothing");
}

BOOST_AUTO_TEST_CASE(update_of_an_unknown_job_throws) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  qs::job_store::transaction txn(store);
  BOOST_CHECK_THROW(store.update_run("nope", qs::run_state{}, true, 1), qs::storage_error);
}

BOOST_AUTO_TEST_CASE(history_is_in_order) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto a = make_job("a");
  auto b = make_job("b");
  insert(store, a);
  insert(store, b);
  qs::run_state run;
  const std::vector<std::pair<qs::job_status, std::string>> steps{
      {qs::job_status::waiting, "submitted"},
      {qs::job_status::waiting, "ready"},
      {qs::job_status::executing, "started"},
      {qs::job_status::succeeded, "completed"}};
  std::int64_t at = 100;
  for (const auto& [status, provider_status] : steps) {
    run.status = status;
    run.provider_status = provider_status;
    qs::job_store::transaction txn(store);
    store.update_run("a", run, true, ++at);
    store.update_run("b", run, true, at);
    txn.commit();
  }
  const auto history = store.history("a");
  BOOST_REQUIRE(history.size() == steps.size() + 1);
  BOOST_TEST((history[0].status == qs::job_status::waiting));
  BOOST_TEST(history[0].at == a.created_at);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    BOOST_TEST(history[i + 1].job_id == "a");
    BOOST_TEST((history[i + 1].status == steps[i].first));
    BOOST_TEST(history[i + 1].provider_status == steps[i].second);
    BOOST_TEST(history[i + 1].at == 101 + static_cast<std::int64_t>(i));
    BOOST_TEST(history[i + 1].seq > history[i].seq);
  }
  BOOST_TEST(store.history("nope").empty());
}

BOOST_AUTO_TEST_CASE(list_is_newest_first_and_each_filter_applies) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 12; ++i) {
      auto row = make_job("j" + std::to_string(i), i % 2 == 0 ? 1000 : 1001);
      row.provider = i % 3 == 0 ? "ionq" : "local";
      row.target = i % 3 == 0 ? "qpu.aria-1" : "simulator";
      row.batch_id = i < 4 ? "b1" : "";
      row.name = i % 4 == 0 ? "ghz" : "bell";
      row.tags = i % 2 == 0 ? std::vector<std::string>{"even", "all"} : std::vector<std::string>{"all"};
      store.insert_job(row);
    }
    qs::run_state done;
    done.status = qs::job_status::succeeded;
    store.update_run("j5", done, true, 1);
    store.update_run("j6", done, true, 1);
    txn.commit();
  }
  using ids = std::vector<std::string>;
  auto list = [&](const qs::job_filter& f) { return ids_of(store.list_jobs(f, 100, std::nullopt).jobs); };

  BOOST_TEST(list({}) == (ids{"j11", "j10", "j9", "j8", "j7", "j6", "j5", "j4", "j3", "j2", "j1", "j0"}),
             boost::test_tools::per_element());
  qs::job_filter f;
  f.owner = 1001;
  BOOST_TEST(list(f) == (ids{"j11", "j9", "j7", "j5", "j3", "j1"}), boost::test_tools::per_element());
  f = {};
  f.status = qs::job_status::succeeded;
  BOOST_TEST(list(f) == (ids{"j6", "j5"}), boost::test_tools::per_element());
  f = {};
  f.provider = "ionq";
  BOOST_TEST(list(f) == (ids{"j9", "j6", "j3", "j0"}), boost::test_tools::per_element());
  f = {};
  f.target = "simulator";
  BOOST_TEST(list(f).size() == 8u);
  f = {};
  f.batch_id = "b1";
  BOOST_TEST(list(f) == (ids{"j3", "j2", "j1", "j0"}), boost::test_tools::per_element());
  f = {};
  f.name = "ghz";
  BOOST_TEST(list(f) == (ids{"j8", "j4", "j0"}), boost::test_tools::per_element());
  f = {};
  f.tag = "even";
  BOOST_TEST(list(f) == (ids{"j10", "j8", "j6", "j4", "j2", "j0"}), boost::test_tools::per_element());
  f.tag = "missing";
  BOOST_TEST(list(f).empty());
}

BOOST_AUTO_TEST_CASE(combined_filters_intersect) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 24; ++i) {
      auto row = make_job("j" + std::to_string(i), i % 2 == 0 ? 1000 : 1001);
      row.provider = i % 3 == 0 ? "ionq" : "local";
      row.target = i % 3 == 0 ? "qpu.aria-1" : "simulator";
      row.batch_id = i < 12 ? "b1" : "b2";
      row.name = i % 4 == 0 ? "ghz" : "bell";
      row.tags = i % 6 == 0 ? std::vector<std::string>{"six"} : std::vector<std::string>{};
      store.insert_job(row);
    }
    txn.commit();
  }
  using ids = std::vector<std::string>;
  qs::job_filter f;
  f.owner = 1000;
  f.provider = "ionq";
  f.target = "qpu.aria-1";
  BOOST_TEST(ids_of(store.list_jobs(f, 100, std::nullopt).jobs) == (ids{"j18", "j12", "j6", "j0"}),
             boost::test_tools::per_element());
  f.batch_id = "b1";
  f.name = "ghz";
  BOOST_TEST(ids_of(store.list_jobs(f, 100, std::nullopt).jobs) == (ids{"j0"}), boost::test_tools::per_element());
  f = {};
  f.tag = "six";
  f.batch_id = "b2";
  f.status = qs::job_status::waiting;
  BOOST_TEST(ids_of(store.list_jobs(f, 100, std::nullopt).jobs) == (ids{"j18", "j12"}),
             boost::test_tools::per_element());
  f.owner = 1001;
  BOOST_TEST(store.list_jobs(f, 100, std::nullopt).jobs.empty());
}

// list_jobs picks the index it walks per call (probing each filter's index) and
// merges the (provider, target) pairs of a provider or a target given alone: every
// combination of filters, with rare and common values, must page through exactly
// the jobs a scan finds, newest first. 3,000 jobs, so some walks are longer than
// the probe's 1,000 entries and some shorter.
BOOST_AUTO_TEST_CASE(every_filter_combination_lists_what_a_scan_finds) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  std::vector<qs::job_row> rows;
  {
    static const std::pair<const char*, const char*> placements[] = {
        {"ionq", "simulator"}, {"ionq", "qpu.aria-1"}, {"local", "simulator"},
        {"azure", "rigetti.sim"}, {"ionq", "qpu.forte-1"}, {"local", "simulator"}};
    std::mt19937 rng(7);
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 3000; ++i) {
      auto row = make_job("j" + std::to_string(i), rng() % 20 == 0 ? 1002 : 1000 + rng() % 2);
      const auto& [provider, target] = placements[i < 2000 ? rng() % 6 : rng() % 3];
      row.provider = provider;
      row.target = target;
      row.run.status = rng() % 10 == 0 ? qs::job_status::waiting : qs::job_status::succeeded;
      row.batch_id = i % 3 == 0 ? "" : "b-" + std::to_string(i / 500);
      row.name = rng() % 4 == 0 ? "ghz" : "bell";
      row.tags = {rng() % 2 == 0 ? "common" : "other"};
      if (rng() % 3 == 0) row.tags.push_back("t1");
      store.insert_job(row);
      rows.push_back(row);
    }
    txn.commit();
  }
  auto scan = [&](const qs::job_filter& f) {
    std::vector<std::string> ids;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      const auto& r = *it;
      if ((f.owner && r.owner != *f.owner) || (f.status && r.run.status != *f.status) ||
          (!f.provider.empty() && r.provider != f.provider) || (!f.target.empty() && r.target != f.target) ||
          (!f.batch_id.empty() && r.batch_id != f.batch_id) || (!f.name.empty() && r.name != f.name) ||
          (!f.tag.empty() && std::find(r.tags.begin(), r.tags.end(), f.tag) == r.tags.end()))
        continue;
      ids.push_back(r.id);
    }
    return ids;
  };
  struct values {
    std::uint32_t owner;
    qs::job_status status;
    const char *provider, *target, *batch, *name, *tag;
  };
  const values rare{1002, qs::job_status::waiting, "ionq", "simulator", "b-1", "ghz", "t1"};
  const values common{1000, qs::job_status::succeeded, "local", "simulator", "b-5", "bell", "common"};
  const values none{1003, qs::job_status::failed, "braket", "qpu.none", "b-9", "none", "none"};
  for (const values& v : {rare, common, none}) {
    for (unsigned mask = 0; mask < 128; ++mask) {
      qs::job_filter f;
      if ((mask & 1u) != 0) f.owner = v.owner;
      if ((mask & 2u) != 0) f.status = v.status;
      if ((mask & 4u) != 0) f.provider = v.provider;
      if ((mask & 8u) != 0) f.target = v.target;
      if ((mask & 16u) != 0) f.batch_id = v.batch;
      if ((mask & 32u) != 0) f.name = v.name;
      if ((mask & 64u) != 0) f.tag = v.tag;
      BOOST_TEST_CONTEXT("values of owner " << v.owner << ", filter mask " << mask) {
        const auto expected = scan(f);
        const auto listed = list_all(store, f, 97);
        BOOST_TEST(listed == expected, boost::test_tools::per_element());
      }
    }
  }
  // Two of them again with a page size of 13, so that the merged walks of
  // several (provider, target) pairs cross many page bounds.
  qs::job_filter f;
  f.provider = "ionq";
  f.owner = 1001;
  BOOST_TEST(list_all(store, f, 13) == scan(f), boost::test_tools::per_element());
  f = {};
  f.target = "simulator";
  f.status = qs::job_status::waiting;
  BOOST_TEST(list_all(store, f, 13) == scan(f), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pagination_has_no_gaps_or_repeats) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  std::vector<std::string> expected_all, expected_tagged;
  {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 53; ++i) {
      auto row = make_job("j" + std::to_string(i));
      row.tags = i % 3 == 0 ? std::vector<std::string>{"t"} : std::vector<std::string>{};
      store.insert_job(row);
      expected_all.insert(expected_all.begin(), row.id);
      if (i % 3 == 0) expected_tagged.insert(expected_tagged.begin(), row.id);
    }
    txn.commit();
  }
  for (std::uint32_t limit : {1u, 7u, 10u, 53u, 100u}) {
    BOOST_TEST(list_all(store, {}, limit) == expected_all, boost::test_tools::per_element());
    qs::job_filter f;
    f.tag = "t";
    BOOST_TEST(list_all(store, f, limit) == expected_tagged, boost::test_tools::per_element());
  }
  // The last page has no cursor, including an exactly full one.
  auto page = store.list_jobs({}, 53, std::nullopt);
  BOOST_TEST(page.jobs.size() == 53u);
  BOOST_TEST(!page.next.has_value());
  // Jobs inserted while paging appear on no later page (they are newer).
  auto first = store.list_jobs({}, 10, std::nullopt);
  auto late = make_job("late");
  insert(store, late);
  auto second = store.list_jobs({}, 10, first.next);
  BOOST_TEST(second.jobs.front().id == "j42");
}

BOOST_AUTO_TEST_CASE(batch_counts_with_and_without_owner) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 10; ++i) {
      auto row = make_job("j" + std::to_string(i), i < 6 ? 1000 : 1001);
      row.batch_id = "b1";
      store.insert_job(row);
    }
    auto other = make_job("other");
    other.batch_id = "b2";
    store.insert_job(other);
    qs::run_state run;
    run.status = qs::job_status::succeeded;
    store.update_run("j0", run, true, 1);
    store.update_run("j7", run, true, 1);
    run.status = qs::job_status::cancelled;
    store.update_run("j8", run, true, 1);
    txn.commit();
  }
  auto all = store.count_batch("b1", std::nullopt);
  BOOST_TEST(all.total == 10);
  BOOST_TEST(all.per_status[static_cast<int>(qs::job_status::waiting)] == 7);
  BOOST_TEST(all.per_status[static_cast<int>(qs::job_status::succeeded)] == 2);
  BOOST_TEST(all.per_status[static_cast<int>(qs::job_status::cancelled)] == 1);
  auto mine = store.count_batch("b1", 1001u);
  BOOST_TEST(mine.total == 4);
  BOOST_TEST(mine.per_status[static_cast<int>(qs::job_status::waiting)] == 2);
  BOOST_TEST(mine.per_status[static_cast<int>(qs::job_status::succeeded)] == 1);
  BOOST_TEST(store.count_batch("nope", std::nullopt).total == 0);
}

BOOST_AUTO_TEST_CASE(load_unfinished_returns_open_jobs_in_submission_order) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 6; ++i) {
      auto row = make_job("j" + std::to_string(i));
      store.insert_job(row);
    }
    qs::run_state run;
    run.status = qs::job_status::executing;
    store.update_run("j1", run, true, 1);
    store.update_run("j4", run, true, 1);
    run.status = qs::job_status::failed;
    store.update_run("j2", run, true, 1);
    run.status = qs::job_status::succeeded;
    store.update_run("j5", run, true, 1);
    txn.commit();
  }
  const auto rows = store.load_unfinished();
  BOOST_TEST(ids_of(rows) == (std::vector<std::string>{"j0", "j1", "j3", "j4"}), boost::test_tools::per_element());
  for (const auto& row : rows) BOOST_TEST(row.input.empty());
  // In pages: waiting and executing jobs interleave by seq across page bounds.
  const auto first = store.load_unfinished(0, 3);
  BOOST_TEST(ids_of(first) == (std::vector<std::string>{"j0", "j1", "j3"}), boost::test_tools::per_element());
  const auto second = store.load_unfinished(first.back().seq, 3);
  BOOST_TEST(ids_of(second) == (std::vector<std::string>{"j4"}), boost::test_tools::per_element());
  BOOST_TEST(store.load_unfinished(second.back().seq, 3).empty());

  const auto counts = store.count_by_status();
  std::int64_t total = 0;
  for (const auto& c : counts) total += c.count;
  BOOST_TEST(total == 6);
}

BOOST_AUTO_TEST_CASE(result_is_written_and_read_back) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  const std::string doc = R"({"id":"job-1","status":"succeeded","results":[{"counts":{"00":503,"11":497}}]})";
  const std::string uri = store.write_result("job-1", doc);
  const auto file = std::filesystem::absolute(dir.path() / "results" / "job-1.json");
  BOOST_TEST(uri == "file://" + file.string());
  BOOST_TEST(std::filesystem::exists(file));
  BOOST_TEST(store.read_result("job-1").value_or("") == doc);
  // Rewriting replaces the document and leaves no temp file behind.
  store.write_result("job-1", "{}");
  BOOST_TEST(store.read_result("job-1").value_or("") == "{}");
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path() / "results"),
                           std::filesystem::directory_iterator()) == 1);
  BOOST_TEST(!store.read_result("job-2").has_value());
}

BOOST_AUTO_TEST_CASE(result_paths_refuse_path_separators) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  BOOST_CHECK_THROW(store.write_result("../escape", "{}"), qs::storage_error);
  BOOST_CHECK_THROW(store.write_result("a/b", "{}"), qs::storage_error);
  BOOST_CHECK_THROW(store.write_result("..", "{}"), qs::storage_error);
  BOOST_CHECK_THROW(store.write_result("", "{}"), qs::storage_error);
  BOOST_TEST(!store.read_result("../qjobd.lock").has_value());
  BOOST_TEST(!std::filesystem::exists(dir.path() / "escape.json"));
}

BOOST_AUTO_TEST_CASE(garbage_file_is_refused_naming_the_file) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  const auto db = dir.path() / "qjobd.db";
  {
    std::ofstream out(db, std::ios::binary);
    out << std::string(8192, 'x');
  }
  try {
    qs::job_store::open(dir.path());
    BOOST_FAIL("a garbage database was opened");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, "cannot open job database " + std::filesystem::absolute(db).string()));
    BOOST_TEST(message_contains(e, "file is not a database"));
  }
  BOOST_TEST(std::filesystem::file_size(db) == 8192u);
}

BOOST_AUTO_TEST_CASE(foreign_sqlite_database_is_refused_and_left_untouched) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  const auto db = std::filesystem::absolute(dir.path() / "qjobd.db");
  {
    qs::connection foreign(db);
    foreign.exec("PRAGMA application_id = 42; CREATE TABLE main (key BLOB, value BLOB)", "test");
  }
  try {
    qs::job_store::open(dir.path());
    BOOST_FAIL("a foreign database was opened");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, "cannot open job database " + db.string()));
    BOOST_TEST(message_contains(e, "another application"));
  }
  qs::connection probe(db);
  BOOST_TEST(probe.query_text("PRAGMA journal_mode", "test") == "delete");
  BOOST_TEST(probe.query_int("PRAGMA application_id", "test") == 42);
}

BOOST_AUTO_TEST_CASE(sqlite_database_without_application_id_but_with_tables_is_refused) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  {
    qs::connection foreign(dir.path() / "qjobd.db");
    foreign.exec("CREATE TABLE t (x)", "test");
  }
  BOOST_CHECK_THROW(qs::job_store::open(dir.path()), qs::storage_error);
}

BOOST_AUTO_TEST_CASE(database_newer_than_this_binary_is_refused) {
  qt::temp_state_dir dir;
  { auto store = qs::job_store::open(dir.path()); }
  {
    qs::connection db(dir.path() / "qjobd.db");
    db.exec("PRAGMA user_version = 999", "test");
  }
  try {
    qs::job_store::open(dir.path());
    BOOST_FAIL("a newer database was opened");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, "999"));
    BOOST_TEST(message_contains(e, "newer"));
  }
}

BOOST_AUTO_TEST_CASE(uncommitted_transaction_rolls_back) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto kept = make_job("kept");
  insert(store, kept);
  {
    qs::job_store::transaction txn(store);
    auto row = make_job("dropped");
    store.insert_job(row);
    qs::run_state run;
    run.status = qs::job_status::cancelled;
    store.update_run("kept", run, true, 5);
  }
  BOOST_TEST(!store.get_job("dropped").has_value());
  BOOST_TEST((store.get_job("kept")->run.status == qs::job_status::waiting));
  BOOST_TEST(store.history("kept").size() == 1u);
  qs::job_filter f;
  f.tag = "exp";
  BOOST_TEST(store.list_jobs(f, 10, std::nullopt).jobs.size() == 1u);
  // The store is usable afterwards.
  auto next = make_job("next");
  BOOST_TEST((insert(store, next) == qs::insert_outcome::inserted));
}

BOOST_AUTO_TEST_CASE(disk_full_is_reported_and_committed_data_stays) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto kept = make_job("kept");
  insert(store, kept);
  store.set_max_page_count(store.page_count());
  bool disk_full = false;
  try {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < 1000; ++i) {
      auto row = make_job("filler-" + std::to_string(i));
      row.input = std::string(2000, 'q');
      store.insert_job(row);
    }
    txn.commit();
  } catch (const qs::storage_error& e) {
    disk_full = e.disk_full();
    BOOST_TEST(message_contains(e, (dir.path() / "qjobd.db").string()));
  }
  BOOST_TEST(disk_full);
  BOOST_TEST(store.get_job("kept").has_value());
  BOOST_TEST(!store.get_job("filler-0").has_value());
  BOOST_TEST(store.list_jobs({}, 10, std::nullopt).jobs.size() == 1u);

  // Space comes back: the store works again without reopening.
  store.set_max_page_count(1'000'000);
  auto after = make_job("after");
  BOOST_TEST((insert(store, after) == qs::insert_outcome::inserted));

  // And a reopen (which runs quick_check) finds exactly what was committed.
  { auto closing = std::move(store); }
  auto reopened = qs::job_store::open(dir.path());
  BOOST_TEST(ids_of(reopened.list_jobs({}, 10, std::nullopt).jobs) == (std::vector<std::string>{"after", "kept"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(insert_outside_a_transaction_is_atomic_on_its_own) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("solo");
  BOOST_TEST((store.insert_job(row) == qs::insert_outcome::inserted));
  BOOST_TEST(store.history("solo").size() == 1u);
  qs::run_state run;
  run.status = qs::job_status::executing;
  BOOST_TEST(store.update_run("solo", run, true, 3) > 0);
}

BOOST_AUTO_TEST_CASE(find_fingerprint_probes_without_reading_the_row) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("job-1");
  insert(store, row);
  BOOST_TEST(store.find_fingerprint("job-1").value_or("") == "fp-job-1");
  BOOST_TEST(!store.find_fingerprint("job-2").has_value());
}

BOOST_AUTO_TEST_CASE(tags_with_json_special_characters_roundtrip_and_filter) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("job-1");
  row.tags = {"quote\"d", "back\\slash", "uni\xC3\xA9", "new\nline", "dup", "dup"};
  insert(store, row);
  const auto stored = store.get_job("job-1");
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->tags == row.tags, boost::test_tools::per_element());
  for (const std::string tag : {"quote\"d", "back\\slash", "uni\xC3\xA9", "new\nline", "dup"}) {
    qs::job_filter f;
    f.tag = tag;
    BOOST_TEST(store.list_jobs(f, 10, std::nullopt).jobs.size() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(status_is_stored_as_readable_text) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto row = make_job("job-1");
  insert(store, row);
  qs::run_state run;
  run.status = qs::job_status::cancelled;
  store.update_run("job-1", run, true, 2);
  qs::connection probe(dir.path() / "qjobd.db");
  BOOST_TEST(probe.query_text("SELECT status FROM jobs", "test") == "cancelled");
  BOOST_TEST(probe.query_text("SELECT group_concat(status, ',') FROM transitions ORDER BY seq", "test") ==
             "waiting,cancelled");
  BOOST_TEST(probe.query_text("SELECT tags FROM jobs", "test") == R"(["exp","bell"])");
}

BOOST_AUTO_TEST_CASE(limit_zero_is_treated_as_one) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto a = make_job("a");
  auto b = make_job("b");
  insert(store, a);
  insert(store, b);
  const auto page = store.list_jobs({}, 0, std::nullopt);
  BOOST_TEST(ids_of(page.jobs) == (std::vector<std::string>{"b"}), boost::test_tools::per_element());
  BOOST_TEST(page.next.value_or(0) == b.seq);
}

BOOST_AUTO_TEST_CASE(open_removes_result_temp_files_left_by_a_crash) {
  qt::temp_state_dir dir;
  { auto store = qs::job_store::open(dir.path()); }
  std::ofstream(dir.path() / "results" / "job-1.json.tmp") << "{\"trunc";
  auto store = qs::job_store::open(dir.path());
  BOOST_TEST(!std::filesystem::exists(dir.path() / "results" / "job-1.json.tmp"));
}

BOOST_AUTO_TEST_CASE(relative_state_dir_gives_absolute_paths) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.root());
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.root());
  try {
    auto store = qs::job_store::open("state/");
    std::filesystem::current_path(cwd);
    BOOST_TEST(store.state_dir().is_absolute());
    BOOST_TEST(store.state_dir().filename() == "state");
    BOOST_TEST(store.write_result("r", "{}").rfind("file:///", 0) == 0u);
  } catch (...) {
    std::filesystem::current_path(cwd);
    throw;
  }
}

BOOST_AUTO_TEST_SUITE_END()
