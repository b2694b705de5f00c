#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <sys/types.h>

namespace qjob::test {

/// The built qjobd and qjobctl (their paths are compiled in by CMake).
std::filesystem::path qjobd_path();
std::filesystem::path qjobctl_path();

/// Environment changes for a child: each name set to the value, or removed when
/// the value is nullopt. Everything else is inherited.
using environment_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;

/// How a finished child ended and what it wrote.
struct process_result {
  int exit_code = -1;  ///< the exit status; 128 + N when killed by signal N
  std::string out;
  std::string err;
  bool timed_out = false;
};

/// Runs `argv` (argv[0] is the program's path) to the end with `stdin_text` as its
/// input, capturing stdout and stderr. With `as_uid`, the child first drops to that
/// uid (primary group the same number, no supplementary groups; needs root). A child
/// still running after `timeout` is killed and reported with `timed_out`.
process_result run_process(const std::vector<std::string>& argv, const environment_changes& env = {},
                           std::optional<uid_t> as_uid = std::nullopt, const std::string& stdin_text = "",
                           std::chrono::seconds timeout = std::chrono::seconds(120));

/// Runs the built qjobctl with `args`, as run_process does.
process_result run_qjobctl(const std::vector<std::string>& args, const environment_changes& env = {},
                           std::optional<uid_t> as_uid = std::nullopt, const std::string& stdin_text = "");

/// The environment entries `environ` would have after `changes`, as "NAME=value".
std::vector<std::string> environment_with(const environment_changes& changes);

/// Exit status of a waitpid() status word: the code, or 128 + signal.
int exit_code_of(int wait_status);

}  // namespace qjob::test
