#include "local/simulator.hpp"

#include "circuit_builders.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <complex>
#include <map>
#include <numbers>
#include <thread>

namespace {

using qjob::formats::circuit;
using qjob::formats::gate_kind;
using qjob::local::final_state;
using qjob::local::run_options;
using qjob::local::simulate;
using qjob::test::gate;
using qjob::test::make_circuit;
using qjob::test::qasm;
using cplx = std::complex<double>;
using state = std::vector<cplx>;

constexpr double tolerance = 1e-12;
const double r2 = 1.0 / std::sqrt(2.0);
const cplx i1(0.0, 1.0);

void check_state(const state& actual, const state& expected) {
  BOOST_REQUIRE_EQUAL(actual.size(), expected.size());
  for (std::size_t k = 0; k < actual.size(); ++k) {
    BOOST_TEST_CONTEXT("amplitude " << k << ": " << actual[k] << " vs " << expected[k]) {
      BOOST_TEST(std::abs(actual[k] - expected[k]) < tolerance);
    }
  }
}

// An independent 2x2 reference, written from the textbook definitions.
using matrix = std::array<cplx, 4>;

matrix reference_matrix(gate_kind kind, double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  const cplx w = std::exp(i1 * std::numbers::pi / 4.0);
  switch (kind) {
    case gate_kind::h: return {r2, r2, r2, -r2};
    case gate_kind::x: return {0, 1, 1, 0};
    case gate_kind::y: return {0, -i1, i1, 0};
    case gate_kind::z: return {1, 0, 0, -1};
    case gate_kind::s: return {1, 0, 0, i1};
    case gate_kind::si: return {1, 0, 0, -i1};
    case gate_kind::t: return {1, 0, 0, w};
    case gate_kind::ti: return {1, 0, 0, std::conj(w)};
    case gate_kind::v: return {(1.0 + i1) / 2.0, (1.0 - i1) / 2.0, (1.0 - i1) / 2.0, (1.0 + i1) / 2.0};
    case gate_kind::vi: return {(1.0 - i1) / 2.0, (1.0 + i1) / 2.0, (1.0 + i1) / 2.0, (1.0 - i1) / 2.0};
    case gate_kind::rx: return {c, -i1 * s, -i1 * s, c};
    case gate_kind::ry: return {c, -s, s, c};
    case gate_kind::rz: return {std::exp(-i1 * theta / 2.0), 0, 0, std::exp(i1 * theta / 2.0)};
    case gate_kind::phase: return {1, 0, 0, std::exp(i1 * theta)};
    default: return {1, 0, 0, 1};
  }
}

// The one-qubit state ry(0.7) then rz(1.1) prepares, with no zero amplitude.
state prepared_qubit() {
  const circuit c = make_circuit(1, {gate(gate_kind::ry, {0}, {}, 0.7), gate(gate_kind::rz, {0}, {}, 1.1)});
  return final_state(c);
}

// Gate by gate over the whole state, with no tiling or threads: the yardstick
// for the optimised kernels.
state naive_final_state(const circuit& c) {
  state a(std::size_t{1} << c.qubits, 0.0);
  a[0] = 1.0;
  for (const auto& op : c.ops) {
    std::uint64_t controls = 0;
    for (std::uint32_t q : op.controls) controls |= std::uint64_t{1} << q;
    const std::uint64_t b0 = std::uint64_t{1} << op.targets[0];
    if (op.gate == gate_kind::swap || op.gate == gate_kind::zz) {
      const std::uint64_t b1 = std::uint64_t{1} << op.targets[1];
      for (std::uint64_t i = 0; i < a.size(); ++i) {
        if ((i & controls) != controls) continue;
        if (op.gate == gate_kind::swap) {
          if ((i & b0) != 0 && (i & b1) == 0) std::swap(a[i], a[i ^ b0 ^ b1]);
        } else {
          const bool odd = ((i & b0) != 0) != ((i & b1) != 0);
          a[i] *= std::exp(i1 * (odd ? 0.5 : -0.5) * op.params[0]);
        }
      }
      continue;
    }
    matrix m = reference_matrix(op.gate, op.params[0]);
    if (op.gate == gate_kind::u) {
      const double c2 = std::cos(op.params[0] / 2), s2 = std::sin(op.params[0] / 2);
      m = {c2, -std::exp(i1 * op.params[2]) * s2, std::exp(i1 * op.params[1]) * s2,
           std::exp(i1 * (op.params[1] + op.params[2])) * c2};
    }
    for (std::uint64_t i = 0; i < a.size(); ++i) {
      if ((i & b0) != 0 || (i & controls) != controls) continue;
      const cplx x = a[i], y = a[i | b0];
      a[i] = m[0] * x + m[1] * y;
      a[i | b0] = m[2] * x + m[3] * y;
    }
  }
  return a;
}

std::map<std::string, std::uint64_t> counts_of(const qjob::local::circuit_result& r) {
  return {r.counts.begin(), r.counts.end()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(simulator_tests)

BOOST_AUTO_TEST_CASE(bell_circuit_gives_equal_amplitudes_on_00_and_11) {
  const circuit c = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::x, {1}, {0})});
  check_state(final_state(c), {r2, 0, 0, r2});
}

BOOST_AUTO_TEST_CASE(ghz_circuit_on_five_qubits_gives_all_zeros_and_all_ones) {
  const circuit c = make_circuit(5, {gate(gate_kind::h, {0}), gate(gate_kind::x, {1}, {0}), gate(gate_kind::x, {2}, {1}),
                                     gate(gate_kind::x, {3}, {2}), gate(gate_kind::x, {4}, {3})});
  state expected(32, 0.0);
  expected[0] = expected[31] = r2;
  check_state(final_state(c), expected);
  run_options options;
  options.shots = 200;
  const auto result = simulate({c}, options).results.at(0);
  BOOST_REQUIRE_EQUAL(result.probabilities.size(), 2U);
  BOOST_TEST(result.probabilities[0].first == "00000");
  BOOST_TEST(result.probabilities[1].first == "11111");
  BOOST_TEST(std::abs(result.probabilities[0].second - 0.5) < tolerance);
}

BOOST_AUTO_TEST_CASE(qubit_zero_is_the_least_significant_bit_and_the_rightmost_character) {
  const circuit c = make_circuit(3, {gate(gate_kind::x, {0})});
  check_state(final_state(c), {0, 1, 0, 0, 0, 0, 0, 0});
  const auto result = simulate({c}, run_options{}).results.at(0);
  BOOST_REQUIRE_EQUAL(result.counts.size(), 1U);
  BOOST_TEST(result.counts[0].first == "001");
  BOOST_TEST(result.counts[0].second == 1000U);
}

BOOST_AUTO_TEST_CASE(rotation_gates_match_their_analytic_amplitudes) {
  for (double theta : {0.0, 0.3, std::numbers::pi / 2, 2.0, std::numbers::pi, -1.25, 5.5}) {
    BOOST_TEST_CONTEXT("theta " << theta) {
      const double c = std::cos(theta / 2), s = std::sin(theta / 2);
      check_state(final_state(make_circuit(1, {gate(gate_kind::rx, {0}, {}, theta)})), {c, -i1 * s});
      check_state(final_state(make_circuit(1, {gate(gate_kind::ry, {0}, {}, theta)})), {c, s});
      check_state(final_state(make_circuit(1, {gate(gate_kind::h, {0}), gate(gate_kind::rz, {0}, {}, theta)})),
                  {r2 * std::exp(-i1 * theta / 2.0), r2 * std::exp(i1 * theta / 2.0)});
    }
  }
}

BOOST_AUTO_TEST_CASE(each_one_qubit_gate_matches_its_textbook_matrix) {
  const state in = prepared_qubit();
  for (gate_kind kind : {gate_kind::h, gate_kind::x, gate_kind::y, gate_kind::z, gate_kind::s, gate_kind::si,
                         gate_kind::t, gate_kind::ti, gate_kind::v, gate_kind::vi, gate_kind::rx, gate_kind::ry,
                         gate_kind::rz, gate_kind::phase}) {
    BOOST_TEST_CONTEXT("gate " << static_cast<int>(kind)) {
      const double theta = 0.9;
      const matrix m = reference_matrix(kind, theta);
      const circuit c = make_circuit(1, {gate(gate_kind::ry, {0}, {}, 0.7), gate(gate_kind::rz, {0}, {}, 1.1),
                                         gate(kind, {0}, {}, theta)});
      check_state(final_state(c), {m[0] * in[0] + m[1] * in[1], m[2] * in[0] + m[3] * in[1]});
    }
  }
}

BOOST_AUTO_TEST_CASE(u_gate_equals_rz_ry_rz_up_to_its_definition) {
  // U(theta, phi, lambda) = [[cos, -e^{i lambda} sin], [e^{i phi} sin, e^{i(phi+lambda)} cos]].
  qjob::formats::operation u = gate(gate_kind::u, {0});
  u.params[0] = 1.3;
  u.params[1] = 0.4;
  u.params[2] = -0.8;
  const double c = std::cos(0.65), s = std::sin(0.65);
  check_state(final_state(make_circuit(1, {u})), {c, std::exp(i1 * 0.4) * s});
  check_state(final_state(make_circuit(1, {gate(gate_kind::x, {0}), u})),
              {-std::exp(-i1 * 0.8) * s, std::exp(i1 * (0.4 - 0.8)) * c});
}

BOOST_AUTO_TEST_CASE(multi_controlled_x_flips_only_when_every_control_is_one) {
  for (std::uint32_t input = 0; input < 8; ++input) {
    circuit c = make_circuit(3, {});
    for (std::uint32_t q = 0; q < 3; ++q) {
      if ((input >> q) & 1U) c.ops.push_back(gate(gate_kind::x, {q}));
    }
    c.ops.push_back(gate(gate_kind::x, {1}, {0, 2}));
    state expected(8, 0.0);
    expected[(input & 5U) == 5U ? input ^ 2U : input] = 1.0;
    BOOST_TEST_CONTEXT("input " << input) { check_state(final_state(c), expected); }
  }
}

BOOST_AUTO_TEST_CASE(controlled_hadamard_and_controlled_phase_act_on_the_one_branch) {
  // Control qubit 2 in |+>, target qubit 0: only the |1> branch of qubit 2 gets h.
  const circuit ch = make_circuit(3, {gate(gate_kind::h, {2}), gate(gate_kind::h, {0}, {2})});
  check_state(final_state(ch), {r2, 0, 0, 0, 0.5, 0.5, 0, 0});
  const circuit cp = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::h, {1}), gate(gate_kind::phase, {1}, {0}, 0.6)});
  check_state(final_state(cp), {0.5, 0.5, 0.5, 0.5 * std::exp(i1 * 0.6)});
}

BOOST_AUTO_TEST_CASE(swap_and_controlled_swap_exchange_qubits) {
  check_state(final_state(make_circuit(2, {gate(gate_kind::x, {0}), gate(gate_kind::swap, {0, 1})})), {0, 0, 1, 0});
  // Fredkin: control 0 set, so qubits 1 and 2 trade places.
  check_state(final_state(make_circuit(3, {gate(gate_kind::x, {0}), gate(gate_kind::x, {1}),
                                           gate(gate_kind::swap, {1, 2}, {0})})),
              {0, 0, 0, 0, 0, 1, 0, 0});
  check_state(final_state(make_circuit(3, {gate(gate_kind::x, {1}), gate(gate_kind::swap, {1, 2}, {0})})),
              {0, 0, 1, 0, 0, 0, 0, 0});
}

BOOST_AUTO_TEST_CASE(ising_gates_match_the_exponential_of_their_pauli_product) {
  const double theta = 0.8;
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  // Start from a product state with four distinct amplitudes.
  const state a = prepared_qubit();
  const circuit prep = make_circuit(2, {gate(gate_kind::ry, {0}, {}, 0.7), gate(gate_kind::rz, {0}, {}, 1.1),
                                        gate(gate_kind::ry, {1}, {}, 0.7), gate(gate_kind::rz, {1}, {}, 1.1)});
  const state in = final_state(prep);
  BOOST_TEST(std::abs(in[1] - a[1] * a[0]) < tolerance);
  // P(x)P in the basis 00, 01, 10, 11 (index = q1 q0).
  const std::array<cplx, 16> xx{0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0};
  const std::array<cplx, 16> yy{0, 0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, -1, 0, 0, 0};
  const std::array<cplx, 16> zz{1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1};
  for (auto [kind, p] : {std::pair{gate_kind::xx, xx}, std::pair{gate_kind::yy, yy}, std::pair{gate_kind::zz, zz}}) {
    state expected(4, 0.0);
    for (std::size_t r = 0; r < 4; ++r) {
      for (std::size_t k = 0; k < 4; ++k) {
        expected[r] += ((r == k ? c : 0.0) - i1 * s * p[r * 4 + k]) * in[k];
      }
    }
    circuit run = prep;
    run.ops.push_back(gate(kind, {0, 1}, {}, theta));
    BOOST_TEST_CONTEXT("gate " << static_cast<int>(kind)) { check_state(final_state(run), expected); }
  }
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_counts) {
  const circuit c = make_circuit(3, {gate(gate_kind::h, {0}), gate(gate_kind::h, {1}), gate(gate_kind::ry, {2}, {}, 1.0)});
  run_options options;
  options.seed = 42;
  const auto first = simulate({c}, options).results.at(0).counts;
  const auto again = simulate({c}, options).results.at(0).counts;
  BOOST_TEST(first == again);
  options.seed = 43;
  BOOST_TEST(first != simulate({c}, options).results.at(0).counts);
}

BOOST_AUTO_TEST_CASE(counts_agree_with_the_probabilities) {
  // Fixed seed: the outcome is deterministic, and the bound (6 sigma) is loose
  // enough that any correct sampler passes with any seed.
  const circuit c = make_circuit(2, {gate(gate_kind::ry, {0}, {}, 1.0), gate(gate_kind::ry, {1}, {}, 2.2)});
  run_options options;
  options.shots = 100'000;
  options.seed = 7;
  const auto result = simulate({c}, options).results.at(0);
  BOOST_REQUIRE_EQUAL(result.probabilities.size(), 4U);
  BOOST_TEST(!result.probabilities_estimated);
  const auto counts = counts_of(result);
  std::uint64_t total = 0;
  for (const auto& [bits, p] : result.probabilities) {
    const double expected = p * static_cast<double>(options.shots);
    const double sigma = std::sqrt(expected * (1 - p));
    const double seen = static_cast<double>(counts.at(bits));
    total += counts.at(bits);
    BOOST_TEST_CONTEXT(bits << ": " << seen << " vs " << expected) { BOOST_TEST(std::abs(seen - expected) < 6 * sigma); }
  }
  BOOST_TEST(total == options.shots);
  const double p0 = std::pow(std::cos(0.5), 2) * std::pow(std::cos(1.1), 2);
  BOOST_TEST(std::abs(result.probabilities[0].second - p0) < tolerance);
}

BOOST_AUTO_TEST_CASE(unmeasured_qubits_are_marginalised) {
  circuit c = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::x, {1})});
  qjob::formats::operation m = gate(gate_kind::measure, {1});
  m.clbit = 0;
  c.ops.push_back(m);
  c.clbits = 1;
  const auto result = simulate({c}, run_options{}).results.at(0);
  BOOST_REQUIRE_EQUAL(result.probabilities.size(), 1U);
  BOOST_TEST(result.probabilities[0].first == "1");
  BOOST_TEST(std::abs(result.probabilities[0].second - 1.0) < tolerance);
}

BOOST_AUTO_TEST_CASE(circuits_of_one_job_are_sampled_with_different_seeds) {
  const circuit c = make_circuit(4, {gate(gate_kind::h, {0}), gate(gate_kind::h, {1}), gate(gate_kind::h, {2}), gate(gate_kind::h, {3})});
  const auto outcome = simulate({c, c}, run_options{});
  BOOST_REQUIRE_EQUAL(outcome.results.size(), 2U);
  BOOST_TEST(outcome.results[0].probabilities == outcome.results[1].probabilities);
  BOOST_TEST(outcome.results[0].counts != outcome.results[1].counts);
}

BOOST_AUTO_TEST_CASE(too_many_outcomes_leave_the_probabilities_empty_and_flagged) {
  const circuit c = make_circuit(3, {gate(gate_kind::h, {0}), gate(gate_kind::h, {1}), gate(gate_kind::h, {2})});
  run_options options;
  options.max_probabilities = 4;
  const auto result = simulate({c}, options).results.at(0);
  BOOST_TEST(result.probabilities_truncated);
  BOOST_TEST(result.probabilities.empty());
  BOOST_TEST(!result.counts.empty());
}

BOOST_AUTO_TEST_CASE(two_threads_give_the_same_result_as_one) {
  // 15 qubits: above the threading threshold, with gates on high and low
  // qubits, controls across tiles and two-qubit gates.
  circuit c = make_circuit(15, {});
  for (std::uint32_t layer = 0; layer < 3; ++layer) {
    for (std::uint32_t q = 0; q < 15; ++q) c.ops.push_back(gate(gate_kind::ry, {q}, {}, 0.1 * (q + 1) + layer));
    for (std::uint32_t q = 0; q + 1 < 15; ++q) c.ops.push_back(gate(gate_kind::x, {(q + 5) % 15}, {q}));
    c.ops.push_back(gate(gate_kind::zz, {0, 14}, {}, 0.4));
    c.ops.push_back(gate(gate_kind::swap, {2, 13}, {7}));
    c.ops.push_back(gate(gate_kind::u, {13}, {1, 12}, 0.9));
  }
  run_options one;
  one.shots = 2000;
  run_options two = one;
  two.threads = 2;
  const auto a = simulate({c}, one).results.at(0);
  const auto b = simulate({c}, two).results.at(0);
  BOOST_TEST(a.counts == b.counts);
  BOOST_REQUIRE_EQUAL(a.probabilities.size(), b.probabilities.size());
  for (std::size_t k = 0; k < a.probabilities.size(); ++k) {
    BOOST_TEST(a.probabilities[k].first == b.probabilities[k].first);
    BOOST_TEST(std::abs(a.probabilities[k].second - b.probabilities[k].second) < tolerance);
  }
  // The tiled, threaded path agrees with a naive gate-by-gate reference.
  check_state(final_state(c), naive_final_state(c));
}

BOOST_AUTO_TEST_CASE(a_set_cancel_flag_stops_the_run_without_results) {
  std::atomic<bool> cancel{true};
  run_options options;
  options.cancel = &cancel;
  const auto outcome = simulate({make_circuit(2, {gate(gate_kind::h, {0})})}, options);
  BOOST_TEST(outcome.cancelled);
  BOOST_TEST(outcome.results.empty());
}

BOOST_AUTO_TEST_CASE(cancelling_from_another_thread_stops_a_long_run) {
  circuit c = make_circuit(16, {});
  for (int layer = 0; layer < 2000; ++layer) {
    for (std::uint32_t q = 0; q < 16; ++q) c.ops.push_back(gate(gate_kind::h, {q}));
  }
  std::atomic<bool> cancel{false};
  run_options options;
  options.threads = 2;
  options.cancel = &cancel;
  std::jthread canceller([&] { cancel.store(true); });
  const auto outcome = simulate({c}, options);
  BOOST_TEST(outcome.cancelled);
  BOOST_TEST(outcome.results.empty());
}

BOOST_AUTO_TEST_CASE(mid_circuit_measurement_drives_a_conditional_gate) {
  // q0 is |1>, measured, and the if copies it onto q1: always "11".
  const circuit c = qasm(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[2]; creg c[1]; creg d[1];
x q[0];
measure q[0] -> c[0];
if (c == 1) x q[1];
measure q[1] -> d[0];
)");
  BOOST_TEST(c.dynamic);
  const auto result = simulate({c}, run_options{}).results.at(0);
  BOOST_TEST(result.probabilities_estimated);
  BOOST_REQUIRE_EQUAL(result.counts.size(), 1U);
  BOOST_TEST(result.counts[0].first == "11");
}

BOOST_AUTO_TEST_CASE(random_mid_circuit_outcomes_are_followed_per_shot) {
  // A coin flip copied by a conditional: "00" or "11", never mixed.
  const circuit c = qasm(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[2]; creg c[1]; creg d[1];
h q[0];
measure q[0] -> c[0];
if (c == 1) x q[1];
measure q[1] -> d[0];
)");
  run_options options;
  options.shots = 4000;
  const auto result = simulate({c}, options).results.at(0);
  const auto counts = counts_of(result);
  BOOST_REQUIRE_EQUAL(counts.size(), 2U);
  BOOST_TEST(counts.at("00") + counts.at("11") == 4000U);
  BOOST_TEST(std::abs(static_cast<double>(counts.at("00")) - 2000.0) < 6 * std::sqrt(1000.0));
  const auto exact = qjob::local::outcome_probabilities(c);
  BOOST_REQUIRE_EQUAL(exact.size(), 2U);
  BOOST_TEST(std::abs(exact[0].second - 0.5) < tolerance);
  BOOST_TEST(exact[1].first == "11");
}

BOOST_AUTO_TEST_CASE(reset_returns_a_measured_qubit_to_zero) {
  const circuit c = qasm(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[1]; creg c[2];
h q[0];
measure q[0] -> c[0];
reset q[0];
measure q[0] -> c[1];
)");
  BOOST_TEST(c.dynamic);
  run_options options;
  options.shots = 500;
  const auto counts = counts_of(simulate({c}, options).results.at(0));
  BOOST_TEST(counts.size() == 2U);
  BOOST_TEST(counts.count("00") == 1U);
  BOOST_TEST(counts.count("01") == 1U);
  const auto exact = qjob::local::outcome_probabilities(c);
  BOOST_REQUIRE_EQUAL(exact.size(), 2U);
  BOOST_TEST(exact[0].first == "00");
  BOOST_TEST(std::abs(exact[1].second - 0.5) < tolerance);
}

BOOST_AUTO_TEST_CASE(dynamic_circuits_are_reproducible_from_the_seed) {
  const circuit c = qasm(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[3]; creg c[3];
h q; measure q[0] -> c[0]; reset q[0]; h q[0]; cx q[0], q[2];
measure q -> c;
)");
  run_options options;
  options.seed = 99;
  BOOST_TEST(simulate({c}, options).results.at(0).counts == simulate({c}, options).results.at(0).counts);
}

BOOST_AUTO_TEST_SUITE_END()
