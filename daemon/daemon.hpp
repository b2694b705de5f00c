#pragma once

#include "config.hpp"

#include <functional>

namespace qjob::daemon {

/// Reads the configuration again (the file, then the command line's overrides),
/// for SIGHUP. Throws config_error.
using config_loader = std::function<daemon_config()>;

/// Runs qjobd: opens the job store, starts the actors, resumes every unfinished
/// job, serves the control socket, reloads `load_config()` on SIGHUP, and
/// drains on SIGTERM/SIGINT. Blocks until the daemon stops; returns the process
/// exit code. Start-up failures throw, with a message naming the file or path
/// and the fix.
int run_daemon(const daemon_config& config, config_loader load_config);

}  // namespace qjob::daemon
