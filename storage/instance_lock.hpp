#pragma once

#include <filesystem>

namespace qjob::storage {

/// The single-instance guard: an exclusive, non-blocking flock on
/// `<state_dir>/qjobd.lock`, held for the life of the object. flock (not fcntl)
/// locks belong to the open file, so a second store in the same process is
/// refused too, and the kernel drops the lock when the daemon dies.
class instance_lock {
public:
  /// Takes the lock. Throws storage_error: "another qjobd is running on state
  /// directory <dir> (lock <dir>/qjobd.lock is held); stop it or pass another
  /// --state-dir" when it is held, or names the lock file and errno otherwise.
  explicit instance_lock(const std::filesystem::path& state_dir);
  instance_lock(instance_lock&& other) noexcept;
  instance_lock& operator=(instance_lock&& other) noexcept;
  instance_lock(const instance_lock&) = delete;
  instance_lock& operator=(const instance_lock&) = delete;
  /// Releases the lock by closing the file; the file itself stays.
  ~instance_lock();

private:
  int fd_ = -1;
};

}  // namespace qjob::storage
