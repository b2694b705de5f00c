#pragma once

// What the benchmarks share: a blocking keep-alive HTTP/1.1 client for qjobd's
// Unix socket, a qjobd child process on a scratch directory, and figures read
// from /proc (memory, CPU time).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qjob::bench {

namespace fs = std::filesystem;
using bench_clock = std::chrono::steady_clock;

double seconds_since(bench_clock::time_point start);

struct http_answer {
  int status = 0;
  std::string body;
};

/// One keep-alive connection to the daemon. Blocking; one request at a time.
/// Throws std::runtime_error on any socket or protocol error.
class unix_http_client {
public:
  explicit unix_http_client(const fs::path& socket_path, int timeout_seconds = 120);
  unix_http_client(const unix_http_client&) = delete;
  unix_http_client& operator=(const unix_http_client&) = delete;
  ~unix_http_client();

  http_answer request(std::string_view method, std::string_view target, std::string_view body = {},
                      std::string_view content_type = "application/json");
  /// A POST whose body of `length` bytes is made piece by piece by `next_piece`
  /// while it is sent, so that a large body is never held whole; `sent` is
  /// called once the last byte is written, before the answer is read.
  http_answer post_streamed(std::string_view target, std::string_view content_type, std::size_t length,
                            const std::function<std::string()>& next_piece, const std::function<void()>& sent);

private:
  void send_all(std::string_view data);
  void fill();
  http_answer read_answer();

  int fd_ = -1;
  std::string in_;
};

/// The value of the first `"key":"..."` in a JSON text (enough for ids and states).
std::string json_string_field(std::string_view text, std::string_view key);

struct proc_figures {
  long hwm_kib = 0, rss_kib = 0;
  double cpu_seconds = 0;
};

std::string read_text(const fs::path& path);
double thread_cpu_seconds(pid_t pid, pid_t tid);
/// Memory and CPU time of process `pid`, less the CPU time of the `excluded` threads.
proc_figures read_proc(pid_t pid, const std::vector<pid_t>& excluded = {});
/// The thread of process `pid` named `name` (its comm), or 0.
pid_t named_thread(pid_t pid, std::string_view name);
/// The process's threads that keep a CPU busy (over half of it for 300 ms).
std::vector<pid_t> busy_threads(pid_t pid);
double self_cpu_seconds();
/// The load average, "1.00 0.50 0.25".
std::string load_text();

/// A qjobd child process with its own state directory, socket and log file.
class daemon_process {
public:
  /// `config`: TOML text for --config; nullopt runs the defaults with log level warn.
  daemon_process(std::string qjobd, fs::path dir, std::optional<std::string> config);
  ~daemon_process();

  fs::path socket() const { return dir_ / "qjobd.sock"; }
  pid_t pid() const { return pid_; }

  /// Starts qjobd and returns the seconds until GET /v1/health answered 200.
  double start();
  /// SIGTERM, then waits; returns the seconds until exit and the exit status.
  std::pair<double, int> stop();
  /// SIGKILL, as a crash would, and reaps the process.
  void kill();

private:
  std::string qjobd_;
  fs::path dir_;
  fs::path config_;
  pid_t pid_ = -1;
};

}  // namespace qjob::bench
