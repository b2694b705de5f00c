#pragma once

#include <algorithm>
#include <chrono>

namespace qjob::actors {

/// A token-bucket rate limiter that hands out reservations: each take() returns
/// how long the caller must wait before its request may go, so callers queue in
/// the order they asked and are spaced 1/rate apart once the burst is spent.
/// Pure arithmetic on the times it is given; one thread (the provider actor's).
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  /// `rate` requests per second (<= 0: unlimited), at most `burst` at once (>= 1).
  token_bucket(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  /// Reserves one request at `now`; the delay before it may be sent (zero if at once).
  clock::duration take(clock::time_point now) {
    if (rate_ <= 0) return clock::duration::zero();
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    if (elapsed > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
      last_ = now;
    }
    tokens_ -= 1.0;
    if (tokens_ >= 0) return clock::duration::zero();
    // Negative tokens are reservations already handed out: wait until ours refills.
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
  }

private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace qjob::actors
