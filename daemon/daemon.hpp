#pragma once

#include "config.hpp"

namespace qjob::daemon {

/// Runs qjobd: opens the job store, starts the actors, resumes every unfinished
/// job, serves the control socket, and drains on SIGTERM/SIGINT. Blocks until the
/// daemon stops; returns the process exit code. Start-up failures throw, with a
/// message naming the file or path and the fix.
int run_daemon(const daemon_config& config);

}  // namespace qjob::daemon
