#include "job_json.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace qjob::daemon {

BOOST_AUTO_TEST_SUITE(job_json_tests)

BOOST_AUTO_TEST_CASE(times_are_rfc3339_utc_with_microseconds) {
  BOOST_TEST(rfc3339(0) == "1970-01-01T00:00:00.000000Z");
  BOOST_TEST(rfc3339(1'795'000'000'123'456) == "2026-11-18T11:06:40.123456Z");
}

BOOST_AUTO_TEST_CASE(a_job_shows_every_field_of_the_model) {
  storage::job_row job;
  job.id = "j1";
  job.name = "bell";
  job.provider = "local";
  job.target = "simulator";
  job.shots = 100;
  job.input_format = "ionq.circuit.v0";
  job.input = R"({"qubits":1,"circuit":[]})";
  job.params = R"({"seed":1})";
  job.tags = {"a"};
  job.owner = 1000;
  job.created_at = 1'000'000;
  job.run.status = storage::job_status::failed;
  job.run.error = storage::job_error{"invalid_input", "bad"};
  job.run.finished_at = 2'000'000;
  auto out = job_to_json(job, 3);
  for (const char* key : {"id", "name", "provider", "target", "shots", "input_format", "input", "params", "tags",
                          "priority", "batch_id", "owner", "status", "provider_status", "provider_job_id",
                          "created_at", "submitted_at", "started_at", "finished_at", "attempts", "error",
                          "cancel_requested", "output_uri", "queue_position"})
    BOOST_TEST(out.contains(key), key);
  BOOST_TEST(out.at("status").as_string() == "failed");
  BOOST_TEST(out.at("error").at("code").as_string() == "invalid_input");
  BOOST_TEST(out.at("batch_id").is_null());
  BOOST_TEST(out.at("started_at").is_null());
  BOOST_TEST(out.at("finished_at").as_string() == "1970-01-01T00:00:02.000000Z");
  BOOST_TEST(out.at("input").at("qubits").as_int64() == 1);
  BOOST_TEST(!out.contains("history"));
}

BOOST_AUTO_TEST_CASE(history_is_added_when_asked) {
  storage::job_row job;
  job.id = "j";
  std::vector<storage::transition_row> history{{1, "j", storage::job_status::waiting, "", 5},
                                               {2, "j", storage::job_status::executing, "running", 6}};
  auto out = job_to_json(job, std::nullopt, &history);
  BOOST_TEST(!out.contains("queue_position"));
  BOOST_TEST(!out.contains("input"));
  BOOST_REQUIRE(out.at("history").as_array().size() == 2u);
  BOOST_TEST(out.at("history").as_array()[1].at("status").as_string() == "executing");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
