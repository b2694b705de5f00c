// NDJSON batches streamed into the real qjobd: larger than max_body_bytes yet
// accepted, and all or nothing whatever cuts them short (a bad line near the
// end, a repeated id, a client that goes away, a daemon killed mid-stream).

#include "e2e_jobs.hpp"
#include "raw_connection.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// A small job on one line, with id `<prefix>-<index>`.
std::string job_line(const std::string& prefix, int index) {
  return json::serialize(job_of(value_input(static_cast<std::uint64_t>(index % 4), 2),
                                {{"id", prefix + "-" + std::to_string(index)}, {"shots", 1}})) +
         "\n";
}

/// Lines 1..count of a batch of ids `<prefix>-<index>`.
std::string batch_lines(const std::string& prefix, int count) {
  std::string body;
  for (int i = 1; i <= count; ++i) body += job_line(prefix, i);
  return body;
}

/// Every id GET /v1/jobs lists with `query` (e.g. "batch=ID&"), page by page.
std::set<std::string> listed_ids(const daemon_process& daemon, const std::string& query = "") {
  std::set<std::string> ids;
  std::string cursor;
  for (;;) {
    auto answer = daemon.get("/v1/jobs?" + query + "limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
    const auto page = answer.json().as_object();
    for (const auto& job : page.at("jobs").as_array()) ids.insert(text(job.as_object(), "id"));
    cursor = text(page, "next_cursor");
    if (cursor.empty()) return ids;
  }
}

/// The sum of the qjob_jobs gauge in /metrics: every job the store counts.
double jobs_in_metrics(const daemon_process& daemon) {
  const auto metrics = daemon.get("/metrics").body;
  double total = 0;
  std::size_t at = 0;
  while ((at = metrics.find("\nqjob_jobs{", at)) != std::string::npos) {
    const auto end = metrics.find('\n', at + 1);
    const auto line = metrics.substr(at + 1, end - at - 1);
    total += std::stod(line.substr(line.rfind(' ') + 1));
    at = end;
  }
  return total;
}

std::string ndjson_head(std::size_t content_length) {
  return "POST /v1/batches HTTP/1.1\r\nHost: qjobd\r\nContent-Type: application/x-ndjson\r\nContent-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(streamed_batch_tests)

BOOST_AUTO_TEST_CASE(a_streamed_batch_larger_than_max_body_bytes_is_accepted_and_every_job_runs) {
  daemon_process daemon(daemon_options{.config = one_worker_config("max_body_bytes = 65536\n", 2)});
  constexpr int count = 20'000;
  const auto body = batch_lines("big", count);
  BOOST_TEST_REQUIRE(body.size() > 20 * 65536u, "the batch is far over max_body_bytes");
  // A JSON body of that size is still refused: only NDJSON streams.
  BOOST_TEST(daemon.post("/v1/jobs", body.substr(0, 100'000)).status == 413u);

  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  const auto batch = answer.json().as_object();
  const auto batch_id = text(batch, "batch_id");
  BOOST_TEST(batch.at("count").to_number<int>() == count);
  BOOST_TEST(!batch.contains("job_ids"), "job_ids are left out above 10,000 jobs");

  const auto ids = listed_ids(daemon, "batch=" + batch_id + "&");
  BOOST_TEST(ids.size() == static_cast<std::size_t>(count));
  BOOST_TEST(ids.count("big-1") == 1u);
  BOOST_TEST(ids.count("big-20000") == 1u);
  eventually(
      [&] {
        return daemon.get("/v1/batches/" + batch_id).json().at("counts").at("succeeded").to_number<int>() == count;
      },
      "every job of the batch has succeeded", std::chrono::seconds(600));
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_line_near_the_end_rejects_the_whole_streamed_batch_naming_it) {
  daemon_process daemon(daemon_options{.config = one_worker_config("max_body_bytes = 65536\n", 2)});
  const auto before = text(submit(daemon, job_of(bell_input(), {{"id", "before"}})), "id");
  wait_final(daemon, before);
  std::string body;
  for (int i = 1; i <= 20'000; ++i) body += i == 15'000 ? std::string("{\"input\": \n") : job_line("bad", i);
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_code() == "invalid_json", answer.body);
  BOOST_TEST(answer.error_message().find("line 15000") != std::string::npos, answer.body);

  BOOST_TEST(listed_ids(daemon) == std::set<std::string>{"before"}, "nothing of the batch is listed");
  BOOST_TEST(daemon.get("/v1/jobs/bad-1").status == 404u);
  BOOST_TEST(daemon.get("/v1/jobs/bad-14999").status == 404u);
  BOOST_TEST(jobs_in_metrics(daemon) == 1.0, "the store counts only the earlier job");

  // A field refused near the end names its line too.
  body = batch_lines("field", 12'000);
  body += json::serialize(job_of(bell_input(), {{"shots", 0}})) + "\n";
  answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_field() == "line 12001: shots", answer.body);

  // The refused ids are free at once: the same batch, fixed, goes in.
  answer = daemon.post("/v1/batches", batch_lines("bad", 14'999), "application/x-ndjson");
  BOOST_TEST(answer.status == 201u, answer.body);
  BOOST_TEST(listed_ids(daemon).size() == 15'000u);
}

BOOST_AUTO_TEST_CASE(a_repeated_id_in_a_streamed_batch_is_refused_naming_its_line) {
  daemon_process daemon(daemon_options{.config = one_worker_config("", 2)});
  // Far apart (different chunks of the store) ...
  std::string body;
  for (int i = 1; i <= 12'000; ++i) body += job_line("dup", i == 9'000 ? 10 : i);
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_code() == "duplicate_id", answer.body);
  BOOST_TEST(answer.error_field() == "line 9000: id", answer.body);
  BOOST_TEST(answer.error_message().find("dup-10") != std::string::npos, answer.body);
  // ... and next to each other.
  answer = daemon.post("/v1/batches", job_line("near", 1) + job_line("near", 2) + job_line("near", 2),
                       "application/x-ndjson");
  BOOST_TEST(answer.error_code() == "duplicate_id", answer.body);
  BOOST_TEST(answer.error_field() == "line 3: id", answer.body);
  BOOST_TEST(listed_ids(daemon).empty(), "nothing of either batch was kept");
  BOOST_TEST(jobs_in_metrics(daemon) == 0.0);

  // A job resubmitted with the same content is an idempotent duplicate, as in any batch.
  BOOST_TEST(daemon.post("/v1/batches", job_line("again", 1), "application/x-ndjson").status == 201u);
  answer = daemon.post("/v1/batches", job_line("again", 1) + job_line("again", 2), "application/x-ndjson");
  BOOST_TEST(answer.status == 201u, answer.body);
  BOOST_TEST(answer.json().at("job_ids") == (json::array{"again-1", "again-2"}));
}

BOOST_AUTO_TEST_CASE(a_client_that_closes_mid_batch_leaves_nothing_and_the_daemon_serves_on) {
  daemon_process daemon(daemon_options{.config = one_worker_config("max_body_bytes = 65536\n", 2)});
  const auto body = batch_lines("gone", 20'000);
  {
    raw_connection upload(daemon.socket());
    BOOST_TEST_REQUIRE(upload.send(ndjson_head(body.size())));
    BOOST_TEST_REQUIRE(upload.send(std::string_view(body).substr(0, body.size() / 2)));
    // Long enough for chunks of it to be committed, staged.
    std::this_thread::sleep_for(1s);
  }
  eventually([&] { return daemon.log().find("batch cut off") != std::string::npos; }, "the daemon saw the cut");
  BOOST_TEST(daemon.get("/v1/health").status == 200u);
  BOOST_TEST(listed_ids(daemon).empty());
  BOOST_TEST(daemon.get("/v1/jobs/gone-1").status == 404u);
  BOOST_TEST(jobs_in_metrics(daemon) == 0.0);
  // The same batch sent whole is accepted: the ids of the cut one are free.
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 201u, answer.body);
  BOOST_TEST(listed_ids(daemon).size() == 20'000u);
}

BOOST_AUTO_TEST_CASE(a_daemon_killed_mid_batch_keeps_none_of_it_after_restart) {
  daemon_process daemon(daemon_options{.config = one_worker_config("", 2)});
  const auto kept = text(submit(daemon, job_of(bell_input(), {{"id", "kept"}})), "id");
  wait_final(daemon, kept);
  const auto body = batch_lines("killed", 20'000);
  raw_connection upload(daemon.socket());
  BOOST_TEST_REQUIRE(upload.send(ndjson_head(body.size())));
  BOOST_TEST_REQUIRE(upload.send(std::string_view(body).substr(0, 3 * body.size() / 4)));
  std::this_thread::sleep_for(1s);
  daemon.kill();
  upload.close();
  daemon.restart();
  BOOST_TEST(listed_ids(daemon) == std::set<std::string>{"kept"});
  BOOST_TEST(daemon.get("/v1/jobs/killed-1").status == 404u);
  BOOST_TEST(text(get_job(daemon, kept), "status") == "succeeded", "the other job is intact");
  BOOST_TEST(jobs_in_metrics(daemon) == 1.0);
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 201u, answer.body);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
