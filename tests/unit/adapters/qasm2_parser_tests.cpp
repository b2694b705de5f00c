#include "formats/qasm2_parser.hpp"

#include "circuit_builders.hpp"
#include "local/simulator.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <variant>

namespace {

using qjob::formats::circuit;
using qjob::formats::gate_kind;
using qjob::formats::input_error;
using qjob::formats::input_limits;
using qjob::formats::parse_qasm2;
using qjob::test::qasm;

const std::string header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";

input_error rejected(const std::string& program, input_limits limits = {}, const char* field = "input") {
  auto parsed = parse_qasm2(program, field, limits);
  if (std::holds_alternative<circuit>(parsed)) BOOST_FAIL("accepted:\n" << program);
  return std::get<input_error>(std::move(parsed));
}

// `body` follows the two header lines, so its first line is line 3.
void check_rejected(const std::string& body, const std::string& expected_message, input_limits limits = {}) {
  const input_error error = rejected(header + body, limits);
  BOOST_TEST_CONTEXT(body) {
    BOOST_TEST(error.field == "input");
    BOOST_TEST(error.message.find(expected_message) == 0, "message: " << error.message);
  }
}

// Amplitudes equal up to one global phase.
bool same_state_up_to_phase(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b) {
  if (a.size() != b.size()) return false;
  std::complex<double> phase = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::abs(b[k]) > 1e-6) {
      phase = a[k] / b[k];
      break;
    }
  }
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::abs(a[k] - phase * b[k]) > 1e-9) return false;
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qasm2_parser_tests)

BOOST_AUTO_TEST_CASE(registers_are_laid_out_in_declaration_order) {
  const circuit c = qasm(header + R"(// a comment
qreg a[2];
qreg b[3];
creg x[2];
creg y[3];
h b[1]; /* block
comment */ cx a[1], b[2];
measure b[2] -> y[0];
measure a -> x;
)");
  BOOST_TEST(c.qubits == 5U);
  BOOST_TEST(c.clbits == 5U);
  BOOST_REQUIRE_EQUAL(c.ops.size(), 5U);
  BOOST_TEST(c.ops[0].targets == std::vector<std::uint32_t>{3});
  BOOST_TEST(c.ops[1].controls == std::vector<std::uint32_t>{1});
  BOOST_TEST(c.ops[1].targets == std::vector<std::uint32_t>{4});
  BOOST_TEST((c.ops[2].gate == gate_kind::measure));
  BOOST_TEST(c.ops[2].clbit == 2U);
  BOOST_TEST(c.ops[4].targets == std::vector<std::uint32_t>{1});
  BOOST_TEST(c.ops[4].clbit == 1U);
  BOOST_TEST(!c.dynamic);
}

BOOST_AUTO_TEST_CASE(gates_broadcast_over_whole_registers) {
  const circuit c = qasm(header + "qreg a[3]; qreg b[3]; h a; cx a, b; cx a[0], b; barrier a, b[1];\n");
  BOOST_REQUIRE_EQUAL(c.ops.size(), 10U);
  BOOST_TEST(c.ops[4].controls == std::vector<std::uint32_t>{1});
  BOOST_TEST(c.ops[4].targets == std::vector<std::uint32_t>{4});
  BOOST_TEST(c.ops[8].controls == std::vector<std::uint32_t>{0});
  BOOST_TEST(c.ops[8].targets == std::vector<std::uint32_t>{5});
  BOOST_TEST((c.ops[9].gate == gate_kind::barrier));
  BOOST_TEST(c.ops[9].targets == (std::vector<std::uint32_t>{0, 1, 2, 4}));
}

BOOST_AUTO_TEST_CASE(a_program_without_measurements_reads_every_qubit) {
  const circuit c = qasm(header + "qreg q[3]; creg c[1]; x q[2];\n");
  BOOST_TEST(c.clbits == 3U);
  const auto p = qjob::local::outcome_probabilities(c);
  BOOST_REQUIRE_EQUAL(p.size(), 1U);
  BOOST_TEST(p[0].first == "100");
}

BOOST_AUTO_TEST_CASE(user_gates_with_parameters_are_expanded_with_their_expressions) {
  const circuit c = qasm(header + R"(gate my(theta, phi) a, b {
  rz(-theta / 2 + phi ^ 2) a;
  cx a, b;
  u3(sin(pi/6), cos(0) * 2, sqrt(4) - ln(exp(1)) + tan(0)) b;
  barrier a, b;
}
qreg q[2];
my(pi, -(3)) q[1], q[0];
)");
  BOOST_REQUIRE_EQUAL(c.ops.size(), 4U);
  BOOST_TEST((c.ops[0].gate == gate_kind::rz));
  BOOST_TEST(c.ops[0].targets == std::vector<std::uint32_t>{1});
  BOOST_TEST(std::abs(c.ops[0].params[0] - (-std::numbers::pi / 2 + 9)) < 1e-12);
  BOOST_TEST((c.ops[2].gate == gate_kind::u));
  BOOST_TEST(std::abs(c.ops[2].params[0] - 0.5) < 1e-12);
  BOOST_TEST(std::abs(c.ops[2].params[1] - 2.0) < 1e-12);
  BOOST_TEST(std::abs(c.ops[2].params[2] - 1.0) < 1e-12);
}

BOOST_AUTO_TEST_CASE(standard_gates_map_onto_controlled_gates) {
  const circuit c = qasm(header + "qreg q[5]; ccx q[0], q[1], q[2]; cswap q[0], q[1], q[2]; cp(0.5) q[3], q[4];"
                                  "c4x q[0], q[1], q[2], q[3], q[4]; rzz(0.25) q[0], q[1]; sx q[0];\n");
  BOOST_REQUIRE_EQUAL(c.ops.size(), 6U);
  BOOST_TEST((c.ops[0].gate == gate_kind::x));
  BOOST_TEST(c.ops[0].controls == (std::vector<std::uint32_t>{0, 1}));
  BOOST_TEST((c.ops[1].gate == gate_kind::swap));
  BOOST_TEST(c.ops[1].controls == std::vector<std::uint32_t>{0});
  BOOST_TEST((c.ops[2].gate == gate_kind::phase));
  BOOST_TEST(c.ops[3].controls.size() == 4U);
  BOOST_TEST((c.ops[4].gate == gate_kind::zz));
  BOOST_TEST((c.ops[5].gate == gate_kind::v));
}

BOOST_AUTO_TEST_CASE(native_mappings_equal_the_qelib1_definitions) {
  // Each pair: a call of the standard gate, and the same gate spelled out from
  // qelib1.inc's definition under another name. Run on a state with no zeros.
  struct pair_case {
    const char* call;
    const char* definition;
    const char* expanded_call;
  };
  const pair_case cases[] = {
      {"ch q[0], q[1];", "gate d a,b { h b; sdg b; cx a,b; h b; t b; cx a,b; t b; h b; s b; x b; s a; }", "d q[0], q[1];"},
      {"crx(0.7) q[0], q[1];", "gate d(l) a,b { u1(pi/2) b; cx a,b; u3(-l/2,0,0) b; cx a,b; u3(l/2,-pi/2,0) b; }",
       "d(0.7) q[0], q[1];"},
      {"cry(0.7) q[0], q[1];", "gate d(l) a,b { u3(l/2,0,0) b; cx a,b; u3(-l/2,0,0) b; cx a,b; }", "d(0.7) q[0], q[1];"},
      {"crz(0.7) q[0], q[1];", "gate d(l) a,b { u1(l/2) b; cx a,b; u1(-l/2) b; cx a,b; }", "d(0.7) q[0], q[1];"},
      {"cu1(0.7) q[0], q[1];", "gate d(l) a,b { u1(l/2) a; cx a,b; u1(-l/2) b; cx a,b; u1(l/2) b; }",
       "d(0.7) q[0], q[1];"},
      {"cu3(0.7, 0.2, -0.4) q[0], q[1];",
       "gate d(t,p,l) c,u { u1((l+p)/2) c; u1((l-p)/2) u; cx c,u; u3(-t/2,0,-(p+l)/2) u; cx c,u; u3(t/2,p,0) u; }",
       "d(0.7, 0.2, -0.4) q[0], q[1];"},
      {"cu(0.7, 0.2, -0.4, 0.3) q[0], q[1];",
       "gate d(t,p,l,g) c,u { p(g) c; p((l+p)/2) c; p((l-p)/2) u; cx c,u; u(-t/2,0,-(p+l)/2) u; cx c,u; "
       "u(t/2,p,0) u; }",
       "d(0.7, 0.2, -0.4, 0.3) q[0], q[1];"},
      {"rxx(0.7) q[0], q[1];", "gate d(t) a,b { u3(pi/2, t, 0) a; h b; cx a,b; u1(-t) b; cx a,b; h b; u2(-pi, pi-t) a; }",
       "d(0.7) q[0], q[1];"},
      {"rzz(0.7) q[0], q[1];", "gate d(t) a,b { cx a,b; u1(t) b; cx a,b; }", "d(0.7) q[0], q[1];"},
      {"swap q[0], q[1];", "gate d a,b { cx a,b; cx b,a; cx a,b; }", "d q[0], q[1];"},
      {"cswap q[0], q[1], q[2];", "gate d a,b,c { cx c,b; ccx a,b,c; cx c,b; }", "d q[0], q[1], q[2];"},
      {"ccx q[0], q[1], q[2];",
       "gate d a,b,c { h c; cx b,c; tdg c; cx a,c; t c; cx b,c; tdg c; cx a,c; t b; t c; h c; cx a,b; t a; tdg b; cx a,b; }",
       "d q[0], q[1], q[2];"},
      {"csx q[0], q[1];", "gate d a,b { h b; cu1(pi/2) a,b; h b; }", "d q[0], q[1];"},
      {"sxdg q[0];", "gate d a { s a; h a; s a; }", "d q[0];"},
  };
  const std::string prepare = "qreg q[4]; ry(0.3) q[0]; ry(0.9) q[1]; ry(1.7) q[2]; ry(2.3) q[3]; rz(0.4) q;\n";
  for (const pair_case& pc : cases) {
    BOOST_TEST_CONTEXT(pc.call) {
      const auto native = qjob::local::final_state(qasm(header + prepare + pc.call));
      const auto defined =
          qjob::local::final_state(qasm(header + pc.definition + "\n" + prepare + pc.expanded_call));
      BOOST_TEST(same_state_up_to_phase(native, defined));
    }
  }
}

BOOST_AUTO_TEST_CASE(gates_without_a_native_form_come_from_the_built_in_qelib1) {
  const circuit c = qasm(header + "qreg q[4]; rccx q[0], q[1], q[2]; rc3x q[0], q[1], q[2], q[3];\n");
  BOOST_TEST(c.ops.size() == 9U + 18U);
  const circuit c3 = qasm(header + "qreg q[4]; c3sqrtx q[0], q[1], q[2], q[3];\n");
  BOOST_TEST(c3.ops.size() == 27U);
}

BOOST_AUTO_TEST_CASE(mid_circuit_effects_make_a_circuit_dynamic) {
  BOOST_TEST(!qasm(header + "qreg q[2]; creg c[2]; h q; measure q -> c;\n").dynamic);
  BOOST_TEST(!qasm(header + "qreg q[2]; creg c[2]; measure q[0] -> c[0]; h q[1]; measure q[1] -> c[1];\n").dynamic);
  BOOST_TEST(qasm(header + "qreg q[2]; creg c[2]; measure q[0] -> c[0]; cx q[0], q[1];\n").dynamic);
  BOOST_TEST(qasm(header + "qreg q[2]; creg c[2]; h q[0]; reset q[0]; measure q[0] -> c[0];\n").dynamic);
  BOOST_TEST(qasm(header + "qreg q[2]; creg c[2]; h q[0]; reset q[0];\n").dynamic);
  BOOST_TEST(qasm(header + "qreg q[2]; creg c[2]; if (c == 0) x q[0]; measure q -> c;\n").dynamic);
  const circuit c = qasm(header + "qreg q[1]; creg a[1]; creg b[2];\nif (b == 2) x q[0];\n");
  BOOST_TEST(c.ops[0].conditional);
  BOOST_TEST(c.ops[0].condition_offset == 1U);
  BOOST_TEST(c.ops[0].condition_width == 2U);
  BOOST_TEST(c.ops[0].condition_value == 2U);
}

BOOST_AUTO_TEST_CASE(the_version_header_is_required_and_must_be_2_0) {
  BOOST_TEST(rejected("qreg q[1];").message == "line 1: expected 'OPENQASM 2.0;' first, found 'qreg'");
  BOOST_TEST(rejected("\nOPENQASM 3.0;\n").message == "line 2: unsupported OpenQASM version 3.0 (only 2.0 is supported)");
  BOOST_TEST(rejected("OPENQASM 2.0\nqreg q[1];").message.find("line 2: expected ';'") == 0);
  BOOST_TEST(rejected("").message.find("line 1:") == 0);
}

BOOST_AUTO_TEST_CASE(errors_name_the_line_and_the_field_of_the_circuit) {
  const input_error error = rejected(header + "qreg q[1];\nfoo q[0];\n", input_limits{}, "input[2]");
  BOOST_TEST(error.field == "input[2]");
  BOOST_TEST(error.message == "line 4: undefined gate 'foo'");
}

BOOST_AUTO_TEST_CASE(every_rejection_names_its_line) {
  check_rejected("include \"other.inc\";", "line 3: cannot include \"other.inc\"");
  check_rejected("qreg q[0];", "line 3: register 'q' has size 0");
  check_rejected("qreg q[1];\nqreg q[2];", "line 4: register 'q' is already declared");
  check_rejected("qreg q[27];", "line 3: the program declares 27 qubits; the limit is 26");
  check_rejected("creg c[65];", "line 3: the program declares 65 classical bits");
  check_rejected("qreg q[2];\nh q[2];", "line 4: index 2 out of range for q[2]");
  check_rejected("qreg q[2];\nh r[0];", "line 4: undefined quantum register 'r'");
  check_rejected("qreg q[2];\ncx q[0];", "line 4: gate 'cx' acts on 2 qubits, got 1");
  check_rejected("qreg q[2];\nrx q[0];", "line 4: gate 'rx' takes 1 parameter, got 0");
  check_rejected("qreg q[2];\nh(0.5) q[0];", "line 4: gate 'h' takes 0 parameters, got 1");
  check_rejected("qreg q[2];\ncx q[1], q[1];", "line 4: the same qubit is used twice in 'cx'");
  check_rejected("qreg a[2]; qreg b[3];\ncx a, b;", "line 4: registers of different sizes in 'cx'");
  check_rejected("qreg q[2]; creg c[1];\nmeasure q -> c;", "line 4: measure q -> c needs both sides indexed");
  check_rejected("qreg q[2]; creg c[1];\nmeasure q[0] -> d[0];", "line 4: undefined classical register 'd'");
  check_rejected("qreg q[2];\nif (c == 1) x q[0];", "line 4: undefined classical register 'c'");
  check_rejected("qreg q[2]; creg c[1];\nif (c == 1) barrier q;", "line 4: expected a gate, measure or reset after if");
  check_rejected("opaque magic a;\nqreg q[1];\nmagic q[0];", "line 5: opaque gate 'magic' has no definition");
  check_rejected("qreg q[1];\nrx(theta) q[0];", "line 4: unknown identifier 'theta' in an expression");
  check_rejected("qreg q[1];\nrx(1/0) q[0];", "line 4: a parameter of 'rx' is not a finite number");
  check_rejected("qreg q[1];\nrx(1 +) q[0];", "line 4: expected an expression, found ')'");
  check_rejected("qreg q[1];\nqubit[2] r;", "line 4: undefined gate 'qubit'");
  check_rejected("qreg q[1];\n@ q;", "line 4: unexpected character '@'");
  check_rejected("qreg q[1];\n; h q;", "line 4: unexpected ';' at the start of a statement");
  check_rejected("gate g a { h a[0]; }", "line 3: 'a' cannot be indexed inside a gate definition");
  check_rejected("gate g a { h b; }", "line 3: 'b' is not an argument of the gate being defined");
  check_rejected("gate g a {\n nope a; }", "line 4: undefined gate 'nope'");
  check_rejected("gate g a, b { cx a, a; }", "line 3: qubit 'a' used twice in 'cx'");
  check_rejected("gate g a, a { h a; }", "line 3: 'a' appears twice");
  check_rejected("gate g a {\n h a;\n", "line 3: gate 'g' has no closing '}'");
  check_rejected("qreg q[1];\nOPENQASM 2.0;", "line 4: OPENQASM may only appear once");
  check_rejected("qreg q[1];\ninclude \"qelib1.inc\"\nh q;", "line 5: expected ';' after include");
  check_rejected("creg c[1];", "line 3: the program declares no qubits");
  check_rejected("qreg q[1]; \"text", "line 3: unterminated string");
  check_rejected("qreg q[1]; /* open", "line 3: unterminated comment");
}

BOOST_AUTO_TEST_CASE(standard_gates_need_the_include) {
  const input_error error = rejected("OPENQASM 2.0;\nqreg q[1];\nh q[0];\n");
  BOOST_TEST(error.message == "line 3: undefined gate 'h' (missing include \"qelib1.inc\";?)");
  BOOST_TEST(!std::holds_alternative<input_error>(parse_qasm2("OPENQASM 2.0;\nqreg q[2];\nU(0,0,0) q[0]; CX q[0], q[1];",
                                                              "input", input_limits{})));
}

BOOST_AUTO_TEST_CASE(expansion_is_bounded_by_the_operation_limit) {
  input_limits limits;
  limits.max_operations = 10;
  check_rejected("qreg q[4];\nh q; h q; h q;", "line 4: the program has more than 10 operations", limits);
  // Doubling definitions of identities produce no operations but still cost work.
  std::string program = "gate g0 a { id a; id a; }\n";
  for (int k = 1; k < 40; ++k) {
    program += "gate g" + std::to_string(k) + " a { g" + std::to_string(k - 1) + " a; g" + std::to_string(k - 1) + " a; }\n";
  }
  program += "qreg q[1];\ng39 q[0];\n";
  const input_error error = rejected(header + program, limits);
  BOOST_TEST(error.message.find("line 44: expanding '") == 0, error.message);
}

BOOST_AUTO_TEST_CASE(a_redefined_gate_keeps_the_meaning_its_users_saw) {
  // Found by tests/fuzz (ionq_circuit): a body was bound to names at expansion, so
  // redefining g in terms of g recursed until the stack overflowed.
  const auto parsed = parse_qasm2(header + "qreg q[1];\ngate g a { h a; }\ngate g a { g a; x a; }\ng q[0];\n", "input",
                                  input_limits{});
  BOOST_REQUIRE(std::holds_alternative<circuit>(parsed));
  const auto& ops = std::get<circuit>(parsed).ops;
  BOOST_REQUIRE_EQUAL(ops.size(), 2U);
  BOOST_TEST((ops[0].gate == gate_kind::h));
  BOOST_TEST((ops[1].gate == gate_kind::x));
  // Two names that refer to each other's earlier definitions stay acyclic too.
  BOOST_TEST(std::holds_alternative<circuit>(parse_qasm2(
      header + "qreg q[1];\ngate a r { h r; }\ngate b r { a r; }\ngate a r { b r; }\na q[0];\n", "input", input_limits{})));
}

BOOST_AUTO_TEST_CASE(gate_definitions_nest_at_most_256_deep) {
  std::string program = "gate g0 a { h a; }\n";
  for (int k = 1; k < 300; ++k)
    program += "gate g" + std::to_string(k) + " a { g" + std::to_string(k - 1) + " a; }\n";
  // g0 is line 3 and nests 1 deep, so g256 (line 259) is the first too deep.
  check_rejected(program + "qreg q[1];\ng299 q[0];\n", "line 259: gate 'g256' nests definitions 257 deep; the limit is 256");
  BOOST_TEST(std::holds_alternative<circuit>(
      parse_qasm2(header + program.substr(0, program.find("gate g256")) + "qreg q[1];\ng255 q[0];\n", "input",
                  input_limits{})));
}

BOOST_AUTO_TEST_CASE(an_expression_has_at_most_1000_terms) {
  // Found by tests/fuzz (ionq_circuit): "------...1" recursed once per sign.
  check_rejected("qreg q[1];\nrx(" + std::string(1000, '-') + "1) q[0];\n", "line 4: the expression has more than 1000 terms");
  check_rejected("qreg q[1];\nrx(" + std::string(1000, '(') + "1" + std::string(1000, ')') + ") q[0];\n",
                 "line 4: the expression has more than 1000 terms");
  BOOST_TEST(std::holds_alternative<circuit>(
      parse_qasm2(header + "qreg q[1];\nrx(" + std::string(999, '-') + "1) q[0];\n", "input", input_limits{})));
}

BOOST_AUTO_TEST_SUITE_END()
