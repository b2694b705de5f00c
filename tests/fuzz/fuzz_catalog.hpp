#pragma once

#include "config.hpp"
#include "job_request.hpp"
#include "target_catalog.hpp"

namespace qjob::fuzz {

/// The daemon's default limits with one provider of every type, so that a job
/// may name any target and pass through that provider's translation.
inline const daemon::daemon_config& fuzz_config() {
  static const daemon::daemon_config config = [] {
    daemon::daemon_config c;
    for (const char* type : {"local", "ionq", "azure", "qcloud"}) {
      daemon::provider_config provider;
      provider.name = type;
      provider.type = type;
      c.providers.push_back(provider);
    }
    return c;
  }();
  return config;
}

inline const daemon::submission_rules& fuzz_rules() {
  static const daemon::target_catalog catalog(fuzz_config());
  static const daemon::submission_rules rules{&catalog, fuzz_config().max_shots};
  return rules;
}

}  // namespace qjob::fuzz
