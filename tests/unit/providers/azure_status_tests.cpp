// Azure Quantum's job states: every JobStatus of the spec in the unified words,
// JobDetails and pages read (the spec's own examples, read from the shared
// folder at test time), failures and billing kept.

#include "azure/azure_status.hpp"

#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

namespace {

namespace json = boost::json;
using qjob::azure::map_status;

std::optional<json::value> spec_example(const std::string& name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  std::ifstream in(*shared / "provider-api" / "azure-quantum" / "spec-examples" / name);
  BOOST_REQUIRE_MESSAGE(in.good(), "cannot read spec example " + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_status_tests)

BOOST_AUTO_TEST_CASE(every_status_of_the_spec_maps_onto_a_unified_state) {
  struct expected {
    std::string_view word, state;
    bool final;
  };
  for (const auto& e : {expected{"Queued", "waiting", false}, expected{"Waiting", "waiting", false},
                        expected{"Executing", "executing", false}, expected{"Finishing", "executing", false},
                        expected{"CancellationRequested", "executing", false},
                        expected{"Cancelling", "executing", false}, expected{"Succeeded", "succeeded", true},
                        expected{"Completed", "succeeded", true}, expected{"Failed", "failed", true},
                        expected{"Cancelled", "cancelled", true}}) {
    const auto m = map_status(e.word);
    BOOST_TEST(m.state == e.state, e.word);
    BOOST_TEST(m.final == e.final, e.word);
    BOOST_TEST(m.known, e.word);
  }
  for (std::string_view odd : {"Paused", "succeeded", "", "WAITING"}) {
    const auto m = map_status(odd);
    BOOST_TEST(!m.known, odd);
    BOOST_TEST(!m.final, odd);
    BOOST_TEST(m.state == "waiting");
  }
}

BOOST_AUTO_TEST_CASE(the_spec_examples_read_as_job_states_with_usage) {
  const auto get = spec_example("2025-12-01-preview_Jobs_Get.json");
  if (!get) return;  // no shared folder beside this checkout
  auto read = qjob::azure::parse_job_details(get->at("responses").at("200").at("body"));
  BOOST_REQUIRE_MESSAGE(read.job.has_value(), read.error);
  const auto state = qjob::azure::to_job_state(*read.job);
  BOOST_TEST(state.id == "00000000-0000-0000-0000-000000000002");
  BOOST_TEST(state.qjob_id.value_or("") == state.id, "Azure's job id is ours");
  BOOST_TEST(state.state == "executing");
  BOOST_TEST(state.provider_status == "Executing");
  BOOST_TEST(!state.final);
  BOOST_TEST(json::parse(state.usage) == json::parse(R"({"usage": {"standardMinutes": 7}})"));
  BOOST_TEST(read.job->output_data_format == "microsoft.resource-estimates.v1");

  const auto cancelled = spec_example("2025-12-01-preview_Jobs_CancelJob.json");
  auto after = qjob::azure::parse_job_details(cancelled->at("responses").at("200").at("body"));
  BOOST_REQUIRE(after.job.has_value());
  BOOST_TEST(qjob::azure::to_job_state(*after.job).state == "cancelled");
  BOOST_TEST(qjob::azure::to_job_state(*after.job).final);

  const auto list = spec_example("2025-12-01-preview_Jobs_List.json");
  auto page = qjob::azure::parse_job_page(json::serialize(list->at("responses").at("200").at("body")));
  BOOST_REQUIRE_MESSAGE(page.page.has_value(), page.error);
  BOOST_TEST(page.page->jobs.size() == 2u);
  BOOST_TEST(page.page->jobs[1].status == "Waiting");
  BOOST_TEST(page.page->jobs[1].usage_json.empty(), "usage: null is no usage");
  BOOST_TEST(!page.page->next.has_value(), "nextLink: null ends the list");
}

BOOST_AUTO_TEST_CASE(a_failed_job_keeps_azure_error_data_and_cost) {
  const auto body = R"({"id": "0f0e0d0c-0000-0000-0000-000000000001", "status": "Failed", "target": "rigetti.sim.qvm",
    "errorData": {"code": "InvalidInputData", "message": "QVM reported a problem"},
    "costEstimate": {"currencyCode": "USD", "estimatedTotal": 0.5, "events": []}, "usage": null})";
  auto read = qjob::azure::parse_job_details(std::string_view(body));
  BOOST_REQUIRE(read.job.has_value());
  const auto state = qjob::azure::to_job_state(*read.job);
  BOOST_TEST(state.state == "failed");
  BOOST_TEST(state.final);
  BOOST_TEST(state.error_code == "InvalidInputData");
  BOOST_TEST(state.error_message == "QVM reported a problem");
  BOOST_TEST(json::parse(state.usage).at("costEstimate").at("estimatedTotal").to_number<double>() == 0.5);
  BOOST_TEST(!json::parse(state.usage).as_object().contains("usage"));
}

BOOST_AUTO_TEST_CASE(answers_that_are_not_jobs_are_malformed) {
  BOOST_TEST(!qjob::azure::parse_job_details(std::string_view("<html>")).job.has_value());
  BOOST_TEST(!qjob::azure::parse_job_details(std::string_view(R"({"status": "Waiting"})")).job.has_value());
  BOOST_TEST(!qjob::azure::parse_job_details(std::string_view(R"({"id": "a"})")).job.has_value());
  BOOST_TEST(!qjob::azure::parse_job_page(R"({"value": [{"id": "a"}], "nextLink": null})").page.has_value());
  BOOST_TEST(!qjob::azure::parse_job_page(R"({"nextLink": null})").page.has_value());
  const auto page = qjob::azure::parse_job_page(R"({"value": [], "nextLink": "https://x.example/jobs?skip=2"})");
  BOOST_REQUIRE(page.page.has_value());
  BOOST_TEST(page.page->next.value_or("") == "https://x.example/jobs?skip=2");
}

BOOST_AUTO_TEST_SUITE_END()
