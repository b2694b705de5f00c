#include "logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace qjob::daemon {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("qjobd");
  // systemd sets JOURNAL_STREAM when stderr goes to the journal, which stamps
  // time and process itself.
  if (std::getenv("JOURNAL_STREAM") != nullptr)
    logger->set_pattern("<%l> %n: %v");
  else
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %n: %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace qjob::daemon
