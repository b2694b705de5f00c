#include "ionq/ionq_request.hpp"

#include "circuit_builders.hpp"
#include "formats/job_input.hpp"
#include "local/simulator.hpp"
#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace json = boost::json;
using qjob::formats::gate_kind;
using qjob::formats::parsed_input;
using qjob::ionq::build_job_request;
using qjob::ionq::job_description;
using qjob::ionq::request_outcome;
using qjob::test::gate;
using qjob::test::make_circuit;

const char* const bell_qasm =
    "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n";
const char* const ghz_qasm =
    "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0], q[1];\ncx q[1], q[2];\n"
    "barrier q;\nmeasure q -> c;\n";

// A spec example payload, or nullopt when the shared folder is absent.
std::optional<json::value> example(const std::string& name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  std::ifstream in(*shared / "provider-api" / "ionq" / "examples" / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

parsed_input parse(const json::value& input, std::string_view format = "") {
  auto outcome = qjob::formats::parse_job_input(format, input, {});
  if (!outcome.input) BOOST_FAIL("input refused: " << outcome.error->message);
  return std::move(*outcome.input);
}

request_outcome build(const parsed_input& input, std::uint64_t shots = 100, const json::value* params = nullptr,
                      std::string_view target = "simulator", std::string_view name = "") {
  job_description job;
  job.job_id = "job-1";
  job.name = name;
  job.target = target;
  job.shots = shots;
  job.input = &input;
  job.params = params;
  return build_job_request(job);
}

json::object body_of(const request_outcome& outcome) {
  if (!outcome.body) BOOST_FAIL("request refused: " << outcome.error->message << " at " << outcome.error->field);
  return *outcome.body;
}

void check_refused(const request_outcome& outcome, const std::string& field, const std::string& message_part) {
  BOOST_REQUIRE(outcome.error.has_value());
  BOOST_TEST(!outcome.body.has_value());
  BOOST_TEST(outcome.error->field == field);
  BOOST_TEST(outcome.error->message.find(message_part) != std::string::npos, "message: " << outcome.error->message);
}

request_outcome build_with_params(const char* params_json, std::uint64_t shots = 1000) {
  static const parsed_input input = parse(json::value(bell_qasm));
  const json::value params = json::parse(params_json);
  return build(input, shots, &params);
}

// |<a|b>| = 1: the same state up to a global phase.
void check_same_state(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  std::complex<double> overlap = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) overlap += std::conj(a[i]) * b[i];
  BOOST_TEST(std::abs(std::abs(overlap) - 1.0) < 1e-12, "overlap " << overlap);
}

// Puts every qubit in a superposition with distinct phases, so controls and
// relative phases matter in what follows.
std::vector<qjob::formats::operation> preparation(std::uint32_t qubits) {
  std::vector<qjob::formats::operation> ops;
  for (std::uint32_t q = 0; q < qubits; ++q) {
    ops.push_back(gate(gate_kind::ry, {q}, {}, 0.4 + 0.3 * q));
    ops.push_back(gate(gate_kind::rz, {q}, {}, 0.9 - 0.2 * q));
  }
  return ops;
}

void check_lowering_keeps_the_state(qjob::formats::operation op, std::uint32_t qubits) {
  qjob::formats::circuit c = make_circuit(qubits, {});
  c.ops = preparation(qubits);
  c.ops.push_back(std::move(op));
  const auto lowered = qjob::ionq::lower_to_qis(c, "input");
  BOOST_REQUIRE(lowered.circuit.has_value());
  for (const auto& each : lowered.circuit->ops) {
    BOOST_TEST((each.gate != gate_kind::u && each.gate != gate_kind::phase));
  }
  check_same_state(qjob::local::final_state(c), qjob::local::final_state(*lowered.circuit));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_request_tests)

BOOST_AUTO_TEST_CASE(a_bell_circuit_v0_becomes_a_circuit_v1_body_with_our_job_id_in_metadata) {
  const parsed_input input = parse(json::parse(
      R"({"qubits": 2, "circuit": [{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}]})"));
  const json::object body = body_of(build(input, 500, nullptr, "qpu.aria-1", "bell"));
  const json::value expected = json::parse(R"({
    "type": "ionq.circuit.v1", "backend": "qpu.aria-1", "shots": 500, "name": "bell",
    "metadata": {"qjob_id": "job-1"},
    "input": {"qubits": 2, "gateset": "qis",
              "circuit": [{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}]}})");
  BOOST_TEST(json::value(body) == expected, json::serialize(body));
}

BOOST_AUTO_TEST_CASE(a_bell_program_in_qasm_gives_the_same_gates_as_the_ionq_format) {
  const json::object body = body_of(build(parse(json::value(bell_qasm))));
  BOOST_TEST(body.at("input").at("circuit") ==
             json::parse(R"([{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}])"));
  BOOST_TEST(body.at("input").at("qubits") == 2);
  BOOST_TEST(!body.contains("name"));
}

BOOST_AUTO_TEST_CASE(a_ghz_program_drops_its_barrier_and_final_measurements) {
  const json::object body = body_of(build(parse(json::value(ghz_qasm))));
  BOOST_TEST(body.at("input").at("circuit") == json::parse(R"([{"gate": "h", "target": 0},
      {"gate": "cnot", "control": 0, "target": 1}, {"gate": "cnot", "control": 1, "target": 2}])"));
}

BOOST_AUTO_TEST_CASE(the_single_circuit_body_matches_the_spec_example) {
  const auto spec = example("v0.4_create-job_single-circuit.request.json");
  if (!spec) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  const parsed_input input = parse(json::parse(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}]})"));
  const json::value params = json::parse(R"({"settings": {"error_mitigation": {"debiasing": false}}})");
  json::object body = body_of(build(input, 500, &params, "qpu.forte-1"));
  BOOST_TEST(body.at("metadata") == json::parse(R"({"qjob_id": "job-1"})"));
  body.erase("metadata");  // the example carries none; everything else is the same
  BOOST_TEST(json::value(body) == *spec, json::serialize(body) << " vs " << json::serialize(*spec));
}

BOOST_AUTO_TEST_CASE(the_multi_circuit_body_has_the_structure_of_the_spec_example) {
  const auto spec = example("v0.4_create-job_multi-circuit.request.json");
  if (!spec) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  const parsed_input input = parse(json::parse(R"([
      {"name": "qis circuit override", "qubits": 2,
       "circuit": [{"gate": "h", "target": 0}, {"gate": "cnot", "target": 0, "control": 1}]},
      {"qubits": 1, "circuit": [{"gate": "x", "target": 0}]}])"));
  const json::object body = body_of(build(input, 500));
  const json::object& expected = spec->as_object();
  for (const auto& entry : expected) {
    BOOST_TEST_CONTEXT("key " << entry.key()) { BOOST_TEST(body.contains(entry.key())); }
  }
  BOOST_TEST(body.at("type") == expected.at("type"));
  BOOST_TEST(body.at("backend") == expected.at("backend"));
  BOOST_TEST(body.at("shots") == expected.at("shots"));
  const json::object& ours = body.at("input").as_object();
  const json::object& theirs = expected.at("input").as_object();
  BOOST_TEST(ours.size() == theirs.size());
  for (const auto& entry : theirs) {
    BOOST_TEST_CONTEXT("input key " << entry.key()) { BOOST_TEST(ours.contains(entry.key())); }
  }
  BOOST_TEST(ours.at("gateset") == "qis");  // the example's parent is native; ours never is
  BOOST_TEST(ours.at("qubits") == 2);
  const json::array& circuits = ours.at("circuits").as_array();
  BOOST_REQUIRE_EQUAL(circuits.size(), 2U);
  // The example's first circuit is QIS: ours must be the same gate for gate.
  const json::object& first = theirs.at("circuits").as_array()[0].as_object();
  BOOST_TEST(circuits[0].at("name") == first.at("name"));
  BOOST_TEST(circuits[0].at("circuit") == first.at("circuit"));
  for (const auto& circuit : circuits) {
    for (const auto& entry : circuit.as_object()) {
      const std::string_view key = entry.key();
      BOOST_TEST((key == "name" || key == "circuit" || key == "qubits" || key == "gateset" || key == "registers"),
                 "key " << key << " is not in the spec's QISCircuit");
    }
  }
  BOOST_TEST(!circuits[1].as_object().contains("name"));
  BOOST_TEST(circuits[1].at("qubits") == 1);
}

BOOST_AUTO_TEST_CASE(a_list_of_qasm_programs_keeps_its_order_and_takes_the_widest_width) {
  json::array programs{json::value(ghz_qasm), json::value(bell_qasm)};
  const json::object body = body_of(build(parse(programs)));
  BOOST_TEST(body.at("type") == "ionq.multi-circuit.v1");
  BOOST_TEST(body.at("input").at("qubits") == 3);
  const json::array& circuits = body.at("input").at("circuits").as_array();
  BOOST_REQUIRE_EQUAL(circuits.size(), 2U);
  BOOST_TEST(circuits[0].at("qubits") == 3);
  BOOST_TEST(circuits[0].at("circuit").as_array().size() == 3U);
  BOOST_TEST(circuits[1].at("qubits") == 2);
}

BOOST_AUTO_TEST_CASE(every_qis_gate_keeps_its_ionq_name_and_angle) {
  const parsed_input input = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\n"
      "h q[0]; x q[0]; y q[0]; z q[0]; s q[0]; sdg q[0]; t q[0]; tdg q[0]; sx q[0]; sxdg q[0];\n"
      "rx(0.5) q[0]; ry(0.25) q[1]; rz(-1.5) q[2]; swap q[0], q[1]; rxx(0.125) q[0], q[1];\n"
      "ryy(0.5) q[1], q[2]; rzz(2) q[0], q[2]; cz q[0], q[1]; ccx q[0], q[1], q[2]; cswap q[0], q[1], q[2];\n"
      "crx(0.75) q[1], q[0];\n"));
  const json::value gates = body_of(build(input)).at("input").at("circuit");
  const json::value expected = json::parse(R"([
      {"gate": "h", "target": 0}, {"gate": "x", "target": 0}, {"gate": "y", "target": 0}, {"gate": "z", "target": 0},
      {"gate": "s", "target": 0}, {"gate": "si", "target": 0}, {"gate": "t", "target": 0}, {"gate": "ti", "target": 0},
      {"gate": "v", "target": 0}, {"gate": "vi", "target": 0},
      {"gate": "rx", "target": 0, "rotation": 0.5}, {"gate": "ry", "target": 1, "rotation": 0.25},
      {"gate": "rz", "target": 2, "rotation": -1.5}, {"gate": "swap", "targets": [0, 1]},
      {"gate": "xx", "targets": [0, 1], "rotation": 0.125}, {"gate": "yy", "targets": [1, 2], "rotation": 0.5},
      {"gate": "zz", "targets": [0, 2], "rotation": 2.0}, {"gate": "z", "target": 1, "control": 0},
      {"gate": "cnot", "target": 2, "controls": [0, 1]}, {"gate": "swap", "targets": [1, 2], "control": 0},
      {"gate": "rx", "target": 0, "control": 1, "rotation": 0.75}])");
  BOOST_TEST(gates == expected, json::serialize(gates));
}

BOOST_AUTO_TEST_CASE(phase_becomes_rz_up_to_a_global_phase) {
  const qjob::formats::circuit c = make_circuit(1, {gate(gate_kind::phase, {0}, {}, 0.7)});
  const auto gates = qjob::ionq::translate_circuit(c, "input");
  BOOST_REQUIRE(gates.gates.has_value());
  BOOST_TEST(json::value(*gates.gates) == json::parse(R"([{"gate": "rz", "target": 0, "rotation": 0.7}])"));
  check_lowering_keeps_the_state(gate(gate_kind::phase, {0}, {}, 0.7), 1);
}

BOOST_AUTO_TEST_CASE(a_controlled_phase_becomes_a_controlled_rz_and_a_half_phase_on_the_control) {
  const qjob::formats::circuit c = make_circuit(2, {gate(gate_kind::phase, {1}, {0}, 0.9)});
  const auto gates = qjob::ionq::translate_circuit(c, "input");
  BOOST_REQUIRE(gates.gates.has_value());
  BOOST_TEST(json::value(*gates.gates) == json::parse(R"([{"gate": "rz", "target": 1, "control": 0, "rotation": 0.9},
      {"gate": "rz", "target": 0, "rotation": 0.45}])"));
  check_lowering_keeps_the_state(gate(gate_kind::phase, {1}, {0}, 0.9), 2);
}

BOOST_AUTO_TEST_CASE(a_phase_with_three_controls_keeps_the_state) {
  check_lowering_keeps_the_state(gate(gate_kind::phase, {3}, {0, 2, 1}, 1.3), 4);
}

BOOST_AUTO_TEST_CASE(u_becomes_rz_ry_rz_and_keeps_the_state_with_and_without_controls) {
  auto u = [](std::initializer_list<std::uint32_t> controls, std::uint32_t target) {
    qjob::formats::operation op = gate(gate_kind::u, {target}, controls);
    op.params[0] = 0.8;
    op.params[1] = -1.1;
    op.params[2] = 2.3;
    return op;
  };
  const auto gates = qjob::ionq::translate_circuit(make_circuit(1, {u({}, 0)}), "input");
  BOOST_REQUIRE(gates.gates.has_value());
  BOOST_TEST(json::value(*gates.gates) == json::parse(R"([{"gate": "rz", "target": 0, "rotation": 2.3},
      {"gate": "ry", "target": 0, "rotation": 0.8}, {"gate": "rz", "target": 0, "rotation": -1.1}])"));
  check_lowering_keeps_the_state(u({}, 0), 1);
  check_lowering_keeps_the_state(u({0}, 1), 2);
  check_lowering_keeps_the_state(u({2, 0}, 1), 3);
}

BOOST_AUTO_TEST_CASE(qasm_u_and_cu3_and_cp_gates_keep_their_state) {
  const qjob::formats::circuit c = qjob::test::qasm(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\n"
      "h q[0]; h q[1]; ry(0.3) q[2];\nu3(0.4, 0.5, 0.6) q[0];\nu1(0.2) q[1];\ncu3(0.7, -0.2, 1.4) q[1], q[2];\n"
      "cp(1.1) q[2], q[0];\ncu1(0.3) q[0], q[1];\nu2(0.1, 0.9) q[2];\n");
  const auto lowered = qjob::ionq::lower_to_qis(c, "input");
  BOOST_REQUIRE(lowered.circuit.has_value());
  check_same_state(qjob::local::final_state(c), qjob::local::final_state(*lowered.circuit));
}

BOOST_AUTO_TEST_CASE(a_gate_after_a_measurement_is_refused_naming_it) {
  const parsed_input input = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q[0] -> c[0];\n"
      "cx q[0], q[1];\nmeasure q[1] -> c[1];\n"));
  check_refused(build(input), "input", "operation 2 ('x' on qubit 1 with 1 control(s)) acts on qubit 0 after it was measured");
}

BOOST_AUTO_TEST_CASE(measurements_on_other_qubits_do_not_stop_later_gates) {
  const parsed_input input = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nmeasure q[0] -> c[0];\nh q[1];\n"
      "measure q[1] -> c[1];\n"));
  const json::object body = body_of(build(input));
  BOOST_TEST(body.at("input").at("circuit") == json::parse(R"([{"gate": "h", "target": 1}])"));
}

BOOST_AUTO_TEST_CASE(a_reset_in_the_middle_is_refused_and_one_at_the_start_is_dropped) {
  const parsed_input middle = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0];\nreset q[0];\nh q[1];\n"));
  check_refused(build(middle), "input", "operation 1 ('reset' on qubit 0)");
  const parsed_input start = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nreset q;\nh q[0];\n"));
  BOOST_TEST(body_of(build(start)).at("input").at("circuit") == json::parse(R"([{"gate": "h", "target": 0}])"));
}

BOOST_AUTO_TEST_CASE(a_conditional_gate_is_refused_naming_it) {
  const parsed_input input = parse(json::value(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q[0] -> c[0];\n"
      "if (c == 1) x q[0];\n"));
  check_refused(build(input), "input", "operation 2 ('x' on qubit 0) is conditional");
}

BOOST_AUTO_TEST_CASE(too_many_controls_are_refused_naming_the_gate) {
  qjob::formats::circuit c = make_circuit(9, {gate(gate_kind::x, {8}, {0, 1, 2, 3, 4, 5, 6, 7})});
  const auto outcome = qjob::ionq::translate_circuit(c, "input[3]");
  BOOST_REQUIRE(outcome.error.has_value());
  BOOST_TEST(outcome.error->field == "input[3]");
  BOOST_TEST(outcome.error->message.find("operation 0 ('x' on qubit 8 with 8 control(s)) has 8 controls") !=
             std::string::npos, outcome.error->message);
  c.ops[0].controls.pop_back();
  BOOST_TEST(qjob::ionq::translate_circuit(c, "input").gates.has_value());
}

BOOST_AUTO_TEST_CASE(a_controlled_ising_gate_is_refused) {
  const auto outcome =
      qjob::ionq::translate_circuit(make_circuit(3, {gate(gate_kind::zz, {1, 2}, {0}, 0.5)}), "input");
  BOOST_REQUIRE(outcome.error.has_value());
  BOOST_TEST(outcome.error->message.find("no controlled 'zz'") != std::string::npos, outcome.error->message);
}

BOOST_AUTO_TEST_CASE(an_error_in_the_second_circuit_names_it) {
  json::array programs{json::value(bell_qasm),
                       json::value("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nh q[0];\nreset q[0];\n")};
  check_refused(build(parse(programs)), "input[1]", "'reset'");
}

BOOST_AUTO_TEST_CASE(ionq_parameters_pass_through) {
  const json::object body = body_of(build_with_params(R"({
      "noise": {"model": "aria-1", "seed": 7},
      "settings": {"error_mitigation": {"debiasing": true}, "compilation": {"opt": 1, "precision": "1E-3"}},
      "dry_run": true, "session_id": "s-1", "metadata": {"team": "qa"}})"));
  BOOST_TEST(body.at("noise") == json::parse(R"({"model": "aria-1", "seed": 7})"));
  BOOST_TEST(body.at("settings").at("error_mitigation").at("debiasing") == true);
  BOOST_TEST(body.at("settings").at("compilation").at("precision") == "1E-3");
  BOOST_TEST(body.at("dry_run") == true);
  BOOST_TEST(body.at("session_id") == "s-1");
  BOOST_TEST(body.at("metadata") == json::parse(R"({"qjob_id": "job-1", "team": "qa"})"));
}

BOOST_AUTO_TEST_CASE(null_or_empty_params_add_nothing) {
  const json::object empty = body_of(build_with_params("{}"));
  const json::object none = body_of(build_with_params("null"));
  BOOST_TEST(json::value(empty) == json::value(none));
  BOOST_TEST(!empty.contains("noise"));
  BOOST_TEST(!empty.contains("settings"));
}

BOOST_AUTO_TEST_CASE(unknown_params_are_refused_naming_them) {
  check_refused(build_with_params(R"({"noise_model": "ideal"})"), "params.noise_model", "'params.noise_model'");
  check_refused(build_with_params(R"({"settings": {"sharpen": true}})"), "params.settings.sharpen",
                "unknown IonQ parameter 'params.settings.sharpen'");
  check_refused(build_with_params(R"({"noise": {"model": "ideal", "level": 2}})"), "params.noise.level", "level");
  check_refused(build_with_params(R"({"settings": {"compilation": {"fast": 1}}})"), "params.settings.compilation.fast",
                "fast");
  check_refused(build_with_params(R"({"settings": {"error_mitigation": {"debias": true}}})"),
                "params.settings.error_mitigation.debias", "debias");
}

BOOST_AUTO_TEST_CASE(ill_typed_params_are_refused) {
  check_refused(build_with_params("[1]"), "params", "must be an object");
  check_refused(build_with_params(R"({"noise": {"seed": 1}})"), "params.noise.model", "needs a 'model'");
  check_refused(build_with_params(R"({"noise": {"model": 3}})"), "params.noise.model", "must be a string");
  check_refused(build_with_params(R"({"noise": {"model": "ideal", "seed": 1.5}})"), "params.noise.seed", "integer");
  check_refused(build_with_params(R"({"dry_run": "yes"})"), "params.dry_run", "boolean");
  check_refused(build_with_params(R"({"session_id": 4})"), "params.session_id", "string");
  check_refused(build_with_params(R"({"settings": {"error_mitigation": {"debiasing": 1}}})"),
                "params.settings.error_mitigation.debiasing", "boolean or an object");
  check_refused(build_with_params(R"({"settings": {"compilation": {"opt": "high"}}})"),
                "params.settings.compilation.opt", "number");
  check_refused(build_with_params(R"({"metadata": {"team": 1}})"), "params.metadata.team", "string");
}

BOOST_AUTO_TEST_CASE(metadata_cannot_replace_our_job_id_nor_exceed_ionq_limits) {
  check_refused(build_with_params(R"({"metadata": {"qjob_id": "other"}})"), "params.metadata.qjob_id", "set by qjob");
  check_refused(build_with_params(R"({"metadata": {"a1": "", "a2": "", "a3": "", "a4": "", "a5": "", "a6": "",
                                                   "a7": "", "a8": "", "a9": "", "a10": ""}})"),
                "params.metadata", "at most 10 metadata keys");
  const std::string long_key(41, 'k');
  check_refused(build_with_params(("{\"metadata\": {\"" + long_key + "\": \"v\"}}").c_str()),
                "params.metadata." + long_key, "at most 40 characters");
}

BOOST_AUTO_TEST_CASE(debiasing_needs_five_hundred_shots) {
  check_refused(build_with_params(R"({"settings": {"error_mitigation": {"debiasing": true}}})", 499),
                "params.settings.error_mitigation.debiasing", "at least 500 shots");
  BOOST_TEST(build_with_params(R"({"settings": {"error_mitigation": {"debiasing": true}}})", 500).body.has_value());
  BOOST_TEST(build_with_params(R"({"settings": {"error_mitigation": {"debiasing": false}}})", 10).body.has_value());
}

BOOST_AUTO_TEST_CASE(shots_and_target_are_checked_against_ionq_limits) {
  const parsed_input input = parse(json::value(bell_qasm));
  check_refused(build(input, 0), "shots", "1 to 1000000 shots, not 0");
  check_refused(build(input, 1'000'001), "shots", "not 1000001");
  BOOST_TEST(build(input, 1'000'000).body.has_value());
  check_refused(build(input, 10, nullptr, ""), "target", "needs a target");
}

BOOST_AUTO_TEST_CASE(too_many_circuits_are_refused) {
  const parsed_input input = parse(json::array{json::value(bell_qasm), json::value(bell_qasm), json::value(bell_qasm)});
  job_description job;
  job.job_id = "j";
  job.target = "simulator";
  job.shots = 10;
  job.input = &input;
  qjob::ionq::request_limits limits;
  limits.max_circuits = 2;
  check_refused(build_job_request(job, limits), "input", "at most 2 circuits");
}

BOOST_AUTO_TEST_SUITE_END()
