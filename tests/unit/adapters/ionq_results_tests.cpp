#include "ionq/ionq_results.hpp"

#include "circuit_builders.hpp"
#include "local/result_document.hpp"
#include "local/sampler.hpp"
#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>

// Outcome entries are pairs, which Boost.Test cannot print by itself; this is
// the specialisation its BOOST_TEST_DONT_PRINT_LOG_VALUE makes, printing instead.
namespace boost::test_tools::tt_detail {
template <typename A, typename B>
struct print_log_value<std::pair<A, B>> {
  void operator()(std::ostream& out, const std::pair<A, B>& entry) {
    out << '(' << entry.first << ", " << entry.second << ')';
  }
};
}  // namespace boost::test_tools::tt_detail

namespace {

namespace json = boost::json;
using qjob::formats::gate_kind;
using qjob::ionq::build_result_document;
using qjob::ionq::circuit_payload;
using qjob::ionq::document_options;
using qjob::ionq::parse_aggregate;
using qjob::ionq::parse_histogram;
using qjob::ionq::parse_probabilities;
using qjob::ionq::to_circuit_result;
using qjob::test::gate;
using qjob::test::make_circuit;
using counts_list = std::vector<std::pair<std::string, std::uint64_t>>;
using probabilities_list = std::vector<std::pair<std::string, double>>;

std::optional<std::string> example(const std::string& name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  std::ifstream in(*shared / "provider-api" / "ionq" / "examples" / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

qjob::ionq::distribution probabilities(std::string_view body, int version = 1) {
  auto outcome = parse_probabilities(body, version);
  if (!outcome.value) BOOST_FAIL("payload refused: " << outcome.error);
  return std::move(*outcome.value);
}

qjob::local::circuit_result convert(const qjob::formats::circuit& c, const circuit_payload& payload,
                                    std::uint64_t shots = 1000, std::uint64_t seed = 1) {
  auto outcome = to_circuit_result(c, payload, shots, seed);
  if (!outcome.value) BOOST_FAIL("conversion refused: " << outcome.error);
  return std::move(*outcome.value);
}

probabilities_list probabilities_of(const qjob::formats::circuit& c, std::string_view body) {
  return convert(c, circuit_payload{probabilities(body), std::nullopt}).probabilities;
}

std::uint64_t total(const counts_list& counts) {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0},
                         [](std::uint64_t sum, const auto& entry) { return sum + entry.second; });
}

const qjob::formats::circuit bell = make_circuit(2, {gate(gate_kind::h, {0}), gate(gate_kind::x, {1}, {0})});

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_results_tests)

BOOST_AUTO_TEST_CASE(bell_probabilities_become_our_bitstrings) {
  const std::string body = example("bell_probabilities.json").value_or(R"({"0": 0.5, "3": 0.5})");
  const probabilities_list expected{{"00", 0.5}, {"11", 0.5}};
  BOOST_TEST(probabilities_of(bell, body) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keys_are_little_endian_so_qubit_zero_is_rightmost) {
  const auto c = make_circuit(3, {});
  BOOST_TEST(probabilities_of(c, R"({"1": 1.0})") == (probabilities_list{{"001", 1.0}}),
             boost::test_tools::per_element());
  BOOST_TEST(probabilities_of(c, R"({"4": 0.25, "6": 0.75})") == (probabilities_list{{"100", 0.25}, {"110", 0.75}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(measurements_map_qubits_onto_their_classical_bits) {
  // q0 -> c1, q1 -> c0: IonQ's state 1 (q0 = 1) is our c1 = 1, "10".
  const auto c = qjob::test::qasm(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nx q[0];\n"
      "measure q[0] -> c[1];\nmeasure q[1] -> c[0];\n");
  BOOST_TEST(probabilities_of(c, R"({"1": 1})") == (probabilities_list{{"10", 1.0}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unmeasured_qubits_are_summed_over) {
  const auto c = qjob::test::qasm(
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[1];\nh q[0];\nx q[2];\nmeasure q[2] -> c[0];\n");
  BOOST_TEST(probabilities_of(c, R"({"4": 0.5, "5": 0.5})") == (probabilities_list{{"1", 1.0}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sampled_counts_sum_to_shots_and_are_reproducible) {
  const circuit_payload payload{probabilities(R"({"0": 0.5, "3": 0.5})"), std::nullopt};
  const auto first = convert(bell, payload, 1000, 42);
  const auto again = convert(bell, payload, 1000, 42);
  BOOST_TEST(total(first.counts) == 1000U);
  BOOST_TEST(first.counts == again.counts, boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(first.counts.size(), 2U);
  BOOST_TEST(first.counts[0].first == "00");
  BOOST_TEST(first.counts[1].first == "11");
  // 1000 fair draws land within 400..600 with overwhelming probability.
  BOOST_TEST(first.counts[0].second > 400U);
  BOOST_TEST(first.counts[0].second < 600U);
  BOOST_TEST(!first.probabilities_estimated);
  const auto other = convert(bell, payload, 1000, 43);
  BOOST_TEST(total(other.counts) == 1000U);
  BOOST_TEST(other.counts != first.counts);
}

BOOST_AUTO_TEST_CASE(sampled_counts_sum_to_shots_for_many_outcomes_and_odd_totals) {
  const circuit_payload payload{probabilities(R"({"0": 0.1, "1": 0.2, "2": 0.3, "3": 0.15, "5": 0.25})"),
                                std::nullopt};
  const auto c = make_circuit(3, {});
  for (std::uint64_t shots : {1U, 7U, 999U, 12'345U}) {
    BOOST_TEST_CONTEXT("shots " << shots) { BOOST_TEST(total(convert(c, payload, shots, 9).counts) == shots); }
  }
}

BOOST_AUTO_TEST_CASE(a_document_of_sampled_counts_says_so) {
  const document_options options{1000, 5};
  const auto outcome =
      build_result_document({bell}, {circuit_payload{probabilities(R"({"0": 0.5, "3": 0.5})"), std::nullopt}},
                            options);
  BOOST_REQUIRE(outcome.error.empty());
  const json::value doc = json::parse(outcome.document);
  const json::object& entry = doc.at("results").as_array()[0].as_object();
  BOOST_TEST(entry.at("counts_source") == "sampled");
  BOOST_TEST(entry.at("probabilities") == json::parse(R"({"00": 0.5, "11": 0.5})"));
  BOOST_TEST(doc.at("seed") == 5);
  BOOST_TEST(outcome.document == qjob::local::result_document(outcome.results, 5, "sampled"));
  const auto again = build_result_document(
      {bell}, {circuit_payload{probabilities(R"({"0": 0.5, "3": 0.5})"), std::nullopt}}, options);
  BOOST_TEST(again.document == outcome.document);
}

BOOST_AUTO_TEST_CASE(measured_histograms_are_used_as_they_are) {
  auto counts = parse_histogram(R"({"0": 480, "3": 520})");
  BOOST_REQUIRE(counts.value.has_value());
  const auto outcome = build_result_document({bell}, {circuit_payload{std::nullopt, *counts.value}}, {1000, 0});
  BOOST_REQUIRE(outcome.error.empty());
  const json::value doc = json::parse(outcome.document);
  const json::object& entry = doc.at("results").as_array()[0].as_object();
  BOOST_TEST(entry.at("counts_source") == "measured");
  BOOST_TEST(entry.at("counts") == json::parse(R"({"00": 480, "11": 520})"));
  BOOST_TEST(entry.at("probabilities") == json::parse(R"({"00": 0.48, "11": 0.52})"));
  BOOST_TEST(entry.at("probabilities_estimated") == true);
}

BOOST_AUTO_TEST_CASE(measured_counts_keep_ionq_probabilities_when_both_are_given) {
  const auto result = convert(bell, circuit_payload{probabilities(R"({"0": 0.5, "3": 0.5})"),
                                                    *parse_histogram(R"({"0": 3, "3": 7})").value});
  BOOST_TEST(result.counts == (counts_list{{"00", 3}, {"11", 7}}), boost::test_tools::per_element());
  BOOST_TEST(result.probabilities == (probabilities_list{{"00", 0.5}, {"11", 0.5}}), boost::test_tools::per_element());
  BOOST_TEST(!result.probabilities_estimated);
}

BOOST_AUTO_TEST_CASE(a_job_with_some_circuits_lacking_counts_samples_all_of_them) {
  const auto p = probabilities(R"({"0": 0.5, "3": 0.5})");
  const auto h = *parse_histogram(R"({"0": 1, "3": 1})").value;
  const auto outcome = build_result_document({bell, bell}, {circuit_payload{p, h}, circuit_payload{p, std::nullopt}},
                                             {100, 3});
  BOOST_REQUIRE(outcome.error.empty());
  BOOST_TEST(total(outcome.results[0].counts) == 100U);
  BOOST_TEST(outcome.document.find("\"measured\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(multi_circuit_results_follow_the_order_of_child_job_ids) {
  // IonQ writes the children in any order; the job's child_job_ids fix ours.
  const std::string body = R"({"child-b": {"1": 1.0}, "child-c": {"0": 0.25, "1": 0.75}, "child-a": {"0": 1.0}})";
  const auto ordered = parse_aggregate(body, {"child-a", "child-b", "child-c"});
  BOOST_REQUIRE(ordered.value.has_value());
  const auto one = make_circuit(1, {});
  std::vector<circuit_payload> payloads;
  for (const auto& d : *ordered.value) payloads.push_back(circuit_payload{d, std::nullopt});
  const auto outcome = build_result_document({one, one, one}, payloads, {10, 1});
  BOOST_REQUIRE(outcome.error.empty());
  BOOST_REQUIRE_EQUAL(outcome.results.size(), 3U);
  BOOST_TEST(outcome.results[0].probabilities == (probabilities_list{{"0", 1.0}}), boost::test_tools::per_element());
  BOOST_TEST(outcome.results[1].probabilities == (probabilities_list{{"1", 1.0}}), boost::test_tools::per_element());
  BOOST_TEST(outcome.results[2].probabilities == (probabilities_list{{"0", 0.25}, {"1", 0.75}}),
             boost::test_tools::per_element());
  BOOST_TEST(outcome.results[0].counts == (counts_list{{"0", 10}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_aggregate_missing_a_child_is_malformed) {
  const auto outcome = parse_aggregate(R"({"a": {"0": 1}})", {"a", "b"});
  BOOST_TEST(!outcome.value.has_value());
  BOOST_TEST(outcome.error.find("no results for child job b") != std::string::npos, outcome.error);
  BOOST_TEST(!parse_aggregate(R"({"a": {"0": 1}})", {}).value.has_value());
}

BOOST_AUTO_TEST_CASE(version_two_payloads_read_their_output_register) {
  const auto d = probabilities(R"({"probabilities": {"registers": {"output_all": {"11": 0.5, "00": 0.5}}}})", 2);
  BOOST_TEST(probabilities_of(bell, R"({"0": 0.5, "3": 0.5})") ==
                 convert(bell, circuit_payload{d, std::nullopt}).probabilities,
             boost::test_tools::per_element());
  const auto only = probabilities(R"({"probabilities": {"registers": {"m": {"01": 1}}}})", 2);
  BOOST_TEST(only == (qjob::ionq::distribution{{1, 1.0}}), boost::test_tools::per_element());
  const auto h = parse_histogram(R"({"histogram": {"registers": {"output_all": {"10": 4, "01": 6}}}})", 2);
  BOOST_REQUIRE(h.value.has_value());
  BOOST_TEST(*h.value == (qjob::ionq::histogram{{1, 6}, {2, 4}}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_payloads_are_refused_with_a_reason) {
  const std::pair<const char*, const char*> cases[] = {
      {"<html>", "not JSON"},
      {"[0.5, 0.5]", "not a JSON object"},
      {R"({"0": "half"})", "not a number"},
      {R"({"0": -0.5})", "not a probability"},
      {R"({"x1": 1})", "not a basis state"},
      {R"({"-1": 1})", "not a basis state"},
      {R"({"99999999999999999999": 1})", "too large"},
      {R"({"1": 0.5, "01": 0.5})", "appears twice"},
  };
  for (const auto& [body, reason] : cases) {
    BOOST_TEST_CONTEXT(body) {
      const auto outcome = parse_probabilities(body);
      BOOST_TEST(!outcome.value.has_value());
      BOOST_TEST(outcome.error.find(reason) != std::string::npos, outcome.error);
    }
  }
  BOOST_TEST(parse_probabilities(R"({"probabilities": {}})", 2).error.find("registers") != std::string::npos);
  BOOST_TEST(!parse_probabilities(R"({"probabilities": {"registers": {"a": {}, "b": {}}}})", 2).value.has_value());
  BOOST_TEST(!parse_probabilities(R"({"probabilities": {"registers": {"output_all": {"12": 1}}}})", 2).value);
}

BOOST_AUTO_TEST_CASE(rounding_noise_below_zero_reads_as_zero) {
  BOOST_TEST(probabilities(R"({"0": 1.0, "1": -1e-12})") == (qjob::ionq::distribution{{0, 1.0}}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_histogram_of_fractions_is_not_counts) {
  const auto outcome = parse_histogram(R"({"0": 0.5, "7": 0.5})");
  BOOST_TEST(!outcome.value.has_value());
  BOOST_TEST(outcome.error.find("not a shot count") != std::string::npos, outcome.error);
}

BOOST_AUTO_TEST_CASE(results_that_do_not_fit_the_circuits_are_refused) {
  const auto wide = to_circuit_result(bell, circuit_payload{probabilities(R"({"4": 1})"), std::nullopt}, 10, 1);
  BOOST_TEST(wide.error.find("beyond the circuit's 2") != std::string::npos, wide.error);
  const auto none = to_circuit_result(bell, circuit_payload{}, 10, 1);
  BOOST_TEST(none.error.find("no probabilities and no counts") != std::string::npos, none.error);
  const auto zero = to_circuit_result(bell, circuit_payload{qjob::ionq::distribution{}, std::nullopt}, 10, 1);
  BOOST_TEST(zero.error.find("sum to zero") != std::string::npos, zero.error);
  const auto empty_histogram = to_circuit_result(bell, circuit_payload{std::nullopt, qjob::ionq::histogram{{0, 0}}}, 10, 1);
  BOOST_TEST(empty_histogram.error.find("no shots") != std::string::npos, empty_histogram.error);
  const auto count_mismatch = build_result_document({bell, bell}, {circuit_payload{}}, {10, 1});
  BOOST_TEST(count_mismatch.document.empty());
  BOOST_TEST(count_mismatch.error.find("results for 1 circuits; the job has 2") != std::string::npos);
  const auto bad_second = build_result_document(
      {bell, bell}, {circuit_payload{probabilities(R"({"0": 1})"), std::nullopt}, circuit_payload{}}, {10, 1});
  BOOST_TEST(bad_second.error.find("circuit 1: ") == 0U, bad_second.error);
  BOOST_TEST(bad_second.results.empty());
}

BOOST_AUTO_TEST_CASE(too_many_outcomes_leave_the_probabilities_out) {
  const auto c = make_circuit(3, {});
  const auto result =
      to_circuit_result(c, circuit_payload{probabilities(R"({"0": 0.25, "1": 0.25, "2": 0.5})"), std::nullopt}, 10, 1,
                        2);
  BOOST_REQUIRE(result.value.has_value());
  BOOST_TEST(result.value->probabilities_truncated);
  BOOST_TEST(result.value->probabilities.empty());
  BOOST_TEST(total(result.value->counts) == 10U);
}

BOOST_AUTO_TEST_CASE(the_sampling_seed_is_stable_per_job_id) {
  BOOST_TEST(qjob::local::job_seed("job-1") == qjob::local::job_seed("job-1"));
  BOOST_TEST(qjob::local::job_seed("job-1") != qjob::local::job_seed("job-2"));
  BOOST_TEST(qjob::local::job_seed("") == 0xcbf29ce484222325ULL);  // FNV-1a's offset basis
}

BOOST_AUTO_TEST_SUITE_END()
