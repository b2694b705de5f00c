#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qjob::formats::qasm {

/// A parsed parameter expression of OpenQASM 2.0: numbers, `pi`, the parameters of
/// the enclosing gate definition, + - * / ^, unary minus and the functions sin cos
/// tan exp ln sqrt. Evaluated each time a gate is applied, with that call's values.
struct expression {
  enum class kind : std::uint8_t { number, parameter, negate, binary, function };
  kind type = kind::number;
  double value = 0.0;         // number
  std::uint32_t index = 0;    // parameter: position in the gate's parameter list
  char op = '+';              // binary: + - * / ^
  std::string function;       // function: sin cos tan exp ln sqrt
  std::vector<expression> operands;

  /// The value with `parameters` bound by position. Pure. Division by zero and
  /// domain errors give inf/NaN, which the parser rejects after evaluation.
  double evaluate(std::span<const double> parameters) const;
};

/// True for the function names an expression may call.
bool is_expression_function(const std::string& name);

}  // namespace qjob::formats::qasm
