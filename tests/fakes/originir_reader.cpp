#include "fakes/originir_reader.hpp"

#include <map>
#include <sstream>
#include <vector>

namespace qjob::fakes {
namespace {

using formats::gate_kind;

/// The indices after each `prefix[` in `list` ("q[0],q[3]" -> 0, 3).
std::vector<std::uint32_t> read_indices(const std::string& list, char prefix) {
  std::vector<std::uint32_t> out;
  for (std::size_t at = list.find(prefix); at != std::string::npos; at = list.find(prefix, at + 1))
    out.push_back(static_cast<std::uint32_t>(std::stoul(list.substr(at + 2))));
  return out;
}

std::vector<double> read_angles(const std::string& line) {
  std::vector<double> out;
  const auto open = line.find('(');
  if (open == std::string::npos) return out;
  std::istringstream in(line.substr(open + 1, line.find(')') - open - 1));
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stod(item));
  return out;
}

const std::map<std::string, gate_kind, std::less<>> named_gates{
    {"H", gate_kind::h},     {"X", gate_kind::x},     {"Y", gate_kind::y},      {"Z", gate_kind::z},
    {"S", gate_kind::s},     {"T", gate_kind::t},     {"U1", gate_kind::phase}, {"RX", gate_kind::rx},
    {"RY", gate_kind::ry},   {"RZ", gate_kind::rz},   {"U3", gate_kind::u},     {"SWAP", gate_kind::swap},
    {"RXX", gate_kind::xx},  {"RYY", gate_kind::yy},  {"RZZ", gate_kind::zz}};

}  // namespace

std::variant<formats::circuit, std::string> read_originir(std::string_view text) {
  formats::circuit c;
  std::vector<std::uint32_t> controls;
  std::istringstream lines{std::string(text)};
  std::size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty()) continue;
    const auto where = "line " + std::to_string(number) + " ('" + line + "')";
    try {
      const auto space = line.find(' ');
      const auto word = line.substr(0, space);
      const auto rest = space == std::string::npos ? std::string() : line.substr(space + 1);
      const auto qubits = read_indices(rest.substr(0, rest.find('(')), 'q');
      const auto angles = read_angles(rest);
      formats::operation op;
      if (word == "QINIT") {
        c.qubits = static_cast<std::uint32_t>(std::stoul(rest));
        continue;
      }
      if (word == "CREG") {
        c.clbits = static_cast<std::uint32_t>(std::stoul(rest));
        continue;
      }
      if (word == "CONTROL") {
        controls = qubits;
        continue;
      }
      if (word == "ENDCONTROL") {
        controls.clear();
        continue;
      }
      for (auto q : qubits)
        if (q >= c.qubits) return where + ": qubit " + std::to_string(q) + " is beyond QINIT";
      if (word == "CNOT" || word == "CZ" || word == "TOFFOLI") {
        if (qubits.size() < 2) return where + ": too few qubits";
        op.gate = word == "CZ" ? gate_kind::z : gate_kind::x;
        op.targets = {qubits.back()};
        op.controls.assign(qubits.begin(), qubits.end() - 1);
      } else if (word == "MEASURE") {
        const auto clbits = read_indices(rest, 'c');
        if (qubits.empty() || clbits.empty() || clbits[0] >= c.clbits) return where + ": not 'MEASURE q[i],c[j]'";
        op.gate = gate_kind::measure;
        op.targets = {qubits[0]};
        op.clbit = clbits[0];
      } else if (word == "RESET" || word == "BARRIER") {
        op.gate = word == "RESET" ? gate_kind::reset : gate_kind::barrier;
        op.targets = qubits;
      } else {
        auto kind = named_gates.find(word);
        if (kind == named_gates.end()) return where + ": unknown OriginIR word '" + word + "'";
        if (qubits.empty()) return where + ": no qubit";
        op.gate = kind->second;
        op.targets = qubits;
        op.controls = controls;
        for (std::size_t k = 0; k < angles.size() && k < 3; ++k) op.params[k] = angles[k];
      }
      c.ops.push_back(std::move(op));
    } catch (const std::exception&) {
      return where + ": a number cannot be read";
    }
  }
  if (c.qubits == 0) return std::string("no QINIT line");
  return c;
}

}  // namespace qjob::fakes
