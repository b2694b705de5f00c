#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The URL handling Azure needs: its requests go to three hosts (the workspace,
/// the storage account of a SAS URI, the token authority), so absolute URLs are
/// split into the origin that picks the http_client and the target sent to it.
namespace qjob::azure {

/// An absolute http(s) URL split in two.
struct url_parts {
  std::string origin;  ///< "https://host" or "http://host:port": scheme and host lowercase, default port left out
  std::string path;    ///< "/a/b" ("/" when empty), as written
  std::string query;   ///< what follows '?', without it; "" when none
  /// The request target: path, then '?' and the query when there is one.
  std::string target() const { return query.empty() ? path : path + "?" + query; }
};

/// Splits `url`, or nullopt when it is not an absolute http or https URL with a
/// host. A fragment is dropped. Pure.
std::optional<url_parts> split_url(std::string_view url);

/// `text` with every byte but the unreserved ones (RFC 3986: letters, digits,
/// "-._~") written as %XX. Pure.
std::string percent_encode(std::string_view text);

/// An application/x-www-form-urlencoded body of `fields`, in order. Pure.
std::string form_encode(const std::vector<std::pair<std::string_view, std::string_view>>& fields);

}  // namespace qjob::azure
