#include "azure/azure_results.hpp"

#include "azure/azure_targets.hpp"
#include "formats/qasm2_writer.hpp"
#include "ionq/ionq_results.hpp"
#include "local/result_document.hpp"
#include "local/sampler.hpp"

#include <boost/json.hpp>

#include <limits>
#include <map>

namespace qjob::azure {
namespace {

namespace json = boost::json;

results_outcome malformed(std::string error) { return {"", "malformed Azure results: " + std::move(error), false}; }
results_outcome unfit(std::string error) { return {"", "Azure's results do not fit the job: " + std::move(error), true}; }

/// A document of measured counts, one circuit_result per circuit; probabilities
/// are the frequencies of the counts.
results_outcome measured(const std::vector<std::map<std::uint64_t, std::uint64_t>>& counts,
                         const std::vector<std::uint32_t>& widths, std::uint64_t seed) {
  std::vector<local::circuit_result> results;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    local::circuit_result result;
    std::uint64_t total = 0;
    for (const auto& [value, n] : counts[i]) total += n;
    if (total == 0) return unfit("circuit " + std::to_string(i) + " has no shots");
    for (const auto& [value, n] : counts[i]) {
      const auto bits = local::bitstring(value, widths[i]);
      result.counts.emplace_back(bits, n);
      result.probabilities.emplace_back(bits, static_cast<double>(n) / static_cast<double>(total));
    }
    result.probabilities_estimated = true;
    results.push_back(std::move(result));
  }
  return {local::result_document(results, seed, "measured"), "", false};
}

results_outcome read_ionq(const json::value& value, const std::vector<formats::circuit>& circuits,
                          std::uint64_t shots, std::uint64_t seed) {
  if (!value.is_object()) return malformed("IonQ's output is not a JSON object");
  const auto& o = value.get_object();
  const auto* histogram = o.if_contains("histogram");
  // IonQ's "histogram" through Azure holds probabilities, not counts.
  const auto inner = json::serialize(histogram != nullptr ? *histogram : value);
  auto distribution = ionq::parse_probabilities(inner, 1);
  if (!distribution.value) return malformed(distribution.error);
  if (circuits.size() != 1) return unfit("IonQ's output holds one circuit; the job has " + std::to_string(circuits.size()));
  ionq::circuit_payload payload;
  payload.probabilities = std::move(*distribution.value);
  ionq::document_options options;
  options.shots = shots;
  options.seed = seed;
  auto document = ionq::build_result_document(circuits, {payload}, options);
  if (!document.error.empty()) return unfit(document.error);
  return {std::move(document.document), "", false};
}

results_outcome read_quantinuum(const json::value& value, const std::vector<formats::circuit>& circuits,
                                std::uint64_t seed) {
  if (!value.is_object()) return malformed("Quantinuum's output is not a JSON object");
  if (circuits.size() != 1) return unfit("Quantinuum's output holds one circuit");
  const auto& o = value.get_object();
  const auto registers = formats::qasm2_registers(circuits.front());
  std::uint32_t width = 0;
  std::vector<std::uint64_t> shots;
  bool first = true;
  for (const auto& reg : registers) {
    width += reg.width;
    if (reg.width == 0) continue;
    const auto* column = o.if_contains(reg.name);
    if (column == nullptr) return unfit("no register '" + reg.name + "' in Quantinuum's output");
    if (!column->is_array()) return malformed("register '" + reg.name + "' is not an array");
    const auto& values = column->get_array();
    if (first) shots.assign(values.size(), 0);
    if (values.size() != shots.size()) return malformed("the registers hold different numbers of shots");
    first = false;
    for (std::size_t s = 0; s < values.size(); ++s) {
      if (!values[s].is_string()) return malformed("register '" + reg.name + "' holds a value that is not a string");
      const std::string_view bits = values[s].get_string();
      if (bits.size() > reg.width) return unfit("register '" + reg.name + "' holds '" + std::string(bits) + "'");
      for (std::size_t j = 0; j < bits.size(); ++j) {
        const char ch = bits[bits.size() - 1 - j];
        if (ch != '0' && ch != '1') return malformed("register '" + reg.name + "' holds '" + std::string(bits) + "'");
        if (ch == '1') shots[s] |= std::uint64_t{1} << (reg.offset + j);
      }
    }
  }
  std::map<std::uint64_t, std::uint64_t> counts;
  for (auto value_bits : shots) ++counts[value_bits];
  return measured({counts}, {width}, seed);
}

/// Appends the bits of a (possibly nested) QIR outcome, in order.
bool flatten(const json::value& outcome, std::vector<bool>& bits) {
  if (outcome.is_array()) {
    for (const auto& v : outcome.get_array())
      if (!flatten(v, bits)) return false;
    return true;
  }
  if (outcome.is_bool()) {
    bits.push_back(outcome.get_bool());
    return true;
  }
  if (outcome.is_int64() || outcome.is_uint64()) {
    // Compared as stored: to_number<int64_t> threw on a uint64 above INT64_MAX
    // (found by tests/fuzz).
    const bool zero = outcome.is_int64() ? outcome.get_int64() == 0 : outcome.get_uint64() == 0;
    const bool one = outcome.is_int64() ? outcome.get_int64() == 1 : outcome.get_uint64() == 1;
    if (!zero && !one) return false;
    bits.push_back(one);
    return true;
  }
  if (outcome.is_string()) {
    const std::string_view s = outcome.get_string();
    if (s == "0" || s == "Zero") bits.push_back(false);
    else if (s == "1" || s == "One") bits.push_back(true);
    else return false;
    return true;
  }
  return false;
}

results_outcome read_microsoft_v2(const json::value& value, const std::vector<formats::circuit>& circuits,
                                  std::uint64_t seed) {
  if (!value.is_object()) return malformed("the output is not a JSON object");
  const auto* results = value.get_object().if_contains("Results");
  if (results == nullptr || !results->is_array()) return malformed("no 'Results' array");
  if (results->get_array().size() != circuits.size())
    return unfit(std::to_string(results->get_array().size()) + " results for " + std::to_string(circuits.size()) +
                 " circuits");
  std::vector<std::map<std::uint64_t, std::uint64_t>> counts;
  std::vector<std::uint32_t> widths;
  for (std::size_t i = 0; i < circuits.size(); ++i) {
    const auto width = local::terminal_readout(circuits[i]).clbits;
    const auto& entry = results->get_array()[i];
    const auto* histogram = entry.is_object() ? entry.get_object().if_contains("Histogram") : nullptr;
    if (histogram == nullptr || !histogram->is_array()) return malformed("result " + std::to_string(i) + " has no 'Histogram'");
    std::map<std::uint64_t, std::uint64_t> circuit_counts;
    std::uint64_t total = 0;
    for (const auto& bucket : histogram->get_array()) {
      if (!bucket.is_object()) return malformed("a histogram entry is not an object");
      const auto* outcome = bucket.get_object().if_contains("Outcome");
      const auto* count = bucket.get_object().if_contains("Count");
      std::vector<bool> bits;
      if (outcome == nullptr || !flatten(*outcome, bits)) return malformed("a histogram entry has no readable 'Outcome'");
      // A Count above INT64_MAX parses as uint64: read it as one (to_number<int64_t>
      // threw out of read_results, found by tests/fuzz), and refuse counts whose sum
      // does not fit rather than wrap it.
      if (count == nullptr || !(count->is_uint64() || (count->is_int64() && count->get_int64() >= 0)))
        return malformed("a histogram entry has no shot 'Count'");
      const std::uint64_t shots = count->is_uint64() ? count->get_uint64() : static_cast<std::uint64_t>(count->get_int64());
      if (shots > std::numeric_limits<std::uint64_t>::max() - total)
        return malformed("the shot counts of result " + std::to_string(i) + " overflow");
      total += shots;
      if (bits.size() > width || bits.size() > 64)
        return unfit("an outcome of " + std::to_string(bits.size()) + " bits for " + std::to_string(width) +
                     " classical bits");
      std::uint64_t key = 0;
      for (std::size_t b = 0; b < bits.size(); ++b)
        if (bits[b]) key |= std::uint64_t{1} << b;
      circuit_counts[key] += shots;
    }
    counts.push_back(std::move(circuit_counts));
    widths.push_back(width);
  }
  return measured(counts, widths, seed);
}

}  // namespace

results_outcome read_results(std::string_view format, std::string_view body,
                             const std::vector<formats::circuit>& circuits, std::uint64_t shots, std::uint64_t seed) {
  const bool known = format == ionq_output || format == quantinuum_output || format == microsoft_output_v2;
  if (!known) return {"", "Azure's output format '" + std::string(format) + "' is not one qjob reads", true};
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  if (ec) return malformed("the output is not JSON (" + ec.message() + ")");
  if (format == ionq_output) return read_ionq(value, circuits, shots, seed);
  if (format == quantinuum_output) return read_quantinuum(value, circuits, seed);
  return read_microsoft_v2(value, circuits, seed);
}

}  // namespace qjob::azure
