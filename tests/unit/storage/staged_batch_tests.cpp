// Streamed batches in the store: jobs inserted while their batch is staged are
// invisible to every read until it is published, and a discarded batch's jobs
// are deleted in chunks without ever having been seen.
#include "storage/job_store.hpp"

#include "storage/sqlite_handles.hpp"
#include "temp_state_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace qs = qjob::storage;
namespace qt = qjob::storage::test;

namespace {

constexpr std::int64_t now = 1'700'000'000'000'000;

qs::job_row make_job(const std::string& id, const std::string& batch_id, std::uint32_t owner = 1000) {
  qs::job_row row;
  row.id = id;
  row.provider = "local";
  row.target = "simulator";
  row.shots = 10;
  row.input_format = "ionq.circuit.v0";
  row.input = R"({"qubits":1,"circuit":[{"gate":"h","target":0}]})";
  row.params = "{}";
  row.tags = {"streamed"};
  row.batch_id = batch_id;
  row.owner = owner;
  row.fingerprint = "fp-" + id;
  row.created_at = now;
  return row;
}

/// Stages `batch_id` (when `first`) and inserts jobs `first_index`..`end_index` of it in one transaction.
std::vector<qs::insert_outcome> insert_chunk(qs::job_store& store, const std::string& batch_id, bool first,
                                             int first_index, int end_index) {
  std::vector<qs::insert_outcome> outcomes;
  qs::job_store::transaction txn(store);
  if (first) store.stage_batch(batch_id, 1000, now);
  for (int i = first_index; i < end_index; ++i) {
    auto row = make_job(batch_id + "-" + std::to_string(i), batch_id);
    outcomes.push_back(store.insert_job(row));
  }
  txn.commit();
  return outcomes;
}

void publish(qs::job_store& store, const std::string& batch_id) {
  qs::job_store::transaction txn(store);
  BOOST_TEST(store.publish_batch(batch_id));
  txn.commit();
}

void discard(qs::job_store& store, const std::string& batch_id) {
  qs::job_store::transaction txn(store);
  store.discard_batch(batch_id);
  txn.commit();
}

std::size_t listed(qs::job_store& store, qs::job_filter filter = {}) {
  return store.list_jobs(filter, 1000, std::nullopt).jobs.size();
}

std::int64_t table_rows(const qt::temp_state_dir& dir, const char* sql) {
  qs::connection probe(dir.path() / "qjobd.db");
  return probe.query_int(sql, "test");
}

/// Every detail line of EXPLAIN QUERY PLAN `sql`, joined.
std::string query_plan(const qt::temp_state_dir& dir, const std::string& sql) {
  qs::connection probe(dir.path() / "qjobd.db");
  qs::statement plan(probe, "EXPLAIN QUERY PLAN " + sql, "test");
  std::string details;
  while (plan.step()) details += plan.column_text(3) + "\n";
  return details;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(staged_batch_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(jobs_of_a_staged_batch_are_invisible_to_every_read_until_it_is_published) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  auto single = make_job("single", "");
  single.tags.clear();
  {
    qs::job_store::transaction txn(store);
    store.insert_job(single);
    txn.commit();
  }
  insert_chunk(store, "b1", true, 0, 3);
  insert_chunk(store, "b1", false, 3, 5);

  BOOST_TEST(!store.get_job("b1-0"));
  BOOST_TEST(!store.get_job("b1-0", true));
  BOOST_TEST(store.history("b1-0").empty());
  BOOST_TEST(listed(store) == 1u);
  qs::job_filter by_batch;
  by_batch.batch_id = "b1";
  BOOST_TEST(listed(store, by_batch) == 0u);
  qs::job_filter by_tag;
  by_tag.tag = "streamed";
  BOOST_TEST(listed(store, by_tag) == 0u);
  BOOST_TEST(store.count_batch("b1", std::nullopt).total == 0);
  BOOST_TEST(store.load_unfinished().size() == 1u);
  BOOST_TEST(store.events_after(0, {}, 100).size() == 1u);
  qs::event_filter of_job;
  of_job.job_id = "b1-0";
  BOOST_TEST(store.events_after(0, of_job, 100).empty());
  std::int64_t counted = 0;
  for (const auto& count : store.count_by_status()) counted += count.count;
  BOOST_TEST(counted == 1);

  {
    qs::job_store::transaction txn(store);
    BOOST_TEST(store.publish_batch("b1"));
    txn.commit();
  }
  BOOST_TEST(store.get_job("b1-4").has_value());
  BOOST_TEST(store.history("b1-4").size() == 1u);
  BOOST_TEST(listed(store) == 6u);
  BOOST_TEST(listed(store, by_batch) == 5u);
  BOOST_TEST(listed(store, by_tag) == 5u);
  BOOST_TEST(store.count_batch("b1", std::nullopt).total == 5);
  BOOST_TEST(store.load_unfinished().size() == 6u);
  BOOST_TEST(store.events_after(0, {}, 100).size() == 6u);
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM staged_batches") == 0);
}

BOOST_AUTO_TEST_CASE(an_id_repeated_within_a_staged_batch_is_reported_as_repeated) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  insert_chunk(store, "b1", true, 0, 3);
  qs::job_store::transaction txn(store);
  auto again = make_job("b1-1", "b1");
  again.fingerprint = "other";
  BOOST_TEST((store.insert_job(again) == qs::insert_outcome::repeated));
  auto same = make_job("b1-2", "b1");
  BOOST_TEST((store.insert_job(same) == qs::insert_outcome::repeated), "even with the same content");
}

BOOST_AUTO_TEST_CASE(an_id_held_by_another_batch_being_received_is_a_conflict) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  insert_chunk(store, "b1", true, 0, 2);
  auto taken = make_job("b1-0", "b2");
  BOOST_TEST((store.find_fingerprint("b1-0") == std::optional<std::string>("")));
  qs::job_store::transaction txn(store);
  store.stage_batch("b2", 1000, now);
  BOOST_TEST((store.insert_job(taken) == qs::insert_outcome::conflict));
}

BOOST_AUTO_TEST_CASE(an_existing_job_with_the_same_content_is_an_idempotent_duplicate_in_a_staged_batch) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  insert_chunk(store, "b1", true, 0, 2);
  publish(store, "b1");
  qs::job_store::transaction txn(store);
  store.stage_batch("b2", 1000, now);
  auto retried = make_job("b1-0", "b2");
  BOOST_TEST((store.insert_job(retried) == qs::insert_outcome::duplicate));
  BOOST_TEST(retried.batch_id == "b1", "the row is the stored job");
  auto changed = make_job("b1-1", "b2");
  changed.fingerprint = "other";
  BOOST_TEST((store.insert_job(changed) == qs::insert_outcome::conflict));
}

BOOST_AUTO_TEST_CASE(a_discarded_batch_is_deleted_in_chunks_and_never_seen) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  insert_chunk(store, "b1", true, 0, 25);
  discard(store, "b1");
  {
    qs::job_store::transaction txn(store);
    BOOST_TEST(!store.publish_batch("b1"), "a discarded batch cannot be published");
    txn.commit();
  }
  BOOST_TEST(!store.find_fingerprint("b1-3").has_value(), "a discarded job's id is free");
  std::size_t chunks = 0;
  while (store.delete_discarded(10) > 0) ++chunks;
  BOOST_TEST(chunks == 3u);
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM jobs") == 0);
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM job_tags") == 0);
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM transitions") == 0);
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM staged_batches") == 0);
}

BOOST_AUTO_TEST_CASE(a_new_job_takes_the_id_of_a_discarded_batchs_job_at_once) {
  qt::temp_state_dir dir;
  auto store = qs::job_store::open(dir.path());
  insert_chunk(store, "b1", true, 0, 3);
  discard(store, "b1");
  // The client retries the refused batch before the background deletion reached it.
  insert_chunk(store, "b1-retry", true, 0, 0);
  auto retried = make_job("b1-1", "b1-retry");
  {
    qs::job_store::transaction txn(store);
    BOOST_TEST((store.insert_job(retried) == qs::insert_outcome::inserted));
    txn.commit();
  }
  publish(store, "b1-retry");
  BOOST_TEST(store.get_job("b1-1")->batch_id == "b1-retry");
  BOOST_TEST(store.history("b1-1").size() == 1u);
  while (store.delete_discarded(100) > 0) {
  }
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM jobs") == 1);
}

BOOST_AUTO_TEST_CASE(batches_left_staged_by_a_killed_daemon_are_discarded_at_open) {
  qt::temp_state_dir dir;
  {
    auto store = qs::job_store::open(dir.path());
    insert_chunk(store, "b1", true, 0, 4);
  }
  auto store = qs::job_store::open(dir.path());
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM staged_batches WHERE discarding = 1") == 1);
  BOOST_TEST(store.load_unfinished().empty());
  {
    qs::job_store::transaction txn(store);
    BOOST_TEST(!store.publish_batch("b1"));
    txn.commit();
  }
  while (store.delete_discarded(3) > 0) {
  }
  BOOST_TEST(table_rows(dir, "SELECT count(*) FROM jobs") == 0);
}

BOOST_AUTO_TEST_CASE(the_visibility_check_keeps_the_listing_index_paths) {
  qt::temp_state_dir dir;
  { auto store = qs::job_store::open(dir.path()); }
  const std::string visible = " AND NOT EXISTS (SELECT 1 FROM staged_batches AS s WHERE s.batch_id = j.batch_id)";
  // The shapes list_jobs prepares (job_store.cpp, list_sql).
  const auto plain = query_plan(dir, "SELECT j.id FROM jobs AS j WHERE j.seq < 9" + visible + " ORDER BY j.seq DESC LIMIT 5");
  BOOST_TEST(plain.find("TEMP B-TREE") == std::string::npos, plain);
  const auto by_batch = query_plan(
      dir, "SELECT j.id FROM jobs AS j WHERE j.seq < 9" + visible + " AND j.batch_id = 'b' ORDER BY j.seq DESC LIMIT 5");
  BOOST_TEST(by_batch.find("jobs_by_batch") != std::string::npos, by_batch);
  BOOST_TEST(by_batch.find("TEMP B-TREE") == std::string::npos, by_batch);
  // An owner is listed one provider at a time (one walk per provider, merged).
  const auto by_owner = query_plan(dir, "SELECT j.id FROM jobs AS j WHERE j.seq < 9" + visible +
                                            " AND j.owner = 1 AND j.provider = 'local' ORDER BY j.seq DESC LIMIT 5");
  BOOST_TEST(by_owner.find("jobs_by_owner_provider") != std::string::npos, by_owner);
  BOOST_TEST(by_owner.find("TEMP B-TREE") == std::string::npos, by_owner);
  BOOST_TEST(plain.find("SEARCH s USING PRIMARY KEY") != std::string::npos,
             "the check is a primary-key probe: " << plain);
}

BOOST_AUTO_TEST_SUITE_END()
