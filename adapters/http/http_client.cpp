#include "http/http_client.hpp"

namespace qjob::http {

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::optional<std::string_view> header_list::find(std::string_view name) const {
  for (const auto& [field, value] : fields_)
    if (iequals(field, name)) return std::string_view(value);
  return std::nullopt;
}

}  // namespace qjob::http
