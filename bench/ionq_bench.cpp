// Measures the real qjobd against the fake IonQ (a process of its own, so that
// its CPU time is not the daemon's): provider requests per job for a batch run
// to the end, without and with faults, and the daemon's CPU and memory while
// many jobs execute at the provider. Prints figures only; nothing here is
// asserted (bench/README.md, "IonQ").
//
// Usage: qjob_ionq_bench [--qjobd PATH] [--fake PATH] [--dir DIR] [--figures 1,2,3]
//                        [--jobs N] [--faults SPEC] [--executing N] [--seconds N] [--rps N]
//   --figures    1: requests per job, no faults; 2: the same with --faults;
//                3: CPU and RSS with --executing jobs executing for --seconds
//   --jobs       jobs of figures 1 and 2 (default 1000)
//   --faults     the fake's fault spec for figure 2 (default: 5% lost POST answers,
//                3% 5xx, 2% 429 with Retry-After 1, 2% resets, 2% malformed bodies)
//   --executing  jobs of figure 3 (default 10000)
//   --seconds    how long figure 3 watches them once all are executing (default 300)
//   --rps        the provider's requests_per_second (default 200)

#include "bench_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#ifndef QJOB_QJOBD_PATH
#define QJOB_QJOBD_PATH "qjobd"
#endif
#ifndef QJOB_FAKE_IONQ_PATH
#define QJOB_FAKE_IONQ_PATH "qjob_fake_ionq"
#endif

namespace {

using namespace qjob::bench;

struct options {
  std::string qjobd = QJOB_QJOBD_PATH;
  std::string fake = QJOB_FAKE_IONQ_PATH;
  fs::path dir = "/var/tmp";
  std::set<int> figures{1, 2, 3};
  int jobs = 1000;
  std::string faults =
      "post:accept_502:p=0.03,post:accept_reset:p=0.02,any:503:p=0.03,get:429:retry_after=1:p=0.02,"
      "any:reset:p=0.02,get:malformed:p=0.02,seed=5";
  int executing = 10000;
  int seconds = 300;
  int rps = 200;
};

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    const std::string value = argv[i + 1];
    if (arg == "--qjobd") opts.qjobd = value;
    else if (arg == "--fake") opts.fake = value;
    else if (arg == "--dir") opts.dir = value;
    else if (arg == "--jobs") opts.jobs = std::stoi(value);
    else if (arg == "--faults") opts.faults = value;
    else if (arg == "--executing") opts.executing = std::stoi(value);
    else if (arg == "--seconds") opts.seconds = std::stoi(value);
    else if (arg == "--rps") opts.rps = std::stoi(value);
    else if (arg == "--figures") {
      opts.figures.clear();
      for (char c : value)
        if (c >= '1' && c <= '3') opts.figures.insert(c - '0');
    } else {
      std::fprintf(stderr, "qjob_ionq_bench: unknown argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  return opts;
}

/// The fake IonQ as a child process; its base URL is the first line it prints.
class fake_process {
public:
  explicit fake_process(const options& opts, std::vector<std::string> args) {
    args.insert(args.begin(), {opts.fake, "--port", "0"});
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    ::close(out[1]);
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') base_url_.push_back(c);
    ::close(out[0]);
    if (base_url_.empty()) throw std::runtime_error("the fake IonQ did not start: " + opts.fake);
    port_ = std::atoi(base_url_.c_str() + base_url_.rfind(':') + 1);
  }
  ~fake_process() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  const std::string& base_url() const { return base_url_; }
  pid_t pid() const { return pid_; }

  /// GET `target` from the fake (its test hooks), the body.
  std::string get(const std::string& target) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot reach the fake IonQ");
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n\r\n";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string answer;
    char chunk[65536];
    for (ssize_t got; (got = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) answer.append(chunk, static_cast<std::size_t>(got));
    ::close(fd);
    const auto body = answer.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : answer.substr(body + 4);
  }

private:
  pid_t pid_ = -1;
  std::string base_url_;
  int port_ = 0;
};

/// The fake's requests by kind, counted from its record.
struct request_counts {
  long create = 0, get_job = 0, list = 0, results = 0, cancel = 0, failed = 0;
  long total() const { return create + get_job + list + results + cancel; }
};

request_counts count_requests(const fake_process& fake) {
  const auto record = fake.get("/_fake/requests");
  request_counts counts;
  for (std::size_t at = record.find("{\"method\":\""); at != std::string::npos;
       at = record.find("{\"method\":\"", at + 1)) {
    const auto method = json_string_field(record.substr(at, 40), "method");
    const auto entry_end = record.find('}', at);
    const auto entry = std::string_view(record).substr(at, entry_end - at);
    const auto path = json_string_field(entry, "path");
    const auto status = entry.find("\"status\":");
    const int code = status == std::string_view::npos ? 0 : std::atoi(entry.data() + status + 9);
    if (code == 0 || code >= 400) ++counts.failed;
    if (method == "POST") ++counts.create;
    else if (method == "PUT") ++counts.cancel;
    else if (path == "/jobs") ++counts.list;
    else if (path.find("/results") != std::string::npos) ++counts.results;
    else ++counts.get_job;
  }
  return counts;
}

std::string config(const std::string& base_url, int max_in_flight, int rps) {
  return "log_level = \"warn\"\n"
         "[[providers]]\nname = \"local\"\ntype = \"local\"\n"
         "[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\nbase_url = \"" +
         base_url + "\"\napi_key_env = \"QJOB_BENCH_IONQ_KEY\"\nmax_in_flight = " + std::to_string(max_in_flight) +
         "\nrequests_per_second = " + std::to_string(rps) + ".0\n";
}

/// An NDJSON batch of `count` 4-qubit jobs for IonQ.
std::string ionq_batch(int count) {
  std::string body;
  for (int i = 0; i < count; ++i) {
    body += R"({"provider":"ionq","shots":100,"input":{"qubits":4,"circuit":[{"gate":"x","target":)" +
            std::to_string(i % 4) + "}]}}\n";
  }
  return body;
}

/// Submits the batch and returns its id.
std::string submit_batch(unix_http_client& client, int count) {
  auto answer = client.request("POST", "/v1/batches", ionq_batch(count), "application/x-ndjson");
  if (answer.status != 201) throw std::runtime_error("batch refused: " + answer.body);
  return json_string_field(answer.body, "batch_id");
}

/// The batch's count of jobs in `state`.
long batch_count(unix_http_client& client, const std::string& batch, const std::string& state) {
  const auto body = client.request("GET", "/v1/batches/" + batch).body;
  const auto at = body.find("\"" + state + "\":");
  return at == std::string::npos ? 0 : std::atol(body.c_str() + at + state.size() + 3);
}

void wait_until(unix_http_client& client, const std::string& batch, const std::string& state, long count) {
  while (batch_count(client, batch, state) < count) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

/// Figures 1 and 2: a batch run to the end; the requests it took.
/// A scratch directory for one daemon, removed when done.
struct scratch_dir {
  explicit scratch_dir(const options& opts, const std::string& name)
      : path(opts.dir / ("qjob-ionq-bench-" + std::to_string(::getpid()) + "-" + name)) {}
  ~scratch_dir() { fs::remove_all(path); }
  fs::path path;
};

void requests_per_job(const options& opts, const std::string& faults, const char* title) {
  std::vector<std::string> fake_args{"--polls-per-step", "0", "--step-ms", "2000"};
  if (!faults.empty()) {
    fake_args.push_back("--faults");
    fake_args.push_back(faults);
  }
  fake_process fake(opts, fake_args);
  scratch_dir dir(opts, faults.empty() ? "clean" : "faults");
  daemon_process daemon(opts.qjobd, dir.path, config(fake.base_url(), opts.jobs, opts.rps));
  daemon.start();
  unix_http_client client(daemon.socket());
  const auto begin = bench_clock::now();
  const auto cpu_before = read_proc(daemon.pid()).cpu_seconds;
  const auto batch = submit_batch(client, opts.jobs);
  wait_until(client, batch, "succeeded", opts.jobs);
  const auto elapsed = seconds_since(begin);
  const auto cpu = read_proc(daemon.pid()).cpu_seconds - cpu_before;
  const auto counts = count_requests(fake);
  const double jobs = opts.jobs;
  std::printf("%s: %d jobs in %.1f s (jobs reach `completed` 6 s after creation)\n", title, opts.jobs, elapsed);
  std::printf("  requests per job   %.2f  (%ld in all, %ld answered with an error or not at all)\n",
              static_cast<double>(counts.total()) / jobs, counts.total(), counts.failed);
  std::printf("    POST /jobs       %.2f\n", static_cast<double>(counts.create) / jobs);
  std::printf("    GET /jobs/{id}   %.2f\n", static_cast<double>(counts.get_job) / jobs);
  std::printf("    GET results      %.2f\n", static_cast<double>(counts.results) / jobs);
  std::printf("    GET /jobs (list) %ld pages in all\n", counts.list);
  std::printf("  daemon CPU         %.0f us per job\n", cpu / jobs * 1e6);
  daemon.stop();
}

/// Figure 3: many jobs executing at the provider, watched for a while.
void executing_load(const options& opts) {
  fake_process fake(opts, {"--polls-per-step", "0", "--step-ms", "1", "--hold-at", "started"});
  scratch_dir dir(opts, "executing");
  daemon_process daemon(opts.qjobd, dir.path, config(fake.base_url(), opts.executing, opts.rps));
  daemon.start();
  unix_http_client client(daemon.socket());
  const auto begin = bench_clock::now();
  const auto batch = submit_batch(client, opts.executing);
  wait_until(client, batch, "executing", opts.executing);
  std::printf("figure 3: %d jobs executing at the fake after %.1f s (submitted at %d requests/s)\n", opts.executing,
              seconds_since(begin), opts.rps);
  const auto before = read_proc(daemon.pid());
  const auto requests_before = count_requests(fake).total();
  const auto watch_begin = bench_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(opts.seconds));
  const auto watched = seconds_since(watch_begin);
  const auto after = read_proc(daemon.pid());
  const auto counts = count_requests(fake);
  std::printf("  over %.0f s: daemon CPU %.2f%% of one core, VmRSS %.1f MiB (VmHWM %.1f MiB)\n", watched,
              (after.cpu_seconds - before.cpu_seconds) / watched * 100, after.rss_kib / 1024.0, after.hwm_kib / 1024.0);
  std::printf("  provider requests  %.2f per second (%ld list pages, %ld job GETs in all)\n",
              static_cast<double>(counts.total() - requests_before) / watched, counts.list, counts.get_job);
  // A fresh connection: the daemon closed the first one, idle for the whole watch.
  unix_http_client after_watch(daemon.socket());
  std::printf("  still executing    %ld\n", batch_count(after_watch, batch, "executing"));
  daemon.stop();
}

}  // namespace

int main(int argc, char** argv) {
  const auto opts = parse(argc, argv);
  ::setenv("QJOB_BENCH_IONQ_KEY", "test-key", 1);
  std::printf("qjob_ionq_bench: nproc %u, load %s\n", std::thread::hardware_concurrency(), load_text().c_str());
  try {
    if (opts.figures.contains(1)) requests_per_job(opts, "", "figure 1, no faults");
    if (opts.figures.contains(2)) requests_per_job(opts, opts.faults, "figure 2, with faults");
    if (opts.figures.contains(3)) executing_load(opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qjob_ionq_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
