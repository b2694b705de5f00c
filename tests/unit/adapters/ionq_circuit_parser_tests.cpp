#include "formats/ionq_circuit_parser.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>

namespace {

namespace json = boost::json;
using qjob::formats::circuit;
using qjob::formats::gate_kind;
using qjob::formats::input_error;
using qjob::formats::input_limits;
using qjob::formats::parse_ionq_circuit;

circuit parse_ok(const char* text) {
  auto parsed = parse_ionq_circuit(json::parse(text), "input", input_limits{});
  if (const auto* error = std::get_if<input_error>(&parsed)) BOOST_FAIL("unexpected error: " << error->message);
  return std::get<circuit>(std::move(parsed));
}

input_error parse_error(const char* text, const char* path = "input", input_limits limits = {}) {
  auto parsed = parse_ionq_circuit(json::parse(text), path, limits);
  if (std::holds_alternative<circuit>(parsed)) BOOST_FAIL("accepted: " << text);
  return std::get<input_error>(std::move(parsed));
}

void check_error(const char* text, const std::string& field, const std::string& message_part, const char* path = "input",
                 input_limits limits = {}) {
  const input_error error = parse_error(text, path, limits);
  BOOST_TEST_CONTEXT(text) {
    BOOST_TEST(error.field == field);
    BOOST_TEST(error.message.find(message_part) != std::string::npos, "message: " << error.message);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_circuit_parser_tests)

BOOST_AUTO_TEST_CASE(a_bell_circuit_parses_into_h_and_controlled_x) {
  const circuit c = parse_ok(R"({"qubits": 2, "name": "bell", "format": "ionq.circuit.v0",
      "circuit": [{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}]})");
  BOOST_TEST(c.name == "bell");
  BOOST_TEST(c.qubits == 2U);
  BOOST_TEST(c.clbits == 2U);
  BOOST_TEST(!c.dynamic);
  BOOST_REQUIRE_EQUAL(c.ops.size(), 2U);
  BOOST_TEST((c.ops[0].gate == gate_kind::h));
  BOOST_TEST((c.ops[1].gate == gate_kind::x));
  BOOST_TEST(c.ops[1].controls == std::vector<std::uint32_t>{0});
  BOOST_TEST(c.ops[1].targets == std::vector<std::uint32_t>{1});
}

BOOST_AUTO_TEST_CASE(every_gate_of_the_qis_set_is_accepted) {
  const circuit c = parse_ok(R"({"qubits": 3, "circuit": [
      {"gate": "x", "target": 0}, {"gate": "y", "target": 0}, {"gate": "z", "target": 0},
      {"gate": "s", "target": 0}, {"gate": "si", "target": 0}, {"gate": "t", "target": 0},
      {"gate": "ti", "target": 0}, {"gate": "v", "target": 0}, {"gate": "vi", "target": 0},
      {"gate": "rx", "target": 0, "rotation": 0.5}, {"gate": "ry", "target": 1, "rotation": 1},
      {"gate": "rz", "target": 2, "rotation": -0.25}, {"gate": "swap", "targets": [0, 2]},
      {"gate": "xx", "targets": [0, 1], "rotation": 0.1}, {"gate": "yy", "targets": [1, 2], "rotation": 0.2},
      {"gate": "zz", "targets": [0, 2], "rotation": 0.3}, {"gate": "not", "target": 1}]})");
  BOOST_REQUIRE_EQUAL(c.ops.size(), 17U);
  BOOST_TEST((c.ops[11].gate == gate_kind::rz));
  BOOST_TEST(c.ops[11].params[0] == -0.25);
  BOOST_TEST((c.ops[15].gate == gate_kind::zz));
  BOOST_TEST(c.ops[15].targets == (std::vector<std::uint32_t>{0, 2}));
}

BOOST_AUTO_TEST_CASE(controls_are_allowed_on_any_gate_and_targets_broadcast) {
  const circuit c = parse_ok(R"({"qubits": 4, "circuit": [
      {"gate": "rz", "controls": [0, 1], "target": 3, "rotation": 0.5},
      {"gate": "swap", "control": 0, "targets": [1, 2]},
      {"gate": "h", "targets": [0, 1, 2]}]})");
  BOOST_REQUIRE_EQUAL(c.ops.size(), 5U);
  BOOST_TEST(c.ops[0].controls == (std::vector<std::uint32_t>{0, 1}));
  BOOST_TEST(c.ops[1].controls == std::vector<std::uint32_t>{0});
  BOOST_TEST(c.ops[4].targets == std::vector<std::uint32_t>{2});
}

BOOST_AUTO_TEST_CASE(errors_name_the_json_path_of_the_offending_value) {
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "target": 0}, {"gate": "h", "target": 0},
      {"gate": "h", "target": 0}, {"gate": "foo", "target": 0}]})",
              "input.circuit[3].gate", "unknown gate 'foo' at input.circuit[3]");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "x", "target": 5}]})", "input[1].circuit[0].target",
              "qubit 5 out of range at input[1].circuit[0].target", "input[1]");
}

BOOST_AUTO_TEST_CASE(the_qubit_count_must_be_a_positive_integer_within_the_limit) {
  check_error(R"({"circuit": []})", "input.qubits", "missing 'qubits'");
  check_error(R"({"qubits": 0, "circuit": []})", "input.qubits", "positive integer");
  check_error(R"({"qubits": -3, "circuit": []})", "input.qubits", "positive integer");
  check_error(R"({"qubits": 2.5, "circuit": []})", "input.qubits", "positive integer");
  check_error(R"({"qubits": "2", "circuit": []})", "input.qubits", "positive integer");
  check_error(R"({"qubits": 27, "circuit": []})", "input.qubits", "the limit is 26");
}

BOOST_AUTO_TEST_CASE(the_circuit_must_be_an_array_of_gate_objects_within_the_limit) {
  check_error(R"({"qubits": 1})", "input.circuit", "missing 'circuit'");
  check_error(R"({"qubits": 1, "circuit": {}})", "input.circuit", "must be an array");
  check_error(R"({"qubits": 1, "circuit": [3]})", "input.circuit[0]", "must be an object");
  input_limits limits;
  limits.max_operations = 2;
  check_error(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}, {"gate": "h", "target": 0},
      {"gate": "h", "target": 0}]})", "input.circuit", "the limit is 2", "input", limits);
  check_error(R"({"qubits": 3, "circuit": [{"gate": "h", "targets": [0, 1, 2]}]})", "input.circuit",
              "the limit is 2", "input", limits);
  check_error(R"([1])", "input", "must be a JSON object");
}

BOOST_AUTO_TEST_CASE(gate_fields_are_checked_one_by_one) {
  check_error(R"({"qubits": 2, "circuit": [{"target": 0}]})", "input.circuit[0].gate", "missing 'gate'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": 1, "target": 0}]})", "input.circuit[0].gate", "must be a string");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h"}]})", "input.circuit[0].target", "missing 'target'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "taget": 0}]})", "input.circuit[0].taget",
              "unknown key 'taget'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "target": 0, "rotation": 1}]})",
              "input.circuit[0].rotation", "unknown key 'rotation'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "target": 0, "targets": [1]}]})",
              "input.circuit[0].targets", "both 'target' and 'targets'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "target": -1}]})", "input.circuit[0].target", "out of range");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "target": "0"}]})", "input.circuit[0].target",
              "must be an integer");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "targets": 0}]})", "input.circuit[0].targets",
              "must be an array");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "h", "targets": []}]})", "input.circuit[0].targets", "is empty");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "swap", "targets": [1, 1]}]})", "input.circuit[0].targets[1]",
              "repeated");
  check_error(R"({"qubits": 3, "circuit": [{"gate": "x", "controls": [0, 5], "target": 1}]})",
              "input.circuit[0].controls[1]", "out of range");
}

BOOST_AUTO_TEST_CASE(controls_must_differ_from_targets_and_cnot_needs_one) {
  check_error(R"({"qubits": 2, "circuit": [{"gate": "cnot", "control": 1, "target": 1}]})",
              "input.circuit[0].control", "both control and target");
  check_error(R"({"qubits": 3, "circuit": [{"gate": "xx", "controls": [0, 2], "targets": [1, 2], "rotation": 1}]})",
              "input.circuit[0].controls", "both control and target");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "cnot", "target": 1}]})", "input.circuit[0].control",
              "needs a 'control'");
}

BOOST_AUTO_TEST_CASE(rotations_and_two_qubit_gates_need_their_fields) {
  check_error(R"({"qubits": 2, "circuit": [{"gate": "rx", "target": 0}]})", "input.circuit[0].rotation",
              "missing 'rotation'");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "rx", "target": 0, "rotation": "pi"}]})",
              "input.circuit[0].rotation", "must be a number");
  check_error(R"({"qubits": 2, "circuit": [{"gate": "swap", "target": 0}]})", "input.circuit[0].targets",
              "exactly 2");
  check_error(R"({"qubits": 3, "circuit": [{"gate": "zz", "targets": [0, 1, 2], "rotation": 1}]})",
              "input.circuit[0].targets", "exactly 2");
}

BOOST_AUTO_TEST_CASE(unknown_top_level_keys_and_native_gatesets_are_refused) {
  check_error(R"({"qubits": 1, "circuit": [], "qbits": 2})", "input.qbits", "unknown key 'qbits'");
  check_error(R"({"qubits": 1, "circuit": [], "gateset": "native"})", "input.gateset", "only the 'qis' gateset");
  check_error(R"({"qubits": 1, "circuit": [], "name": 7})", "input.name", "must be a string");
}

BOOST_AUTO_TEST_SUITE_END()
