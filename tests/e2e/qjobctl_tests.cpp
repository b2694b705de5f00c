// The real qjobctl against the real qjobd: what a user types and what they see,
// with the exit statuses of DESIGN.md (0 done, 1 job failed or cancelled, 2 usage
// or connection errors).

#include "e2e_jobs.hpp"
#include "pty_run.hpp"

#include "support/child_process.hpp"
#include "support/daemon_process.hpp"
#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;
using test::process_result;

/// A daemon plus a scratch folder for job files, and qjobctl pointed at its socket.
struct qjobctl_fixture {
  explicit qjobctl_fixture(daemon_options options = {}) : daemon(std::move(options)) {}

  /// qjobctl `args` with --socket set to this daemon.
  process_result run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--socket", daemon.socket().string()});
    return test::run_qjobctl(args, {{"QJOBD_SOCKET", std::nullopt}});
  }

  /// Writes `content` to a file named `name` in the daemon's temp folder.
  std::string file(const std::string& name, const std::string& content) const {
    const auto path = daemon.root() / name;
    std::ofstream(path) << content;
    return path.string();
  }

  daemon_process daemon;
};

/// Prints what qjobctl did, for failure messages.
std::string describe(const process_result& result) {
  return "exit " + std::to_string(result.exit_code) + (result.timed_out ? " (timed out)" : "") + "\nstdout:\n" +
         result.out + "stderr:\n" + result.err;
}

/// The one line qjobctl submit prints on stdout: the job id.
std::string submitted_id(const process_result& result) {
  BOOST_TEST_REQUIRE(result.exit_code == 0, describe(result));
  auto id = result.out.substr(0, result.out.find('\n'));
  BOOST_TEST_REQUIRE(!id.empty(), describe(result));
  return id;
}

/// The OUTCOME/COUNT rows of one circuit's table in `qjobctl result` output.
std::map<std::string, std::int64_t> printed_counts(const std::string& table) {
  std::map<std::string, std::int64_t> counts;
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string bits, count;
    if (!(cells >> bits >> count)) continue;
    if (bits.find_first_not_of("01") != std::string::npos) continue;  // the header, "circuit N:"
    // An outcome with a probability but no shot shows "-".
    if (count.empty() || count.find_first_not_of("0123456789") != std::string::npos) continue;
    counts[bits] = std::stoll(count);
  }
  return counts;
}

std::int64_t total(const std::map<std::string, std::int64_t>& counts) {
  std::int64_t sum = 0;
  for (const auto& [bits, count] : counts) sum += count;
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qjobctl_tests)

BOOST_AUTO_TEST_CASE(a_bell_pair_is_submitted_and_its_result_printed) {
  qjobctl_fixture f;
  const auto bell = f.file("bell.json", json::serialize(bell_input()));
  const auto submitted = f.run({"submit", bell, "--shots", "200", "--seed", "3", "--name", "bell", "--tag", "demo"});
  const auto id = submitted_id(submitted);
  BOOST_TEST(submitted.err.find("local/simulator") != std::string::npos, describe(submitted));

  const auto result = f.run({"result", id});
  BOOST_TEST_REQUIRE(result.exit_code == 0, describe(result));
  BOOST_TEST(result.out.find("OUTCOME") != std::string::npos, describe(result));
  const auto counts = printed_counts(result.out);
  BOOST_TEST(total(counts) == 200, describe(result));
  for (const auto& [bits, count] : counts) BOOST_TEST((bits == "00" || bits == "11"), describe(result));
  BOOST_TEST(counts.size() == 2u, describe(result));

  const auto job = get_job(f.daemon, id);
  BOOST_TEST(text(job, "name") == "bell");
  BOOST_TEST(job.at("tags") == (json::array{"demo"}));
  BOOST_TEST(job.at("params").at("seed").to_number<int>() == 3);
}

BOOST_AUTO_TEST_CASE(submit_wait_prints_a_ghz_state_of_all_zeros_and_all_ones) {
  qjobctl_fixture f;
  const auto ghz = f.file("ghz.json", json::serialize(job_of(ghz_input(5), {{"shots", 300}})));
  const auto run = f.run({"submit", ghz, "--wait"});
  BOOST_TEST_REQUIRE(run.exit_code == 0, describe(run));
  const auto counts = printed_counts(run.out);
  BOOST_TEST(total(counts) == 300, describe(run));
  for (const auto& [bits, count] : counts) BOOST_TEST((bits == "00000" || bits == "11111"), describe(run));
}

BOOST_AUTO_TEST_CASE(a_qasm_file_from_qasmbench_runs) {
  const auto shared = test::shared_dir();
  const auto qasm = shared ? *shared / "qasmbench/small/bell_n4.qasm" : std::filesystem::path();
  if (!shared || !std::filesystem::exists(qasm)) {
    BOOST_TEST_MESSAGE("skipped: no shared qasmbench/small/bell_n4.qasm in this checkout");
    return;
  }
  qjobctl_fixture f;
  const auto id = submitted_id(f.run({"submit", qasm.string(), "--shots", "128"}));
  BOOST_TEST(text(get_job(f.daemon, id), "input_format") == "qasm2");
  const auto result = f.run({"result", id});
  BOOST_TEST_REQUIRE(result.exit_code == 0, describe(result));
  const auto counts = printed_counts(result.out);
  BOOST_TEST(total(counts) == 128, describe(result));
  for (const auto& [bits, count] : counts) BOOST_TEST(bits.size() == 4u, "four classical bits: " << bits);
}

BOOST_AUTO_TEST_CASE(a_qasm_program_on_stdin_runs) {
  qjobctl_fixture f;
  const std::string program = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nx q[0];\nx q[2];\n"
                              "measure q -> c;\n";
  auto args = std::vector<std::string>{"--socket", f.daemon.socket().string(), "submit", "-", "--shots", "10",
                                       "--wait"};
  const auto run = test::run_qjobctl(args, {}, std::nullopt, program);
  BOOST_TEST_REQUIRE(run.exit_code == 0, describe(run));
  BOOST_TEST((printed_counts(run.out) == std::map<std::string, std::int64_t>{{"101", 10}}), describe(run));
}

BOOST_AUTO_TEST_CASE(a_multi_circuit_job_prints_each_circuit) {
  qjobctl_fixture f;
  const auto file = f.file("two.json", json::serialize(json::array{value_input(2, 2), value_input(1, 2)}));
  const auto id = submitted_id(f.run({"submit", file, "--shots", "7"}));
  const auto result = f.run({"result", id});
  BOOST_TEST_REQUIRE(result.exit_code == 0, describe(result));
  const auto second = result.out.find("circuit 1:");
  BOOST_TEST_REQUIRE(result.out.find("circuit 0:") != std::string::npos, describe(result));
  BOOST_TEST_REQUIRE(second != std::string::npos, describe(result));
  BOOST_TEST((printed_counts(result.out.substr(0, second)) == std::map<std::string, std::int64_t>{{"10", 7}}),
             describe(result));
  BOOST_TEST((printed_counts(result.out.substr(second)) == std::map<std::string, std::int64_t>{{"01", 7}}),
             describe(result));
}

BOOST_AUTO_TEST_CASE(status_and_list_show_the_jobs) {
  qjobctl_fixture f;
  const auto bell = f.file("bell.json", json::serialize(bell_input()));
  const auto first = submitted_id(f.run({"submit", bell, "--name", "one", "--tag", "t1"}));
  const auto second = submitted_id(f.run({"submit", bell, "--name", "two"}));
  wait_final(f.daemon, first);
  wait_final(f.daemon, second);

  const auto status = f.run({"status", first, "--history"});
  BOOST_TEST_REQUIRE(status.exit_code == 0, describe(status));
  BOOST_TEST(status.out.find(first) != std::string::npos, describe(status));
  BOOST_TEST(status.out.find("succeeded") != std::string::npos, describe(status));
  BOOST_TEST(status.out.find("executing") != std::string::npos, "the history is shown: " << describe(status));

  const auto as_json = f.run({"status", first, "--json"});
  BOOST_TEST_REQUIRE(as_json.exit_code == 0, describe(as_json));
  BOOST_TEST(text(json::parse(as_json.out).as_object(), "id") == first);

  const auto list = f.run({"list"});
  BOOST_TEST_REQUIRE(list.exit_code == 0, describe(list));
  BOOST_TEST(list.out.find("ID") != std::string::npos);
  BOOST_TEST(list.out.find(first) != std::string::npos, describe(list));
  BOOST_TEST(list.out.find(second) != std::string::npos, describe(list));
  BOOST_TEST(list.out.find(second) < list.out.find(first), "newest first: " << describe(list));

  const auto filtered = f.run({"list", "--tag", "t1", "--json"});
  BOOST_TEST_REQUIRE(filtered.exit_code == 0, describe(filtered));
  const auto jobs = json::parse(filtered.out).as_array();
  BOOST_TEST_REQUIRE(jobs.size() == 1u, describe(filtered));
  BOOST_TEST(text(jobs[0].as_object(), "id") == first);

  const auto paged = f.run({"list", "--limit", "1", "--all", "--json"});
  BOOST_TEST_REQUIRE(paged.exit_code == 0, describe(paged));
  BOOST_TEST(json::parse(paged.out).as_array().size() == 2u, "--all follows every page: " << describe(paged));
}

BOOST_AUTO_TEST_CASE(a_cancelled_job_cancels_with_0_and_its_result_exits_1) {
  qjobctl_fixture f(daemon_options{.config = one_worker_config()});
  const auto endless = f.file("endless.qasm", endless_input());
  const auto bell = f.file("bell.json", json::serialize(bell_input()));
  const auto running = submitted_id(f.run({"submit", endless}));
  const auto waiting = submitted_id(f.run({"submit", bell}));
  wait_status(f.daemon, running, "executing");

  const auto cancel_waiting = f.run({"cancel", waiting});
  BOOST_TEST(cancel_waiting.exit_code == 0, describe(cancel_waiting));
  const auto cancel_running = f.run({"cancel", running});
  BOOST_TEST(cancel_running.exit_code == 0, describe(cancel_running));

  const auto result = f.run({"result", running});
  BOOST_TEST(result.exit_code == 1, describe(result));
  BOOST_TEST(result.err.find("cancelled") != std::string::npos, describe(result));
  BOOST_TEST(f.run({"result", waiting}).exit_code == 1);
  BOOST_TEST(f.run({"status", waiting}).exit_code == 1, "status of a cancelled job exits 1");

  const auto again = f.run({"cancel", running});
  BOOST_TEST(again.exit_code == 2, "cancelling a final job is an error: " << describe(again));
  BOOST_TEST(again.err.find("already_final") != std::string::npos, describe(again));
}

BOOST_AUTO_TEST_CASE(result_no_wait_of_an_unfinished_job_exits_1) {
  qjobctl_fixture f(daemon_options{.config = one_worker_config()});
  const auto running = submitted_id(f.run({"submit", f.file("endless.qasm", endless_input())}));
  const auto result = f.run({"result", running, "--no-wait"});
  BOOST_TEST(result.exit_code == 1, describe(result));
  BOOST_TEST(f.run({"cancel", running}).exit_code == 0);
  wait_final(f.daemon, running);
}

BOOST_AUTO_TEST_CASE(targets_lists_the_local_simulator) {
  qjobctl_fixture f;
  const auto run = f.run({"targets"});
  BOOST_TEST_REQUIRE(run.exit_code == 0, describe(run));
  BOOST_TEST(run.out.find("local*") != std::string::npos, describe(run));
  BOOST_TEST(run.out.find("simulator*") != std::string::npos, describe(run));
  BOOST_TEST(run.out.find("qasm2") != std::string::npos, describe(run));
}

BOOST_AUTO_TEST_CASE(batch_wait_follows_an_ndjson_file_until_every_job_is_final) {
  qjobctl_fixture f;
  std::string lines;
  for (int i = 0; i < 6; ++i)
    lines += json::serialize(job_of(value_input(static_cast<std::uint64_t>(i), 3), {{"shots", 4}})) + "\n";
  const auto run = f.run({"batch", f.file("jobs.ndjson", lines), "--wait"});
  BOOST_TEST_REQUIRE(run.exit_code == 0, describe(run));
  const auto batch_id = run.out.substr(0, run.out.find('\n'));
  const auto counts = f.daemon.get("/v1/batches/" + batch_id).json();
  BOOST_TEST(counts.at("total").to_number<int>() == 6, json::serialize(counts));
  BOOST_TEST(counts.at("counts").at("succeeded").to_number<int>() == 6, json::serialize(counts));

  const auto bad = f.run({"batch", f.file("bad.ndjson", lines + "{not json\n")});
  BOOST_TEST(bad.exit_code == 2, describe(bad));
  BOOST_TEST(bad.err.find(":7") != std::string::npos, "names the line: " << describe(bad));
}

BOOST_AUTO_TEST_CASE(watch_prints_a_jobs_state_changes_and_ends_when_it_is_final) {
  qjobctl_fixture f;
  const auto id = submitted_id(f.run({"submit", f.file("bell.json", json::serialize(bell_input()))}));
  const auto run = f.run({"watch", "--job", id});
  BOOST_TEST_REQUIRE(run.exit_code == 0, describe(run));
  std::vector<std::string> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  BOOST_TEST_REQUIRE(lines.size() == 3u, describe(run));
  BOOST_TEST(lines[0].find(id + "  waiting") != std::string::npos, lines[0]);
  BOOST_TEST(lines[1].find(id + "  executing (running)") != std::string::npos, lines[1]);
  BOOST_TEST(lines[2].find(id + "  succeeded") != std::string::npos, lines[2]);

  // --json: one object a line with its event id; --after resumes past one.
  const auto as_json = f.run({"watch", "--job", id, "--json"});
  BOOST_TEST_REQUIRE(as_json.exit_code == 0, describe(as_json));
  const auto first = json::parse(as_json.out.substr(0, as_json.out.find('\n'))).as_object();
  BOOST_TEST(text(first, "status") == "waiting");
  const auto after = std::to_string(first.at("id").to_number<std::int64_t>());
  const auto resumed = f.run({"watch", "--job", id, "--after", after});
  BOOST_TEST(std::count(resumed.out.begin(), resumed.out.end(), '\n') == 2, describe(resumed));

  const auto unknown = f.run({"watch", "--job", "no-such-job"});
  BOOST_TEST(unknown.exit_code == 2, describe(unknown));
  BOOST_TEST(unknown.err.find("not_found") != std::string::npos, describe(unknown));
}

BOOST_AUTO_TEST_CASE(batch_wait_on_a_terminal_draws_progress_in_place_and_ctrl_c_leaves_the_batch_running) {
  qjobctl_fixture f(daemon_options{.config = one_worker_config()});
  std::string lines = json::serialize(job_of(json::string(endless_input()))) + "\n";
  for (int i = 0; i < 4; ++i) lines += json::serialize(job_of(bell_input())) + "\n";
  const auto file = f.file("long.ndjson", lines);
  const auto run = run_on_pty({test::qjobctl_path().string(), "--socket", f.daemon.socket().string(), "batch", file,
                               "--wait"},
                              "executing 1", SIGINT);
  BOOST_TEST(run.exit_code == 130, run.output);
  BOOST_TEST(run.output.find("\r[") != std::string::npos, "a bar redrawn in place: " << run.output);
  BOOST_TEST(run.output.find("\x1b[K") != std::string::npos, run.output);
  BOOST_TEST(run.output.find(" done  waiting ") != std::string::npos, run.output);
  const auto hint = run.output.find("qjobctl batch status ");
  BOOST_TEST_REQUIRE(hint != std::string::npos, "says how to follow it again: " << run.output);
  const auto batch_id = run.output.substr(hint + 21, run.output.find(' ', hint + 21) - hint - 21);
  // The batch runs on: its long job still executes.
  const auto counts = f.daemon.get("/v1/batches/" + batch_id).json();
  BOOST_TEST(counts.at("counts").at("executing").to_number<int>() == 1, json::serialize(counts));
  BOOST_TEST(f.run({"batch", "cancel", batch_id}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(results_exports_every_job_of_a_batch_as_ndjson_or_csv) {
  qjobctl_fixture f(daemon_options{.config = one_worker_config()});
  std::string lines;
  for (int i = 0; i < 3; ++i)
    lines += json::serialize(job_of(value_input(static_cast<std::uint64_t>(i + 1), 2), {{"shots", 5}})) + "\n";
  const auto submitted = f.run({"batch", f.file("jobs.ndjson", lines), "--wait"});
  BOOST_TEST_REQUIRE(submitted.exit_code == 0, describe(submitted));
  const auto batch = submitted.out.substr(0, submitted.out.find('\n'));

  const auto ndjson = f.run({"results", "--batch", batch});
  BOOST_TEST_REQUIRE(ndjson.exit_code == 0, describe(ndjson));
  std::istringstream rows(ndjson.out);
  std::vector<json::object> jobs;
  for (std::string line; std::getline(rows, line);) jobs.push_back(json::parse(line).as_object());
  BOOST_TEST_REQUIRE(jobs.size() == 3u, describe(ndjson));
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(text(jobs[static_cast<std::size_t>(i)], "status") == "succeeded");
    // Oldest first: job i measured i + 1.
    BOOST_TEST(jobs[static_cast<std::size_t>(i)].at("results").at(0).at("counts") ==
               (json::object{{bits_of(static_cast<std::uint64_t>(i + 1), 2), 5}}));
  }

  const auto csv = f.run({"results", "--batch", batch, "--format", "csv"});
  BOOST_TEST_REQUIRE(csv.exit_code == 0, describe(csv));
  std::istringstream csv_rows(csv.out);
  std::vector<std::string> csv_lines;
  for (std::string line; std::getline(csv_rows, line);) csv_lines.push_back(line);
  BOOST_TEST_REQUIRE(csv_lines.size() == 4u, describe(csv));
  BOOST_TEST(csv_lines[0] == "job_id,status,circuit,outcome,count,probability,error");
  BOOST_TEST(csv_lines[1] == text(jobs[0], "id") + ",succeeded,0,01,5,1,", csv_lines[1]);

  BOOST_TEST(f.run({"results", "--batch", batch, "--format", "xml"}).exit_code == 2);
  const auto unknown = f.run({"results", "--batch", "no-such-batch"});
  BOOST_TEST(unknown.exit_code == 2, describe(unknown));
}

BOOST_AUTO_TEST_CASE(an_unknown_id_exits_2_with_one_line) {
  qjobctl_fixture f;
  for (const char* command : {"status", "result", "cancel"}) {
    BOOST_TEST_CONTEXT(command) {
      const auto run = f.run({command, "no-such-job"});
      BOOST_TEST(run.exit_code == 2, describe(run));
      BOOST_TEST(run.err.find("not_found") != std::string::npos, describe(run));
      BOOST_TEST(std::count(run.err.begin(), run.err.end(), '\n') == 1, "one line: " << describe(run));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_daemon_that_is_not_there_exits_2) {
  qjobctl_fixture f;
  const auto socket = f.daemon.socket().string();
  BOOST_TEST(f.daemon.terminate() == 0);
  const auto run = test::run_qjobctl({"--socket", socket, "list"});
  BOOST_TEST(run.exit_code == 2, describe(run));
  BOOST_TEST(run.err.find(socket) != std::string::npos, "names the socket: " << describe(run));
  BOOST_TEST(std::count(run.err.begin(), run.err.end(), '\n') == 1, describe(run));
}

BOOST_AUTO_TEST_CASE(qjobd_socket_in_the_environment_chooses_the_daemon) {
  qjobctl_fixture f;
  const auto run = test::run_qjobctl({"targets"}, {{"QJOBD_SOCKET", f.daemon.socket().string()}});
  BOOST_TEST(run.exit_code == 0, describe(run));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  qjobctl_fixture f;
  BOOST_TEST(f.run({}).exit_code == 2);
  BOOST_TEST(f.run({"frobnicate"}).exit_code == 2);
  BOOST_TEST(f.run({"submit"}).exit_code == 2);
  BOOST_TEST(f.run({"submit", f.file("empty.json", "")}).exit_code == 2);
  BOOST_TEST(f.run({"submit", (f.daemon.root() / "missing.json").string()}).exit_code == 2);
  const auto invalid = f.run({"submit", f.file("bad.json", R"({"qubits": 1, "circuit": [{"gate": "nope", "target": 0}]})")});
  BOOST_TEST(invalid.exit_code == 2, describe(invalid));
  BOOST_TEST(invalid.err.find("input.circuit[0].gate") != std::string::npos, describe(invalid));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
