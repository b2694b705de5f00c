#include "logging.hpp"

#include "config.hpp"
#include "journal_sink.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace qjob::daemon {

namespace {

/// systemd sets JOURNAL_STREAM to the device and inode of the stream it
/// connected stderr to; a child whose stderr went elsewhere inherits the
/// variable, so it is compared with what stderr is now.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  return device == st.st_dev && inode == st.st_ino;
}

spdlog::level::level_enum parse_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str answers "off" for any word it does not know.
  if (parsed == spdlog::level::off && level != "off")
    throw config_error("log_level '" + level + "' is not one of trace, debug, info, warn, error, critical, off");
  return parsed;
}

}  // namespace

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    logger = std::make_shared<spdlog::logger>("qjobd", std::make_shared<journal_sink>());
  } else {
    logger = std::make_shared<spdlog::logger>("qjobd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %n: %v");
  }
  spdlog::set_default_logger(logger);  // registers it too
  set_log_level(level);
}

std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::default_logger()->clone(name);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name);  // registered meanwhile by another thread
  }
  return logger;
}

void set_log_level(const std::string& level) { spdlog::set_level(parse_level(level)); }

}  // namespace qjob::daemon
