#include "help_examples.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

namespace qjob::cli {

namespace {

struct command_examples {
    std::vector<char const*> path;  // the command, then its subcommand if any
    char const* lines;
};

// Kept beside each other so that a new command's examples are easy to add; the
// packaging tests check that every command listed by `qjobctl --help` has some.
std::vector<command_examples> const examples{
    {{"submit"},
     "  qjobctl submit examples/bell.json                 # prints the job id\n"
     "  qjobctl submit circuit.qasm --shots 4000 --seed 7 --tag sweep --wait\n"
     "  qjobctl submit job.json --provider ionq --target qpu.aria-1 --priority 8\n"
     "  generate-circuit | qjobctl submit - --format qasm2\n"},
    {{"batch"},
     "  qjobctl batch examples/sweep.ndjson               # prints the batch id\n"
     "  qjobctl batch examples/sweep.ndjson --wait        # progress bar until all are final\n"
     "  qjobctl batch status BATCH --wait\n"
     "  qjobctl batch cancel BATCH\n"},
    {{"batch", "status"},
     "  qjobctl batch status BATCH                        # counts per state\n"
     "  qjobctl batch status BATCH --wait                 # follow it until every job is final\n"},
    {{"batch", "cancel"}, "  qjobctl batch cancel BATCH\n"},
    {{"status"},
     "  qjobctl status ID\n"
     "  qjobctl status ID --history                       # every state change with its time\n"
     "  qjobctl status ID --json\n"},
    {{"query"},
     "  qjobctl query ID                                  # the provider's id, status word, usage\n"
     "  qjobctl query ID --json\n"},
    {{"list"},
     "  qjobctl list\n"
     "  qjobctl list --status waiting --tag sweep\n"
     "  qjobctl list --batch BATCH --all --json\n"},
    {{"result"},
     "  qjobctl result ID                                 # waits until the job is final\n"
     "  qjobctl result ID --no-wait                       # exit status 1 if not final yet\n"
     "  qjobctl result ID --json > result.json\n"},
    {{"cancel"}, "  qjobctl cancel ID\n"},
    {{"results"},
     "  qjobctl results --batch BATCH                     # a job a line (NDJSON)\n"
     "  qjobctl results --batch BATCH --format csv > sweep.csv\n"},
    {{"watch"},
     "  qjobctl watch                                     # every visible job, from now on\n"
     "  qjobctl watch --job ID                            # until the job is final\n"
     "  qjobctl watch --batch BATCH --json\n"
     "  qjobctl watch --batch BATCH --after EVENT         # resume after an event id\n"},
    {{"targets"},
     "  qjobctl targets\n"
     "  qjobctl targets --json\n"},
    {{"health"},
     "  qjobctl health\n"
     "  qjobctl --socket /run/qjobd/qjobd.sock health\n"},
};

}  // namespace

void add_help_examples(CLI::App& app) {
    app.footer("\nExamples:\n"
               "  qjobctl submit examples/bell.json --wait\n"
               "  qjobctl batch examples/sweep.ndjson --wait\n"
               "  qjobctl list --status waiting\n"
               "  qjobctl COMMAND --help                            # a command's options and examples\n"
               "\nqjobctl exits 0 on success, 1 when a job failed or was cancelled, 2 on usage,\n"
               "connection and API errors. See qjobctl(1).");
    for (auto const& entry : examples) {
        CLI::App* command = &app;
        for (char const* name : entry.path) {
            command = command->get_subcommand(name);
        }
        command->footer(std::string{"\nExamples:\n"} + entry.lines);
    }
}

}  // namespace qjob::cli
