#include "storage_actor.hpp"

#include "storage_fixture.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace qa = qjob::actors;
namespace qs = qjob::storage;
using qjob::actors::test::make_job;
using qjob::actors::test::storage_fixture;
using qjob::test::run_coroutine;

namespace {

/// The rows of one insert, built outside any co_await expression (see mailbox.hpp
/// on g++ 12 and temporaries there).
template <class... Rows>
std::vector<qs::job_row> rows(Rows&&... jobs) {
  std::vector<qs::job_row> out;
  (out.push_back(std::forward<Rows>(jobs)), ...);
  return out;
}

qa::record_run make_record(const std::string& id, qs::job_status status, std::string provider_status) {
  qa::record_run record;
  record.job_id = id;
  record.run.status = status;
  record.run.provider_status = std::move(provider_status);
  record.at = 1'700'000'000'000'000;
  return record;
}

/// Sends `record` without waiting (the storage thread may be held) and returns the
/// future of its acknowledgement.
qa::future<qa::write_ack> send_record(storage_fixture& f, const net::any_io_executor& executor,
                                      qa::record_run record) {
  auto [reply, answer] = qa::make_promise<qa::write_ack>(executor);
  record.reply = std::move(reply);
  BOOST_REQUIRE(f.ref().try_send(std::move(record)));
  return std::move(answer);
}

std::vector<std::string> provider_statuses(const std::vector<qs::transition_row>& history) {
  std::vector<std::string> statuses;
  for (const auto& entry : history) statuses.push_back(entry.provider_status);
  return statuses;
}

net::awaitable<void> insert_and_read_back_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"), make_job("b", 1001));
  auto reply = co_await f.insert(std::move(batch));
  BOOST_TEST(reply.ack.ok(), reply.ack.error);
  BOOST_TEST(!reply.conflict.has_value());
  BOOST_TEST((reply.inserted == std::vector<bool>{true, true}));
  BOOST_REQUIRE(reply.rows.size() == 2u);
  BOOST_TEST(reply.rows[0].seq > 0);
  BOOST_TEST(reply.rows[1].seq > reply.rows[0].seq);

  view = co_await f.get("b");
  BOOST_REQUIRE(view.job.has_value());
  BOOST_TEST(view.job->owner == 1001u);
  BOOST_TEST(view.job->input == make_job("b").input);
  BOOST_TEST((view.job->run.status == qs::job_status::waiting));
  BOOST_REQUIRE(view.history.size() == 1u);
  BOOST_TEST((view.history[0].status == qs::job_status::waiting));
  view = co_await f.get("missing");
  BOOST_TEST(!view.job.has_value());
  co_await f.stop();
}

net::awaitable<void> conflict_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("taken"));
  co_await f.insert(std::move(batch));
  auto other = make_job("taken");
  other.fingerprint = "other content";
  batch = rows(make_job("new-1"), std::move(other), make_job("new-2"));
  auto reply = co_await f.insert(std::move(batch));
  BOOST_TEST(reply.conflict.value_or(99) == 1u);
  view = co_await f.get("new-1");
  BOOST_TEST(!view.job.has_value());
  view = co_await f.get("new-2");
  BOOST_TEST(!view.job.has_value());
  auto kept = co_await f.get("taken");
  BOOST_REQUIRE(kept.job.has_value());
  BOOST_TEST(kept.job->fingerprint == "fp-taken");
  co_await f.stop();
}

net::awaitable<void> repeated_id_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  auto again = make_job("twice");
  again.fingerprint = "other content";
  batch = rows(make_job("first"), make_job("twice"), std::move(again));
  auto reply = co_await f.insert(std::move(batch));
  BOOST_TEST(reply.conflict.value_or(99) == 2u);
  view = co_await f.get("first");
  BOOST_TEST(!view.job.has_value());
  view = co_await f.get("twice");
  BOOST_TEST(!view.job.has_value());
  co_await f.stop();
}

net::awaitable<void> duplicate_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"));
  auto first = co_await f.insert(std::move(batch));
  BOOST_REQUIRE(first.rows.size() == 1u);
  batch = rows(make_job("a"), make_job("c"));
  auto retry = co_await f.insert(std::move(batch));
  BOOST_TEST(retry.ack.ok(), retry.ack.error);
  BOOST_TEST(!retry.conflict.has_value());
  BOOST_TEST((retry.inserted == std::vector<bool>{false, true}));
  BOOST_REQUIRE(retry.rows.size() == 2u);
  BOOST_TEST(retry.rows[0].seq == first.rows[0].seq);  // the existing job
  view = co_await f.get("a");
  BOOST_TEST(view.history.size() == 1u);
  co_await f.stop();
}

/// Many record_run at once: held back while they pile up, then served in one
/// group; every one acknowledged, and the history in sending order.
net::awaitable<void> group_commit_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"));
  co_await f.insert(std::move(batch));
  auto executor = co_await net::this_coro::executor;
  std::vector<qa::future<qa::write_ack>> acks;
  {
    auto gate = f.thread().block();
    for (int i = 0; i < 200; ++i) {
      acks.push_back(send_record(f, executor, make_record("a", qs::job_status::executing, "step-" + std::to_string(i))));
    }
    gate.set_value();
  }
  for (auto& answer : acks) {
    auto ack = co_await answer.get();
    BOOST_REQUIRE(ack.has_value());
    BOOST_TEST(ack->ok(), ack->error);
  }
  view = co_await f.get("a");
  auto statuses = provider_statuses(view.history);
  BOOST_REQUIRE(statuses.size() == 201u);
  for (int i = 0; i < 200; ++i) BOOST_TEST(statuses[static_cast<std::size_t>(i + 1)] == "step-" + std::to_string(i));
  BOOST_TEST(view.job->run.provider_status == "step-199");
  co_await f.stop();
}

/// A write that fails inside a group is retried alone: the others still commit.
net::awaitable<void> one_failure_in_a_group_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"));
  co_await f.insert(std::move(batch));
  auto executor = co_await net::this_coro::executor;
  std::vector<qa::future<qa::write_ack>> acks;
  {
    auto gate = f.thread().block();
    for (const auto* id : {"a", "no-such-job", "a"}) {
      acks.push_back(send_record(f, executor, make_record(id, qs::job_status::executing, "running")));
    }
    gate.set_value();
  }
  std::vector<bool> ok;
  for (auto& answer : acks) {
    auto ack = co_await answer.get();
    BOOST_REQUIRE(ack.has_value());
    ok.push_back(ack->ok());
    BOOST_TEST(!ack->disk_full);
  }
  BOOST_TEST((ok == std::vector<bool>{true, false, true}));
  view = co_await f.get("a");
  BOOST_TEST(view.history.size() == 3u);
  co_await f.stop();
}

net::awaitable<void> result_file_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"));
  co_await f.insert(std::move(batch));
  const std::string document = R"({"results":[{"counts":{"00":3,"11":2}}]})";
  auto record = make_record("a", qs::job_status::succeeded, "succeeded");
  record.result_json = document;
  auto ack = co_await f.ask<qa::write_ack>(std::move(record));
  BOOST_REQUIRE(ack.has_value());
  BOOST_TEST(ack->ok(), ack->error);

  view = co_await f.get("a");
  BOOST_REQUIRE(view.job.has_value());
  const auto& uri = view.job->run.output_uri;
  BOOST_REQUIRE(uri.starts_with("file://"));
  BOOST_TEST(std::filesystem::exists(uri.substr(7)));
  qa::read_result read;
  read.job_id = "a";
  auto stored = co_await f.ask<std::optional<std::string>>(std::move(read));
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->value_or("<none>") == document);
  co_await f.stop();
}

net::awaitable<void> disk_full_body() {
  auto executor = co_await net::this_coro::executor;
  std::vector<qs::job_row> batch;
  qa::job_view view;
  storage_fixture f(executor, [](qs::job_store& store) {
    auto kept = make_job("kept");
    qs::job_store::transaction txn(store);
    store.insert_job(kept);
    txn.commit();
    store.set_max_page_count(store.page_count());
  });
  auto big = make_job("big");
  big.params = R"({"padding":")" + std::string(1 << 20, 'x') + R"("})";
  batch = rows(std::move(big));
  auto reply = co_await f.insert(std::move(batch));
  BOOST_TEST(!reply.ack.ok());
  BOOST_TEST(reply.ack.disk_full, reply.ack.error);
  BOOST_TEST(reply.rows.empty());
  view = co_await f.get("big");
  BOOST_TEST(!view.job.has_value());
  auto kept = co_await f.get("kept");
  BOOST_REQUIRE(kept.job.has_value());
  BOOST_TEST(kept.job->input == make_job("kept").input);
  co_await f.stop();
}

/// Commits are timed and counted on the storage thread; this thread reads them
/// (under ThreadSanitizer, the check that the two need no lock between them).
net::awaitable<void> commit_metrics_body() {
  auto registry = std::make_shared<qjob::metrics::registry>();
  storage_fixture f(co_await net::this_coro::executor, {}, registry);
  std::vector<qs::job_row> batch;
  batch = rows(make_job("a"), make_job("b"));
  co_await f.insert(std::move(batch));
  auto record = make_record("a", qs::job_status::executing, "running");
  auto ack = co_await f.ask<qa::write_ack>(std::move(record));
  BOOST_REQUIRE(ack.has_value());
  BOOST_TEST(ack->ok(), ack->error);
  co_await f.get("a");  // a read commits nothing

  const auto& commits = registry->histograms("qjob_db_commit_duration_seconds", "", {},
                                             qjob::metrics::disk_seconds_buckets()).with({}).read();
  BOOST_TEST(commits.count == 2u);
  BOOST_TEST(commits.sum > 0);
  auto& transactions = registry->counters("qjob_db_transactions_total", "", {"outcome"});
  BOOST_TEST(transactions.with({"committed"}).value() == 2u);
  BOOST_TEST(transactions.with({"failed"}).value() == 0u);
  BOOST_TEST(registry->counters("qjob_db_writes_total", "").with({}).value() == 2u);
  co_await f.stop();
}

/// close() while requests are buffered: each is still served, then run() returns.
net::awaitable<void> close_drains_body() {
  storage_fixture f(co_await net::this_coro::executor);
  std::vector<qs::job_row> batch;
  qa::job_view view;
  batch = rows(make_job("a"));
  co_await f.insert(std::move(batch));
  auto executor = co_await net::this_coro::executor;
  std::vector<qa::future<qa::write_ack>> acks;
  auto [view_reply, view_answer] = qa::make_promise<qa::job_view>(executor);
  {
    auto gate = f.thread().block();
    for (int i = 0; i < 20; ++i) {
      acks.push_back(send_record(f, executor, make_record("a", qs::job_status::executing, "step-" + std::to_string(i))));
    }
    qa::get_job read;
    read.id = "a";
    read.with_history = true;
    read.reply = std::move(view_reply);
    BOOST_REQUIRE(f.ref().try_send(std::move(read)));
    f.close();
    gate.set_value();
  }
  for (auto& answer : acks) {
    auto ack = co_await answer.get();
    BOOST_REQUIRE(ack.has_value());
    BOOST_TEST(ack->ok(), ack->error);
  }
  auto served = co_await view_answer.get();
  BOOST_REQUIRE(served.has_value());
  BOOST_TEST(served->history.size() == 21u);  // the read was sent after the writes
  co_await f.stop();
  BOOST_TEST(!f.ref().try_send(make_record("a", qs::job_status::executing, "too late")));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(storage_actor_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(inserted_jobs_are_read_back) { run_coroutine(insert_and_read_back_body()); }

BOOST_AUTO_TEST_CASE(batch_with_one_conflicting_id_stores_nothing_and_names_it) { run_coroutine(conflict_body()); }

BOOST_AUTO_TEST_CASE(batch_repeating_an_id_with_other_content_is_a_conflict) { run_coroutine(repeated_id_body()); }

BOOST_AUTO_TEST_CASE(duplicate_with_the_same_fingerprint_is_reported_as_not_inserted) {
  run_coroutine(duplicate_body());
}

BOOST_AUTO_TEST_CASE(record_runs_sent_at_once_are_all_acknowledged_in_order) { run_coroutine(group_commit_body()); }

BOOST_AUTO_TEST_CASE(one_failing_write_does_not_fail_the_others_of_its_group) {
  run_coroutine(one_failure_in_a_group_body());
}

BOOST_AUTO_TEST_CASE(record_run_with_a_result_writes_the_file_and_sets_output_uri) {
  run_coroutine(result_file_body());
}

BOOST_AUTO_TEST_CASE(disk_full_is_acknowledged_as_such_and_earlier_data_stays) { run_coroutine(disk_full_body()); }

BOOST_AUTO_TEST_CASE(commits_are_timed_and_counted_in_the_metrics) { run_coroutine(commit_metrics_body()); }

BOOST_AUTO_TEST_CASE(closing_the_mailbox_serves_buffered_requests_then_run_returns) {
  run_coroutine(close_drains_body());
}

BOOST_AUTO_TEST_SUITE_END()
