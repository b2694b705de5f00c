#include "bench_support.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace qjob::bench {

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

unix_http_client::unix_http_client(const fs::path& socket_path, int timeout_seconds) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  timeval timeout{timeout_seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("connect: ") + std::strerror(error));
  }
}
unix_http_client::~unix_http_client() { ::close(fd_); }

http_answer unix_http_client::request(std::string_view method, std::string_view target, std::string_view body,
                                    std::string_view content_type) {
  std::string head;
  head.reserve(160);
  head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  if (!body.empty() || method == "POST") {
    head.append("Content-Type: ").append(content_type).append("\r\nContent-Length: ");
    head.append(std::to_string(body.size())).append("\r\n");
  }
  head.append("\r\n");
  if (body.size() < 4096) {
    head.append(body);
    send_all(head);
  } else {
    send_all(head);
    send_all(body);
  }
  return read_answer();
}

http_answer unix_http_client::post_streamed(std::string_view target, std::string_view content_type,
                                           std::size_t length, const std::function<std::string()>& next_piece,
                                           const std::function<void()>& sent) {
  std::string head = "POST ";
  head.append(target).append(" HTTP/1.1\r\nHost: localhost\r\nContent-Type: ").append(content_type);
  head.append("\r\nContent-Length: ").append(std::to_string(length)).append("\r\n\r\n");
  send_all(head);
  std::size_t written = 0;
  while (written < length) {
    const auto piece = next_piece();
    if (piece.empty()) throw std::runtime_error("the streamed body ended before its Content-Length");
    send_all(piece);
    written += piece.size();
  }
  sent();
  return read_answer();
}

void unix_http_client::send_all(std::string_view data) {
  while (!data.empty()) {
    const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
}

void unix_http_client::fill() {
  char chunk[65536];
  for (;;) {
    const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      in_.append(chunk, static_cast<std::size_t>(got));
      return;
    }
    if (got < 0 && errno == EINTR) continue;
    throw std::runtime_error(got == 0 ? "the daemon closed the connection"
                                      : std::string("recv: ") + std::strerror(errno));
  }
}

http_answer unix_http_client::read_answer() {
  std::size_t header_end;
  while ((header_end = in_.find("\r\n\r\n")) == std::string::npos) fill();
  http_answer answer;
  if (in_.size() < 12 || in_.compare(0, 5, "HTTP/") != 0) throw std::runtime_error("not an HTTP answer");
  answer.status = std::atoi(in_.c_str() + 9);
  std::size_t length = 0;
  // Beast writes "Content-Length"; search case-insensitively anyway.
  for (std::size_t line = in_.find("\r\n"); line < header_end; line = in_.find("\r\n", line + 2)) {
    static constexpr std::string_view key = "content-length:";
    if (line + 2 + key.size() > header_end) break;
    bool match = true;
    for (std::size_t k = 0; k < key.size() && match; ++k)
      match = std::tolower(static_cast<unsigned char>(in_[line + 2 + k])) == key[k];
    if (match) length = std::strtoull(in_.c_str() + line + 2 + key.size(), nullptr, 10);
  }
  const auto body_start = header_end + 4;
  while (in_.size() < body_start + length) fill();
  answer.body.assign(in_, body_start, length);
  in_.erase(0, body_start + length);
  return answer;
}

/// The value of the first `"key":"..."` in a JSON text (enough for ids and states).
std::string json_string_field(std::string_view text, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":\"";
  const auto at = text.find(needle);
  if (at == std::string_view::npos) return {};
  const auto start = at + needle.size();
  return std::string(text.substr(start, text.find('"', start) - start));
}

/// CPU seconds (user + system) from a /proc .../stat text.
double stat_cpu_seconds(const std::string& text) {
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long ticks = 0;
  for (int index = 3; rest >> field && index <= 15; ++index)
    if (index >= 14) ticks += std::stoull(field);
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

double thread_cpu_seconds(pid_t pid, pid_t tid) {
  return stat_cpu_seconds(read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat"));
}

proc_figures read_proc(pid_t pid, const std::vector<pid_t>& excluded) {
  proc_figures figures;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) figures.hwm_kib = std::atol(line.c_str() + 6);
    if (line.starts_with("VmRSS:")) figures.rss_kib = std::atol(line.c_str() + 6);
  }
  figures.cpu_seconds = stat_cpu_seconds(read_text("/proc/" + std::to_string(pid) + "/stat"));
  for (auto tid : excluded) figures.cpu_seconds -= thread_cpu_seconds(pid, tid);
  return figures;
}

pid_t named_thread(pid_t pid, std::string_view name) {
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    auto comm = read_text(entry.path() / "comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm == name) return static_cast<pid_t>(std::atoi(entry.path().filename().c_str()));
  }
  return 0;
}

std::vector<pid_t> busy_threads(pid_t pid) {
  std::vector<std::pair<pid_t, double>> before;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const auto tid = static_cast<pid_t>(std::atoi(entry.path().filename().c_str()));
    before.emplace_back(tid, thread_cpu_seconds(pid, tid));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<pid_t> busy;
  for (auto [tid, cpu] : before)
    if (thread_cpu_seconds(pid, tid) - cpu > 0.15) busy.push_back(tid);
  return busy;
}

double self_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string load_text() {
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %.2f %.2f", load[0], load[1], load[2]);
  return text;
}

daemon_process::daemon_process(std::string qjobd, fs::path dir, std::optional<std::string> config)
    : qjobd_(std::move(qjobd)), dir_(std::move(dir)) {
  fs::create_directories(dir_);
  if (config) {
    config_ = dir_ / "qjobd.toml";
    std::ofstream(config_) << *config;
  }
}
daemon_process::~daemon_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

double daemon_process::start() {
  const auto begin = bench_clock::now();
  std::vector<std::string> args{qjobd_, "--socket", socket().string(), "--state-dir", (dir_ / "state").string()};
  if (!config_.empty()) {
    args.push_back("--config");
    args.push_back(config_.string());
  } else {
    // The default configuration, but keep the log quiet as a service would.
    args.push_back("--log-level");
    args.push_back("warn");
  }
  const auto log_path = (dir_ / "qjobd.log").string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("qjobd exited during start-up; see " + log_path);
    }
    if (seconds_since(begin) > 120) throw std::runtime_error("qjobd not ready after 120 s; see " + log_path);
    try {
      unix_http_client client(socket());
      if (client.request("GET", "/v1/health").status == 200) return seconds_since(begin);
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::pair<double, int> daemon_process::stop() {
  const auto begin = bench_clock::now();
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return {seconds_since(begin), WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

void daemon_process::kill() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace qjob::bench
