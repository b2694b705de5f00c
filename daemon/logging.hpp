#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace qjob::daemon {

/// Sets up spdlog at `level` ("info", "debug", ...): to the journal with
/// structured fields when systemd connected stderr to it (JOURNAL_STREAM names
/// our stderr), human-readable lines to stderr otherwise.
void setup_logging(const std::string& level);

/// The logger named `name` ("job", "provider.ionq", ...), made from the default
/// one and registered, so that set_log_level reaches it. Any thread.
std::shared_ptr<spdlog::logger> named_logger(const std::string& name);

/// Every registered logger at `level` from now on (SIGHUP's reload). Throws
/// config_error for a word that is not a level.
void set_log_level(const std::string& level);

}  // namespace qjob::daemon
