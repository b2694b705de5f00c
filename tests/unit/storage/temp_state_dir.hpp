#pragma once

#include <filesystem>

namespace qjob::storage::test {

/// A fresh, uniquely named directory under the system temp directory, removed
/// with everything in it when the object goes. The state directory itself is
/// `path()`, which does not exist yet, so open() creates it as it would in use.
class temp_state_dir {
public:
  temp_state_dir();
  temp_state_dir(const temp_state_dir&) = delete;
  temp_state_dir& operator=(const temp_state_dir&) = delete;
  ~temp_state_dir();

  /// The state directory to pass to job_store::open (inside root()).
  const std::filesystem::path& path() const noexcept { return state_; }
  /// The unique parent that is removed at the end.
  const std::filesystem::path& root() const noexcept { return root_; }

private:
  std::filesystem::path root_;
  std::filesystem::path state_;
};

}  // namespace qjob::storage::test
