// Azure Quantum's output blobs read into our results document: IonQ's
// probability histogram (counts drawn, seeded), Quantinuum's per-shot
// registers and the QIR histogram (counts measured).

#include "azure/azure_results.hpp"

#include "formats/job_input.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace {

namespace json = boost::json;
using qjob::azure::read_results;

std::vector<qjob::formats::circuit> qasm(const std::string& text) {
  auto parsed = qjob::formats::parse_job_input("qasm2", json::value(text), {});
  BOOST_REQUIRE_MESSAGE(parsed.input.has_value(), (parsed.error ? parsed.error->message : ""));
  return parsed.input->circuits;
}

const std::string ghz = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0],q[1];\n"
                        "cx q[0],q[2];\nmeasure q -> c;\n";

json::object first_result(const std::string& document) {
  return json::parse(document).at("results").at(0).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_results_tests)

BOOST_AUTO_TEST_CASE(ionq_probabilities_give_counts_drawn_the_same_way_every_time) {
  const auto circuits = qasm(ghz);
  const std::string body = R"({"histogram": {"0": 0.5, "7": 0.5}})";
  const auto first = read_results("ionq.quantum-results.v1", body, circuits, 500, 42);
  BOOST_REQUIRE_MESSAGE(first.error.empty(), first.error);
  BOOST_TEST(first.document == read_results("ionq.quantum-results.v1", body, circuits, 500, 42).document);
  const auto result = first_result(first.document);
  BOOST_TEST(result.at("counts_source").as_string() == "sampled");
  BOOST_TEST(result.at("probabilities") == (json::object{{"000", 0.5}, {"111", 0.5}}));
  std::int64_t shots = 0;
  for (const auto& [bits, n] : result.at("counts").as_object()) {
    BOOST_TEST((bits == "000" || bits == "111"));
    shots += n.to_number<std::int64_t>();
  }
  BOOST_TEST(shots == 500);
  // IonQ's keys are little-endian: 1 is qubit 0 alone, which c[0] reads (rightmost).
  const auto one = read_results("ionq.quantum-results.v1", R"({"histogram": {"1": 1.0}})", circuits, 10, 1);
  const auto only = first_result(one.document).at("probabilities").as_object();
  BOOST_TEST(only.size() == 1u);
  BOOST_TEST(only.at("001").to_number<double>() == 1.0);
}

BOOST_AUTO_TEST_CASE(quantinuum_registers_are_put_back_at_their_bits_and_counted) {
  const auto circuits = qasm(ghz);
  const std::string body = R"({"c": ["000", "111", "111", "011"]})";
  const auto read = read_results("honeywell.quantum-results.v1", body, circuits, 4, 0);
  BOOST_REQUIRE_MESSAGE(read.error.empty(), read.error);
  const auto result = first_result(read.document);
  BOOST_TEST(result.at("counts_source").as_string() == "measured");
  BOOST_TEST(result.at("counts") == (json::object{{"000", 1}, {"011", 1}, {"111", 2}}));
  BOOST_TEST(result.at("probabilities").at("111").to_number<double>() == 0.5);

  // Conditionals split the bits into one register per condition (c0, c1, c2 here),
  // each its own column; c0 is classical bit 0, the rightmost.
  const auto teleport = qasm("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c0[1];\ncreg c1[1];\ncreg c2[1];\n"
                             "h q[0];\nmeasure q[0] -> c0[0];\nif (c0==1) x q[1];\nmeasure q[2] -> c1[0];\n"
                             "if (c1==1) z q[1];\nmeasure q[1] -> c2[0];\n");
  const auto split = read_results("honeywell.quantum-results.v1", R"({"c0": ["1", "0"], "c1": ["0", "0"], "c2": ["0", "1"]})",
                                  teleport, 2, 0);
  BOOST_REQUIRE_MESSAGE(split.error.empty(), split.error);
  BOOST_TEST(first_result(split.document).at("counts") == (json::object{{"001", 1}, {"100", 1}}));

  const auto missing = read_results("honeywell.quantum-results.v1", R"({"d": ["000"]})", circuits, 1, 0);
  BOOST_TEST(missing.permanent);
  const auto ragged = read_results("honeywell.quantum-results.v1", R"({"c": ["0x1"]})", circuits, 1, 0);
  BOOST_TEST(!ragged.permanent);
  BOOST_TEST(!ragged.error.empty());
}

BOOST_AUTO_TEST_CASE(qir_histograms_are_measured_counts_with_outcome_i_as_bit_i) {
  const auto circuits = qasm(ghz);
  const std::string body = R"({"DataFormat": "microsoft.quantum-results.v2", "Results": [{"Histogram": [
      {"Outcome": [0, 0, 0], "Display": "[0, 0, 0]", "Count": 6},
      {"Outcome": [1, [1, 1]], "Display": "[1, 1, 1]", "Count": 3},
      {"Outcome": [true, false, false], "Display": "[1, 0, 0]", "Count": 1}], "Shots": []}]})";
  const auto read = read_results("microsoft.quantum-results.v2", body, circuits, 10, 0);
  BOOST_REQUIRE_MESSAGE(read.error.empty(), read.error);
  const auto result = first_result(read.document);
  BOOST_TEST(result.at("counts_source").as_string() == "measured");
  BOOST_TEST(result.at("counts") == (json::object{{"000", 6}, {"001", 1}, {"111", 3}}));
  const auto two = read_results("microsoft.quantum-results.v2", R"({"Results": [{"Histogram": []}, {"Histogram": []}]})",
                                circuits, 10, 0);
  BOOST_TEST(two.permanent, "two results for one circuit do not fit");
  const auto wide = read_results("microsoft.quantum-results.v2",
                                 R"({"Results": [{"Histogram": [{"Outcome": [0, 0, 0, 1], "Count": 1}]}]})", circuits, 1, 0);
  BOOST_TEST(wide.permanent);
}

BOOST_AUTO_TEST_CASE(qir_counts_above_int64_are_read_and_an_overflowing_sum_is_malformed) {
  // Found by tests/fuzz (azure_response): a Count above INT64_MAX threw out of read_results.
  const auto circuits = qasm(ghz);
  const auto big = read_results("microsoft.quantum-results.v2",
                                R"({"Results": [{"Histogram": [{"Outcome": [1, 1, 1], "Count": 15532559262904483826}]}]})",
                                circuits, 1, 0);
  BOOST_REQUIRE_MESSAGE(big.error.empty(), big.error);
  BOOST_TEST(first_result(big.document).at("counts") == (json::object{{"111", 15532559262904483826ULL}}));
  const auto sum = read_results("microsoft.quantum-results.v2", R"({"Results": [{"Histogram": [
      {"Outcome": [0, 0, 0], "Count": 15532559262904483826}, {"Outcome": [1, 1, 1], "Count": 15532559262904483826}]}]})",
                                circuits, 1, 0);
  BOOST_TEST(!sum.error.empty());
  BOOST_TEST(!sum.permanent, "an unreadable body is fetched again");
  // And an outcome bit written as such a number is not a bit (it threw as well).
  const auto bit = read_results("microsoft.quantum-results.v2",
                                R"({"Results": [{"Histogram": [{"Outcome": [0, 1, [14444444444444444444]], "Count": 5}]}]})",
                                circuits, 1, 0);
  BOOST_TEST(!bit.error.empty());
}

BOOST_AUTO_TEST_CASE(unknown_formats_are_refused_and_unreadable_bodies_fetched_again) {
  const auto circuits = qasm(ghz);
  const auto log = read_results("microsoft.quantum-log.v1", "{ input: 'data' }", circuits, 1, 0);
  BOOST_TEST(log.permanent);
  BOOST_TEST(log.error.find("microsoft.quantum-log.v1") != std::string::npos);
  const auto cut = read_results("ionq.quantum-results.v1", R"({"histogram": {"0": 0.)", circuits, 1, 0);
  BOOST_TEST(!cut.permanent);
  BOOST_TEST(cut.document.empty());
  const auto beyond = read_results("ionq.quantum-results.v1", R"({"histogram": {"8": 1.0}})", circuits, 1, 0);
  BOOST_TEST(beyond.permanent, "outcome 8 names a fourth qubit");
}

BOOST_AUTO_TEST_SUITE_END()
