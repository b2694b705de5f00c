// The control API of the real qjobd, through its real socket: every endpoint and
// every error code of DESIGN.md.

#include "e2e_jobs.hpp"
#include "sse_client.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// Submits the endless job and waits until it holds the provider's one worker.
std::string occupy_the_worker(const daemon_process& daemon) {
  const auto id = text(submit(daemon, job_of(endless_input(), {{"name", "endless"}})), "id");
  wait_status(daemon, id, "executing");
  return id;
}

/// Cancels `id` and waits until it is cancelled (frees the worker at the end of a case).
void cancel_and_wait(const daemon_process& daemon, const std::string& id) {
  auto answer = daemon.post("/v1/jobs/" + id + "/cancel", "");
  BOOST_TEST(answer.status == 202u, "cancel answered " << answer.status << ": " << answer.body);
  BOOST_TEST(text(wait_final(daemon, id), "status") == "cancelled");
}

/// Checks an error answer: status, code and (when not empty) field.
void check_error(const test::http_answer& answer, unsigned status, const std::string& code,
                 const std::string& field = "") {
  BOOST_TEST(answer.status == status, "answer " << answer.status << ": " << answer.body);
  BOOST_TEST(answer.error_code() == code, "answer " << answer.body);
  if (!field.empty()) BOOST_TEST(answer.error_field() == field, "answer " << answer.body);
  BOOST_TEST(answer.content_type.starts_with("application/json"));
}

std::vector<std::string> ids_of(const json::value& list) {
  std::vector<std::string> ids;
  for (const auto& job : list.at("jobs").as_array()) ids.push_back(text(job.as_object(), "id"));
  return ids;
}

std::int64_t count_sum(const json::object& counts) {
  std::int64_t sum = 0;
  for (const auto& [bits, count] : counts) sum += count.to_number<std::int64_t>();
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api_tests)

BOOST_AUTO_TEST_CASE(submitting_a_job_answers_201_with_every_field_of_the_job_model) {
  daemon_process daemon;
  auto answer = daemon.post_json("/v1/jobs", job_of(bell_input(), {{"id", "bell-1"},
                                                                   {"name", "bell"},
                                                                   {"shots", 100},
                                                                   {"tags", json::array{"a", "b"}},
                                                                   {"priority", 7},
                                                                   {"params", {{"seed", 42}}}}));
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  BOOST_TEST(answer.content_type.starts_with("application/json"));
  const auto job = answer.json().as_object();
  for (const char* field : {"id", "name", "provider", "target", "shots", "input_format", "input", "params", "tags",
                            "priority", "batch_id", "owner", "status", "provider_status", "provider_job_id",
                            "created_at", "submitted_at", "started_at", "finished_at", "attempts", "error",
                            "cancel_requested", "output_uri"})
    BOOST_TEST(job.contains(field), "the job has no '" << field << "': " << answer.body);
  BOOST_TEST(text(job, "id") == "bell-1");
  BOOST_TEST(text(job, "name") == "bell");
  BOOST_TEST(text(job, "provider") == "local");
  BOOST_TEST(text(job, "target") == "simulator");
  BOOST_TEST(job.at("shots").to_number<int>() == 100);
  BOOST_TEST(text(job, "input_format") == "ionq.circuit.v0");
  BOOST_TEST(job.at("input") == json::value(bell_input()));
  BOOST_TEST(job.at("params").at("seed").to_number<int>() == 42);
  BOOST_TEST(job.at("tags") == (json::array{"a", "b"}));
  BOOST_TEST(job.at("priority").to_number<int>() == 7);
  BOOST_TEST(job.at("batch_id").is_null());
  BOOST_TEST(job.at("owner").to_number<std::int64_t>() == static_cast<std::int64_t>(::getuid()));
  BOOST_TEST((text(job, "status") == "waiting" || text(job, "status") == "executing" ||
              text(job, "status") == "succeeded"));
  BOOST_TEST(text(job, "created_at").ends_with("Z"), "created_at is RFC 3339 UTC: " << text(job, "created_at"));
  BOOST_TEST(job.at("cancel_requested") == json::value(false));
  BOOST_TEST(job.at("error").is_null());

  const auto done = wait_final(daemon, "bell-1");
  BOOST_TEST(text(done, "status") == "succeeded");
  BOOST_TEST(text(done, "output_uri").starts_with("file://"), "output_uri: " << json::serialize(done));
  BOOST_TEST(!text(done, "started_at").empty());
  BOOST_TEST(!text(done, "finished_at").empty());
  BOOST_TEST(done.at("attempts").to_number<int>() >= 1);
}

BOOST_AUTO_TEST_CASE(submitting_without_an_id_gets_a_uuid) {
  daemon_process daemon;
  const auto id = text(submit(daemon, job_of(bell_input())), "id");
  BOOST_TEST(id.size() == 36u, "id " << id);
  BOOST_TEST(id[14] == '7', "a version 7 UUID: " << id);
  BOOST_TEST((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'), "RFC 9562 variant: " << id);
  // Its first 48 bits are the time of its making, in Unix milliseconds.
  const auto made = std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
  const auto now = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  BOOST_TEST(made <= now);
  BOOST_TEST(made + 60'000 > now);
}

BOOST_AUTO_TEST_CASE(retry_with_the_same_id_and_content_returns_the_existing_job_with_200) {
  daemon_process daemon;
  const auto job = job_of(bell_input(), {{"id", "retry-1"}, {"shots", 10}});
  const auto first = submit(daemon, job);
  auto again = daemon.post_json("/v1/jobs", job);
  BOOST_TEST(again.status == 200u, again.body);
  BOOST_TEST(text(again.json().as_object(), "id") == "retry-1");
  BOOST_TEST(again.json().at("created_at") == first.at("created_at"));
  auto list = daemon.get("/v1/jobs");
  BOOST_TEST(ids_of(list.json()).size() == 1u, "one job stored: " << list.body);
}

BOOST_AUTO_TEST_CASE(retry_with_the_same_id_and_other_content_answers_409_naming_the_id) {
  daemon_process daemon;
  submit(daemon, job_of(bell_input(), {{"id", "retry-2"}, {"shots", 10}}));
  check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"id", "retry-2"}, {"shots", 11}})), 409,
              "conflict", "id");
}

BOOST_AUTO_TEST_CASE(invalid_json_answers_400_invalid_json) {
  daemon_process daemon;
  check_error(daemon.post("/v1/jobs", "{\"input\": "), 400, "invalid_json");
  check_error(daemon.post("/v1/jobs", "[1, 2"), 400, "invalid_json");
}

BOOST_AUTO_TEST_CASE(a_job_that_is_not_an_object_answers_400) {
  daemon_process daemon;
  auto answer = daemon.post("/v1/jobs", "[1, 2]");
  BOOST_TEST(answer.status == 400u, answer.body);
}

BOOST_AUTO_TEST_CASE(unknown_field_answers_400_naming_it) {
  daemon_process daemon;
  check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"colour", "blue"}})), 400, "invalid_field",
              "colour");
}

BOOST_AUTO_TEST_CASE(bad_shots_priority_tags_and_seed_answer_400_naming_the_field) {
  daemon_process daemon;
  const std::vector<std::pair<json::object, std::string>> cases{
      {{{"shots", 0}}, "shots"},
      {{{"shots", -5}}, "shots"},
      {{{"shots", "many"}}, "shots"},
      {{{"shots", 1.5}}, "shots"},
      {{{"shots", 10'000'000'000LL}}, "shots"},
      {{{"priority", 10}}, "priority"},
      {{{"priority", -1}}, "priority"},
      {{{"priority", "high"}}, "priority"},
      {{{"tags", "a"}}, "tags"},
      {{{"tags", json::array{"ok", 3}}}, "tags[1]"},
      {{{"tags", json::array{""}}}, "tags[0]"},
      {{{"params", {{"seed", -1}}}}, "params.seed"},
      {{{"params", {{"seed", "x"}}}}, "params.seed"},
      {{{"params", 3}}, "params"},
      {{{"name", 3}}, "name"},
      {{{"id", "has space"}}, "id"},
      {{{"id", ".hidden"}}, "id"},
  };
  for (const auto& [fields, field] : cases) {
    BOOST_TEST_CONTEXT("fields " << json::serialize(fields)) {
      check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), fields)), 400, "invalid_field", field);
    }
  }
  BOOST_TEST(ids_of(daemon.get("/v1/jobs").json()).empty(), "nothing was stored");
}

BOOST_AUTO_TEST_CASE(invalid_circuit_answers_400_naming_the_gate_path) {
  daemon_process daemon;
  auto input = bell_input();
  input["circuit"].as_array()[1].as_object()["gate"] = "frobnicate";
  auto answer = daemon.post_json("/v1/jobs", job_of(input));
  check_error(answer, 400, "invalid_input", "input.circuit[1].gate");
  BOOST_TEST(answer.error_message().find("frobnicate") != std::string::npos, answer.body);

  auto out_of_range = bell_input();
  out_of_range["circuit"].as_array()[1].as_object()["target"] = 5;
  check_error(daemon.post_json("/v1/jobs", job_of(out_of_range)), 400, "invalid_input", "input.circuit[1].target");
  check_error(daemon.post_json("/v1/jobs", json::object{{"shots", 1}}), 400, "invalid_input", "input");
}

BOOST_AUTO_TEST_CASE(qasm_error_answers_400_with_the_line_number) {
  daemon_process daemon;
  const std::string program = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\n"
                              "bogus q[0];\nmeasure q -> c;\n";
  auto answer = daemon.post_json("/v1/jobs", json::object{{"input", program}, {"input_format", "qasm2"}});
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_code() == "invalid_input", answer.body);
  BOOST_TEST(answer.error_message().find("6") != std::string::npos, "the message names line 6: " << answer.body);
}

BOOST_AUTO_TEST_CASE(a_valid_qasm_program_runs) {
  daemon_process daemon;
  const std::string program = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nx q[1];\n"
                              "measure q -> c;\n";
  const auto id = text(submit(daemon, json::object{{"input", program}, {"shots", 20}}), "id");
  BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  const auto result = daemon.get("/v1/jobs/" + id + "/result").json();
  BOOST_TEST(result.at("results").at(0).at("counts") == (json::object{{"10", 20}}), json::serialize(result));
}

BOOST_AUTO_TEST_CASE(unknown_provider_target_or_format_answers_422) {
  daemon_process daemon;
  check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"provider", "nowhere"}})), 422, "unknown_provider",
              "provider");
  check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"target", "qpu.nowhere"}})), 422, "unknown_target",
              "target");
  check_error(daemon.post_json("/v1/jobs", job_of(bell_input(), {{"input_format", "quil"}})), 422,
              "unsupported_format", "input_format");
}

BOOST_AUTO_TEST_CASE(a_body_over_max_body_bytes_answers_413) {
  daemon_process daemon(daemon_options{.config = "max_body_bytes = 4096\n"});
  auto job = job_of(bell_input(), {{"name", std::string(200, 'n')}});
  BOOST_TEST(daemon.post_json("/v1/jobs", job).status == 201u, "a small body passes");
  job["name"] = std::string(10'000, 'n');
  auto answer = daemon.post_json("/v1/jobs", job);
  BOOST_TEST(answer.status == 413u, answer.body);
  BOOST_TEST(answer.error_code() == "body_too_large", answer.body);
  // The daemon still serves.
  BOOST_TEST(daemon.get("/v1/health").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_batch_over_max_batch_jobs_answers_413) {
  daemon_process daemon(daemon_options{.config = "max_batch_jobs = 5\n"});
  json::array jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(job_of(bell_input()));
  BOOST_TEST(daemon.post_json("/v1/batches", jobs).status == 201u);
  jobs.push_back(job_of(bell_input()));
  check_error(daemon.post_json("/v1/batches", jobs), 413, "batch_too_large");
  BOOST_TEST(ids_of(daemon.get("/v1/jobs").json()).size() == 5u, "the refused batch stored nothing");
}

BOOST_AUTO_TEST_CASE(get_job_returns_the_job_and_history_lists_its_transitions) {
  daemon_process daemon;
  const auto id = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  const auto done = wait_final(daemon, id);
  BOOST_TEST(text(done, "id") == id);
  BOOST_TEST(!done.contains("history"), "no history unless asked");
  const auto with_history = get_job(daemon, id, "?history=1");
  const auto& history = with_history.at("history").as_array();
  std::vector<std::string> states;
  for (const auto& step : history) {
    states.push_back(text(step.as_object(), "status"));
    BOOST_TEST(text(step.as_object(), "at").ends_with("Z"));
  }
  BOOST_TEST_REQUIRE(!states.empty());
  BOOST_TEST(states.front() == "waiting", json::serialize(history));
  BOOST_TEST(states.back() == "succeeded", json::serialize(history));
  BOOST_TEST((std::find(states.begin(), states.end(), "executing") != states.end()), json::serialize(history));
}

BOOST_AUTO_TEST_CASE(wait_returns_as_soon_as_the_job_is_final) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  const auto id = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  BOOST_TEST(text(get_job(daemon, id), "status") == "waiting");
  // Frees the worker shortly after the wait begins: the answer comes when the job
  // ends, long before the 60 s are up.
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    daemon.post("/v1/jobs/" + blocker + "/cancel", "");
  });
  const auto started = std::chrono::steady_clock::now();
  const auto job = get_job(daemon, id, "?wait=60");
  const auto took = std::chrono::steady_clock::now() - started;
  canceller.join();
  BOOST_TEST(text(job, "status") == "succeeded");
  BOOST_TEST((took < 50s), "the wait ended with the job");
  BOOST_TEST(text(wait_final(daemon, blocker), "status") == "cancelled");
}

BOOST_AUTO_TEST_CASE(wait_returns_after_the_time_when_the_job_is_not_final) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  const auto id = text(submit(daemon, job_of(bell_input())), "id");
  const auto started = std::chrono::steady_clock::now();
  const auto job = get_job(daemon, id, "?wait=1");
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(text(job, "status") == "waiting");
  BOOST_TEST(job.at("queue_position").to_number<int>() >= 0, json::serialize(job));
  BOOST_TEST((took >= 900ms), "held for the wait");
  BOOST_TEST((took < 30s));
  // The result endpoint waits the same way, then says the job is not final.
  auto result = daemon.get("/v1/jobs/" + blocker + "/result?wait=1");
  check_error(result, 409, "not_final");
  check_error(daemon.get("/v1/jobs/" + id + "?wait=soon"), 400, "invalid_parameter", "wait");
  cancel_and_wait(daemon, blocker);
  BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(list_filters_by_status_provider_target_batch_name_and_tag) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto a = text(submit(daemon, job_of(bell_input(), {{"name", "alpha"}, {"tags", json::array{"red"}}})), "id");
  const auto b = text(submit(daemon, job_of(bell_input(), {{"name", "beta"}, {"tags", json::array{"red", "blue"}}})),
                      "id");
  auto batch = daemon.post_json("/v1/batches", json::array{job_of(bell_input(), {{"name", "gamma"}})}).json();
  const auto c = std::string(batch.at("job_ids").at(0).as_string());
  const auto batch_id = std::string(batch.at("batch_id").as_string());
  for (const auto& id : {a, b, c}) wait_final(daemon, id);
  const auto blocker = occupy_the_worker(daemon);

  auto list = [&](const std::string& query) {
    auto answer = daemon.get("/v1/jobs" + query);
    BOOST_TEST_REQUIRE(answer.status == 200u, query << ": " << answer.body);
    auto ids = ids_of(answer.json());
    return std::set<std::string>(ids.begin(), ids.end());
  };
  BOOST_TEST((list("") == std::set<std::string>{a, b, c, blocker}));
  BOOST_TEST((list("?status=succeeded") == std::set<std::string>{a, b, c}));
  BOOST_TEST((list("?status=executing") == std::set<std::string>{blocker}));
  BOOST_TEST((list("?status=failed").empty()));
  BOOST_TEST((list("?provider=local").size() == 4u));
  BOOST_TEST((list("?provider=ionq").empty()));
  BOOST_TEST((list("?target=simulator").size() == 4u));
  BOOST_TEST((list("?target=qpu.aria-1").empty()));
  BOOST_TEST((list("?batch=" + batch_id) == std::set<std::string>{c}));
  BOOST_TEST((list("?name=beta") == std::set<std::string>{b}));
  BOOST_TEST((list("?tag=red") == std::set<std::string>{a, b}));
  BOOST_TEST((list("?tag=blue") == std::set<std::string>{b}));
  BOOST_TEST((list("?tag=red&name=alpha") == std::set<std::string>{a}));
  // Newest first.
  const auto ordered = ids_of(daemon.get("/v1/jobs").json());
  BOOST_TEST((ordered == std::vector<std::string>{blocker, c, b, a}));
  cancel_and_wait(daemon, blocker);
}

BOOST_AUTO_TEST_CASE(cursor_paging_visits_every_job_once_and_the_last_page_has_no_cursor) {
  daemon_process daemon;
  json::array jobs;
  for (int i = 0; i < 23; ++i) jobs.push_back(job_of(bell_input(), {{"id", "page-" + std::to_string(i)}, {"shots", 1}}));
  BOOST_TEST_REQUIRE(daemon.post_json("/v1/batches", jobs).status == 201u);
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto answer = daemon.get("/v1/jobs?limit=5" + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
    const auto page = answer.json().as_object();
    const auto ids = ids_of(page);
    ++pages;
    BOOST_TEST(ids.size() <= 5u);
    seen.insert(seen.end(), ids.begin(), ids.end());
    if (!page.contains("next_cursor")) break;
    BOOST_TEST(ids.size() == 5u, "only the last page is short");
    cursor = text(page, "next_cursor");
    BOOST_TEST_REQUIRE(pages < 20);
  }
  BOOST_TEST(pages == 5);
  BOOST_TEST(seen.size() == 23u);
  BOOST_TEST(std::set<std::string>(seen.begin(), seen.end()).size() == 23u, "no job twice");
  BOOST_TEST(seen.front() == "page-22", "newest first");
  BOOST_TEST(seen.back() == "page-0");
  BOOST_TEST(ids_of(daemon.get("/v1/jobs?limit=23").json()).size() == 23u);
  BOOST_TEST(!daemon.get("/v1/jobs?limit=23").json().as_object().contains("next_cursor"),
             "a page that ends exactly at the last job has no next_cursor");
}

BOOST_AUTO_TEST_CASE(bad_limit_cursor_or_status_answers_400) {
  daemon_process daemon;
  for (const char* query : {"?limit=0", "?limit=-1", "?limit=abc", "?limit=1000000"})
    check_error(daemon.get(std::string("/v1/jobs") + query), 400, "invalid_parameter", "limit");
  for (const char* query : {"?cursor=xyz", "?cursor=-3", "?cursor="})
    check_error(daemon.get(std::string("/v1/jobs") + query), 400, "invalid_parameter", "cursor");
  check_error(daemon.get("/v1/jobs?status=running"), 400, "invalid_parameter", "status");
}

BOOST_AUTO_TEST_CASE(result_counts_sum_to_shots_and_are_reproducible_with_a_seed) {
  daemon_process daemon;
  const auto job = job_of(bell_input(), {{"shots", 1000}, {"params", {{"seed", 7}}}});
  const auto first = text(submit(daemon, job), "id");
  const auto second = text(submit(daemon, job), "id");
  wait_final(daemon, first);
  wait_final(daemon, second);
  auto answer = daemon.get("/v1/jobs/" + first + "/result");
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  const auto result = answer.json().as_object();
  BOOST_TEST(text(result, "id") == first);
  BOOST_TEST(text(result, "status") == "succeeded");
  const auto& results = result.at("results").as_array();
  BOOST_TEST_REQUIRE(results.size() == 1u);
  const auto& counts = results[0].at("counts").as_object();
  BOOST_TEST(count_sum(counts) == 1000);
  for (const auto& [bits, count] : counts) BOOST_TEST((bits == "00" || bits == "11"), "outcome " << bits);
  const auto& probabilities = results[0].at("probabilities").as_object();
  BOOST_TEST(probabilities.at("00").to_number<double>() == 0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(probabilities.at("11").to_number<double>() == 0.5, boost::test_tools::tolerance(1e-9));
  const auto again = daemon.get("/v1/jobs/" + second + "/result").json();
  BOOST_TEST(again.at("results").at(0).at("counts") == results[0].at("counts"), "the same seed, the same counts");
}

BOOST_AUTO_TEST_CASE(a_multi_circuit_job_has_one_result_per_circuit_in_order) {
  daemon_process daemon;
  const auto id = text(submit(daemon, json::object{{"input", json::array{value_input(1, 3), value_input(6, 3)}},
                                                   {"shots", 5}}),
                       "id");
  wait_final(daemon, id);
  const auto result = daemon.get("/v1/jobs/" + id + "/result").json();
  BOOST_TEST_REQUIRE(result.at("results").as_array().size() == 2u, json::serialize(result));
  BOOST_TEST(result.at("results").at(0).at("counts") == (json::object{{"001", 5}}));
  BOOST_TEST(result.at("results").at(1).at("counts") == (json::object{{"110", 5}}));
}

BOOST_AUTO_TEST_CASE(result_of_a_job_that_is_not_final_answers_409_not_final) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  const auto waiting = text(submit(daemon, job_of(bell_input())), "id");
  check_error(daemon.get("/v1/jobs/" + blocker + "/result"), 409, "not_final");
  check_error(daemon.get("/v1/jobs/" + waiting + "/result"), 409, "not_final");
  cancel_and_wait(daemon, blocker);
}

BOOST_AUTO_TEST_CASE(result_of_a_failed_job_answers_409_job_failed) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  BOOST_TEST_MESSAGE("skipped: a sanitizer build cannot run under an address space limit");
  return;
#endif
  // The only way the local simulator fails a job: a state vector (30 qubits: 16 GiB)
  // that cannot be allocated, here under a 2 GiB address space limit.
  daemon_process daemon(daemon_options{.config = one_worker_config(), .address_space_limit = 2ull << 30});
  const auto id = text(submit(daemon, job_of(value_input(1, 30))), "id");
  const auto job = wait_final(daemon, id);
  BOOST_TEST_REQUIRE(text(job, "status") == "failed", json::serialize(job));
  BOOST_TEST(job.at("error").at("code") == json::value("out_of_memory"), json::serialize(job));
  BOOST_TEST(!text(job.at("error").as_object(), "message").empty());
  auto result = daemon.get("/v1/jobs/" + id + "/result");
  check_error(result, 409, "job_failed");
  BOOST_TEST(result.error_message().find("does not fit") != std::string::npos, result.body);
  check_error(daemon.post("/v1/jobs/" + id + "/cancel", ""), 409, "already_final");
  BOOST_TEST(daemon.get("/v1/jobs?status=failed").json().at("jobs").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(result_of_a_cancelled_job_answers_409_job_cancelled) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  cancel_and_wait(daemon, blocker);
  check_error(daemon.get("/v1/jobs/" + blocker + "/result"), 409, "job_cancelled");
}

BOOST_AUTO_TEST_CASE(cancelling_a_waiting_job_answers_202_and_it_ends_cancelled) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  const auto id = text(submit(daemon, job_of(bell_input())), "id");
  BOOST_TEST(text(get_job(daemon, id), "status") == "waiting");
  auto answer = daemon.post("/v1/jobs/" + id + "/cancel", "");
  BOOST_TEST(answer.status == 202u, answer.body);
  BOOST_TEST(text(answer.json().as_object(), "id") == id);
  const auto job = wait_final(daemon, id);
  BOOST_TEST(text(job, "status") == "cancelled");
  BOOST_TEST(job.at("cancel_requested") == json::value(true));
  BOOST_TEST(text(get_job(daemon, blocker), "status") == "executing", "the other job runs on");
  cancel_and_wait(daemon, blocker);
}

BOOST_AUTO_TEST_CASE(cancelling_an_executing_job_answers_202_and_it_ends_cancelled) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto id = occupy_the_worker(daemon);
  const auto next = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  auto answer = daemon.post("/v1/jobs/" + id + "/cancel", "");
  BOOST_TEST(answer.status == 202u, answer.body);
  const auto job = wait_final(daemon, id);
  BOOST_TEST(text(job, "status") == "cancelled");
  BOOST_TEST(!text(job, "started_at").empty());
  // The worker is free again: the next job runs.
  BOOST_TEST(text(wait_final(daemon, next), "status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(cancelling_a_final_job_answers_409_already_final) {
  daemon_process daemon;
  const auto id = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  wait_final(daemon, id);
  check_error(daemon.post("/v1/jobs/" + id + "/cancel", ""), 409, "already_final");
  BOOST_TEST(text(get_job(daemon, id), "status") == "succeeded", "a final state never changes");
}

BOOST_AUTO_TEST_CASE(a_batch_as_a_json_array_answers_201_with_the_job_ids) {
  daemon_process daemon;
  json::array jobs;
  for (int i = 0; i < 4; ++i) jobs.push_back(job_of(value_input(static_cast<std::uint64_t>(i), 2), {{"shots", 3}}));
  auto answer = daemon.post_json("/v1/batches", jobs);
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  const auto batch = answer.json().as_object();
  const auto batch_id = text(batch, "batch_id");
  BOOST_TEST(!batch_id.empty());
  BOOST_TEST(batch.at("count").to_number<int>() == 4);
  const auto& ids = batch.at("job_ids").as_array();
  BOOST_TEST_REQUIRE(ids.size() == 4u);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto job = wait_final(daemon, std::string(ids[i].as_string()));
    BOOST_TEST(text(job, "batch_id") == batch_id);
    const auto result = daemon.get("/v1/jobs/" + std::string(ids[i].as_string()) + "/result").json();
    BOOST_TEST(result.at("results").at(0).at("counts") == (json::object{{bits_of(i, 2), 3}}), "job_ids in order");
  }
}

BOOST_AUTO_TEST_CASE(a_batch_as_ndjson_answers_201_with_the_job_ids) {
  daemon_process daemon;
  std::string body;
  for (int i = 0; i < 3; ++i)
    body += json::serialize(job_of(bell_input(), {{"id", "nd-" + std::to_string(i)}, {"shots", 2}})) + "\n";
  body += "\n";  // blank lines are skipped
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  const auto batch = answer.json().as_object();
  BOOST_TEST(batch.at("count").to_number<int>() == 3);
  BOOST_TEST(batch.at("job_ids") == (json::array{"nd-0", "nd-1", "nd-2"}));
}

BOOST_AUTO_TEST_CASE(a_bad_ndjson_line_rejects_the_whole_batch_naming_the_line) {
  daemon_process daemon;
  std::string body = json::serialize(job_of(bell_input(), {{"id", "ok-1"}})) + "\n" +
                     json::serialize(job_of(bell_input(), {{"id", "ok-2"}})) + "\n" + "{\"input\": \n" +
                     json::serialize(job_of(bell_input(), {{"id", "ok-4"}})) + "\n";
  auto answer = daemon.post("/v1/batches", body, "application/x-ndjson");
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_code() == "invalid_json", answer.body);
  BOOST_TEST(answer.error_message().find("line 3") != std::string::npos, answer.body);

  auto bad_field = json::serialize(job_of(bell_input(), {{"id", "ok-1"}})) + "\n" +
                   json::serialize(job_of(bell_input(), {{"shots", 0}})) + "\n";
  answer = daemon.post("/v1/batches", bad_field, "application/x-ndjson");
  BOOST_TEST(answer.status == 400u, answer.body);
  BOOST_TEST(answer.error_field() == "line 2: shots", answer.body);

  auto bad_array = daemon.post_json("/v1/batches", json::array{job_of(bell_input()), job_of(bell_input(), {{"x", 1}})});
  BOOST_TEST(bad_array.status == 400u, bad_array.body);
  BOOST_TEST(bad_array.error_field() == "[1].x", bad_array.body);
  BOOST_TEST(ids_of(daemon.get("/v1/jobs").json()).empty(), "nothing was stored");
}

BOOST_AUTO_TEST_CASE(a_user_over_max_waiting_per_owner_gets_429_naming_the_limit) {
  daemon_process daemon(daemon_options{.config = one_worker_config("max_waiting_per_owner = 3\n")});
  const auto running = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, running, "executing");
  const auto first = text(submit(daemon, job_of(bell_input())), "id");
  submit(daemon, job_of(bell_input()));

  auto refused = daemon.post_json("/v1/jobs", job_of(bell_input()));
  BOOST_TEST(refused.status == 429u, refused.body);
  BOOST_TEST(refused.error_code() == "too_many_waiting");
  BOOST_TEST(refused.error_message().find("max_waiting_per_owner") != std::string::npos, refused.body);
  BOOST_TEST(refused.retry_after == "30");
  auto batch = daemon.post_json("/v1/batches", json::array{job_of(bell_input())});
  BOOST_TEST(batch.status == 429u, batch.body);
  BOOST_TEST(daemon.get("/v1/jobs?limit=10").json().at("jobs").as_array().size() == 3u, "nothing refused was stored");

  // A job that ends makes room again.
  BOOST_TEST(daemon.post("/v1/jobs/" + first + "/cancel", "").status == 202u);
  eventually([&] { return daemon.post_json("/v1/jobs", job_of(bell_input())).status == 201u; },
             "a submission is accepted again");
  BOOST_TEST(daemon.post("/v1/jobs/" + running + "/cancel", "").status == 202u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_daemon_over_max_waiting_gets_429_naming_the_limit) {
  daemon_process daemon(daemon_options{.config = one_worker_config("max_waiting = 2\n")});
  const auto running = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, running, "executing");
  auto batch = daemon.post_json("/v1/batches", json::array{job_of(bell_input()), job_of(bell_input())});
  BOOST_TEST(batch.status == 429u, batch.body);
  BOOST_TEST(batch.error_message().find("max_waiting)") != std::string::npos, batch.body);
  BOOST_TEST(batch.retry_after == "30");
  BOOST_TEST(daemon.post_json("/v1/batches", json::array{job_of(bell_input())}).status == 201u);
  BOOST_TEST(daemon.post("/v1/jobs/" + running + "/cancel", "").status == 202u);
  BOOST_TEST(daemon.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(final_jobs_older_than_retention_days_are_purged_with_their_results) {
  // 0.00003 days is 2.6 s: looked at every 0.26 s.
  daemon_process daemon(daemon_options{.config = one_worker_config("retention_days = 0.00003\n")});
  const auto done = text(submit(daemon, job_of(bell_input(), {{"tags", json::array{"kept-or-not"}}})), "id");
  BOOST_TEST(text(wait_final(daemon, done), "status") == "succeeded");
  BOOST_TEST(daemon.get("/v1/jobs/" + done + "/result").status == 200u);
  const auto running = text(submit(daemon, job_of(endless_input())), "id");
  wait_status(daemon, running, "executing");

  eventually([&] { return daemon.get("/v1/jobs/" + done).status == 404u; }, "the finished job is purged",
             std::chrono::seconds(30));
  BOOST_TEST(daemon.get("/v1/jobs/" + done + "/result").status == 404u);
  BOOST_TEST(!std::filesystem::exists(daemon.state_dir() / "results" / (done + ".json")));
  BOOST_TEST(daemon.get("/v1/jobs?tag=kept-or-not").json().at("jobs").as_array().empty());
  // A job that is not final stays, however old.
  std::this_thread::sleep_for(3s);
  BOOST_TEST(text(get_job(daemon, running), "status") == "executing");
  BOOST_TEST(daemon.post("/v1/jobs/" + running + "/cancel", "").status == 202u);
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(daemon.log().find("purged") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_duplicate_id_within_a_batch_answers_400) {
  daemon_process daemon;
  auto answer = daemon.post_json("/v1/batches", json::array{job_of(bell_input(), {{"id", "twice"}}),
                                                            job_of(bell_input(), {{"id", "twice"}, {"shots", 3}})});
  check_error(answer, 400, "duplicate_id", "[1].id");
  BOOST_TEST(ids_of(daemon.get("/v1/jobs").json()).empty(), "nothing was stored");
  check_error(daemon.post_json("/v1/batches", json::array{}), 400, "invalid_batch");
  check_error(daemon.post_json("/v1/batches", json::object{}), 400, "invalid_batch");
}

BOOST_AUTO_TEST_CASE(batch_status_counts_its_jobs_per_state) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  auto answer = daemon.post_json("/v1/batches", json::array{job_of(endless_input()), job_of(bell_input()),
                                                            job_of(bell_input())});
  BOOST_TEST_REQUIRE(answer.status == 201u, answer.body);
  const auto batch_id = text(answer.json().as_object(), "batch_id");
  const auto endless = std::string(answer.json().at("job_ids").at(0).as_string());
  wait_status(daemon, endless, "executing");
  auto counts = daemon.get("/v1/batches/" + batch_id).json().as_object();
  BOOST_TEST(text(counts, "batch_id") == batch_id);
  BOOST_TEST(counts.at("total").to_number<int>() == 3);
  BOOST_TEST(counts.at("counts") == (json::object{{"waiting", 2}, {"executing", 1}, {"succeeded", 0}, {"failed", 0},
                                                  {"cancelled", 0}}),
             json::serialize(counts));

  auto cancel = daemon.post("/v1/batches/" + batch_id + "/cancel", "");
  BOOST_TEST(cancel.status == 202u, cancel.body);
  BOOST_TEST(cancel.json().at("cancel_requested").to_number<int>() == 3, cancel.body);
  eventually(
      [&] {
        return daemon.get("/v1/batches/" + batch_id).json().at("counts").at("cancelled").to_number<int>() == 3;
      },
      "every job of the batch is cancelled");
  BOOST_TEST(daemon.post("/v1/batches/" + batch_id + "/cancel", "").status == 202u,
             "cancelling a finished batch is harmless");
}

BOOST_AUTO_TEST_CASE(unknown_job_batch_or_path_answers_404) {
  daemon_process daemon;
  check_error(daemon.get("/v1/jobs/no-such-job"), 404, "not_found");
  check_error(daemon.get("/v1/jobs/no-such-job/result"), 404, "not_found");
  check_error(daemon.post("/v1/jobs/no-such-job/cancel", ""), 404, "not_found");
  check_error(daemon.get("/v1/batches/no-such-batch"), 404, "not_found");
  check_error(daemon.post("/v1/batches/no-such-batch/cancel", ""), 404, "not_found");
  check_error(daemon.get("/v1/nothing"), 404, "not_found");
  check_error(daemon.get("/v2/jobs"), 404, "not_found");
  check_error(daemon.get("/v1/jobs/x/y/z"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(a_wrong_method_answers_405_with_allow) {
  daemon_process daemon;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"DELETE", "/v1/jobs", "GET, POST"},     {"GET", "/v1/batches", "POST"},
      {"POST", "/v1/targets", "GET"},          {"POST", "/v1/health", "GET"},
      {"PUT", "/v1/jobs/x", "GET"},            {"POST", "/v1/jobs/x/result", "GET"},
      {"GET", "/v1/jobs/x/cancel", "POST"},    {"DELETE", "/v1/batches/x", "GET"},
      {"GET", "/v1/batches/x/cancel", "POST"}, {"POST", "/metrics", "GET"},
  };
  for (const auto& [method, target, allow] : cases) {
    BOOST_TEST_CONTEXT(method << " " << target) {
      auto answer = daemon.request(method, target);
      check_error(answer, 405, "method_not_allowed");
      BOOST_TEST(answer.allow == allow);
    }
  }
}

BOOST_AUTO_TEST_CASE(targets_lists_the_local_simulator) {
  daemon_process daemon;
  auto answer = daemon.get("/v1/targets");
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  const auto body = answer.json();
  const auto& providers = body.at("providers").as_array();
  BOOST_TEST_REQUIRE(providers.size() == 1u, answer.body);
  const auto& local = providers[0].as_object();
  BOOST_TEST(text(local, "name") == "local");
  BOOST_TEST(local.at("default") == json::value(true));
  const auto& target = local.at("targets").at(0).as_object();
  BOOST_TEST(text(target, "name") == "simulator");
  BOOST_TEST(target.at("formats") == (json::array{"ionq.circuit.v0", "qasm2"}));
  BOOST_TEST(target.at("max_qubits").to_number<int>() > 0);
  BOOST_TEST(target.at("cancel_while_executing") == json::value(true));
  BOOST_TEST(local.contains("health"));
}

BOOST_AUTO_TEST_CASE(health_reports_ready) {
  daemon_process daemon;
  auto answer = daemon.get("/v1/health");
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST(answer.json().at("ready") == json::value(true), answer.body);
  BOOST_TEST(text(answer.json().as_object(), "status") == "ok", answer.body);
}

BOOST_AUTO_TEST_CASE(metrics_are_prometheus_text_with_job_gauges) {
  daemon_process daemon;
  const auto id = text(submit(daemon, job_of(bell_input(), {{"shots", 10}})), "id");
  wait_final(daemon, id);
  auto answer = daemon.get("/metrics");
  BOOST_TEST_REQUIRE(answer.status == 200u);
  BOOST_TEST(answer.content_type.starts_with("text/plain"));
  BOOST_TEST(answer.body.find("# TYPE qjob_jobs gauge") != std::string::npos, answer.body);
  BOOST_TEST(answer.body.find("qjob_jobs{provider=\"local\",status=\"succeeded\"} 1") != std::string::npos,
             answer.body);
  BOOST_TEST(answer.body.find("qjob_jobs_submitted_total 1") != std::string::npos, answer.body);
}

BOOST_AUTO_TEST_CASE(a_batch_streams_its_transitions_and_resumes_after_a_dropped_connection) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  auto accepted = daemon.post_json("/v1/batches", json::array{job_of(bell_input()), job_of(ghz_input(3)),
                                                              job_of(bell_input())});
  BOOST_TEST_REQUIRE(accepted.status == 201u, accepted.body);
  const auto batch = text(accepted.json().as_object(), "batch_id");
  constexpr std::size_t all_events = 9;  // waiting, executing, succeeded for each job

  std::vector<stream_event> first_part;
  {
    sse_client stream(daemon.socket(), "/v1/events?batch=" + batch);
    BOOST_TEST(stream.head().find("200 OK") != std::string::npos, stream.head());
    BOOST_TEST(stream.head().find("text/event-stream") != std::string::npos, stream.head());
    first_part = stream.wait_for(4);
    BOOST_TEST_REQUIRE(first_part.size() >= 4u);
    BOOST_TEST(stream.raw().find("event: transition") != std::string::npos);
  }  // the connection drops here
  const auto resume_after = first_part[3].id;
  sse_client resumed(daemon.socket(), "/v1/events?batch=" + batch, std::to_string(resume_after));
  const auto& rest = resumed.wait_for(all_events - 4);
  BOOST_TEST_REQUIRE(rest.size() == all_events - 4, resumed.raw());
  std::vector<stream_event> all(first_part.begin(), first_part.begin() + 4);
  all.insert(all.end(), rest.begin(), rest.end());
  std::map<std::string, std::vector<std::string>> per_job;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) BOOST_TEST(all[i].id > all[i - 1].id, "event ids increase, none twice");
    per_job[text(all[i].data, "job_id")].push_back(text(all[i].data, "status"));
    BOOST_TEST(!text(all[i].data, "at").empty());
  }
  BOOST_TEST(per_job.size() == 3u);
  for (const auto& [id, statuses] : per_job)
    BOOST_TEST((statuses == std::vector<std::string>{"waiting", "executing", "succeeded"}), "job " << id);
  BOOST_TEST(daemon.terminate() == 0, "a daemon with an open stream drains");
}

BOOST_AUTO_TEST_CASE(the_stream_of_every_job_starts_now_and_one_job_from_its_first_event) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto earlier = text(submit(daemon, job_of(bell_input())), "id");
  wait_final(daemon, earlier);
  sse_client everything(daemon.socket(), "/v1/events");
  BOOST_TEST(everything.head().find("200 OK") != std::string::npos);
  const auto later = text(submit(daemon, job_of(bell_input())), "id");
  const auto& events = everything.wait_for(3);
  BOOST_TEST_REQUIRE(events.size() == 3u, everything.raw());
  for (const auto& event : events) BOOST_TEST(text(event.data, "job_id") == later);

  sse_client one(daemon.socket(), "/v1/events?job=" + earlier);
  const auto& history = one.wait_for(3);
  BOOST_TEST_REQUIRE(history.size() == 3u, one.raw());
  BOOST_TEST(text(history.back().data, "status") == "succeeded");
  BOOST_TEST(text(history.back().data, "provider_status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(a_bad_event_stream_request_is_answered_with_an_error) {
  daemon_process daemon;
  check_error(daemon.get("/v1/events?job=no-such-job"), 404, "not_found");
  check_error(daemon.get("/v1/events?batch=no-such-batch"), 404, "not_found");
  check_error(daemon.get("/v1/events?job=a&batch=b"), 400, "invalid_query");
  check_error(daemon.request("GET", "/v1/events?last_event_id=soon"), 400, "invalid_query");
  auto post = daemon.post("/v1/events", "");
  BOOST_TEST(post.status == 405u);
  BOOST_TEST(post.allow == "GET");
}

BOOST_AUTO_TEST_CASE(sigterm_exits_with_status_0) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  occupy_the_worker(daemon);
  submit(daemon, job_of(bell_input()));
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(!std::filesystem::exists(daemon.socket()), "the socket is removed");
}

BOOST_AUTO_TEST_CASE(sigterm_with_a_held_wait_request_exits_0_promptly) {
  daemon_process daemon(daemon_options{.config = one_worker_config()});
  const auto blocker = occupy_the_worker(daemon);
  std::atomic<bool> answered{false};
  std::thread waiter([&] {
    try {
      daemon.get("/v1/jobs/" + blocker + "?wait=60");
    } catch (const std::exception&) {
      // The connection may close without an answer: the daemon is going away.
    }
    answered = true;
  });
  // The wait is registered once the daemon has read the request; give it a moment.
  std::this_thread::sleep_for(300ms);
  const auto started = std::chrono::steady_clock::now();
  const int status = daemon.terminate();
  const auto took = std::chrono::steady_clock::now() - started;
  waiter.join();
  BOOST_TEST(status == 0);
  BOOST_TEST((took < 30s), "the drain did not wait for the held request");
  BOOST_TEST(answered.load());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
