#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qjob::storage {

/// The `tags` column: a JSON array of strings, so the sqlite3 CLI and json_each()
/// can read it. Pure functions, any thread.
std::string tags_to_json(const std::vector<std::string>& tags);

/// Parses what tags_to_json wrote. Throws storage_error when the text is not an
/// array of strings (a damaged or hand-edited row).
std::vector<std::string> tags_from_json(std::string_view json_text);

}  // namespace qjob::storage
