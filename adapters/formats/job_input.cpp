#include "job_input.hpp"

#include "ionq_circuit_parser.hpp"
#include "qasm2_parser.hpp"

#include <boost/json.hpp>

#include <string>
#include <variant>

namespace qjob::formats {
namespace {

namespace json = boost::json;

parse_outcome refuse(std::string message, std::string field) {
  parse_outcome outcome;
  outcome.error = input_error{std::move(message), std::move(field)};
  return outcome;
}

std::string accepted_formats() {
  return std::string(ionq_circuit_v0) + ", " + std::string(qasm2);
}

bool is_known_format(std::string_view name) { return name == ionq_circuit_v0 || name == qasm2; }

// The format one circuit value stands for when none is given: a string is
// QASM, an object is IonQ's gate list unless its "format" key says otherwise.
// Returns "" with `error` set when the value cannot be a circuit.
std::string infer_format(const json::value& value, const std::string& path, std::optional<input_error>& error) {
  if (value.is_string()) return std::string(qasm2);
  if (value.is_object()) {
    const json::value* format = value.get_object().if_contains("format");
    if (format == nullptr) return std::string(ionq_circuit_v0);
    if (!format->is_string()) {
      error = input_error{"'format' must be a string in " + path, path + ".format"};
      return "";
    }
    const std::string_view name = format->get_string();
    if (!is_known_format(name)) {
      error = input_error{"unknown format '" + std::string(name) + "' in " + path + " (accepted: " +
                              accepted_formats() + ")",
                          path + ".format"};
      return "";
    }
    return std::string(name);
  }
  error = input_error{path + " must be a QASM program (a JSON string) or a circuit object", path};
  return "";
}

std::variant<circuit, input_error> parse_one(std::string_view format, const json::value& value,
                                             const std::string& path, const input_limits& limits) {
  if (format == qasm2) {
    if (!value.is_string()) {
      return input_error{"a qasm2 input must be a JSON string holding the program", path};
    }
    return parse_qasm2(value.get_string(), path, limits);
  }
  if (!value.is_object()) {
    return input_error{"an ionq.circuit.v0 input must be a JSON object with 'qubits' and 'circuit'", path};
  }
  if (const json::value* inner = value.get_object().if_contains("format")) {
    if (!inner->is_string() || inner->get_string() != format) {
      return input_error{"'format' in " + path + " contradicts the job's input format " + std::string(format),
                         path + ".format"};
    }
  }
  return parse_ionq_circuit(value, path, limits);
}

}  // namespace

std::string limit_text(std::uint64_t limit, const std::string& source) {
  if (source.empty()) return std::to_string(limit);
  return std::to_string(limit) + " (" + source + ")";
}

parse_outcome parse_job_input(std::string_view input_format, const boost::json::value& input,
                              const input_limits& limits) {
  if (!input_format.empty() && !is_known_format(input_format)) {
    return refuse("unknown input format '" + std::string(input_format) + "' (accepted: " + accepted_formats() + ")",
                  "input_format");
  }

  parsed_input parsed;
  std::vector<std::pair<const json::value*, std::string>> items;
  if (input.is_array()) {
    const json::array& list = input.get_array();
    if (list.empty()) return refuse("input is an empty list of circuits", "input");
    if (list.size() > limits.max_circuits) {
      return refuse("input has " + std::to_string(list.size()) + " circuits; the limit is " +
                        limit_text(limits.max_circuits, limits.circuits_source),
                    "input");
    }
    parsed.multi = true;
    for (std::size_t i = 0; i < list.size(); ++i) items.emplace_back(&list[i], "input[" + std::to_string(i) + "]");
  } else {
    items.emplace_back(&input, "input");
  }

  std::string format(input_format);
  for (const auto& [value, path] : items) {
    if (format.empty()) {
      std::optional<input_error> error;
      format = infer_format(*value, path, error);
      if (error) return refuse(std::move(error->message), std::move(error->field));
    } else if (input_format.empty()) {
      // Without an explicit input_format the first circuit decides, and a
      // multi-circuit job holds circuits of one format only.
      std::optional<input_error> error;
      const std::string own = infer_format(*value, path, error);
      if (error) return refuse(std::move(error->message), std::move(error->field));
      if (own != format) {
        return refuse(path + " is " + own + " but input[0] is " + format +
                          "; a multi-circuit job holds circuits of one format",
                      path);
      }
    }
    auto one = parse_one(format, *value, path, limits);
    if (auto* error = std::get_if<input_error>(&one)) return refuse(std::move(error->message), std::move(error->field));
    parsed.circuits.push_back(std::move(std::get<circuit>(one)));
  }
  parsed.format = std::move(format);

  parse_outcome outcome;
  outcome.input = std::move(parsed);
  return outcome;
}

}  // namespace qjob::formats
