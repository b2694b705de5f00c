// A submitted job's JSON straight into parse_job_request (job_request.cpp): every
// field check, the input parsed for its target and each provider's translation.
// A JSON array is read as a batch, each element with its "[i]." prefix.
#include "fuzz_catalog.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  auto value = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  const auto& rules = qjob::fuzz::fuzz_rules();
  if (const auto* jobs = value.if_array()) {
    for (std::size_t i = 0; i < jobs->size() && i < 64; ++i)
      (void)qjob::daemon::parse_job_request((*jobs)[i], 0, rules, "[" + std::to_string(i) + "].");
    return 0;
  }
  (void)qjob::daemon::parse_job_request(value, 0, rules);
  return 0;
}
