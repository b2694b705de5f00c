#pragma once

// The QASMBench circuits of the shared folder that our OpenQASM 2 parser reads,
// for suites that check a translation keeps each circuit's meaning.

#include "formats/circuit.hpp"
#include "formats/qasm2_parser.hpp"
#include "support/shared_dir.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace qjob::test {

/// The readable circuits of `qasmbench/small` with at most `max_qubits` qubits,
/// by file name; empty when the shared folder is absent.
inline std::vector<std::pair<std::string, formats::circuit>> small_qasmbench_circuits(std::uint32_t max_qubits) {
  std::vector<std::pair<std::string, formats::circuit>> out;
  const auto shared = shared_dir();
  const auto dir = shared ? *shared / "qasmbench" / "small" : std::filesystem::path();
  if (!shared || !std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".qasm") continue;
    std::ifstream in(entry.path());
    std::stringstream program;
    program << in.rdbuf();
    auto parsed = formats::parse_qasm2(program.str(), "input", formats::input_limits{});
    auto* c = std::get_if<formats::circuit>(&parsed);
    if (c != nullptr && c->qubits <= max_qubits) out.emplace_back(entry.path().filename().string(), std::move(*c));
  }
  return out;
}

}  // namespace qjob::test
