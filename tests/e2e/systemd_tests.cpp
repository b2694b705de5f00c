// qjobd started the way systemd starts it: through socket activation
// (systemd-socket-activate holds the listening socket and execs qjobd on the
// first connection, passing it as LISTEN_FDS), with a NOTIFY_SOCKET the test
// reads, as systemd reads it, and a watchdog.

#include "e2e_jobs.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

/// A datagram socket in a temp directory that collects what qjobd sends to
/// NOTIFY_SOCKET (`READY=1`, `STATUS=...`, `WATCHDOG=1`, ...), one message each.
class notify_listener {
public:
  notify_listener() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qjob-notify-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp directory");
    directory_ = pattern;
    path_ = directory_ / "notify.sock";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot bind " + path_.string() + ": " + std::strerror(errno));
  }
  notify_listener(const notify_listener&) = delete;
  notify_listener& operator=(const notify_listener&) = delete;
  ~notify_listener() {
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }

  /// Reads messages until one holds `line` (a whole line of it), within `deadline`;
  /// every message read is kept in messages().
  bool wait_for(const std::string& line, std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (std::size_t seen = 0;; ) {
      for (; seen < messages_.size(); ++seen)
        if (has_line(messages_[seen], line)) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) messages_.emplace_back(buffer, static_cast<std::size_t>(n));
    }
  }

  /// Messages with a line starting with `prefix`, read so far.
  std::size_t count(const std::string& prefix) const {
    std::size_t found = 0;
    for (const auto& message : messages_)
      for (const auto& line : lines(message)) found += line.starts_with(prefix);
    return found;
  }

  const std::vector<std::string>& messages() const { return messages_; }

private:
  static std::vector<std::string> lines(const std::string& message) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (begin <= message.size()) {
      auto end = message.find('\n', begin);
      if (end == std::string::npos) end = message.size();
      out.push_back(message.substr(begin, end - begin));
      begin = end + 1;
    }
    return out;
  }
  static bool has_line(const std::string& message, const std::string& line) {
    for (const auto& l : lines(message))
      if (l == line || (line.back() == '*' && l.starts_with(line.substr(0, line.size() - 1)))) return true;
    return false;
  }

  std::filesystem::path directory_;
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

std::string all_of(const std::vector<std::string>& messages) {
  std::string text;
  for (const auto& message : messages) text += message + " | ";
  return text;
}

/// systemd-socket-activate's arguments that start qjobd as the units do: the
/// listening socket at qjobd's socket path, NOTIFY_SOCKET and a watchdog of
/// `watchdog_usec`, and the sanitizers' settings of this run (it passes only
/// what it is told).
std::vector<std::string> activated(const notify_listener& notify, const std::string& watchdog_usec) {
  std::vector<std::string> launcher{"systemd-socket-activate", "--listen={socket}",
                                    "-E", "NOTIFY_SOCKET=" + notify.path().string(),
                                    "-E", "WATCHDOG_USEC=" + watchdog_usec};
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* value = std::getenv(name)) {
      launcher.push_back("-E");
      launcher.push_back(std::string(name) + "=" + value);
    }
  return launcher;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_tests)

BOOST_AUTO_TEST_CASE(a_socket_activated_qjobd_notifies_ready_status_watchdog_reload_and_stopping) {
  notify_listener notify;
  daemon_options options;
  options.config = one_worker_config();
  options.launcher = activated(notify, "400000");
  daemon_process daemon(options);

  // Ready only once serving; a status line; the watchdog pinged from the loop.
  BOOST_TEST(notify.wait_for("READY=1"), all_of(notify.messages()));
  BOOST_TEST(notify.wait_for("STATUS=serving*"), all_of(notify.messages()));
  BOOST_TEST(notify.wait_for("WATCHDOG=1"), all_of(notify.messages()));
  BOOST_TEST(daemon.log().find("listening on the socket passed by systemd") != std::string::npos, daemon.log());

  // Jobs run through the passed socket; the live status counts them.
  const auto id = text(submit(daemon, job_of(bell_input())), "id");
  BOOST_TEST(text(wait_final(daemon, id), "status") == "succeeded");
  BOOST_TEST(notify.wait_for("STATUS=serving; 0 job(s) not final*", std::chrono::seconds(20)),
             all_of(notify.messages()));
  const auto pings = notify.count("WATCHDOG=1");
  BOOST_TEST(notify.wait_for("WATCHDOG=1", std::chrono::seconds(2)));
  std::this_thread::sleep_for(1s);
  notify.wait_for("never sent", std::chrono::milliseconds(100));
  BOOST_TEST(notify.count("WATCHDOG=1") >= pings + 2, "pinged at half the watchdog period");

  // systemctl reload: RELOADING=1, then READY=1 again.
  const auto ready = notify.count("READY=1");
  ::kill(daemon.pid(), SIGHUP);
  BOOST_TEST(notify.wait_for("RELOADING=1"), all_of(notify.messages()));
  eventually(
      [&] {
        notify.wait_for("never sent", std::chrono::milliseconds(50));
        return notify.count("READY=1") > ready;
      },
      "READY=1 after the reload");

  // systemctl stop: STOPPING=1, exit 0, and the socket stays (it is systemd's).
  BOOST_TEST(daemon.terminate() == 0);
  BOOST_TEST(notify.wait_for("STOPPING=1"), all_of(notify.messages()));
  BOOST_TEST(std::filesystem::exists(daemon.socket()), "qjobd removed the socket systemd passed it");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
