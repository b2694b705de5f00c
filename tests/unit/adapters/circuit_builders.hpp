#pragma once

#include "formats/circuit.hpp"
#include "formats/circuit_analysis.hpp"
#include "formats/qasm2_parser.hpp"

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>
#include <variant>

namespace qjob::test {

/// One operation on `targets`, controlled by `controls`, with angle `angle`.
inline formats::operation gate(formats::gate_kind kind, std::initializer_list<std::uint32_t> targets,
                               std::initializer_list<std::uint32_t> controls = {}, double angle = 0.0) {
  formats::operation op;
  op.gate = kind;
  op.targets = targets;
  op.controls = controls;
  op.params[0] = angle;
  return op;
}

/// A circuit of `qubits` qubits running `ops`, measured by the default rule.
inline formats::circuit make_circuit(std::uint32_t qubits, std::initializer_list<formats::operation> ops) {
  formats::circuit c;
  c.qubits = qubits;
  c.clbits = qubits;
  c.ops = ops;
  c.dynamic = formats::needs_per_shot_simulation(c);
  return c;
}

/// Parses a program the test expects to be valid; fails the test otherwise.
inline formats::circuit qasm(const std::string& program) {
  auto parsed = formats::parse_qasm2(program, "input", formats::input_limits{});
  if (const auto* error = std::get_if<formats::input_error>(&parsed)) {
    BOOST_FAIL("unexpected parse error: " << error->message);
  }
  return std::get<formats::circuit>(std::move(parsed));
}

}  // namespace qjob::test
