#pragma once

namespace CLI {
class App;
}

namespace qjob::cli {

/// Adds an "Examples:" footer to qjobctl's `--help` and to every command's, so
/// that `qjobctl COMMAND --help` shows how the command is used. Call it once the
/// commands are defined, on the parsing thread. Throws CLI::OptionNotFound if a
/// command it documents does not exist.
void add_help_examples(CLI::App& app);

}  // namespace qjob::cli
