#include "ionq/ionq_status.hpp"

#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace json = boost::json;
using qjob::ionq::map_status;
using qjob::ionq::parse_job;
using qjob::ionq::parse_job_page;
using qjob::ionq::unified_state;

// A spec example payload's text, or nullopt when the shared folder is absent.
std::optional<std::string> example(const std::string& name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  std::ifstream in(*shared / "provider-api" / "ionq" / "examples" / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

qjob::ionq::job_info job_of(std::string_view body) {
  auto outcome = parse_job(body);
  if (!outcome.job) BOOST_FAIL("job refused: " << outcome.error);
  return std::move(*outcome.job);
}

void check_malformed(std::string_view body, const std::string& part) {
  const auto outcome = parse_job(body);
  BOOST_TEST(!outcome.job.has_value());
  BOOST_TEST(outcome.error.find(part) != std::string::npos, "error: " << outcome.error);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_status_tests)

BOOST_AUTO_TEST_CASE(each_published_status_maps_to_its_unified_state) {
  struct row {
    const char* ionq;
    unified_state state;
    bool final;
  };
  const row rows[] = {
      {"submitted", unified_state::waiting, false},  {"ready", unified_state::waiting, false},
      {"started", unified_state::executing, false},  {"running", unified_state::executing, false},
      {"completed", unified_state::succeeded, true}, {"failed", unified_state::failed, true},
      {"canceled", unified_state::cancelled, true},  {"cancelled", unified_state::cancelled, true},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT(r.ionq) {
      const auto mapping = map_status(r.ionq);
      BOOST_TEST(mapping.known);
      BOOST_TEST((mapping.state == r.state));
      BOOST_TEST(mapping.final == r.final);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_status_stays_waiting_and_is_flagged) {
  for (const char* word : {"deleted_soon", "", "Completed", "queued"}) {
    BOOST_TEST_CONTEXT(word) {
      const auto mapping = map_status(word);
      BOOST_TEST(!mapping.known);
      BOOST_TEST(!mapping.final);
      BOOST_TEST((mapping.state == unified_state::waiting));
    }
  }
}

BOOST_AUTO_TEST_CASE(unified_states_have_the_api_words) {
  BOOST_TEST(qjob::ionq::to_string(unified_state::waiting) == "waiting");
  BOOST_TEST(qjob::ionq::to_string(unified_state::executing) == "executing");
  BOOST_TEST(qjob::ionq::to_string(unified_state::succeeded) == "succeeded");
  BOOST_TEST(qjob::ionq::to_string(unified_state::failed) == "failed");
  BOOST_TEST(qjob::ionq::to_string(unified_state::cancelled) == "cancelled");
}

BOOST_AUTO_TEST_CASE(the_completed_job_example_is_read) {
  const auto body = example("v0.4_get-job_completed.response.json");
  if (!body) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  const auto job = job_of(*body);
  BOOST_TEST(job.id == "e1a09d90-b2ba-4ea5-9fd7-4bfc14eac524");
  BOOST_TEST(job.status == "completed");
  BOOST_TEST((job.mapping.state == unified_state::succeeded));
  BOOST_TEST(job.mapping.final);
  BOOST_TEST(!job.failure.has_value());
  BOOST_TEST(job.child_job_ids.empty());
  BOOST_TEST(!job.qjob_id.has_value());
  BOOST_TEST(!job.parent_job_id.has_value());
  BOOST_REQUIRE(job.shots.has_value());
  BOOST_TEST(*job.shots == 1000U);
  BOOST_TEST(job.submitted_at.value_or("") == "2025-05-28T20:47:05.440Z");
  BOOST_TEST(!job.started_at.has_value());
  BOOST_REQUIRE_EQUAL(job.results.size(), 1U);
  BOOST_TEST(job.results[0].kind == "probabilities");
  BOOST_TEST(job.results[0].url == "/v0.4/jobs/e1a09d90-b2ba-4ea5-9fd7-4bfc14eac524/results/probabilities");
  BOOST_TEST(job.results[0].artifact_id.empty());
  const json::value usage = json::parse(job.usage_json);
  BOOST_TEST(usage.at("cost_model") == "quantum_compute_time");
  BOOST_TEST(usage.at("stats").at("billed_quantum_compute_time_us") == 5200);
  BOOST_TEST(!usage.as_object().contains("execution_duration_ms"));  // null in the example
}

BOOST_AUTO_TEST_CASE(the_list_example_is_a_last_page) {
  const auto body = example("v0.4_list-jobs.response.json");
  if (!body) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  const auto outcome = parse_job_page(*body);
  BOOST_REQUIRE(outcome.page.has_value());
  BOOST_REQUIRE_EQUAL(outcome.page->jobs.size(), 1U);
  BOOST_TEST(outcome.page->jobs[0].id == "e1a09d90-b2ba-4ea5-9fd7-4bfc14eac524");
  BOOST_TEST(outcome.page->jobs[0].mapping.final);
  BOOST_TEST(!outcome.page->next.has_value());
}

BOOST_AUTO_TEST_CASE(a_list_page_with_a_cursor_gives_the_next_one) {
  const auto outcome = parse_job_page(R"({"jobs": [
      {"id": "a", "status": "ready", "metadata": {"qjob_id": "ours-1"}},
      {"id": "b", "status": "started", "metadata": {"qjob_id": "ours-2", "team": "x"}},
      {"id": "c", "status": "submitted", "metadata": null}], "next": "cursor-2"})");
  BOOST_REQUIRE(outcome.page.has_value());
  BOOST_REQUIRE_EQUAL(outcome.page->jobs.size(), 3U);
  BOOST_TEST(outcome.page->next.value_or("") == "cursor-2");
  BOOST_TEST(outcome.page->jobs[0].qjob_id.value_or("") == "ours-1");
  BOOST_TEST(outcome.page->jobs[1].qjob_id.value_or("") == "ours-2");
  BOOST_TEST((outcome.page->jobs[1].mapping.state == unified_state::executing));
  BOOST_TEST(!outcome.page->jobs[2].qjob_id.has_value());
}

BOOST_AUTO_TEST_CASE(an_empty_or_absent_cursor_ends_the_list) {
  BOOST_TEST(!parse_job_page(R"({"jobs": [], "next": ""})").page->next.has_value());
  BOOST_TEST(!parse_job_page(R"({"jobs": []})").page->next.has_value());
}

BOOST_AUTO_TEST_CASE(the_artifact_examples_give_descriptors_and_child_ids_in_order) {
  const auto body = example("v0.4_get-job_artifact-results.response.json");
  if (!body) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  const json::value both = json::parse(*body);
  const auto single = parse_job(both.at("Single Circuit"));
  BOOST_REQUIRE(single.job.has_value());
  BOOST_REQUIRE_EQUAL(single.job->results.size(), 1U);
  const auto& link = single.job->results[0];
  BOOST_TEST(link.kind == "probabilities");
  BOOST_TEST(link.version == 2);
  BOOST_TEST(link.artifact_id == "3fa85f64-5717-4562-b3fc-2c963f66afa6");
  BOOST_TEST(link.format == "ionq.result.probabilities.json.v2");
  BOOST_TEST(link.media_type == "application/json");
  BOOST_TEST(link.url.empty());
  BOOST_TEST(single.job->started_at.value_or("") == "2026-06-11T20:47:10.000Z");
  BOOST_TEST(single.job->completed_at.value_or("") == "2026-06-11T20:47:15.000Z");
  BOOST_TEST(json::parse(single.job->usage_json).at("execution_duration_ms") == 4200);

  const auto multi = parse_job(both.at("Multi Circuit"));
  BOOST_REQUIRE(multi.job.has_value());
  const std::vector<std::string> children{"06a2099c-f845-7208-8000-8111ee2dccbc",
                                          "06a2099c-f846-7d32-8000-5726853513db",
                                          "06a2099c-f848-7811-8000-5c856c7872fc"};
  BOOST_TEST(multi.job->child_job_ids == children, boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(multi.job->results.size(), 1U);
  BOOST_TEST(multi.job->results[0].kind == "probabilities-aggregate");
  BOOST_TEST(multi.job->results[0].version == 1);
  BOOST_TEST(multi.job->results[0].artifact_id == "probabilities-aggregate");
}

BOOST_AUTO_TEST_CASE(the_post_answer_reads_as_a_job) {
  const auto job = job_of(R"({"id": "617a1f8b-59d4-435d-aa33-695433d7155e", "status": "submitted", "session_id": null})");
  BOOST_TEST(job.id == "617a1f8b-59d4-435d-aa33-695433d7155e");
  BOOST_TEST((job.mapping.state == unified_state::waiting));
  BOOST_TEST(job.results.empty());
  BOOST_TEST(job.usage_json.empty());
}

BOOST_AUTO_TEST_CASE(a_failed_job_carries_the_failure_code_and_message) {
  const auto job = job_of(R"({"id": "f", "status": "failed", "results": null,
      "failure": {"code": "UnsupportedGate", "message": "gate 'foo' is not supported"}})");
  BOOST_TEST((job.mapping.state == unified_state::failed));
  BOOST_REQUIRE(job.failure.has_value());
  BOOST_TEST(job.failure->code == "UnsupportedGate");
  BOOST_TEST(job.failure->message == "gate 'foo' is not supported");
}

BOOST_AUTO_TEST_CASE(a_result_format_version_out_of_range_is_left_at_its_default) {
  // Found by the ionq_response fuzz target: the digits overflowed an int.
  const auto job = job_of(R"({"id": "j", "status": "completed", "results": {
      "probabilities": {"id": "a", "format": "ionq.result.probabilities.json.v99999999999999999999"},
      "histogram": {"id": "b", "format": "ionq.result.histogram.json.v-2"},
      "other": {"id": "c", "format": "ionq.result.probabilities.json.v3"}}})");
  BOOST_REQUIRE(job.results.size() == 3u);
  BOOST_TEST(job.results[0].kind == "probabilities");
  BOOST_TEST(job.results[0].version == 1);
  BOOST_TEST(job.results[1].version == 1);
  BOOST_TEST(job.results[2].version == 3);
}

BOOST_AUTO_TEST_CASE(a_v03_job_reads_running_children_and_its_failure_error) {
  const auto job = job_of(R"({"id": "p", "status": "running", "children": ["c1", "c2"],
      "failure": {"error": "something broke", "code": "internal_error"},
      "warning": {"messages": ["debiasing was skipped"]}})");
  BOOST_TEST((job.mapping.state == unified_state::executing));
  BOOST_TEST(job.child_job_ids == (std::vector<std::string>{"c1", "c2"}), boost::test_tools::per_element());
  BOOST_REQUIRE(job.failure.has_value());
  BOOST_TEST(job.failure->message == "something broke");
  BOOST_TEST(job.failure->code == "internal_error");
  BOOST_TEST(job.warnings == (std::vector<std::string>{"debiasing was skipped"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unknown_status_in_a_job_is_kept_and_flagged) {
  const auto job = job_of(R"({"id": "u", "status": "paused"})");
  BOOST_TEST(job.status == "paused");
  BOOST_TEST(!job.mapping.known);
  BOOST_TEST(!job.mapping.final);
}

BOOST_AUTO_TEST_CASE(malformed_jobs_are_refused_with_a_reason) {
  check_malformed("<html>502</html>", "not JSON");
  check_malformed("[1, 2]", "not a JSON object");
  check_malformed(R"({"status": "ready"})", "missing 'id'");
  check_malformed(R"({"id": "x"})", "missing 'status'");
  check_malformed(R"({"id": "x", "status": 3})", "'status' is not a string");
  check_malformed(R"({"id": "x", "status": "ready", "child_job_ids": "a"})", "'child_job_ids' is not an array");
  check_malformed(R"({"id": "x", "status": "ready", "child_job_ids": [1]})", "not a string");
  check_malformed(R"({"id": "x", "status": "ready", "results": []})", "'results' is not an object");
  check_malformed(R"({"id": "x", "status": "ready", "results": {"probabilities": 3}})", "not an object");
  check_malformed(R"({"id": "x", "status": "ready", "results": {"p": {"format": "f"}}})", "missing 'id'");
  check_malformed(R"({"id": "x", "status": "failed", "failure": "boom"})", "'failure' is not an object");
  check_malformed(R"({"id": "x", "status": "ready", "shots": -1})", "'shots'");
}

BOOST_AUTO_TEST_CASE(a_malformed_list_is_refused_whole) {
  BOOST_TEST(parse_job_page("nope").error.find("not JSON") != std::string::npos);
  BOOST_TEST(parse_job_page(R"({"next": null})").error.find("missing 'jobs'") != std::string::npos);
  const auto bad_entry = parse_job_page(R"({"jobs": [{"id": "a", "status": "ready"}, {"id": "b"}], "next": null})");
  BOOST_TEST(!bad_entry.page.has_value());
  BOOST_TEST(bad_entry.error.find("missing 'status'") != std::string::npos, bad_entry.error);
  BOOST_TEST(parse_job_page(R"({"jobs": [], "next": 5})").error.find("'next'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
