#pragma once

#include <stdexcept>
#include <string>

namespace qjob::storage {

/// A failure of the store: the message says what we were doing, on which file,
/// and SQLite's reason. `disk_full` is set for SQLITE_FULL and ENOSPC so the API
/// can answer 503 rather than 500.
class storage_error : public std::runtime_error {
public:
  storage_error(const std::string& what, bool disk_full = false)
      : std::runtime_error(what), disk_full_(disk_full) {}
  bool disk_full() const noexcept { return disk_full_; }

private:
  bool disk_full_;
};

}  // namespace qjob::storage
