#include "qasm2_expression.hpp"

#include <cmath>

namespace qjob::formats::qasm {

bool is_expression_function(const std::string& name) {
  return name == "sin" || name == "cos" || name == "tan" || name == "exp" || name == "ln" || name == "sqrt";
}

double expression::evaluate(std::span<const double> parameters) const {
  switch (type) {
    case kind::number:
      return value;
    case kind::parameter:
      return parameters[index];
    case kind::negate:
      return -operands[0].evaluate(parameters);
    case kind::binary: {
      const double a = operands[0].evaluate(parameters);
      const double b = operands[1].evaluate(parameters);
      switch (op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        default: return std::pow(a, b);
      }
    }
    case kind::function: {
      const double a = operands[0].evaluate(parameters);
      if (function == "sin") return std::sin(a);
      if (function == "cos") return std::cos(a);
      if (function == "tan") return std::tan(a);
      if (function == "exp") return std::exp(a);
      if (function == "ln") return std::log(a);
      return std::sqrt(a);
    }
  }
  return 0.0;
}

}  // namespace qjob::formats::qasm
