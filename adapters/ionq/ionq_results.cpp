#include "ionq/ionq_results.hpp"
#include "ionq/malformed.hpp"

#include "local/result_document.hpp"
#include "local/sampler.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace qjob::ionq {
namespace {

namespace json = boost::json;

using detail::fail;
using detail::malformed;

std::uint64_t parse_key(std::string_view key, int base) {
  if (key.empty() || key.size() > 64) fail("outcome key '" + std::string(key) + "' is not a basis state");
  std::uint64_t value = 0;
  for (char ch : key) {
    const int digit = ch - '0';
    if (digit < 0 || digit >= base) fail("outcome key '" + std::string(key) + "' is not a basis state");
    if (value > (UINT64_MAX - static_cast<std::uint64_t>(digit)) / static_cast<std::uint64_t>(base)) {
      fail("outcome key '" + std::string(key) + "' is too large");
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  return value;
}

json::value parse_body(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) fail("the body is not JSON (" + ec.message() + ")");
  return v;
}

// The outcome map of a payload: v1 is the object itself; v2 nests it under
// `<kind>.registers.<register>`.
const json::object& outcome_map(const json::value& v, int version, std::string_view kind) {
  if (!v.is_object()) fail("the payload is not a JSON object");
  if (version < 2) return v.get_object();
  const json::value* nested = v.get_object().if_contains(kind);
  if (nested == nullptr || !nested->is_object()) fail("missing '" + std::string(kind) + "'");
  const json::value* registers = nested->get_object().if_contains("registers");
  if (registers == nullptr || !registers->is_object()) fail("missing '" + std::string(kind) + ".registers'");
  const json::object& all = registers->get_object();
  if (const json::value* output = all.if_contains("output_all"); output != nullptr && output->is_object()) {
    return output->get_object();
  }
  if (all.size() == 1 && all.begin()->value().is_object()) return all.begin()->value().get_object();
  fail("no 'output_all' register and not exactly one register");
}

double read_probability(const json::value& v, std::string_view key) {
  if (!v.is_number()) fail("the value of '" + std::string(key) + "' is not a number");
  double p = v.to_number<double>();
  if (!std::isfinite(p) || p < -1e-9) fail("the value of '" + std::string(key) + "' is not a probability");
  return std::max(p, 0.0);
}

distribution read_distribution(const json::object& map, int base) {
  distribution out;
  out.reserve(map.size());
  for (const auto& entry : map) {
    const double p = read_probability(entry.value(), entry.key());
    const std::uint64_t key = parse_key(entry.key(), base);
    if (p > 0.0) out.emplace_back(key, p);
  }
  std::sort(out.begin(), out.end());
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].first == out[i - 1].first) fail("outcome " + std::to_string(out[i].first) + " appears twice");
  }
  return out;
}

template <typename T, typename F>
payload_outcome<T> guarded(std::string_view what, F&& read) {
  payload_outcome<T> out;
  try {
    out.value = read();
  } catch (malformed& m) {
    out.error = "malformed IonQ " + std::string(what) + ": " + m.what;
  }
  return out;
}

// Our classical-bit value for IonQ's basis state `key`.
std::uint64_t to_clbits(std::uint64_t key, const local::readout& bits) {
  std::uint64_t value = 0;
  for (const auto& [qubit, clbit] : bits.bits) value |= ((key >> qubit) & 1U) << clbit;
  return value;
}

void check_width(std::uint64_t key, const formats::circuit& c) {
  if (c.qubits < 64 && (key >> c.qubits) != 0) {
    fail("outcome " + std::to_string(key) + " names a qubit beyond the circuit's " + std::to_string(c.qubits));
  }
}

local::circuit_result convert(const formats::circuit& c, const circuit_payload& payload, std::uint64_t shots,
                              std::uint64_t seed, std::size_t max_probabilities) {
  if (!payload.probabilities && !payload.counts) fail("no probabilities and no counts");
  const local::readout bits = local::terminal_readout(c);
  local::circuit_result result;

  std::map<std::uint64_t, double> probabilities;  // by our classical-bit value
  if (payload.probabilities) {
    for (const auto& [key, p] : *payload.probabilities) {
      check_width(key, c);
      probabilities[to_clbits(key, bits)] += p;
    }
  }
  std::map<std::uint64_t, std::uint64_t> counts;
  if (payload.counts) {
    std::uint64_t total = 0;
    for (const auto& [key, n] : *payload.counts) {
      check_width(key, c);
      if (n == 0) continue;
      counts[to_clbits(key, bits)] += n;
      total += n;
    }
    if (total == 0) fail("the histogram holds no shots");
    if (!payload.probabilities) {
      for (const auto& [value, n] : counts) {
        probabilities[value] = static_cast<double>(n) / static_cast<double>(total);
      }
      result.probabilities_estimated = true;
    }
  } else {
    // A multinomial draw: each shot picks an outcome, so the counts sum to
    // `shots` exactly; local::sample is bit-for-bit the same on every platform.
    std::vector<local::outcome> table(probabilities.begin(), probabilities.end());
    double total = 0.0;
    for (const auto& [value, p] : table) total += p;
    if (!(total > 0.0)) fail("the probabilities sum to zero");
    std::mt19937_64 rng(seed);
    const std::vector<std::uint64_t> drawn = local::sample(table, shots, rng);
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (drawn[i] > 0) counts[table[i].first] = drawn[i];
    }
  }

  for (const auto& [value, n] : counts) result.counts.emplace_back(local::bitstring(value, bits.clbits), n);
  std::size_t kept = 0;
  for (const auto& [value, p] : probabilities) kept += p > 1e-12 ? 1 : 0;
  if (kept > max_probabilities) {
    result.probabilities_truncated = true;
  } else {
    for (const auto& [value, p] : probabilities) {
      if (p > 1e-12) result.probabilities.emplace_back(local::bitstring(value, bits.clbits), p);
    }
  }
  return result;
}

}  // namespace

payload_outcome<distribution> parse_probabilities(std::string_view body, int version) {
  return guarded<distribution>("probabilities", [&] {
    const json::value v = parse_body(body);
    return read_distribution(outcome_map(v, version, "probabilities"), version < 2 ? 10 : 2);
  });
}

payload_outcome<histogram> parse_histogram(std::string_view body, int version) {
  return guarded<histogram>("histogram", [&] {
    const json::value v = parse_body(body);
    const json::object& map = outcome_map(v, version, "histogram");
    histogram out;
    out.reserve(map.size());
    for (const auto& entry : map) {
      const json::value& n = entry.value();
      std::uint64_t count = 0;
      if (n.is_uint64()) {
        count = n.get_uint64();
      } else if (n.is_int64() && n.get_int64() >= 0) {
        count = static_cast<std::uint64_t>(n.get_int64());
      } else {
        fail("the value of '" + std::string(entry.key()) + "' is not a shot count");
      }
      out.emplace_back(parse_key(entry.key(), version < 2 ? 10 : 2), count);
    }
    std::sort(out.begin(), out.end());
    return out;
  });
}

payload_outcome<std::vector<distribution>> parse_aggregate(std::string_view body,
                                                           const std::vector<std::string>& child_job_ids) {
  return guarded<std::vector<distribution>>("aggregate probabilities", [&] {
    const json::value v = parse_body(body);
    if (!v.is_object()) fail("the payload is not a JSON object");
    const json::object& by_child = v.get_object();
    if (child_job_ids.empty()) fail("the job names no child jobs");
    std::vector<distribution> out;
    out.reserve(child_job_ids.size());
    for (const std::string& child : child_job_ids) {
      const json::value* entry = by_child.if_contains(child);
      if (entry == nullptr || !entry->is_object()) fail("no results for child job " + child);
      out.push_back(read_distribution(entry->get_object(), 10));
    }
    return out;
  });
}

payload_outcome<local::circuit_result> to_circuit_result(const formats::circuit& c, const circuit_payload& payload,
                                                         std::uint64_t shots, std::uint64_t seed,
                                                         std::size_t max_probabilities) {
  return guarded<local::circuit_result>("results", [&] { return convert(c, payload, shots, seed, max_probabilities); });
}

document_outcome build_result_document(const std::vector<formats::circuit>& circuits,
                                       const std::vector<circuit_payload>& payloads, const document_options& options) {
  document_outcome out;
  if (circuits.size() != payloads.size()) {
    out.error = "IonQ returned results for " + std::to_string(payloads.size()) + " circuits; the job has " +
                std::to_string(circuits.size());
    return out;
  }
  const bool measured = std::all_of(payloads.begin(), payloads.end(), [](const circuit_payload& p) {
    return p.counts.has_value();
  });
  out.results.reserve(circuits.size());
  for (std::size_t i = 0; i < circuits.size(); ++i) {
    circuit_payload payload = payloads[i];
    if (!measured) payload.counts.reset();  // one counts_source for the whole document
    payload_outcome<local::circuit_result> result =
        to_circuit_result(circuits[i], payload, options.shots, local::circuit_seed(options.seed, i),
                          options.max_probabilities);
    if (!result.value) {
      out.error = "circuit " + std::to_string(i) + ": " + result.error;
      out.results.clear();
      return out;
    }
    out.results.push_back(std::move(*result.value));
  }
  out.document = local::result_document(out.results, options.seed, measured ? "measured" : "sampled");
  return out;
}


}  // namespace qjob::ionq
