// What a job becomes for Azure Quantum: IonQ's targets get ionq.circuit.v1,
// Quantinuum's OpenQASM 2 (whose text read back by our parser has the same
// final state, every gate and control form and the QASMBench circuits), the
// rest are refused naming the target and why; the prepared envelope.

#include "azure/azure_submission.hpp"
#include "formats/qasm2_writer.hpp"

#include "formats/qasm2_parser.hpp"
#include "local/simulator.hpp"
#include "support/qasmbench.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <complex>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

namespace {

namespace json = boost::json;
using qjob::formats::circuit;
using qjob::formats::gate_kind;
using qjob::formats::operation;
using qjob::remote::error_kind;

constexpr std::string_view job_id = "5b0c3b3e-8f4e-4f7e-9d35-3e0d7f2c1a10";

qjob::formats::parsed_input parse(const json::value& input, std::string_view format = "") {
  auto parsed = qjob::formats::parse_job_input(format, input, {});
  BOOST_REQUIRE_MESSAGE(parsed.input.has_value(), (parsed.error ? parsed.error->message : ""));
  return std::move(*parsed.input);
}

qjob::remote::job_spec spec(const qjob::formats::parsed_input& input, std::string_view target) {
  qjob::remote::job_spec job;
  job.job_id = job_id;
  job.name = "bell";
  job.target = target;
  job.shots = 100;
  job.input = &input;
  return job;
}

const std::string bell = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n"
                         "measure q -> c;\n";

void refused(const qjob::remote::api_result<qjob::azure::submission>& r, std::initializer_list<std::string_view> words) {
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().kind == error_kind::permanent));
  for (auto word : words) BOOST_TEST(r.error().message.find(word) != std::string::npos, r.error().message);
}

operation op(gate_kind kind, std::vector<std::uint32_t> targets, std::vector<std::uint32_t> controls = {},
             double a = 0, double b = 0, double c = 0) {
  operation o;
  o.gate = kind;
  o.targets = std::move(targets);
  o.controls = std::move(controls);
  o.params[0] = a;
  o.params[1] = b;
  o.params[2] = c;
  return o;
}

/// Every qubit in its own superposition and phase, so that controls and
/// relative phases show in the final state.
circuit prepared(std::uint32_t qubits) {
  circuit c;
  c.qubits = c.clbits = qubits;
  for (std::uint32_t q = 0; q < qubits; ++q) {
    c.ops.push_back(op(gate_kind::ry, {q}, {}, 0.4 + 0.3 * q));
    c.ops.push_back(op(gate_kind::rz, {q}, {}, 0.2 + 0.5 * q));
  }
  return c;
}

circuit read_back(const std::string& text) {
  auto parsed = qjob::formats::parse_qasm2(text, "input", qjob::formats::input_limits{});
  if (auto* error = std::get_if<qjob::formats::input_error>(&parsed)) BOOST_FAIL("QASM not read back: " << error->message << "\n" << text);
  return std::get<circuit>(std::move(parsed));
}

/// The same state exactly, global phase included: the writer keeps phases.
void check_same_state(const circuit& a, const circuit& b) {
  const auto sa = qjob::local::final_state(a);
  const auto sb = qjob::local::final_state(b);
  BOOST_REQUIRE_EQUAL(sa.size(), sb.size());
  double distance = 0;
  for (std::size_t i = 0; i < sa.size(); ++i) distance += std::norm(sa[i] - sb[i]);
  BOOST_TEST(distance < 1e-18, "distance " << distance);
}

std::string qasm_of(const circuit& c) {
  const auto written = qjob::formats::to_qasm2(c, "input");
  BOOST_REQUIRE_MESSAGE(written.text.has_value(), (written.error ? written.error->message : std::string()));
  return *written.text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_translation_tests)

BOOST_AUTO_TEST_CASE(ionq_targets_get_the_ionq_circuit_and_shots_in_input_params) {
  const auto input = parse(json::value(bell));
  auto built = qjob::azure::build_submission(spec(input, "ionq.qpu.aria-1"));
  BOOST_REQUIRE(built.has_value());
  BOOST_TEST(built->content_type == "application/json");
  BOOST_TEST(json::parse(built->input) ==
             json::parse(R"({"qubits": 2, "circuit": [{"gate": "h", "target": 0}, {"gate": "cnot", "control": 0, "target": 1}]})"));
  BOOST_TEST(built->container == "job-" + std::string(job_id));
  const auto& job = built->job;
  BOOST_TEST(job.at("id").as_string() == job_id);
  BOOST_TEST(job.at("itemType").as_string() == "Job");
  BOOST_TEST(job.at("providerId").as_string() == "IonQ");
  BOOST_TEST(job.at("target").as_string() == "ionq.qpu.aria-1");
  BOOST_TEST(job.at("inputDataFormat").as_string() == "ionq.circuit.v1");
  BOOST_TEST(job.at("outputDataFormat").as_string() == "ionq.quantum-results.v1");
  BOOST_TEST(job.at("inputParams") == (json::object{{"shots", 100}}));
  BOOST_TEST(job.at("name").as_string() == "bell");

  // The envelope prepare() returns carries all of it to submit().
  const auto back = qjob::azure::from_envelope(qjob::azure::to_envelope(*built));
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->input == built->input);
  BOOST_TEST(back->job == built->job);
  BOOST_TEST(!qjob::azure::from_envelope("{\"job_id\": 1}").has_value());
  const auto body = qjob::azure::job_body(*built, "https://acct.blob.core.windows.net/job-x?sv=1&sig=S");
  BOOST_TEST(body.at("containerUri").as_string() == "https://acct.blob.core.windows.net/job-x?sv=1&sig=S");
  BOOST_TEST(body.at("inputDataUri").as_string() == "https://acct.blob.core.windows.net/job-x/inputData");
}

BOOST_AUTO_TEST_CASE(quantinuum_targets_get_qasm2_with_count_and_params_passed_through) {
  const auto input = parse(json::value(bell));
  const json::value params = json::parse(R"({"priority": "High"})");
  auto job = spec(input, "quantinuum.sim.h2-1sc");
  job.params = &params;
  auto built = qjob::azure::build_submission(job);
  BOOST_REQUIRE(built.has_value());
  BOOST_TEST(built->content_type == "application/qasm");
  BOOST_TEST(built->input == "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n"
                             "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\n");
  BOOST_TEST(built->job.at("providerId").as_string() == "quantinuum");
  BOOST_TEST(built->job.at("inputDataFormat").as_string() == "honeywell.openqasm.v1");
  BOOST_TEST(built->job.at("outputDataFormat").as_string() == "honeywell.quantum-results.v1");
  BOOST_TEST(built->job.at("inputParams") == (json::object{{"shots", 100}, {"count", 100}, {"priority", "High"}}));
}

BOOST_AUTO_TEST_CASE(what_azure_cannot_take_from_us_is_refused_naming_why) {
  const auto input = parse(json::value(bell));
  refused(qjob::azure::build_submission(spec(input, "rigetti.qpu.ankaa-3")), {"rigetti.qpu.ankaa-3", "Quil"});
  refused(qjob::azure::build_submission(spec(input, "pasqal.qpu.fresnel")), {"pasqal.qpu.fresnel", "Pulser"});
  refused(qjob::azure::build_submission(spec(input, "qci.simulator")), {"qci.simulator", "QIR"});
  refused(qjob::azure::build_submission(spec(input, "ionq.nowhere")), {"ionq.nowhere"});
  auto not_uuid = spec(input, "ionq.simulator");
  not_uuid.job_id = "my-job";
  refused(qjob::azure::build_submission(not_uuid), {"UUID", "my-job"});
  auto no_shots = spec(input, "ionq.simulator");
  no_shots.shots = 0;
  refused(qjob::azure::build_submission(no_shots), {"shot"});
  const json::value shots_param = json::parse(R"({"shots": 5})");
  auto clash = spec(input, "ionq.simulator");
  clash.params = &shots_param;
  refused(qjob::azure::build_submission(clash), {"params.shots"});
  const auto two = parse(json::parse(R"([{"qubits": 1, "circuit": [{"gate": "h", "target": 0}]},
                                         {"qubits": 1, "circuit": [{"gate": "x", "target": 0}]}])"));
  refused(qjob::azure::build_submission(spec(two, "ionq.simulator")), {"one circuit"});
  circuit wide = prepared(26);
  qjob::formats::parsed_input wide_input{"qasm2", {wide}, false};
  refused(qjob::azure::build_submission(spec(wide_input, "ionq.qpu.aria-2")), {"26 qubits", "25"});
  const auto conditional = parse(json::value("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\n"
                                             "measure q[0] -> c[0];\nif (c == 1) x q[0];\n"));
  refused(qjob::azure::build_submission(spec(conditional, "ionq.simulator")), {"conditional"});
  BOOST_TEST(qjob::azure::build_submission(spec(conditional, "quantinuum.sim.h2-1e")).has_value(),
             "Quantinuum runs classical control");
  circuit three_controls = prepared(4);
  three_controls.ops.push_back(op(gate_kind::rz, {3}, {0, 1, 2}, 0.3));
  qjob::formats::parsed_input controlled{"qasm2", {three_controls}, false};
  refused(qjob::azure::build_submission(spec(controlled, "quantinuum.qpu.h2-1")), {"quantinuum.qpu.h2-1", "3 controls"});
}

BOOST_AUTO_TEST_CASE(every_gate_written_as_qasm2_reads_back_to_the_same_state) {
  const double a = 0.7, b = -1.1, c = 2.3;
  std::vector<operation> ops;
  for (auto kind : {gate_kind::h, gate_kind::x, gate_kind::y, gate_kind::z, gate_kind::s, gate_kind::si, gate_kind::t,
                    gate_kind::ti, gate_kind::v, gate_kind::vi, gate_kind::rx, gate_kind::ry, gate_kind::rz,
                    gate_kind::u, gate_kind::phase}) {
    ops.push_back(op(kind, {1}, {}, a, b, c));
    ops.push_back(op(kind, {1}, {0}, a, b, c));
  }
  for (auto kind : {gate_kind::xx, gate_kind::yy, gate_kind::zz, gate_kind::swap}) ops.push_back(op(kind, {1, 2}, {}, a));
  ops.push_back(op(gate_kind::swap, {2, 3}, {0}));
  ops.push_back(op(gate_kind::x, {3}, {0, 1}));
  ops.push_back(op(gate_kind::x, {4}, {0, 1, 2}));
  ops.push_back(op(gate_kind::x, {0}, {1, 2, 3, 4}));
  for (const auto& one : ops) {
    circuit written = prepared(5);
    written.ops.push_back(one);
    BOOST_TEST_CONTEXT(qasm_of(written)) { check_same_state(written, read_back(qasm_of(written))); }
  }
}

BOOST_AUTO_TEST_CASE(conditionals_name_one_register_each) {
  circuit c;
  c.qubits = 2;
  c.clbits = 3;
  c.ops.push_back(op(gate_kind::h, {0}));
  auto m = op(gate_kind::measure, {0});
  m.clbit = 1;
  c.ops.push_back(m);
  auto x = op(gate_kind::x, {1});
  x.conditional = true;
  x.condition_offset = 1;
  x.condition_width = 2;
  x.condition_value = 1;
  c.ops.push_back(x);
  const auto regs = qjob::formats::qasm2_registers(c);
  BOOST_REQUIRE_EQUAL(regs.size(), 2u);
  BOOST_TEST(regs[0].name == "c0");
  BOOST_TEST(regs[1].offset == 1u);
  BOOST_TEST(regs[1].width == 2u);
  const auto text = qasm_of(c);
  BOOST_TEST(text.find("creg c0[1];\ncreg c1[2];\n") != std::string::npos, text);
  BOOST_TEST(text.find("measure q[0] -> c1[0];\nif(c1==1) x q[1];\n") != std::string::npos, text);
  const auto back = read_back(text);
  BOOST_TEST(back.ops.back().conditional);
  BOOST_TEST(back.ops.back().condition_offset == 1u);
  BOOST_TEST(back.ops.back().condition_width == 2u);

  auto straddling = op(gate_kind::z, {1});
  straddling.conditional = true;
  straddling.condition_offset = 0;
  straddling.condition_width = 2;
  c.ops.push_back(straddling);
  const auto refused_text = qjob::formats::to_qasm2(c, "input");
  BOOST_REQUIRE(refused_text.error.has_value());
  BOOST_TEST(refused_text.error->message.find("not one register") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(qasmbench_circuits_keep_their_final_state) {
  const auto circuits = qjob::test::small_qasmbench_circuits(12);
  if (circuits.empty()) {
    BOOST_TEST_MESSAGE("no shared qasmbench folder: skipped");
    return;
  }
  std::size_t compared = 0;
  for (const auto& [name, c] : circuits) {
    const auto written = qjob::formats::to_qasm2(c, "input");
    if (!written.text) continue;  // a gate with more controls than QASM 2 names
    BOOST_TEST_CONTEXT(name) {
      check_same_state(c, read_back(*written.text));
      ++compared;
    }
  }
  BOOST_TEST(compared >= 30u);
}

BOOST_AUTO_TEST_SUITE_END()
