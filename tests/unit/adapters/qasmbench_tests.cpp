#include "formats/qasm2_parser.hpp"

#include "local/simulator.hpp"
#include "support/shared_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace {

namespace fs = std::filesystem;
using qjob::formats::circuit;
using qjob::formats::input_error;
using qjob::formats::input_limits;

// Files the parser refuses, with the reason; each must be refused with a line number.
const std::map<std::string, std::string> expected_rejections = {
    {"vqe_uccsd_n4.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
    {"vqe_uccsd_n4_transpiled.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
    {"vqe_uccsd_n6.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
    {"vqe_uccsd_n6_transpiled.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
    {"vqe_uccsd_n8.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
    {"vqe_uccsd_n8_transpiled.qasm", "measures q[0] -> c[0] but declares only qreg reg and no creg"},
};

// The transpiler printed angles to 8 significant digits (e.g. rz(1.2309627)), so
// these twins agree only to about 1e-8 per angle; every other pair within 1e-9.
const std::map<std::string, double> rounded_twins = {
    {"dnn_n2", 1e-6},  {"dnn_n8", 1e-6},          {"hhl_n7", 1e-6},         {"ising_n10", 1e-6},
    {"linearsolver_n3", 1e-6}, {"qaoa_n3", 1e-6}, {"qaoa_n6", 1e-6},        {"quantumwalks_n2", 1e-6},
    {"variational_n4", 1e-6},  {"vqe_n4", 1e-6},  {"wstate_n3", 1e-6},
};
constexpr double twin_tolerance = 1e-9;

// Twins compared by exact outcome probabilities: both must fit in this many qubits.
constexpr std::uint32_t comparable_qubits = 16;

std::optional<fs::path> qasmbench_dir() {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  const fs::path dir = *shared / "qasmbench" / "small";
  if (!fs::is_directory(dir)) return std::nullopt;
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> qasm_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".qasm") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::variant<circuit, input_error> parse_file(const fs::path& path) {
  return qjob::formats::parse_qasm2(read_file(path), "input", input_limits{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qasmbench_tests)

BOOST_AUTO_TEST_CASE(every_circuit_parses_or_is_refused_with_its_line) {
  const auto dir = qasmbench_dir();
  if (!dir) {
    BOOST_TEST_MESSAGE("no shared qasmbench folder: skipped");
    return;
  }
  const auto files = qasm_files(*dir);
  BOOST_TEST(files.size() >= 80U);
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    BOOST_TEST_CONTEXT(name) {
      const auto parsed = parse_file(file);
      const auto* error = std::get_if<input_error>(&parsed);
      const auto expected = expected_rejections.find(name);
      if (expected == expected_rejections.end()) {
        BOOST_TEST(error == nullptr, (error ? error->message : std::string()));
      } else {
        BOOST_REQUIRE(error != nullptr);
        BOOST_TEST(error->message.rfind("line ", 0) == 0U, error->message);
        BOOST_TEST(error->field == "input");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(each_circuit_gives_the_outcome_probabilities_of_its_transpiled_twin) {
  const auto dir = qasmbench_dir();
  if (!dir) {
    BOOST_TEST_MESSAGE("no shared qasmbench folder: skipped");
    return;
  }
  std::size_t compared = 0;
  for (const fs::path& file : qasm_files(*dir)) {
    const std::string stem = file.stem().string();
    if (stem.ends_with("_transpiled")) continue;
    const fs::path twin = file.parent_path() / (stem + "_transpiled.qasm");
    if (!fs::exists(twin)) continue;
    if (expected_rejections.contains(file.filename().string()) ||
        expected_rejections.contains(twin.filename().string())) {
      continue;
    }
    const auto original = parse_file(file);
    const auto transpiled = parse_file(twin);
    if (!std::holds_alternative<circuit>(original) || !std::holds_alternative<circuit>(transpiled)) continue;
    const circuit& a = std::get<circuit>(original);
    const circuit& b = std::get<circuit>(transpiled);
    if (a.qubits > comparable_qubits || b.qubits > comparable_qubits) continue;
    BOOST_TEST_CONTEXT(stem) {
      const auto pa = qjob::local::outcome_probabilities(a);
      const auto pb = qjob::local::outcome_probabilities(b);
      std::map<std::string, double> merged;
      for (const auto& [bits, p] : pa) merged[bits] += p;
      for (const auto& [bits, p] : pb) merged[bits] -= p;
      double worst = 0.0;
      for (const auto& [bits, d] : merged) worst = std::max(worst, std::abs(d));
      const auto rounded = rounded_twins.find(stem);
      const double tolerance = rounded == rounded_twins.end() ? twin_tolerance : rounded->second;
      BOOST_TEST(worst < tolerance, "largest difference " << worst);
      double total = 0.0;
      for (const auto& [bits, p] : pa) total += p;
      BOOST_TEST(std::abs(total - 1.0) < 1e-9);
      ++compared;
    }
  }
  BOOST_TEST_MESSAGE("compared " << compared << " circuit pairs");
  BOOST_TEST(compared >= 30U);
}

BOOST_AUTO_TEST_SUITE_END()
