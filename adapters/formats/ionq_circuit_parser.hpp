#pragma once

#include "circuit.hpp"
#include "job_input.hpp"

#include <boost/json/value.hpp>

#include <string_view>
#include <variant>

namespace qjob::formats {

/// Parses one `ionq.circuit.v0` object (`{"qubits": n, "circuit": [...]}`, with an
/// optional `name`, `format` and `gateset`) into a circuit. `path` is where the
/// object sits in the job ("input", or "input[1]" in a multi-circuit job); every
/// error's `field` and message name the offending value from there.
/// Pure; safe on any thread. Checks the qubit and operation limits, index ranges,
/// required and unknown keys. Does not judge the `format` value (job_input does).
std::variant<circuit, input_error> parse_ionq_circuit(const boost::json::value& input, std::string_view path,
                                                      const input_limits& limits);

}  // namespace qjob::formats
