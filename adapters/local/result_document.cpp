#include "local/result_document.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <charconv>
#include <cmath>

namespace qjob::local {

namespace {

/// Boost.JSON 1.81 prints 0.5 as "5E-1"; results are read by people and by every
/// JSON parser, so probabilities are written in the shortest plain form instead,
/// rounded to 12 significant digits (below the simulator's own rounding noise).
void append_probability(std::string& out, double p) {
  if (p != 0.0) {
    const double scale = std::pow(10.0, 11 - static_cast<int>(std::floor(std::log10(std::fabs(p)))));
    p = std::round(p * scale) / scale;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, p);
  out.append(buffer, end);
}

void append_string(std::string& out, std::string_view text) {
  out += boost::json::serialize(boost::json::string(text));
}

}  // namespace

std::string result_document(const std::vector<circuit_result>& results, std::uint64_t seed,
                            std::string_view counts_source) {
  std::string out = "{\"results\":[";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& result = results[i];
    if (i > 0) out += ',';
    out += "{\"counts\":{";
    for (std::size_t k = 0; k < result.counts.size(); ++k) {
      if (k > 0) out += ',';
      append_string(out, result.counts[k].first);
      out += ':' + std::to_string(result.counts[k].second);
    }
    out += "},\"counts_source\":";
    append_string(out, counts_source);
    if (result.probabilities_truncated) {
      out += ",\"probabilities_truncated\":true";
    } else {
      out += ",\"probabilities\":{";
      for (std::size_t k = 0; k < result.probabilities.size(); ++k) {
        if (k > 0) out += ',';
        append_string(out, result.probabilities[k].first);
        out += ':';
        append_probability(out, result.probabilities[k].second);
      }
      out += '}';
      if (result.probabilities_estimated) out += ",\"probabilities_estimated\":true";
    }
    out += '}';
  }
  out += "],\"seed\":" + std::to_string(seed) + "}";
  return out;
}

}  // namespace qjob::local
