#pragma once

#include <chrono>
#include <cstdint>

namespace qjob::actors {

/// Wall-clock time in microseconds since the Unix epoch, as the job store keeps it.
inline std::int64_t now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace qjob::actors
