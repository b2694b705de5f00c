#include "tags_json.hpp"

#include "error.hpp"

#include <boost/json.hpp>

namespace qjob::storage {

std::string tags_to_json(const std::vector<std::string>& tags) {
  boost::json::array array;
  array.reserve(tags.size());
  for (const auto& tag : tags) array.emplace_back(tag);
  return boost::json::serialize(array);
}

std::vector<std::string> tags_from_json(std::string_view json_text) {
  std::vector<std::string> tags;
  if (json_text.empty()) return tags;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json_text, ec);
  if (ec || !value.is_array()) throw storage_error("stored tags of a job are not a JSON array");
  for (const auto& item : value.get_array()) {
    if (!item.is_string()) throw storage_error("stored tags of a job are not all strings");
    tags.emplace_back(item.get_string());
  }
  return tags;
}

}  // namespace qjob::storage
