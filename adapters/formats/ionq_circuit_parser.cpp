#include "ionq_circuit_parser.hpp"

#include "circuit_analysis.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace qjob::formats {
namespace {

namespace json = boost::json;

enum class gate_shape { one_qubit, rotation, controlled_not, swap, ising };

struct gate_spec {
  std::string_view name;
  gate_kind kind;
  gate_shape shape;
};

constexpr gate_spec gate_specs[] = {
    {"h", gate_kind::h, gate_shape::one_qubit},        {"x", gate_kind::x, gate_shape::one_qubit},
    {"not", gate_kind::x, gate_shape::one_qubit},      {"y", gate_kind::y, gate_shape::one_qubit},
    {"z", gate_kind::z, gate_shape::one_qubit},        {"s", gate_kind::s, gate_shape::one_qubit},
    {"si", gate_kind::si, gate_shape::one_qubit},      {"t", gate_kind::t, gate_shape::one_qubit},
    {"ti", gate_kind::ti, gate_shape::one_qubit},      {"v", gate_kind::v, gate_shape::one_qubit},
    {"vi", gate_kind::vi, gate_shape::one_qubit},      {"rx", gate_kind::rx, gate_shape::rotation},
    {"ry", gate_kind::ry, gate_shape::rotation},       {"rz", gate_kind::rz, gate_shape::rotation},
    {"cnot", gate_kind::x, gate_shape::controlled_not}, {"swap", gate_kind::swap, gate_shape::swap},
    {"xx", gate_kind::xx, gate_shape::ising},          {"yy", gate_kind::yy, gate_shape::ising},
    {"zz", gate_kind::zz, gate_shape::ising},
};

const gate_spec* find_gate(std::string_view name) {
  for (const gate_spec& spec : gate_specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Thrown inside this file only, to unwind from deep checks to the one catch in
// parse_ionq_circuit; it never leaves the parser.
struct parse_failure {
  input_error error;
};

[[noreturn]] void fail(std::string message, std::string field) {
  throw parse_failure{input_error{std::move(message), std::move(field)}};
}

std::optional<std::int64_t> as_integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

class gate_reader {
 public:
  gate_reader(const json::object& gate, std::string path, std::uint32_t qubits)
      : gate_(gate), path_(std::move(path)), qubits_(qubits) {}

  std::uint32_t qubit(const json::value& v, const std::string& field) const {
    const std::optional<std::int64_t> index = as_integer(v);
    if (!index) fail("qubit index must be an integer at " + field, field);
    if (*index < 0 || *index >= static_cast<std::int64_t>(qubits_)) {
      fail("qubit " + std::to_string(*index) + " out of range at " + field + " (the circuit has " +
               std::to_string(qubits_) + " qubits)",
           field);
    }
    return static_cast<std::uint32_t>(*index);
  }

  // Reads `single` (an integer) or `plural` (an array of integers); both at once
  // is ambiguous and refused.
  std::vector<std::uint32_t> qubit_list(std::string_view single, std::string_view plural, bool required) const {
    const json::value* one = gate_.if_contains(single);
    const json::value* many = gate_.if_contains(plural);
    std::vector<std::uint32_t> out;
    if (one != nullptr && many != nullptr) {
      fail("both '" + std::string(single) + "' and '" + std::string(plural) + "' given at " + path_,
           path_ + "." + std::string(plural));
    }
    if (one != nullptr) {
      out.push_back(qubit(*one, path_ + "." + std::string(single)));
    } else if (many != nullptr) {
      const std::string field = path_ + "." + std::string(plural);
      if (!many->is_array()) fail("'" + std::string(plural) + "' must be an array at " + path_, field);
      const json::array& items = many->get_array();
      if (items.empty()) fail("'" + std::string(plural) + "' is empty at " + path_, field);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string item_field = field + "[" + std::to_string(i) + "]";
        const std::uint32_t q = qubit(items[i], item_field);
        if (std::find(out.begin(), out.end(), q) != out.end()) {
          fail("qubit " + std::to_string(q) + " repeated at " + field, item_field);
        }
        out.push_back(q);
      }
    } else if (required) {
      fail("missing '" + std::string(single) + "' at " + path_, path_ + "." + std::string(single));
    }
    return out;
  }

  double rotation() const {
    const std::string field = path_ + ".rotation";
    const json::value* v = gate_.if_contains("rotation");
    if (v == nullptr) fail("missing 'rotation' at " + path_, field);
    double angle = 0.0;
    if (v->is_double()) {
      angle = v->get_double();
    } else if (v->is_int64()) {
      angle = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
      angle = static_cast<double>(v->get_uint64());
    } else {
      fail("'rotation' must be a number (radians) at " + path_, field);
    }
    if (!std::isfinite(angle)) fail("'rotation' must be finite at " + path_, field);
    return angle;
  }

  const std::string& path() const { return path_; }

 private:
  const json::object& gate_;
  std::string path_;
  std::uint32_t qubits_;
};

void parse_gate(const json::value& item, const std::string& path, std::uint32_t qubits, circuit& out) {
  if (!item.is_object()) fail(path + " must be an object", path);
  const json::object& gate = item.get_object();
  const json::value* name_value = gate.if_contains("gate");
  if (name_value == nullptr) fail("missing 'gate' at " + path, path + ".gate");
  if (!name_value->is_string()) fail("'gate' must be a string at " + path, path + ".gate");
  const std::string_view name = name_value->get_string();
  const gate_spec* spec = find_gate(name);
  if (spec == nullptr) fail("unknown gate '" + std::string(name) + "' at " + path, path + ".gate");

  const bool takes_rotation = spec->shape == gate_shape::rotation || spec->shape == gate_shape::ising;
  for (const auto& entry : gate) {
    const std::string_view key = entry.key();
    const bool known = key == "gate" || key == "target" || key == "targets" || key == "control" ||
                       key == "controls" || (key == "rotation" && takes_rotation);
    if (!known) {
      fail("unknown key '" + std::string(key) + "' at " + path + " (gate '" + std::string(name) + "')",
           path + "." + std::string(key));
    }
  }

  gate_reader reader(gate, path, qubits);
  const std::vector<std::uint32_t> targets = reader.qubit_list("target", "targets", true);
  const std::vector<std::uint32_t> controls = reader.qubit_list("control", "controls", false);
  for (std::uint32_t c : controls) {
    if (std::find(targets.begin(), targets.end(), c) != targets.end()) {
      fail("qubit " + std::to_string(c) + " is both control and target at " + path,
           path + (gate.contains("control") ? ".control" : ".controls"));
    }
  }
  if (spec->shape == gate_shape::controlled_not && controls.empty()) {
    fail("gate 'cnot' needs a 'control' at " + path, path + ".control");
  }

  operation op;
  op.gate = spec->kind;
  op.controls = controls;
  switch (spec->shape) {
    case gate_shape::swap:
    case gate_shape::ising:
      if (targets.size() != 2) {
        fail("gate '" + std::string(name) + "' needs exactly 2 'targets' at " + path, path + ".targets");
      }
      op.targets = targets;
      if (spec->shape == gate_shape::ising) op.params[0] = reader.rotation();
      out.ops.push_back(std::move(op));
      return;
    case gate_shape::rotation:
      op.params[0] = reader.rotation();
      break;
    case gate_shape::one_qubit:
    case gate_shape::controlled_not:
      break;
  }
  // A one-qubit gate with several targets acts on each of them, as IonQ does.
  for (std::uint32_t t : targets) {
    operation each = op;
    each.targets = {t};
    out.ops.push_back(std::move(each));
  }
}

circuit parse_circuit(const json::value& input, const std::string& path, const input_limits& limits) {
  if (!input.is_object()) fail(path + " must be a JSON object with 'qubits' and 'circuit'", path);
  const json::object& object = input.get_object();
  for (const auto& entry : object) {
    const std::string_view key = entry.key();
    if (key != "qubits" && key != "circuit" && key != "name" && key != "format" && key != "gateset") {
      fail("unknown key '" + std::string(key) + "' in " + path, path + "." + std::string(key));
    }
  }

  circuit out;
  if (const json::value* name = object.if_contains("name")) {
    if (!name->is_string()) fail("'name' must be a string in " + path, path + ".name");
    out.name = std::string(name->get_string());
  }
  if (const json::value* gateset = object.if_contains("gateset")) {
    // Native gates (gpi, gpi2, ms) are trapped-ion specific; only the QIS set is simulated.
    if (!gateset->is_string() || gateset->get_string() != "qis") {
      fail("only the 'qis' gateset is supported in " + path, path + ".gateset");
    }
  }

  const std::string qubits_field = path + ".qubits";
  const json::value* qubits_value = object.if_contains("qubits");
  if (qubits_value == nullptr) fail("missing 'qubits' in " + path, qubits_field);
  const std::optional<std::int64_t> qubits = as_integer(*qubits_value);
  if (!qubits || *qubits <= 0) fail("'qubits' must be a positive integer in " + path, qubits_field);
  if (*qubits > static_cast<std::int64_t>(limits.max_qubits)) {
    fail(path + " has " + std::to_string(*qubits) + " qubits; the limit is " +
             limit_text(limits.max_qubits, limits.qubits_source),
         qubits_field);
  }
  out.qubits = static_cast<std::uint32_t>(*qubits);

  const std::string circuit_field = path + ".circuit";
  const json::value* gates = object.if_contains("circuit");
  if (gates == nullptr) fail("missing 'circuit' in " + path, circuit_field);
  if (!gates->is_array()) fail("'circuit' must be an array of gates in " + path, circuit_field);
  const json::array& items = gates->get_array();
  if (items.size() > limits.max_operations) {
    fail(circuit_field + " has " + std::to_string(items.size()) + " operations; the limit is " +
             limit_text(limits.max_operations, limits.operations_source),
         circuit_field);
  }
  out.ops.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    parse_gate(items[i], circuit_field + "[" + std::to_string(i) + "]", out.qubits, out);
    if (out.ops.size() > limits.max_operations) {
      fail(circuit_field + " has more than " + std::to_string(limits.max_operations) +
               " operations once broadcast; the limit is " +
               limit_text(limits.max_operations, limits.operations_source),
           circuit_field);
    }
  }
  out.clbits = out.qubits;
  out.dynamic = needs_per_shot_simulation(out);
  return out;
}

}  // namespace

std::variant<circuit, input_error> parse_ionq_circuit(const boost::json::value& input, std::string_view path,
                                                      const input_limits& limits) {
  try {
    return parse_circuit(input, std::string(path), limits);
  } catch (parse_failure& failure) {
    return std::move(failure.error);
  }
}

}  // namespace qjob::formats
