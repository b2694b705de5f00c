#include "support/daemon_process.hpp"

#include "support/child_process.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/framework.hpp>
#include <boost/test/results_collector.hpp>
#include <boost/test/tree/test_unit.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace qjob::test {

namespace {

using namespace std::chrono_literals;

/// True when the running test case has a failed assertion (or is being unwound by
/// an exception): then the daemon's log is worth printing.
bool current_test_failed() {
  if (std::uncaught_exceptions() > 0) return true;
  try {
    const auto id = boost::unit_test::framework::current_test_case().p_id;
    return !boost::unit_test::results_collector.results(id).passed();
  } catch (...) {
    return false;  // not inside a test case
  }
}

std::string tail(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : "[...]\n" + text.substr(text.size() - max);
}

}  // namespace

daemon_process::daemon_process(daemon_options options) : options_(std::move(options)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "qjob-e2e-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp directory for qjobd");
  root_ = pattern;
  if (options_.reachable_by_all) ::chmod(root_.c_str(), 0755);
  socket_ = root_ / "qjobd.sock";
  state_dir_ = options_.state_dir.empty() ? root_ / "state" : options_.state_dir;
  log_file_ = root_ / "qjobd.log";
  if (!options_.config.empty()) {
    config_file_ = root_ / "qjobd.toml";
    std::ofstream(config_file_) << options_.config;
  }
  try {
    start();
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
    throw;
  }
}

daemon_process::~daemon_process() {
  if (running()) kill();
  if (current_test_failed()) std::cerr << "---- qjobd output (" << log_file_.string() << ") ----\n" << log() << "---- end of qjobd output ----\n";
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

void daemon_process::start() {
  if (running()) throw std::logic_error("qjobd is already running");
  ++runs_;
  {
    std::ofstream marker(log_file_, std::ios::app);
    marker << "---- run " << runs_ << " ----\n";
  }
  std::vector<std::string> argv;
  for (auto arg : options_.launcher) {
    if (auto at = arg.find("{socket}"); at != std::string::npos) arg.replace(at, 8, socket_.string());
    argv.push_back(std::move(arg));
  }
  for (auto arg : {qjobd_path().string(), std::string("--socket"), socket_.string(), std::string("--state-dir"),
                   state_dir_.string()})
    argv.push_back(std::move(arg));
  if (!config_file_.empty()) {
    argv.push_back("--config");
    argv.push_back(config_file_.string());
  }
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  // Not run by systemd unless the test says so: no journal, no notify socket,
  // no passed sockets, no watchdog.
  environment_changes changes{{"JOURNAL_STREAM", std::nullopt}, {"NOTIFY_SOCKET", std::nullopt},
                              {"LISTEN_FDS", std::nullopt},     {"LISTEN_PID", std::nullopt},
                              {"WATCHDOG_USEC", std::nullopt},  {"WATCHDOG_PID", std::nullopt}};
  changes.insert(changes.end(), options_.environment.begin(), options_.environment.end());
  const auto environment = environment_with(changes);
  std::vector<char*> envp;
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  const int log = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot open " + log_file_.string() + ": " + std::strerror(errno));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(log);
    ::close(null);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    // A test binary that dies (a crash, a timeout) takes its daemons with it,
    // instead of leaving them to poll fakes that are gone.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    if (options_.address_space_limit != 0) {
      const rlimit limit{options_.address_space_limit, options_.address_space_limit};
      ::setrlimit(RLIMIT_AS, &limit);
    }
    ::execvpe(args[0], args.data(), envp.data());
    static const char message[] = "daemon_process: cannot exec qjobd or its launcher\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }
  ::close(log);
  ::close(null);
  pid_ = child;
  wait_ready();
}

void daemon_process::wait_ready() {
  const auto deadline = std::chrono::steady_clock::now() + options_.ready_deadline;
  std::string last_problem = "no answer yet";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (reap(status))
      throw std::runtime_error("qjobd exited during start-up with status " + std::to_string(exit_code_of(status)) +
                               "; its output:\n" + tail(log(), 8000));
    try {
      auto answer = http_exchange(socket_, "GET", "/v1/health", {}, {}, std::chrono::seconds(5));
      if (answer.status == 200) return;
      last_problem = "GET /v1/health answered " + std::to_string(answer.status) + ": " + answer.body;
    } catch (const std::exception& e) {
      last_problem = e.what();
    }
    std::this_thread::sleep_for(20ms);
  }
  kill();
  throw std::runtime_error("qjobd was not ready within " + std::to_string(options_.ready_deadline.count()) +
                           " s (" + last_problem + "); its output:\n" + tail(log(), 8000));
}

bool daemon_process::reap(int& status) {
  if (!running()) return true;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

int daemon_process::terminate(std::chrono::seconds deadline) {
  if (!running()) throw std::logic_error("qjobd is not running");
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (!reap(status)) {
    if (std::chrono::steady_clock::now() >= until) {
      std::cerr << "qjobd did not exit within " << deadline.count() << " s of SIGTERM; killing it\n";
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return exit_code_of(status);
    }
    std::this_thread::sleep_for(5ms);
  }
  return exit_code_of(status);
}

void daemon_process::reload(const std::string& config) {
  if (config_file_.empty()) throw std::logic_error("reload needs a daemon started with a config");
  {
    // Written aside and renamed, so that qjobd never reads half a file.
    const auto next = config_file_.string() + ".next";
    std::ofstream(next) << config;
    std::filesystem::rename(next, config_file_);
  }
  options_.config = config;
  if (running()) ::kill(pid_, SIGHUP);
}

void daemon_process::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void daemon_process::restart() { start(); }

std::string daemon_process::log() const {
  std::ifstream in(log_file_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

http_answer daemon_process::request(std::string_view method, std::string_view target, std::string_view body,
                                    std::string_view content_type) const {
  return http_exchange(socket_, method, target, body, content_type);
}

http_answer daemon_process::post_json(std::string_view target, const boost::json::value& body) const {
  return post(target, boost::json::serialize(body));
}

}  // namespace qjob::test
