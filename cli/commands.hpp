#pragma once

namespace qjob::cli {

/// Parses qjobctl's command line, runs the command against qjobd and returns the
/// process exit status: 0 on success, 1 when the job (or a job of the batch)
/// failed or was cancelled, or is not final under `--no-wait`, 2 on usage,
/// connection and API errors, which print one line on stderr. Blocks the calling
/// thread for as long as the command waits; never throws for those outcomes.
int run_qjobctl(int argc, char** argv);

}  // namespace qjob::cli
