#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace qjob::storage {

/// True for a job id that is safe as a file name: [A-Za-z0-9._-]{1,128} and not
/// "." or "..". The daemon validates ids already; this guards the file system.
bool is_safe_job_id(std::string_view job_id) noexcept;

/// The result documents in `<state_dir>/results/`, one `<job id>.json` each.
/// Blocking file I/O: call from the storage thread only.
class result_files {
public:
  /// `dir` must be absolute (the URIs returned are built from it) and exist.
  explicit result_files(std::filesystem::path dir);

  /// Writes `<dir>/<job_id>.json` durably: a temp file, fsync, rename over the
  /// final name, fsync of the directory. Returns "file://" + the absolute path
  /// (percent-encoded). Throws storage_error naming the file; disk_full() on
  /// ENOSPC or EDQUOT. The temp file is removed on failure.
  std::string write(std::string_view job_id, std::string_view json_text) const;

  /// The document of `job_id`, or nullopt when there is none (or the id is not
  /// a safe file name). Throws storage_error on other read failures.
  std::optional<std::string> read(std::string_view job_id) const;

  /// Removes the document of `job_id` if there is one. Never throws: a file
  /// that cannot be removed is left for the administrator.
  void remove(std::string_view job_id) const noexcept;

  /// Removes temp files a crash left behind; called once at open.
  void remove_stale_temp_files() const;

private:
  std::filesystem::path dir_;
};

/// "file://" + `absolute_path`, percent-encoding everything but unreserved
/// characters and '/', as RFC 8089 asks.
std::string file_uri(const std::filesystem::path& absolute_path);

}  // namespace qjob::storage
