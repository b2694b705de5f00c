#pragma once

#include "local/simulator.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::local {

/// The stored results document of a job, as `GET /v1/jobs/{id}/result` serves
/// it under "results": one entry per circuit, in order, each with `counts` and
/// `probabilities` keyed by bitstring (classical bit 0 rightmost), plus the
/// `seed` that reproduces the counts. `counts_source` is "measured" when the
/// target sampled the shots, "sampled" when we drew them from probabilities.
std::string result_document(const std::vector<circuit_result>& results, std::uint64_t seed,
                            std::string_view counts_source);

}  // namespace qjob::local
