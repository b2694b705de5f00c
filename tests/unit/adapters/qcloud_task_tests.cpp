// QCloud's answers as pyqpanda reads them: the envelope, task states, results.

#include "qcloud/qcloud_task.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

namespace qc = qjob::qcloud;

BOOST_AUTO_TEST_SUITE(qcloud_task_tests)

BOOST_AUTO_TEST_CASE(every_task_state_code_maps_to_a_unified_state) {
  const std::vector<std::pair<int, std::string>> expected{
      {1, "waiting"}, {5, "waiting"},   {6, "waiting"},    {2, "executing"}, {9, "executing"},
      {3, "succeeded"}, {4, "failed"}, {7, "failed"}, {8, "failed"}};
  for (const auto& [code, state] : expected) {
    const auto mapped = qc::map_task_state(code);
    BOOST_TEST(mapped.state == state, "code " << code);
    BOOST_TEST(mapped.known);
    BOOST_TEST(mapped.final == (state == "succeeded" || state == "failed"), "code " << code);
  }
  BOOST_TEST(qc::map_task_state(5).word == "QUEUING");
  const auto unknown = qc::map_task_state(42);
  BOOST_TEST(!unknown.known);
  BOOST_TEST(!unknown.final);
  BOOST_TEST(unknown.state == "waiting");
  BOOST_TEST(unknown.word == "STATE_42");
}

BOOST_AUTO_TEST_CASE(a_submit_answer_gives_the_task_id_or_qclouds_refusal) {
  const auto ok = qc::read_submit_answer(R"({"success": true, "message": "", "obj": {"taskId": "A45DE13AA1920B11"}})");
  BOOST_TEST(ok.value.value_or("") == "A45DE13AA1920B11");
  const auto refused = qc::read_submit_answer(R"({"success": false, "message": "apiKey is invalid", "obj": null})");
  BOOST_TEST(!refused.value.has_value());
  BOOST_TEST(refused.refused);
  BOOST_TEST(refused.error == "apiKey is invalid");
  for (const char* bad : {"<html>", R"({"obj": {"taskId": "x"}})", R"({"success": true, "obj": {}})", "[]"}) {
    const auto read = qc::read_submit_answer(bad);
    BOOST_TEST(!read.value.has_value(), bad);
    BOOST_TEST(!read.refused, bad);
    BOOST_TEST(read.error.find("malformed QCloud answer") == 0u, read.error);
  }
}

BOOST_AUTO_TEST_CASE(a_task_detail_gives_its_state_result_and_error) {
  const auto finished = qc::read_task_detail(R"({"success": true, "message": "", "obj": {"qcodeTaskNewVo": {
      "taskResultList": [{"taskState": "3", "rQMachineType": 0, "measureQubitSize": [2],
                          "taskResult": "{\"key\":[\"00\",\"11\"],\"value\":[0.5,0.5]}"}]}}})");
  BOOST_REQUIRE(finished.value.has_value());
  BOOST_TEST(finished.value->code == 3);
  BOOST_TEST(finished.value->result.find("\"key\"") != std::string::npos);
  const auto failed = qc::read_task_detail(R"({"success": true, "obj": {"qcodeTaskNewVo": {
      "taskResultList": [{"taskState": 4, "errorMessage": "qubit 80 does not exist"}]}}})");
  BOOST_REQUIRE(failed.value.has_value());
  BOOST_TEST(failed.value->code == 4);
  BOOST_TEST(failed.value->error_message == "qubit 80 does not exist");
  const auto bad = qc::read_task_detail(R"({"success": true, "obj": {"qcodeTaskNewVo": {"taskResultList": []}}})");
  BOOST_TEST(!bad.value.has_value());
  BOOST_TEST(!bad.refused);
  const auto odd_state = qc::read_task_detail(R"({"success": true, "obj": {"qcodeTaskNewVo": {
      "taskResultList": [{"taskState": "soon"}]}}})");
  BOOST_TEST(!odd_state.value.has_value());
}

BOOST_AUTO_TEST_CASE(a_task_state_beyond_int_is_malformed_not_thrown_or_narrowed) {
  // Found by tests/fuzz (qcloud_response): a long digit string threw std::out_of_range
  // out of the reader, and a number past int was narrowed onto a known code.
  for (const char* state : {R"("14444444444444444444")", R"("2147483648")", "4294967299", "-9223372036854775808"}) {
    const auto read = qc::read_task_detail(std::string(R"({"success": true, "obj": {"qcodeTaskNewVo": {)") +
                                           R"("taskResultList": [{"taskState": )" + state + "}]}}}");
    BOOST_TEST(!read.value.has_value(), state);
    BOOST_TEST(!read.refused, state);
  }
  const auto big = qc::read_task_detail(R"({"success": true, "obj": {"qcodeTaskNewVo": {
      "taskResultList": [{"taskState": "2147483647"}]}}})");
  BOOST_REQUIRE(big.value.has_value());
  BOOST_TEST(!qc::map_task_state(big.value->code).known);
}

BOOST_AUTO_TEST_CASE(task_results_read_binary_and_hex_keys_in_every_published_shape) {
  using distribution = std::vector<std::pair<std::uint64_t, double>>;
  const auto plain = qc::read_task_result(R"({"key": ["00", "11", "01"], "value": [0.5, 0.5, 0.0]})");
  BOOST_TEST((plain.value.value_or(distribution{}) == distribution{{0, 0.5}, {3, 0.5}}));
  const auto wrapped = qc::read_task_result(R"([{"Key": ["10"], "Value": [1.0]}])");
  BOOST_TEST((wrapped.value.value_or(distribution{}) == distribution{{2, 1.0}}));
  const auto hex = qc::read_task_result(R"({"key": ["0x0", "0x3"], "value": [0.25, 0.75]})");
  BOOST_TEST((hex.value.value_or(distribution{}) == distribution{{0, 0.25}, {3, 0.75}}));
  for (const char* bad : {R"({"key": ["00"]})", R"({"key": ["02"], "value": [1]})", R"({"key": ["0"], "value": [-1]})",
                          R"({"key": ["0", "1"], "value": [1]})", "null"}) {
    const auto read = qc::read_task_result(bad);
    BOOST_TEST(!read.value.has_value(), bad);
    BOOST_TEST(!read.error.empty(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
