#pragma once

#include <chrono>
#include <cstdint>

namespace qjob::actors {

/// Stops sending to a provider that keeps failing: after `threshold` consecutive
/// failures the breaker opens for `cool_down`; then one probe is let through
/// (half-open): its success closes the breaker, its failure opens it again.
/// Pure state over the times it is given; one thread (the provider actor's).
class circuit_breaker {
public:
  using clock = std::chrono::steady_clock;
  enum class state : std::uint8_t { closed, open, half_open };

  /// A `threshold` of 0 counts as 1.
  circuit_breaker(unsigned threshold, clock::duration cool_down) { set_limits(threshold, cool_down); }

  /// New limits (a configuration reload); the state and the failures counted stay.
  void set_limits(unsigned threshold, clock::duration cool_down) {
    threshold_ = threshold ? threshold : 1;
    cool_down_ = cool_down;
  }

  /// Whether a request may go at `now`. In half-open, the first caller gets the
  /// probe and later ones are refused until it reports.
  bool allow(clock::time_point now) {
    if (state_ == state::open && now >= open_until_) {
      state_ = state::half_open;
      probing_ = false;
    }
    if (state_ == state::closed) return true;
    if (state_ == state::half_open && !probing_) {
      probing_ = true;
      return true;
    }
    return false;
  }

  /// How long until an open breaker lets a probe through (zero when not open).
  clock::duration remaining(clock::time_point now) const {
    return state_ == state::open && open_until_ > now ? open_until_ - now : clock::duration::zero();
  }

  /// The provider answered (success, or a refusal of this one request): close.
  void record_success() {
    state_ = state::closed;
    failures_ = 0;
    probing_ = false;
  }

  /// The provider failed (timeout, 5xx, 429, 401): open at the threshold, or at once when probing.
  void record_failure(clock::time_point now) {
    ++failures_;
    if (state_ == state::half_open || failures_ >= threshold_) {
      state_ = state::open;
      open_until_ = now + cool_down_;
      probing_ = false;
    }
  }

  /// A request let through that ended with no verdict on the provider (cancelled):
  /// frees the half-open probe for the next caller.
  void record_abandoned() { probing_ = false; }

  /// The state at `now` (an open breaker whose cool-down passed reads half-open).
  state current(clock::time_point now) const {
    return state_ == state::open && now >= open_until_ ? state::half_open : state_;
  }
  /// Failures since the last success.
  unsigned consecutive_failures() const noexcept { return failures_; }

private:
  unsigned threshold_;
  clock::duration cool_down_;
  state state_ = state::closed;
  unsigned failures_ = 0;
  bool probing_ = false;
  clock::time_point open_until_{};
};

}  // namespace qjob::actors
