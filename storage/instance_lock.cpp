#include "instance_lock.hpp"

#include "error.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace qjob::storage {

instance_lock::instance_lock(const std::filesystem::path& state_dir) {
  const std::filesystem::path file = state_dir / "qjobd.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    const int error = errno;
    throw storage_error("cannot open lock file " + file.string() + ": " + std::strerror(error),
                        error == ENOSPC || error == EDQUOT);
  }
  int rc;
  do {
    rc = ::flock(fd_, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw storage_error("another qjobd is running on state directory " + state_dir.string() + " (lock " +
                          file.string() + " is held); stop it or pass another --state-dir");
    }
    throw storage_error("cannot lock " + file.string() + ": " + std::strerror(error));
  }
}

instance_lock::instance_lock(instance_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

instance_lock& instance_lock::operator=(instance_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

instance_lock::~instance_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace qjob::storage
