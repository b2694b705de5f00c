#pragma once

#include "formats/circuit.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace qjob::fakes {

/// Reads OriginIR (the subset qcloud::to_originir writes: QINIT, CREG, the
/// named gates with `(angles)`, CNOT/CZ/TOFFOLI, CONTROL ... ENDCONTROL,
/// MEASURE, RESET, BARRIER) into our circuit model, by QPanda's definitions of
/// each gate. What the fake QCloud runs, and the unit tests' independent check
/// of the writer. The circuit, or a message naming the line that is wrong.
std::variant<formats::circuit, std::string> read_originir(std::string_view text);

}  // namespace qjob::fakes
