#include "local/result_document.hpp"

#include <boost/json.hpp>

namespace qjob::local {

std::string result_document(const std::vector<circuit_result>& results, std::uint64_t seed,
                            std::string_view counts_source) {
  boost::json::array entries;
  entries.reserve(results.size());
  for (const auto& result : results) {
    boost::json::object counts;
    for (const auto& [bits, count] : result.counts) counts.emplace(bits, count);
    boost::json::object entry{{"counts", std::move(counts)}, {"counts_source", counts_source}};
    if (!result.probabilities_truncated) {
      boost::json::object probabilities;
      for (const auto& [bits, p] : result.probabilities) probabilities.emplace(bits, p);
      entry.emplace("probabilities", std::move(probabilities));
      if (result.probabilities_estimated) entry.emplace("probabilities_estimated", true);
    } else {
      entry.emplace("probabilities_truncated", true);
    }
    entries.push_back(std::move(entry));
  }
  return boost::json::serialize(boost::json::object{{"results", std::move(entries)}, {"seed", seed}});
}

}  // namespace qjob::local
