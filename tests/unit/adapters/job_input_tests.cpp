#include "formats/job_input.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

namespace json = boost::json;
using qjob::formats::input_limits;
using qjob::formats::parse_job_input;

const char* const bell_qasm = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0];\ncx q[0], q[1];\n";

void check_error(std::string_view format, const json::value& input, const std::string& field,
                 const std::string& message_part, input_limits limits = {}) {
  const auto outcome = parse_job_input(format, input, limits);
  BOOST_REQUIRE(outcome.error.has_value());
  BOOST_TEST(!outcome.input.has_value());
  BOOST_TEST(outcome.error->field == field);
  BOOST_TEST(outcome.error->message.find(message_part) != std::string::npos, "message: " << outcome.error->message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(job_input_tests)

BOOST_AUTO_TEST_CASE(a_string_is_inferred_to_be_qasm2) {
  const auto outcome = parse_job_input("", json::value(bell_qasm), input_limits{});
  BOOST_REQUIRE(outcome.input.has_value());
  BOOST_TEST(outcome.input->format == "qasm2");
  BOOST_TEST(!outcome.input->multi);
  BOOST_REQUIRE_EQUAL(outcome.input->circuits.size(), 1U);
  BOOST_TEST(outcome.input->circuits[0].qubits == 2U);
}

BOOST_AUTO_TEST_CASE(an_object_is_ionq_unless_its_format_key_says_otherwise) {
  const auto plain = parse_job_input("", json::parse(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}]})"), {});
  BOOST_REQUIRE(plain.input.has_value());
  BOOST_TEST(plain.input->format == "ionq.circuit.v0");
  const auto named = parse_job_input(
      "", json::parse(R"({"format": "ionq.circuit.v0", "qubits": 1, "circuit": []})"), {});
  BOOST_REQUIRE(named.input.has_value());
  check_error("", json::parse(R"({"format": "qasm2", "qubits": 1, "circuit": []})"), "input",
              "qasm2 input must be a JSON string");
  check_error("", json::parse(R"({"format": "ionq.circuit.v1", "qubits": 1, "circuit": []})"), "input.format",
              "unknown format 'ionq.circuit.v1'");
  check_error("", json::parse(R"({"format": 2, "qubits": 1, "circuit": []})"), "input.format", "must be a string");
}

BOOST_AUTO_TEST_CASE(an_explicit_format_must_match_the_input) {
  check_error("qasm2", json::parse(R"({"qubits": 1, "circuit": []})"), "input", "qasm2 input must be a JSON string");
  check_error("ionq.circuit.v0", json::value(bell_qasm), "input", "must be a JSON object");
  check_error("ionq.circuit.v0", json::parse(R"({"format": "qasm2", "qubits": 1, "circuit": []})"), "input.format",
              "contradicts");
  const auto ok = parse_job_input("qasm2", json::value(bell_qasm), {});
  BOOST_TEST(ok.input.has_value());
}

BOOST_AUTO_TEST_CASE(an_unknown_format_names_the_accepted_ones) {
  check_error("qasm3", json::value(bell_qasm), "input_format",
              "unknown input format 'qasm3' (accepted: ionq.circuit.v0, qasm2)");
}

BOOST_AUTO_TEST_CASE(an_array_is_a_multi_circuit_job_of_one_format) {
  const auto outcome = parse_job_input("", json::parse(R"([
      {"format": "ionq.circuit.v0", "qubits": 1, "circuit": [{"gate": "h", "target": 0}]},
      {"qubits": 2, "circuit": [{"gate": "x", "target": 1}]}])"), {});
  BOOST_REQUIRE(outcome.input.has_value());
  BOOST_TEST(outcome.input->multi);
  BOOST_TEST(outcome.input->circuits.size() == 2U);
  BOOST_TEST(outcome.input->circuits[1].qubits == 2U);

  json::array mixed;
  mixed.emplace_back(json::parse(R"({"qubits": 1, "circuit": []})"));
  mixed.emplace_back(bell_qasm);
  check_error("", mixed, "input[1]", "one format");

  json::array qasms;
  qasms.emplace_back(bell_qasm);
  qasms.emplace_back("OPENQASM 2.0;\nqreg q[1];\nh q[0];\n");
  const auto failed = parse_job_input("qasm2", qasms, {});
  BOOST_REQUIRE(failed.error.has_value());
  BOOST_TEST(failed.error->field == "input[1]");
  BOOST_TEST(failed.error->message.find("line 3: undefined gate 'h'") == 0);
}

BOOST_AUTO_TEST_CASE(errors_inside_a_multi_circuit_job_carry_the_circuit_index) {
  check_error("", json::parse(R"([{"qubits": 1, "circuit": []}, {"qubits": 1, "circuit": [{"gate": "x", "target": 3}]}])"),
              "input[1].circuit[0].target", "out of range at input[1].circuit[0].target");
}

BOOST_AUTO_TEST_CASE(empty_or_oversized_lists_and_other_json_types_are_refused) {
  check_error("", json::array{}, "input", "empty list");
  input_limits limits;
  limits.max_circuits = 1;
  check_error("", json::parse(R"([{"qubits": 1, "circuit": []}, {"qubits": 1, "circuit": []}])"), "input",
              "2 circuits; the limit is 1", limits);
  check_error("", json::value(42), "input", "must be a QASM program");
  check_error("", json::value(nullptr), "input", "must be a QASM program");
  check_error("", json::parse("[true]"), "input[0]", "must be a QASM program");
}

BOOST_AUTO_TEST_SUITE_END()
