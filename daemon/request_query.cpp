#include "request_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace qjob::daemon {

std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name) {
  auto found = url.params().find(name);
  if (found == url.params().end()) return std::nullopt;
  return std::string((*found).value);
}

std::variant<std::chrono::seconds, api_error> wait_param(const boost::urls::url_view& url,
                                                          std::chrono::seconds max_wait) {
  auto text = query_param(url, "wait");
  if (!text || text->empty()) return std::chrono::seconds(0);
  double seconds = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  // from_chars reads "nan", "inf" and 1e300 too: refused or capped before the
  // conversion to an integer, which is undefined for them.
  if (ec != std::errc{} || end != text->data() + text->size() || !std::isfinite(seconds) || seconds < 0)
    return bad_request("invalid_parameter", "'wait' must be a number of seconds", "wait");
  if (seconds >= static_cast<double>(max_wait.count())) return max_wait;
  return std::min(std::chrono::seconds(static_cast<std::int64_t>(seconds + 0.999)), max_wait);
}

std::vector<std::string> path_segments(const boost::urls::url_view& url) {
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.emplace_back(segment);
  return segments;
}

}  // namespace qjob::daemon
