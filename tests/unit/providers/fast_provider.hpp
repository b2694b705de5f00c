#pragma once

#include "remote_provider_actor.hpp"

#include <chrono>

namespace qjob::test {

/// A Bell pair in ionq.circuit.v0.
inline constexpr const char* bell_input =
    R"({"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]})";

/// Remote provider settings whose waits take milliseconds: backoff of a few ms, a
/// Retry-After second worth `retry_after_unit`, no rate limit, and a breaker out of
/// the way unless a test lowers its threshold.
inline actors::remote_provider_settings fast_provider_settings(std::chrono::milliseconds retry_after_unit) {
  actors::remote_provider_settings settings;
  settings.requests_per_second = 0;
  settings.max_attempts = 5;
  settings.backoff_initial = std::chrono::milliseconds(1);
  settings.backoff_max = std::chrono::milliseconds(4);
  settings.retry_budget = std::chrono::milliseconds(2'000);
  settings.reconcile_settle = std::chrono::milliseconds(50);
  settings.retry_after_unit = retry_after_unit;
  settings.breaker_threshold = 100;
  settings.breaker_cool_down = std::chrono::milliseconds(20);
  settings.jitter_seed = 7;
  return settings;
}

}  // namespace qjob::test
