// OriginIR translation: exact text for a known circuit, and for every gate (with
// and without controls) and every readable QASMBench circuit, the OriginIR read
// back gives the same final state as the original.

#include "qcloud/originir.hpp"

#include "circuit_builders.hpp"
#include "fakes/originir_reader.hpp"
#include "formats/qasm2_parser.hpp"
#include "local/simulator.hpp"
#include "support/qasmbench.hpp"

#include <boost/test/unit_test.hpp>

#include <complex>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <variant>
#include <vector>

namespace {

using qjob::formats::circuit;
using qjob::formats::gate_kind;
using qjob::formats::operation;
using qjob::test::gate;
using qjob::test::make_circuit;

/// Reads the OriginIR that to_originir writes back into our circuit model, as
/// an independent check of its meaning (QPanda's definitions of each gate).
circuit read_originir(const std::string& text) {
  auto read = qjob::fakes::read_originir(text);
  if (auto* problem = std::get_if<std::string>(&read)) BOOST_FAIL("OriginIR not read back: " << *problem);
  return std::get<circuit>(std::move(read));
}

std::string originir_of(const circuit& c) {
  const auto written = qjob::qcloud::to_originir(c, "input");
  BOOST_REQUIRE_MESSAGE(written.text.has_value(), (written.error ? written.error->message : std::string()));
  return *written.text;
}

// |<a|b>| = 1: the same state up to a global phase.
void check_same_state(const circuit& a, const circuit& b) {
  const auto sa = qjob::local::final_state(a);
  const auto sb = qjob::local::final_state(b);
  BOOST_REQUIRE_EQUAL(sa.size(), sb.size());
  std::complex<double> overlap = 0.0;
  for (std::size_t i = 0; i < sa.size(); ++i) overlap += std::conj(sa[i]) * sb[i];
  BOOST_TEST(std::abs(std::abs(overlap) - 1.0) < 1e-9, "overlap " << overlap);
}

/// Every qubit in a superposition with its own phase, so that controls and
/// relative phases show in the final state.
circuit prepared(std::uint32_t qubits) {
  circuit c = make_circuit(qubits, {});
  for (std::uint32_t q = 0; q < qubits; ++q) {
    c.ops.push_back(gate(gate_kind::ry, {q}, {}, 0.4 + 0.3 * q));
    c.ops.push_back(gate(gate_kind::rz, {q}, {}, 0.9 - 0.2 * q));
  }
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(originir_tests)

BOOST_AUTO_TEST_CASE(a_bell_circuit_is_written_as_pyqpanda_writes_it) {
  const auto bell = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::x, {1}, {0})});
  BOOST_TEST(originir_of(bell) == "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]\n");
}

BOOST_AUTO_TEST_CASE(every_gate_with_zero_one_or_two_controls_keeps_its_meaning) {
  const double angle = 0.7;
  for (auto kind : {gate_kind::h, gate_kind::x, gate_kind::y, gate_kind::z, gate_kind::s, gate_kind::si, gate_kind::t,
                    gate_kind::ti, gate_kind::v, gate_kind::vi, gate_kind::rx, gate_kind::ry, gate_kind::rz,
                    gate_kind::phase, gate_kind::u, gate_kind::swap, gate_kind::xx, gate_kind::yy, gate_kind::zz}) {
    const bool two_qubit = kind == gate_kind::swap || kind == gate_kind::xx || kind == gate_kind::yy ||
                           kind == gate_kind::zz;
    for (std::size_t control_count : {0u, 1u, 2u}) {
      BOOST_TEST_CONTEXT(qjob::formats::gate_name(kind) << " with " << control_count << " control(s)") {
        circuit c = prepared(5);
        operation op = two_qubit ? gate(kind, {0, 1}, {}, angle) : gate(kind, {0}, {}, angle);
        if (kind == gate_kind::u) {
          op.params[1] = -0.3;
          op.params[2] = 1.1;
        }
        for (std::size_t k = 0; k < control_count; ++k) op.controls.push_back(static_cast<std::uint32_t>(2 + k));
        c.ops.push_back(op);
        check_same_state(c, read_originir(originir_of(c)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(measure_reset_and_barrier_are_written_as_they_are) {
  circuit c = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::barrier, {0, 1}), gate(gate_kind::reset, {1})});
  operation measure = gate(gate_kind::measure, {0});
  measure.clbit = 1;
  c.ops.push_back(measure);
  const auto text = originir_of(c);
  BOOST_TEST(text.find("BARRIER q[0],q[1]\nRESET q[1]\nMEASURE q[0],c[1]\n") != std::string::npos, text);
  BOOST_TEST(text.find("MEASURE q[1]") == std::string::npos, "only what the circuit measures: " << text);
}

BOOST_AUTO_TEST_CASE(a_conditional_gate_is_refused_naming_the_operation) {
  circuit c = make_circuit(1, {gate(gate_kind::h, {0})});
  operation flip = gate(gate_kind::x, {0});
  flip.conditional = true;
  flip.condition_width = 1;
  flip.condition_value = 1;
  c.ops.push_back(flip);
  const auto written = qjob::qcloud::to_originir(c, "input[2]");
  BOOST_REQUIRE(written.error.has_value());
  BOOST_TEST(written.error->message.find("operation 1 ('x' on qubit 0)") != std::string::npos, written.error->message);
  BOOST_TEST(written.error->message.find("conditional") != std::string::npos);
  BOOST_TEST(written.error->field == "input[2]");
}

BOOST_AUTO_TEST_CASE(qasmbench_circuits_keep_their_final_state) {
  const auto circuits = qjob::test::small_qasmbench_circuits(12);
  if (circuits.empty()) {
    BOOST_TEST_MESSAGE("no shared qasmbench folder: skipped");
    return;
  }
  std::size_t compared = 0;
  for (const auto& [name, c] : circuits) {
    if (c.dynamic) continue;
    BOOST_TEST_CONTEXT(name) {
      check_same_state(c, read_originir(originir_of(c)));
      ++compared;
    }
  }
  BOOST_TEST(compared >= 30u);
}

BOOST_AUTO_TEST_SUITE_END()
