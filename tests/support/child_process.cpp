#include "support/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace qjob::test {

namespace {

/// An anonymous in-memory file for a child's output: no temp names to clean up,
/// and the child can write it whatever uid it runs as.
int output_file(const char* name) {
  const int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  return fd;
}

std::string read_whole(int fd) {
  std::string text;
  char chunk[65536];
  off_t offset = 0;
  for (;;) {
    const auto n = ::pread(fd, chunk, sizeof chunk, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
    offset += n;
  }
  return text;
}

}  // namespace

std::filesystem::path qjobd_path() { return QJOB_QJOBD_PATH; }
std::filesystem::path qjobctl_path() { return QJOB_QJOBCTL_PATH; }

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::vector<std::string> environment_with(const environment_changes& changes) {
  std::vector<std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    const auto name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [changed, value] : changes) replaced = replaced || changed == name;
    if (!replaced) out.push_back(std::move(text));
  }
  for (const auto& [name, value] : changes)
    if (value) out.push_back(name + "=" + *value);
  return out;
}

process_result run_process(const std::vector<std::string>& argv, const environment_changes& env,
                           std::optional<uid_t> as_uid, const std::string& stdin_text, std::chrono::seconds timeout) {
  if (argv.empty()) throw std::invalid_argument("run_process needs a program");
  // Everything the child needs is built before fork(): between fork and exec only
  // async-signal-safe calls are allowed (the test may have other threads).
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto environment = environment_with(env);
  std::vector<char*> envp;
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  const int in = output_file("stdin");
  if (!stdin_text.empty() && ::write(in, stdin_text.data(), stdin_text.size()) != static_cast<ssize_t>(stdin_text.size()))
    throw std::runtime_error("cannot write a child's input");
  ::lseek(in, 0, SEEK_SET);
  const int out = output_file("stdout");
  const int err = output_file("stderr");

  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    if (as_uid && (::setgroups(0, nullptr) != 0 || ::setresgid(*as_uid, *as_uid, *as_uid) != 0 ||
                   ::setresuid(*as_uid, *as_uid, *as_uid) != 0)) {
      static const char message[] = "run_process: cannot switch uid\n";
      (void)!::write(STDERR_FILENO, message, sizeof message - 1);
      ::_exit(125);
    }
    ::execve(args[0], args.data(), envp.data());
    static const char message[] = "run_process: exec failed\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }

  process_result result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = exit_code_of(status);
  result.out = read_whole(out);
  result.err = read_whole(err);
  ::close(in);
  ::close(out);
  ::close(err);
  return result;
}

process_result run_qjobctl(const std::vector<std::string>& args, const environment_changes& env,
                           std::optional<uid_t> as_uid, const std::string& stdin_text) {
  std::vector<std::string> argv{qjobctl_path().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env, as_uid, stdin_text);
}

}  // namespace qjob::test
