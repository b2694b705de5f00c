#pragma once

#include "api_error.hpp"

#include <boost/url/url_view.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qjob::daemon {

/// Reads `?name=` from the query of `url` (percent-decoded); nullopt when absent.
/// Pure; any thread.
std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name);

/// Reads `?wait=SECONDS` (a non-negative number; fractions round up), capped at
/// `max_wait`; zero when absent or empty. Pure; any thread. A value that is not
/// such a number ("nan" and "inf" are not) is a 400 naming the `wait` parameter.
std::variant<std::chrono::seconds, api_error> wait_param(const boost::urls::url_view& url,
                                                          std::chrono::seconds max_wait);

/// The path of `url` split into its percent-decoded segments. Pure; any thread.
std::vector<std::string> path_segments(const boost::urls::url_view& url);

}  // namespace qjob::daemon
