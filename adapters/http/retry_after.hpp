#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace qjob::http {

/// Reads a `Retry-After` header: delay-seconds ("120") or an HTTP-date
/// ("Sun, 06 Nov 1994 08:49:37 GMT", IMF-fixdate; also the obsolete RFC 850 and
/// asctime forms), the latter relative to `now`; a date in the past is zero,
/// and any delay is capped at `max_retry_after` (a longer one is a server's
/// mistake, and a day is plenty to back off). nullopt when the value is
/// neither form. Pure; safe on any thread.
inline constexpr std::chrono::seconds max_retry_after{86'400};

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

}  // namespace qjob::http
