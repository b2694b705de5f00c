#include "job_row.hpp"

#include <array>

namespace qjob::storage {
namespace {

// Indexed by job_status; these words are also what the database stores.
constexpr std::array<std::string_view, 5> status_names{"waiting", "executing", "succeeded", "failed", "cancelled"};

}  // namespace

std::string_view to_string(job_status status) noexcept {
  const auto index = static_cast<std::size_t>(status);
  return index < status_names.size() ? status_names[index] : std::string_view("unknown");
}

std::optional<job_status> parse_job_status(std::string_view text) noexcept {
  for (std::size_t i = 0; i < status_names.size(); ++i) {
    if (status_names[i] == text) return static_cast<job_status>(i);
  }
  return std::nullopt;
}

}  // namespace qjob::storage
