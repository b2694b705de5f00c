#include "result_files.hpp"

#include "error.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qjob::storage {
namespace {

constexpr std::string_view temp_suffix = ".tmp";

bool is_disk_full(int error) noexcept { return error == ENOSPC || error == EDQUOT; }

[[noreturn]] void throw_errno(std::string_view doing, const std::filesystem::path& file, int error) {
  throw storage_error("cannot " + std::string(doing) + " " + file.string() + ": " + std::strerror(error),
                      is_disk_full(error));
}

/// Closes a descriptor when the scope ends (after the checked close, -1).
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, std::string_view data, const std::filesystem::path& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write result file", file, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_dir(const std::filesystem::path& dir) {
  fd_guard guard{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (guard.fd < 0) throw_errno("open results directory", dir, errno);
  if (::fsync(guard.fd) != 0) throw_errno("sync results directory", dir, errno);
}

}  // namespace

bool is_safe_job_id(std::string_view job_id) noexcept {
  if (job_id.empty() || job_id.size() > 128 || job_id == "." || job_id == "..") return false;
  for (char c : job_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string file_uri(const std::filesystem::path& absolute_path) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (unsigned char c : absolute_path.native()) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += digits[c >> 4];
      uri += digits[c & 0xf];
    }
  }
  return uri;
}

result_files::result_files(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::string result_files::write(std::string_view job_id, std::string_view json_text) const {
  if (!is_safe_job_id(job_id)) {
    throw storage_error("cannot write a result file in " + dir_.string() + ": the job id is not a safe file name");
  }
  const std::filesystem::path file = dir_ / (std::string(job_id) + ".json");
  const std::filesystem::path temp = dir_ / (std::string(job_id) + ".json" + std::string(temp_suffix));
  try {
    fd_guard guard{::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (guard.fd < 0) throw_errno("create result file", temp, errno);
    write_all(guard.fd, json_text, temp);
    // fsync before rename: otherwise a crash can leave the new name on an empty file.
    if (::fsync(guard.fd) != 0) throw_errno("sync result file", temp, errno);
    const int fd = std::exchange(guard.fd, -1);
    // close can report a deferred write error (NFS); the data is not safe then.
    if (::close(fd) != 0) throw_errno("close result file", temp, errno);
    if (::rename(temp.c_str(), file.c_str()) != 0) throw_errno("rename result file into", file, errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsync_dir(dir_);
  return file_uri(file);
}

std::optional<std::string> result_files::read(std::string_view job_id) const {
  if (!is_safe_job_id(job_id)) return std::nullopt;
  const std::filesystem::path file = dir_ / (std::string(job_id) + ".json");
  fd_guard guard{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (guard.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("open result file", file, errno);
  }
  std::string text;
  struct stat info {};
  if (::fstat(guard.fd, &info) == 0 && info.st_size > 0) text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(guard.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read result file", file, errno);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

void result_files::remove(std::string_view job_id) const noexcept {
  if (!is_safe_job_id(job_id)) return;
  std::error_code ignored;
  std::filesystem::remove(dir_ / (std::string(job_id) + ".json"), ignored);
}

void result_files::remove_stale_temp_files() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > temp_suffix.size() && name.ends_with(temp_suffix)) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
  if (ec) throw storage_error("cannot list results directory " + dir_.string() + ": " + ec.message());
}

}  // namespace qjob::storage
