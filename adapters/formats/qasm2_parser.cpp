#include "qasm2_parser.hpp"

#include "circuit_analysis.hpp"
#include "qasm2_expression.hpp"
#include "qasm2_lexer.hpp"
#include "qasm2_standard_gates.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qjob::formats {
namespace {

using qasm::expression;
using qasm::failure;
using qasm::token;
using qasm::token_kind;

// Outcome keys are 64-bit words, so wider classical state cannot be reported.
constexpr std::uint32_t max_clbits = 64;

// Terms (operands, signs, parentheses) in one parameter expression. The parser
// and the evaluation recurse once per level, so without a bound "------...x" or
// "((((...))))" overflowed the stack (found by tests/fuzz); real programs write a
// handful.
constexpr std::size_t max_expression_terms = 1000;

// How deep gate definitions may call one another. Expansion recurses once per
// level, so a chain of 100,000 definitions overflowed the stack (found by
// tests/fuzz); real programs nest a few levels.
constexpr std::uint32_t max_gate_nesting = 256;

struct gate_def;

[[noreturn]] void fail(std::uint32_t line, std::string what) { throw failure{line, std::move(what)}; }

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// One statement of a gate body: a gate application (or barrier) on formal
// qubit arguments, with parameter expressions over the formal parameters.
struct body_op {
  std::string name;
  // The gate the name meant where the body was written: a later definition of the
  // same name does not change it, so no definition can reach itself.
  std::shared_ptr<const gate_def> target;  // null for a barrier
  bool barrier = false;
  std::vector<expression> params;
  std::vector<std::uint32_t> args;
  std::uint32_t line = 0;
};

struct gate_def {
  enum class kind : std::uint8_t { native, user, opaque };
  kind type = kind::user;
  const qasm::native_gate* native = nullptr;
  std::uint32_t params = 0;
  std::uint32_t qubits = 0;
  std::uint32_t depth = 0;  // 0 for a native gate, else 1 + the deepest gate its body applies
  std::vector<body_op> body;
};

struct register_def {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

// A resolved argument: one bit, or a whole register (broadcast).
struct argument {
  std::string text;
  std::uint32_t offset = 0;
  std::uint32_t size = 1;
  bool whole = false;
};

struct condition {
  bool present = false;
  std::uint32_t offset = 0;
  std::uint32_t width = 0;
  std::uint64_t value = 0;
};

class parser {
 public:
  parser(std::vector<token> tokens, const input_limits& limits)
      : tokens_(std::move(tokens)), limits_(limits),
        work_budget_(16ULL * limits.max_operations + 1'000'000ULL) {
    for (const qasm::native_gate& g : qasm::builtin_gates()) add_native(g);
  }

  circuit parse_program() {
    parse_version();
    while (peek().kind != token_kind::end) statement();
    if (out_.qubits == 0) fail(peek().line, "the program declares no qubits");
    if (!measured_) {
      // IonQ's convention, which our circuit model follows: without any
      // measurement every qubit is read into the classical bit of its index.
      out_.clbits = out_.qubits;
    }
    out_.dynamic = needs_per_shot_simulation(out_);
    return std::move(out_);
  }

  // Adds the definitions of the built-in qelib1.inc copy that are plain QASM.
  void parse_definitions() {
    while (peek().kind != token_kind::end) statement();
  }

 private:
  // ---- tokens
  const token& peek() const { return tokens_[pos_]; }
  const token& next() {
    const token& t = tokens_[pos_];
    if (t.kind != token_kind::end) ++pos_;
    return t;
  }
  bool is_symbol(std::string_view s) const { return peek().kind == token_kind::symbol && peek().text == s; }
  bool accept(std::string_view s) {
    if (!is_symbol(s)) return false;
    ++pos_;
    return true;
  }
  static std::string describe(const token& t) {
    switch (t.kind) {
      case token_kind::end: return "end of program";
      case token_kind::string: return "\"" + t.text + "\"";
      default: return "'" + t.text + "'";
    }
  }
  void expect(std::string_view s, std::string_view context) {
    if (!accept(s)) {
      fail(peek().line, "expected '" + std::string(s) + "' " + std::string(context) + ", found " + describe(peek()));
    }
  }
  std::string expect_identifier(std::string_view what) {
    if (peek().kind != token_kind::identifier) {
      fail(peek().line, "expected " + std::string(what) + ", found " + describe(peek()));
    }
    return next().text;
  }
  std::uint64_t expect_integer(std::string_view what) {
    const token& t = peek();
    if (t.kind != token_kind::number || !t.integer || t.text.size() > 18) {
      fail(t.line, "expected " + std::string(what) + " (a non-negative integer), found " + describe(t));
    }
    next();
    return std::stoull(t.text);
  }

  // ---- statements
  void parse_version() {
    const token& t = peek();
    if (t.kind != token_kind::identifier || t.text != "OPENQASM") {
      fail(t.line, "expected 'OPENQASM 2.0;' first, found " + describe(t));
    }
    next();
    const token& version = next();
    if (version.kind != token_kind::number) fail(version.line, "expected a version after OPENQASM");
    if (version.number != 2.0) {
      fail(version.line, "unsupported OpenQASM version " + version.text + " (only 2.0 is supported)");
    }
    expect(";", "after the version");
  }

  void statement() {
    const token& t = peek();
    if (t.kind != token_kind::identifier) fail(t.line, "unexpected " + describe(t) + " at the start of a statement");
    const std::string& word = t.text;
    if (word == "OPENQASM") fail(t.line, "OPENQASM may only appear once, first");
    if (word == "include") return include();
    if (word == "qreg" || word == "creg") return declare_register(word == "qreg");
    if (word == "gate") return define_gate(false);
    if (word == "opaque") return define_gate(true);
    if (word == "if") return conditional_statement();
    quantum_statement(condition{});
  }

  void include() {
    const std::uint32_t line = next().line;
    const token& file = next();
    if (file.kind != token_kind::string) fail(line, "expected a file name in quotes after include");
    if (file.text != "qelib1.inc") fail(line, "cannot include \"" + file.text + "\" (only qelib1.inc is built in)");
    expect(";", "after include");
    if (included_) return;
    included_ = true;
    for (const qasm::native_gate& g : qasm::standard_gates()) add_native(g);
    parser definitions(qasm::tokenize(qasm::standard_gate_definitions()), limits_);
    definitions.gates_ = gates_;
    definitions.parse_definitions();
    gates_ = std::move(definitions.gates_);
  }

  void declare_register(bool quantum) {
    const std::uint32_t line = next().line;
    const std::string name = expect_identifier("a register name");
    expect("[", "after the register name");
    const std::uint64_t size = expect_integer("a register size");
    expect("]", "after the register size");
    expect(";", "after the register declaration");
    if (size == 0) fail(line, "register '" + name + "' has size 0");
    if (qregs_.contains(name) || cregs_.contains(name)) fail(line, "register '" + name + "' is already declared");
    if (quantum) {
      if (out_.qubits + size > limits_.max_qubits) {
        fail(line, "the program declares " + std::to_string(out_.qubits + size) + " qubits; the limit is " +
                       limit_text(limits_.max_qubits, limits_.qubits_source));
      }
      qregs_[name] = register_def{out_.qubits, static_cast<std::uint32_t>(size)};
      out_.qubits += static_cast<std::uint32_t>(size);
    } else {
      if (out_.clbits + size > max_clbits) {
        fail(line, "the program declares " + std::to_string(out_.clbits + size) +
                       " classical bits; at most " + std::to_string(max_clbits) + " are supported");
      }
      cregs_[name] = register_def{out_.clbits, static_cast<std::uint32_t>(size)};
      out_.clbits += static_cast<std::uint32_t>(size);
    }
  }

  std::vector<std::string> identifier_list(std::string_view what, std::string_view closing) {
    std::vector<std::string> names;
    if (is_symbol(closing)) return names;
    do {
      const std::uint32_t line = peek().line;
      std::string name = expect_identifier(what);
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        fail(line, "'" + name + "' appears twice in the gate's " + std::string(what) + "s");
      }
      names.push_back(std::move(name));
    } while (accept(","));
    return names;
  }

  void define_gate(bool opaque) {
    const std::uint32_t line = next().line;
    const std::string name = expect_identifier("a gate name");
    std::vector<std::string> params;
    if (accept("(")) {
      params = identifier_list("parameter", ")");
      expect(")", "after the gate's parameters");
    }
    if (peek().kind != token_kind::identifier) fail(peek().line, "gate '" + name + "' needs qubit arguments");
    const std::vector<std::string> args = identifier_list("qubit argument", "{");
    gate_def def;
    def.params = static_cast<std::uint32_t>(params.size());
    def.qubits = static_cast<std::uint32_t>(args.size());
    if (opaque) {
      expect(";", "after the opaque declaration");
      def.type = gate_def::kind::opaque;
      gates_[name] = std::make_shared<const gate_def>(std::move(def));
      return;
    }
    expect("{", "to open the body of gate '" + name + "'");
    while (!accept("}")) {
      if (peek().kind == token_kind::end) fail(line, "gate '" + name + "' has no closing '}'");
      def.body.push_back(body_statement(params, args));
      if (const auto& target = def.body.back().target) def.depth = std::max(def.depth, target->depth + 1);
    }
    if (def.depth > max_gate_nesting)
      fail(line, "gate '" + name + "' nests definitions " + std::to_string(def.depth) + " deep; the limit is " +
                     std::to_string(max_gate_nesting));
    gates_[name] = std::make_shared<const gate_def>(std::move(def));
  }

  body_op body_statement(const std::vector<std::string>& params, const std::vector<std::string>& args) {
    body_op op;
    op.line = peek().line;
    op.name = expect_identifier("a gate application in the gate body");
    op.barrier = op.name == "barrier";
    const gate_def* def = nullptr;
    if (!op.barrier) {
      op.target = find_gate(op.name, op.line);
      def = op.target.get();
      if (accept("(")) {
        op.params = expression_list(&params);
        expect(")", "after the parameters");
      }
    }
    do {
      const std::uint32_t line = peek().line;
      const std::string arg = expect_identifier("a qubit argument");
      if (is_symbol("[")) fail(line, "'" + arg + "' cannot be indexed inside a gate definition");
      const auto found = std::find(args.begin(), args.end(), arg);
      if (found == args.end()) fail(line, "'" + arg + "' is not an argument of the gate being defined");
      op.args.push_back(static_cast<std::uint32_t>(found - args.begin()));
    } while (accept(","));
    expect(";", "after the gate application");
    if (def != nullptr) check_signature(op.name, *def, op.params.size(), op.args.size(), op.line);
    for (std::size_t i = 0; i < op.args.size(); ++i) {
      for (std::size_t j = i + 1; j < op.args.size(); ++j) {
        if (op.args[i] == op.args[j]) fail(op.line, "qubit '" + args[op.args[i]] + "' used twice in '" + op.name + "'");
      }
    }
    return op;
  }

  void conditional_statement() {
    const std::uint32_t line = next().line;
    expect("(", "after if");
    const std::string name = expect_identifier("a classical register");
    const auto found = cregs_.find(name);
    if (found == cregs_.end()) fail(line, "undefined classical register '" + name + "'");
    expect("==", "in the condition");
    condition cond;
    cond.present = true;
    cond.offset = found->second.offset;
    cond.width = found->second.size;
    cond.value = expect_integer("a value to compare with");
    expect(")", "after the condition");
    const token& t = peek();
    if (t.kind != token_kind::identifier || t.text == "if" || t.text == "gate" || t.text == "opaque" ||
        t.text == "qreg" || t.text == "creg" || t.text == "include" || t.text == "barrier") {
      fail(t.line, "expected a gate, measure or reset after if, found " + describe(t));
    }
    quantum_statement(cond);
  }

  void quantum_statement(const condition& cond) {
    const token& t = peek();
    if (t.text == "measure") return measure(cond);
    if (t.text == "reset") return reset(cond);
    if (t.text == "barrier") return barrier();
    gate_application(cond);
  }

  void measure(const condition& cond) {
    const std::uint32_t line = next().line;
    const argument q = parse_argument(qregs_, "quantum register");
    expect("->", "in measure");
    const argument c = parse_argument(cregs_, "classical register");
    expect(";", "after measure");
    if (q.whole != c.whole || q.size != c.size) {
      fail(line, "measure " + q.text + " -> " + c.text +
                     " needs both sides indexed, or both whole registers of equal size");
    }
    measured_ = true;
    for (std::uint32_t i = 0; i < q.size; ++i) {
      operation op;
      op.gate = gate_kind::measure;
      op.targets = {q.offset + i};
      op.clbit = c.offset + i;
      emit(std::move(op), cond, line);
    }
  }

  void reset(const condition& cond) {
    const std::uint32_t line = next().line;
    const argument q = parse_argument(qregs_, "quantum register");
    expect(";", "after reset");
    for (std::uint32_t i = 0; i < q.size; ++i) {
      operation op;
      op.gate = gate_kind::reset;
      op.targets = {q.offset + i};
      emit(std::move(op), cond, line);
    }
  }

  void barrier() {
    const std::uint32_t line = next().line;
    operation op;
    op.gate = gate_kind::barrier;
    do {
      const argument q = parse_argument(qregs_, "quantum register");
      for (std::uint32_t i = 0; i < q.size; ++i) {
        if (std::find(op.targets.begin(), op.targets.end(), q.offset + i) == op.targets.end()) {
          op.targets.push_back(q.offset + i);
        }
      }
    } while (accept(","));
    expect(";", "after barrier");
    emit(std::move(op), condition{}, line);
  }

  void gate_application(const condition& cond) {
    const std::uint32_t line = peek().line;
    const std::string name = next().text;
    const gate_def& def = *find_gate(name, line);
    std::vector<double> values;
    if (accept("(")) {
      for (const expression& e : expression_list(nullptr)) values.push_back(e.evaluate({}));
      expect(")", "after the parameters");
    }
    std::vector<argument> args;
    if (peek().kind != token_kind::identifier) {
      fail(peek().line, "expected a qubit argument for '" + name + "', found " + describe(peek()));
    }
    do {
      args.push_back(parse_argument(qregs_, "quantum register"));
    } while (accept(","));
    expect(";", "after the gate application");
    check_signature(name, def, values.size(), args.size(), line);
    check_finite(name, values, line);

    std::uint32_t repeat = 1;
    for (const argument& a : args) {
      if (!a.whole) continue;
      if (repeat != 1 && a.size != repeat) fail(line, "registers of different sizes in '" + name + "'");
      repeat = a.size;
    }
    std::vector<std::uint32_t> qubits(args.size());
    for (std::uint32_t r = 0; r < repeat; ++r) {
      for (std::size_t i = 0; i < args.size(); ++i) qubits[i] = args[i].offset + (args[i].whole ? r : 0);
      for (std::size_t i = 0; i < qubits.size(); ++i) {
        for (std::size_t j = i + 1; j < qubits.size(); ++j) {
          if (qubits[i] == qubits[j]) fail(line, "the same qubit is used twice in '" + name + "'");
        }
      }
      apply(name, def, values, qubits, cond, line);
    }
  }

  void apply(const std::string& name, const gate_def& def, const std::vector<double>& values,
             const std::vector<std::uint32_t>& qubits, const condition& cond, std::uint32_t line) {
    if (work_budget_-- == 0) fail(line, "expanding '" + name + "' exceeds the operation limit");
    switch (def.type) {
      case gate_def::kind::opaque:
        fail(line, "opaque gate '" + name + "' has no definition and cannot be run");
      case gate_def::kind::native: {
        std::vector<operation> ops;
        def.native->emit(values, qubits, ops);
        for (operation& op : ops) emit(std::move(op), cond, line);
        return;
      }
      case gate_def::kind::user:
        break;
    }
    std::vector<double> inner_values;
    std::vector<std::uint32_t> inner_qubits;
    for (const body_op& op : def.body) {
      inner_qubits.clear();
      for (std::uint32_t a : op.args) inner_qubits.push_back(qubits[a]);
      if (op.barrier) {
        operation b;
        b.gate = gate_kind::barrier;
        b.targets = inner_qubits;
        emit(std::move(b), cond, line);
        continue;
      }
      inner_values.clear();
      for (const expression& e : op.params) inner_values.push_back(e.evaluate(values));
      check_finite(op.name, inner_values, line);
      // Bodies only refer to gates defined before them (op.target), so this
      // terminates, at most max_gate_nesting deep; the work budget bounds the
      // expansion's size.
      apply(op.name, *op.target, inner_values, inner_qubits, cond, line);
    }
  }

  void emit(operation op, const condition& cond, std::uint32_t line) {
    if (out_.ops.size() >= limits_.max_operations) {
      fail(line, "the program has more than " + std::to_string(limits_.max_operations) +
                     " operations once expanded; the limit is " +
                     limit_text(limits_.max_operations, limits_.operations_source));
    }
    if (cond.present) {
      op.conditional = true;
      op.condition_offset = cond.offset;
      op.condition_width = cond.width;
      op.condition_value = cond.value;
    }
    out_.ops.push_back(std::move(op));
  }

  // ---- names
  void add_native(const qasm::native_gate& g) {
    gate_def def;
    def.type = gate_def::kind::native;
    def.native = &g;
    def.params = g.params;
    def.qubits = g.qubits;
    gates_[std::string(g.name)] = std::make_shared<const gate_def>(std::move(def));
  }

  const std::shared_ptr<const gate_def>& find_gate(const std::string& name, std::uint32_t line) const {
    const auto found = gates_.find(name);
    if (found == gates_.end()) {
      const bool standard = std::any_of(qasm::standard_gates().begin(), qasm::standard_gates().end(),
                                        [&](const qasm::native_gate& g) { return g.name == name; });
      fail(line, "undefined gate '" + name + "'" + (standard ? " (missing include \"qelib1.inc\";?)" : ""));
    }
    return found->second;
  }

  static void check_signature(const std::string& name, const gate_def& def, std::size_t params, std::size_t qubits,
                              std::uint32_t line) {
    if (params != def.params) {
      fail(line, "gate '" + name + "' takes " + plural(def.params, "parameter") + ", got " + std::to_string(params));
    }
    if (qubits != def.qubits) {
      fail(line, "gate '" + name + "' acts on " + plural(def.qubits, "qubit") + ", got " + std::to_string(qubits));
    }
  }

  static void check_finite(const std::string& name, const std::vector<double>& values, std::uint32_t line) {
    for (double v : values) {
      if (!std::isfinite(v)) fail(line, "a parameter of '" + name + "' is not a finite number");
    }
  }

  argument parse_argument(const std::map<std::string, register_def>& registers, std::string_view what) {
    const std::uint32_t line = peek().line;
    argument arg;
    arg.text = expect_identifier(std::string("a ") + std::string(what));
    const auto found = registers.find(arg.text);
    if (found == registers.end()) fail(line, "undefined " + std::string(what) + " '" + arg.text + "'");
    if (accept("[")) {
      const std::uint64_t index = expect_integer("an index");
      expect("]", "after the index");
      if (index >= found->second.size) {
        fail(line, "index " + std::to_string(index) + " out of range for " + arg.text + "[" +
                       std::to_string(found->second.size) + "]");
      }
      arg.text += "[" + std::to_string(index) + "]";
      arg.offset = found->second.offset + static_cast<std::uint32_t>(index);
    } else {
      arg.whole = true;
      arg.offset = found->second.offset;
      arg.size = found->second.size;
    }
    return arg;
  }

  // ---- expressions; `params` names the enclosing gate's parameters, if any.
  std::vector<expression> expression_list(const std::vector<std::string>* params) {
    std::vector<expression> list;
    if (is_symbol(")")) return list;
    do {
      expression_terms_ = 0;
      list.push_back(parse_sum(params));
    } while (accept(","));
    return list;
  }

  static expression binary(char op, expression a, expression b) {
    expression e;
    e.type = expression::kind::binary;
    e.op = op;
    e.operands.push_back(std::move(a));
    e.operands.push_back(std::move(b));
    return e;
  }

  expression parse_sum(const std::vector<std::string>* params) {
    expression left = parse_product(params);
    while (is_symbol("+") || is_symbol("-")) {
      const char op = next().text[0];
      left = binary(op, std::move(left), parse_product(params));
    }
    return left;
  }

  expression parse_product(const std::vector<std::string>* params) {
    expression left = parse_unary(params);
    while (is_symbol("*") || is_symbol("/")) {
      const char op = next().text[0];
      left = binary(op, std::move(left), parse_unary(params));
    }
    return left;
  }

  expression parse_unary(const std::vector<std::string>* params) {
    if (++expression_terms_ > max_expression_terms)
      fail(peek().line, "the expression has more than " + plural(max_expression_terms, "term"));
    if (accept("-")) {
      expression e;
      e.type = expression::kind::negate;
      e.operands.push_back(parse_unary(params));
      return e;
    }
    if (accept("+")) return parse_unary(params);
    expression base = parse_primary(params);
    if (accept("^")) return binary('^', std::move(base), parse_unary(params));
    return base;
  }

  expression parse_primary(const std::vector<std::string>* params) {
    const token& t = peek();
    expression e;
    if (t.kind == token_kind::number) {
      next();
      e.value = t.number;
      return e;
    }
    if (accept("(")) {
      e = parse_sum(params);
      expect(")", "to close the parenthesis");
      return e;
    }
    if (t.kind != token_kind::identifier) fail(t.line, "expected an expression, found " + describe(t));
    const std::string name = next().text;
    if (name == "pi") {
      e.value = 3.14159265358979323846;
      return e;
    }
    if (qasm::is_expression_function(name)) {
      expect("(", "after '" + name + "'");
      e.type = expression::kind::function;
      e.function = name;
      e.operands.push_back(parse_sum(params));
      expect(")", "after the argument of '" + name + "'");
      return e;
    }
    if (params != nullptr) {
      const auto found = std::find(params->begin(), params->end(), name);
      if (found != params->end()) {
        e.type = expression::kind::parameter;
        e.index = static_cast<std::uint32_t>(found - params->begin());
        return e;
      }
    }
    fail(t.line, "unknown identifier '" + name + "' in an expression");
  }

  std::vector<token> tokens_;
  std::size_t pos_ = 0;
  input_limits limits_;
  std::uint64_t work_budget_;
  std::size_t expression_terms_ = 0;  // parse_unary calls in the expression being read
  std::map<std::string, std::shared_ptr<const gate_def>> gates_;
  std::map<std::string, register_def> qregs_;
  std::map<std::string, register_def> cregs_;
  bool included_ = false;
  bool measured_ = false;
  circuit out_;
};

}  // namespace

std::variant<circuit, input_error> parse_qasm2(std::string_view program, std::string_view field,
                                               const input_limits& limits) {
  try {
    parser p(qasm::tokenize(program), limits);
    return p.parse_program();
  } catch (const failure& f) {
    return input_error{"line " + std::to_string(f.line) + ": " + f.what, std::string(field)};
  }
}

}  // namespace qjob::formats
