#pragma once

// Runs a program on a pseudo-terminal, as a user at a terminal would, for the
// e2e suites that check what qjobctl shows there (progress in place, Ctrl-C).

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

namespace qjob::e2e {

struct pty_result {
  std::string output;  ///< stdout and stderr together, as the terminal got them
  int exit_code = -1;  ///< 128 + N when signal N ended it
};

/// Runs `argv` (argv[0] a path) on a new pseudo-terminal and reads what it
/// writes. Once `when` has appeared in the output, sends it `signal` (0: none).
/// A program still running at `deadline` is killed.
inline pty_result run_on_pty(const std::vector<std::string>& argv, const std::string& when = "", int signal = 0,
                             std::chrono::seconds deadline = std::chrono::seconds(60)) {
  pty_result result;
  int terminal = -1;
  const pid_t child = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  if (child < 0) return result;
  if (child == 0) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  bool signalled = signal == 0;
  for (;;) {
    if (std::chrono::steady_clock::now() >= until) {
      ::kill(child, SIGKILL);
      break;
    }
    pollfd ready{terminal, POLLIN, 0};
    if (::poll(&ready, 1, 100) < 0 && errno != EINTR) break;
    if (ready.revents & (POLLIN | POLLHUP)) {
      char chunk[4096];
      const auto got = ::read(terminal, chunk, sizeof chunk);
      if (got <= 0) break;  // EIO: the program has gone and the terminal is closed
      result.output.append(chunk, static_cast<std::size_t>(got));
    }
    if (!signalled && result.output.find(when) != std::string::npos) {
      ::kill(child, signal);
      signalled = true;
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(terminal);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace qjob::e2e
