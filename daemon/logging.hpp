#pragma once

#include <string>

namespace qjob::daemon {

/// Sets up spdlog: to stderr, without our own timestamps when the journal already
/// adds them (started by systemd), at `level` ("info", "debug", ...).
void setup_logging(const std::string& level);

}  // namespace qjob::daemon
