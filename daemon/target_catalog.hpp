#pragma once

#include "config.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace qjob::daemon {

/// What a target runs, for validation at submission and for `GET /v1/targets`.
struct target_info {
  std::string name;
  std::vector<std::string> formats;
  std::uint32_t max_qubits = 0;
  bool cancel_while_executing = false;
  bool mid_circuit_measurement = false;
};

struct provider_info {
  std::string name;
  std::string type;
  std::vector<target_info> targets;  // the first is the default
};

/// The providers and targets of the configuration.
class target_catalog {
public:
  explicit target_catalog(const daemon_config& config);

  const provider_info* find_provider(const std::string& name) const;
  const target_info* find_target(const provider_info& provider, const std::string& name) const;
  const std::string& default_provider() const noexcept { return default_provider_; }

  /// The body of `GET /v1/targets`, with each provider's health.
  boost::json::value to_json() const;

private:
  std::vector<provider_info> providers_;
  std::string default_provider_;
};

}  // namespace qjob::daemon
