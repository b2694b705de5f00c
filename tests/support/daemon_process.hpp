#pragma once

#include "support/child_process.hpp"
#include "support/http_exchange.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>
#include <sys/types.h>

namespace qjob::test {

/// How to start a daemon_process.
struct daemon_options {
  /// TOML text written to a config file and passed with --config; empty: no config.
  std::string config;
  /// Makes the temp directory (socket and state) enterable by every user (0755),
  /// for tests that connect as another uid.
  bool reachable_by_all = false;
  /// RLIMIT_AS for qjobd in bytes (0: none), so that a too large state vector fails
  /// to allocate (a failed job) instead of exhausting the host. Not for sanitizer
  /// builds, which reserve terabytes of address space.
  std::uint64_t address_space_limit = 0;
  /// How long start-up may take until GET /v1/health answers 200 (sanitizer builds
  /// are slow; the deadline only bounds a failure).
  std::chrono::seconds ready_deadline{60};
  /// A program and arguments qjobd's command line is appended to, which execs it
  /// (e.g. `systemd-socket-activate --listen={socket}`; `{socket}` stands for
  /// qjobd's socket path): qjobd then starts the way systemd would start it.
  /// Empty: qjobd is started directly.
  std::vector<std::string> launcher{};
  /// The state directory; empty: `state` in the daemon's temp directory.
  std::filesystem::path state_dir{};
  /// Variables set for qjobd (after the systemd ones are cleared), as a
  /// service manager would set them.
  environment_changes environment{};
};

/// The real, built qjobd as a child process, with its own temp directory holding
/// the state directory, the socket and its captured stderr. Started by the
/// constructor and ready when it returns. When the current test has failed by the
/// time the object goes, the daemon's stderr is printed, so that a failure shows
/// what the daemon said. A daemon still running at the end is killed (SIGKILL).
class daemon_process {
public:
  explicit daemon_process(daemon_options options = {});
  daemon_process(const daemon_process&) = delete;
  daemon_process& operator=(const daemon_process&) = delete;
  ~daemon_process();

  /// SIGTERM, then waits (up to `deadline`, then SIGKILL) and returns the exit status
  /// (128 + N when a signal N ended it). A draining qjobd must return 0.
  int terminate(std::chrono::seconds deadline = std::chrono::seconds(60));
  /// Writes `config` over the configuration file and sends SIGHUP, as
  /// `systemctl reload` does. Returns at once: the reload happens in qjobd.
  void reload(const std::string& config);
  /// SIGKILL, as a crash or power cut would, and reaps the process.
  void kill();
  /// Starts qjobd again on the same state directory, socket and config, and waits
  /// until it is ready. The daemon must have been stopped first.
  void restart();

  bool running() const noexcept { return pid_ > 0; }
  pid_t pid() const noexcept { return pid_; }
  const std::filesystem::path& socket() const noexcept { return socket_; }
  const std::filesystem::path& state_dir() const noexcept { return state_dir_; }
  const std::filesystem::path& root() const noexcept { return root_; }
  /// Everything qjobd wrote to stdout and stderr so far, every run.
  std::string log() const;

  /// One request on a fresh connection to the socket.
  http_answer request(std::string_view method, std::string_view target, std::string_view body = {},
                      std::string_view content_type = "application/json") const;
  http_answer get(std::string_view target) const { return request("GET", target); }
  http_answer post(std::string_view target, std::string_view body,
                   std::string_view content_type = "application/json") const {
    return request("POST", target, body, content_type);
  }
  /// `POST` of `body` serialized as JSON.
  http_answer post_json(std::string_view target, const boost::json::value& body) const;

private:
  void start();
  void wait_ready();
  /// Reaps the child if it has ended; true when it had.
  bool reap(int& status);

  daemon_options options_;
  std::filesystem::path root_;
  std::filesystem::path socket_;
  std::filesystem::path state_dir_;
  std::filesystem::path config_file_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int runs_ = 0;
};

}  // namespace qjob::test
