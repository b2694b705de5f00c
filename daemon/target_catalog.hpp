#pragma once

#include "config.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qjob::daemon {

/// Whose translation a job for a target must pass at submission.
enum class target_dialect { embedded, ionq, qcloud, azure };

/// What a target runs, for validation at submission and for `GET /v1/targets`.
struct target_info {
  std::string name;
  target_dialect dialect = target_dialect::embedded;
  std::vector<std::string> formats;
  std::uint32_t max_qubits = 0;
  bool cancel_while_executing = false;
  bool mid_circuit_measurement = false;
  /// Why qjob runs nothing on this target ("" when it does): it is listed, and
  /// a job for it is refused with this reason.
  std::string unsupported;
  /// Where max_qubits comes from, for the message refusing a larger circuit:
  /// "max_qubits of provider 'ionq'" or "the qubits of target 'qpu.aria-1'".
  std::string qubits_source{};
};

/// A provider's health as `GET /v1/targets` shows it.
struct provider_health {
  std::string status = "healthy";  // "healthy", "degraded", "unhealthy"
  std::string message;             // why not healthy
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

  /// The body of `GET /v1/targets`; each provider's health is `health[name]`,
  /// healthy when absent.
  boost::json::value to_json(const std::map<std::string, provider_health>& health) const;

private:
  std::vector<provider_info> providers_;
  std::string default_provider_;
};

}  // namespace qjob::daemon
