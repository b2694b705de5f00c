#pragma once

#include "circuit.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::formats {

/// Input format names of the job model (DESIGN.md, "Input formats").
inline constexpr std::string_view ionq_circuit_v0 = "ionq.circuit.v0";
inline constexpr std::string_view qasm2 = "qasm2";

/// What a job's input may not exceed; checked while parsing.
struct input_limits {
  std::uint32_t max_qubits = 26;
  std::uint32_t max_operations = 1'000'000;  // per circuit
  std::uint32_t max_circuits = 1'000;        // per multi-circuit job
  /// Where each limit comes from (e.g. a configuration key), added to the message
  /// that refuses an input over it: "the limit is 26 (max_qubits)". "" adds nothing.
  std::string qubits_source{};
  std::string operations_source{};
  std::string circuits_source{};
};

/// "N" or "N (source)", for the messages of inputs over a limit.
std::string limit_text(std::uint64_t limit, const std::string& source);

/// Why an input was refused: `message` is for the user and names the gate or the
/// line; `field` is the JSON path of the offending value, from the job object
/// (e.g. "input.circuit[3].gate", "input[1]", "input" with "line 7" in message).
struct input_error {
  std::string message;
  std::string field;
};

/// A job input parsed into circuits, in submission order.
struct parsed_input {
  std::string format;  // the effective input format: ionq_circuit_v0 or qasm2
  std::vector<circuit> circuits;
  bool multi = false;  // the input was a list of circuits
};

/// Parses a job's `input` in `input_format` ("" means: infer it, a string is
/// qasm2, an object is ionq.circuit.v0 or what its "format" key says, an array
/// is a multi-circuit job of one format). Pure; safe on any thread.
/// On failure returns the error and no circuits.
struct parse_outcome {
  std::optional<parsed_input> input;
  std::optional<input_error> error;
};
parse_outcome parse_job_input(std::string_view input_format, const boost::json::value& input,
                              const input_limits& limits);

}  // namespace qjob::formats
