// Measures the real qjobd through its Unix socket: durable submissions per second
// (one job per request, 1 and N connections), batched submissions (JSON array and
// NDJSON), submit-to-result latency on the local simulator, and the memory and
// restart time of a daemon holding 100,000 waiting jobs, and one NDJSON batch of
// a million jobs streamed in (its rate and the daemon's peak memory while it is
// accepted). Prints figures only;
// nothing here is asserted (bench/README.md, "Daemon").
//
// Usage: qjob_daemon_bench [--qjobd PATH] [--dir DIR] [--figures 1,2,3,4] [--single N]
//                          [--requests N] [--connections N] [--batches N] [--batch-size N]
//                          [--latency N] [--waiting N] [--stream-jobs N] [--hold-qubits N] [--hold-layers N]
//                          [--keep]
//   --qjobd        the daemon to run (default: the one built with this bench)
//   --dir          parent of the temporary state directory and socket (default
//                  /var/tmp: a real disk, since the fsync of every commit is part
//                  of the figures; tmpfs would make it free)
//   --figures      which figures to measure (default 1,2,3,4,5)
//   --single       requests over one connection for figure 1 (default 5000)
//   --requests     requests over --connections connections for figure 1 (default 20000)
//   --connections  concurrent connections for figure 1 (default 16)
//   --batches      requests per batch format for figure 2 (default 3)
//   --batch-size   jobs per batch request (default 10000)
//   --latency      submit-then-result round trips for figure 3 (default 2000)
//   --waiting      waiting jobs for figure 4 (default 100000)
//   --stream-jobs  jobs of the one streamed NDJSON batch of figure 5 (default 1000000)
//   --hold-qubits, --hold-layers  the job that occupies the only slot in figures 1,
//                  2 and 4 (default 20 qubits, 4000 layers of h: about a minute
//                  on one 2-vCPU VM, a 16 MiB state vector)
//   --keep         leave the state directories in place

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_support.hpp"

#ifndef QJOB_QJOBD_PATH
#define QJOB_QJOBD_PATH "qjobd"
#endif

namespace {

using namespace qjob::bench;

/// Threads of the simulator running the holder job: their CPU time is left out of
/// the daemon's figures.
std::vector<pid_t> excluded_threads;

struct options {
  std::string qjobd = QJOB_QJOBD_PATH;
  fs::path parent = "/var/tmp";
  std::set<int> figures{1, 2, 3, 4, 5};
  int single = 5000;
  int requests = 20000;
  int connections = 16;
  int batches = 3;
  int batch_size = 10000;
  int latency = 2000;
  int waiting = 100000;
  int stream_jobs = 1000000;
  int hold_qubits = 20;
  int hold_layers = 4000;
  bool keep = false;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: qjob_daemon_bench [--qjobd PATH] [--dir DIR] [--figures 1,2,3,4] [--single N] [--requests N]\n"
               "                         [--connections N] [--batches N] [--batch-size N] [--latency N] [--waiting N]\n"
               "                         [--stream-jobs N] [--hold-qubits N] [--hold-layers N] [--keep]\n");
  std::exit(2);
}

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    auto number = [&]() { return std::max(1, std::atoi(value().c_str())); };
    if (arg == "--qjobd") opts.qjobd = value();
    else if (arg == "--dir") opts.parent = value();
    else if (arg == "--figures") {
      opts.figures.clear();
      for (char c : value())
        if (c >= '1' && c <= '5') opts.figures.insert(c - '0');
    } else if (arg == "--single") opts.single = number();
    else if (arg == "--requests") opts.requests = number();
    else if (arg == "--connections") opts.connections = number();
    else if (arg == "--batches") opts.batches = number();
    else if (arg == "--batch-size") opts.batch_size = number();
    else if (arg == "--latency") opts.latency = number();
    else if (arg == "--waiting") opts.waiting = number();
    else if (arg == "--stream-jobs") opts.stream_jobs = number();
    else if (arg == "--hold-qubits") opts.hold_qubits = number();
    else if (arg == "--hold-layers") opts.hold_layers = number();
    else if (arg == "--keep") opts.keep = true;
    else usage();
  }
  return opts;
}

// --- workloads -----------------------------------------------------------------

const std::string small_job =
    R"({"input":{"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]},"shots":1000})";

const std::string held_config =
    "log_level = \"warn\"\n"
    "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\nmax_in_flight = 1\n";

std::string holder_job(int qubits, int layers) {
  std::string circuit;
  circuit.reserve(static_cast<std::size_t>(qubits) * layers * 26);
  for (int layer = 0; layer < layers; ++layer)
    for (int q = 0; q < qubits; ++q) {
      if (!circuit.empty()) circuit.push_back(',');
      circuit += "{\"gate\":\"h\",\"target\":" + std::to_string(q) + "}";
    }
  return R"({"name":"bench-holder","shots":1,"input":{"qubits":)" + std::to_string(qubits) +
         R"(,"circuit":[)" + circuit + "]}}";
}

/// Submits the long job that takes the only slot and waits until it executes. Its
/// simulator threads are moved to SCHED_IDLE, so they take only CPU time nothing
/// else wants, and their CPU time is left out of the daemon's figures.
std::string hold_slot(const fs::path& socket, pid_t daemon, const options& opts) {
  unix_http_client client(socket);
  auto answer = client.request("POST", "/v1/jobs", holder_job(opts.hold_qubits, opts.hold_layers));
  if (answer.status != 201) throw std::runtime_error("holder job refused: " + answer.body);
  const auto id = json_string_field(answer.body, "id");
  const auto begin = bench_clock::now();
  while (json_string_field(client.request("GET", "/v1/jobs/" + id).body, "status") != "executing") {
    if (seconds_since(begin) > 30) throw std::runtime_error("holder job did not start executing");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  excluded_threads = busy_threads(daemon);
  for (auto tid : excluded_threads) {
    sched_param param{};
    if (::sched_setscheduler(tid, SCHED_IDLE, &param) != 0)
      std::fprintf(stderr, "qjob_daemon_bench: cannot move thread %d to SCHED_IDLE: %s\n", static_cast<int>(tid),
                   std::strerror(errno));
  }
  return id;
}

/// Cancels the holder, so that SIGTERM need not wait for its simulation.
void release_slot(const fs::path& socket, const std::string& id) {
  unix_http_client client(socket);
  client.request("POST", "/v1/jobs/" + id + "/cancel");
  excluded_threads.clear();
}

std::string job_status(const fs::path& socket, const std::string& id) {
  unix_http_client client(socket);
  return json_string_field(client.request("GET", "/v1/jobs/" + id).body, "status");
}

struct percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

percentiles summarise(std::vector<double> samples) {
  percentiles out;
  if (samples.empty()) return out;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))]; };
  out.p50 = at(0.50);
  out.p90 = at(0.90);
  out.p99 = at(0.99);
  out.max = samples.back();
  return out;
}

struct rate_figure {
  double jobs_per_second = 0;
  double daemon_cpu_us_per_job = 0;
  double client_cpu_us_per_job = 0;
  percentiles latency_ms;
  int failures = 0;
};

/// `total` single-job POSTs spread over `connections` keep-alive connections.
rate_figure submit_singly(const fs::path& socket, pid_t daemon, int total, int connections) {
  std::vector<std::unique_ptr<unix_http_client>> clients;
  for (int c = 0; c < connections; ++c) clients.push_back(std::make_unique<unix_http_client>(socket));
  std::atomic<int> next{0}, failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  const auto cpu_before = read_proc(daemon, excluded_threads).cpu_seconds;
  const auto self_before = self_cpu_seconds();
  const auto begin = bench_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      auto& samples = latencies[static_cast<std::size_t>(c)];
      while (next.fetch_add(1, std::memory_order_relaxed) < total) {
        const auto sent = bench_clock::now();
        const auto answer = clients[static_cast<std::size_t>(c)]->request("POST", "/v1/jobs", small_job);
        samples.push_back(seconds_since(sent) * 1e3);
        if (answer.status != 201) failures.fetch_add(1);
      }
    });
  for (auto& thread : threads) thread.join();
  const double wall = seconds_since(begin);
  rate_figure figure;
  figure.jobs_per_second = total / wall;
  figure.daemon_cpu_us_per_job = (read_proc(daemon, excluded_threads).cpu_seconds - cpu_before) / total * 1e6;
  figure.client_cpu_us_per_job = (self_cpu_seconds() - self_before) / total * 1e6;
  std::vector<double> all;
  for (auto& samples : latencies) all.insert(all.end(), samples.begin(), samples.end());
  figure.latency_ms = summarise(std::move(all));
  figure.failures = failures.load();
  return figure;
}

std::string batch_body(int jobs, bool ndjson) {
  std::string body;
  body.reserve(static_cast<std::size_t>(jobs) * (small_job.size() + 1) + 2);
  if (!ndjson) body.push_back('[');
  for (int i = 0; i < jobs; ++i) {
    if (i > 0) body.push_back(ndjson ? '\n' : ',');
    body += small_job;
  }
  body.push_back(ndjson ? '\n' : ']');
  return body;
}

/// `requests` POST /v1/batches of `jobs` each, one connection, one after another.
rate_figure submit_batches(const fs::path& socket, pid_t daemon, int requests, int jobs, bool ndjson) {
  const auto body = batch_body(jobs, ndjson);
  const auto content_type = ndjson ? "application/x-ndjson" : "application/json";
  unix_http_client client(socket);
  std::vector<double> latencies;
  rate_figure figure;
  const auto cpu_before = read_proc(daemon, excluded_threads).cpu_seconds;
  const auto self_before = self_cpu_seconds();
  const auto begin = bench_clock::now();
  for (int r = 0; r < requests; ++r) {
    const auto sent = bench_clock::now();
    const auto answer = client.request("POST", "/v1/batches", body, content_type);
    latencies.push_back(seconds_since(sent) * 1e3);
    if (answer.status != 201) {
      ++figure.failures;
      std::fprintf(stderr, "batch answered %d: %.200s\n", answer.status, answer.body.c_str());
    }
  }
  const double wall = seconds_since(begin);
  const double total = static_cast<double>(requests) * jobs;
  figure.jobs_per_second = total / wall;
  figure.daemon_cpu_us_per_job = (read_proc(daemon, excluded_threads).cpu_seconds - cpu_before) / total * 1e6;
  figure.client_cpu_us_per_job = (self_cpu_seconds() - self_before) / total * 1e6;
  figure.latency_ms = summarise(std::move(latencies));
  return figure;
}

/// Latency of a 4 KiB write + fdatasync in `dir`, in milliseconds: appending (the
/// file grows, so its size is synced too) or overwriting the same 800 KiB in
/// turn (as a WAL does once it has reached its size).
percentiles fsync_latency(const fs::path& dir, bool append) {
  const auto path = dir / "fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string());
  std::vector<char> block(4096, 'x');
  std::vector<double> samples;
  if (!append) {
    for (int i = 0; i < 200; ++i)
      if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()))
        throw std::runtime_error("write failed on " + path.string());
    ::fsync(fd);
  }
  for (int i = 0; i < 200; ++i) {
    const auto begin = bench_clock::now();
    const auto offset = static_cast<off_t>(i) * 4096;
    const auto written = append ? ::write(fd, block.data(), block.size())
                                : ::pwrite(fd, block.data(), block.size(), offset);
    if (written != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0)
      throw std::runtime_error("write/fdatasync failed on " + path.string());
    samples.push_back(seconds_since(begin) * 1e3);
  }
  ::close(fd);
  fs::remove(path);
  return summarise(std::move(samples));
}

/// Jobs not final, summed from GET /metrics (qjob_jobs gauge).
long unfinished_jobs(const fs::path& socket) {
  unix_http_client client(socket);
  const auto text = client.request("GET", "/metrics").body;
  long total = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("qjob_jobs{") &&
        (line.find("status=\"waiting\"") != std::string::npos || line.find("status=\"executing\"") != std::string::npos))
      total += std::atol(line.c_str() + line.rfind(' ') + 1);
  return total;
}

/// Figure 5: one NDJSON batch of `jobs` jobs streamed in (made while it is sent:
/// the bench holds a piece, not the body), with the slot held so that none runs.
void stream_one_batch(const fs::path& root, const options& opts) {
  // The holder counts as waiting too: the limits leave room for the batch.
  const std::string config = "log_level = \"warn\"\nmax_batch_jobs = " + std::to_string(opts.stream_jobs) +
                             "\nmax_waiting = " + std::to_string(opts.stream_jobs + 10) +
                             "\nmax_waiting_per_owner = " + std::to_string(opts.stream_jobs + 10) + "\n" +
                             held_config.substr(held_config.find("[[providers]]"));
  daemon_process daemon(opts.qjobd, root / "streamed", config);
  daemon.start();
  const auto holder = hold_slot(daemon.socket(), daemon.pid(), opts);
  const auto before = read_proc(daemon.pid(), excluded_threads);
  const std::size_t length = static_cast<std::size_t>(opts.stream_jobs) * (small_job.size() + 1);
  int made = 0;
  auto next_piece = [&]() {
    std::string piece;
    while (made < opts.stream_jobs && piece.size() < (256u << 10)) {
      piece += small_job;
      piece.push_back('\n');
      ++made;
    }
    return piece;
  };
  proc_figures at_last_byte;
  double last_byte_seconds = 0;
  const auto cpu_before = before.cpu_seconds;
  // The store's thread is the one that bounds the rate: its share is shown apart.
  const pid_t store_thread = named_thread(daemon.pid(), "qjobd-store");
  const double store_before = store_thread != 0 ? thread_cpu_seconds(daemon.pid(), store_thread) : 0;
  const auto begin = bench_clock::now();
  unix_http_client client(daemon.socket(), 3600);
  const auto answer = client.post_streamed("/v1/batches", "application/x-ndjson", length, next_piece, [&] {
    last_byte_seconds = seconds_since(begin);
    at_last_byte = read_proc(daemon.pid(), excluded_threads);
  });
  const double seconds = seconds_since(begin);
  const auto after = read_proc(daemon.pid(), excluded_threads);
  const double store_seconds = store_thread != 0 ? thread_cpu_seconds(daemon.pid(), store_thread) - store_before : 0;
  if (answer.status != 201) throw std::runtime_error("streamed batch refused: " + answer.body.substr(0, 200));
  const long waiting = unfinished_jobs(daemon.socket());
  std::printf("| 5. POST /v1/batches NDJSON streamed, 1 x %d (%.0f MB), durable | %9.0f jobs/s | answered in %.2f s "
              "(last byte sent at %.2f s) | %6.1f (store thread %.1f, %.0f%% busy) | | (%ld jobs not final after it)\n",
              opts.stream_jobs, length / 1e6, opts.stream_jobs / seconds, seconds, last_byte_seconds,
              (after.cpu_seconds - cpu_before) / opts.stream_jobs * 1e6, store_seconds / opts.stream_jobs * 1e6,
              store_seconds / seconds * 100, waiting);
  std::printf("| 5. qjobd memory while accepting it | VmHWM %.1f MiB at the last byte (before the hand-over), "
              "%.1f MiB after the answer (hand-over included) | before the batch: VmHWM %.1f, VmRSS %.1f MiB | | |\n",
              at_last_byte.hwm_kib / 1024.0, after.hwm_kib / 1024.0, before.hwm_kib / 1024.0,
              before.rss_kib / 1024.0);
  std::printf("(figure 5: load %s)\n", load_text().c_str());
  std::fflush(stdout);
  release_slot(daemon.socket(), holder);
  daemon.stop();
}

void print_rate(const char* what, const rate_figure& figure, const char* target) {
  std::printf("| %-44s | %9.0f jobs/s | p50 %7.2f / p99 %7.2f / max %7.2f ms | %6.1f | %6.1f | %s%s\n", what,
              figure.jobs_per_second, figure.latency_ms.p50, figure.latency_ms.p99, figure.latency_ms.max,
              figure.daemon_cpu_us_per_job, figure.client_cpu_us_per_job, target,
              figure.failures ? "  (FAILURES!)" : "");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const auto opts = parse(argc, argv);
  try {
    fs::create_directories(opts.parent);
    std::string pattern = (opts.parent / "qjob-daemon-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory in " + opts.parent.string());
    const fs::path root = pattern;

    const auto appends = fsync_latency(root, true);
    const auto overwrites = fsync_latency(root, false);
    std::printf("qjob_daemon_bench: qjobd %s\n", opts.qjobd.c_str());
    std::printf("state directories and sockets under %s\n", root.c_str());
    std::printf("machine: nproc %u, load %s\n", std::thread::hardware_concurrency(), load_text().c_str());
    std::printf("fdatasync of 4 KiB there: appends p50 %.3f / p90 %.3f / max %.3f ms; overwrites p50 %.3f / p90 %.3f / "
                "max %.3f ms\n\n",
                appends.p50, appends.p90, appends.max, overwrites.p50, overwrites.p90, overwrites.max);
    std::printf("| figure | rate | request latency | daemon CPU us/job | bench CPU us/job | target\n");
    std::printf("| --- | --- | --- | --- | --- | ---\n");

    if (opts.figures.contains(1) || opts.figures.contains(2)) {
      daemon_process daemon(opts.qjobd, root / "held", held_config);
      const double ready = daemon.start();
      const auto holder = hold_slot(daemon.socket(), daemon.pid(), opts);
      std::printf("(figures 1-2: provider local with workers=1, max_in_flight=1; a %d-qubit x %d-layer h job "
                  "holds the slot so submitted jobs wait; empty daemon ready in %.3f s; load %s)\n",
                  opts.hold_qubits, opts.hold_layers, ready, load_text().c_str());
      submit_singly(daemon.socket(), daemon.pid(), 200, 1);  // warm-up
      if (opts.figures.contains(1)) {
        auto one = submit_singly(daemon.socket(), daemon.pid(), opts.single, 1);
        print_rate(("1. POST /v1/jobs, 1 connection, " + std::to_string(opts.single) + " jobs").c_str(), one,
                   "[>= 10,000]");
        auto many = submit_singly(daemon.socket(), daemon.pid(), opts.requests, opts.connections);
        print_rate(("1. POST /v1/jobs, " + std::to_string(opts.connections) + " connections, " +
                    std::to_string(opts.requests) + " jobs")
                       .c_str(),
                   many, "[>= 10,000]");
      }
      if (opts.figures.contains(2)) {
        for (bool ndjson : {false, true}) {
          auto batched = submit_batches(daemon.socket(), daemon.pid(), opts.batches, opts.batch_size, ndjson);
          print_rate(("2. POST /v1/batches " + std::string(ndjson ? "NDJSON" : "JSON array") + ", " +
                      std::to_string(opts.batches) + " x " + std::to_string(opts.batch_size))
                         .c_str(),
                     batched, "[>= 100,000]");
        }
      }
      const auto still = job_status(daemon.socket(), holder);
      const auto memory = read_proc(daemon.pid(), excluded_threads);
      std::printf("(after figures 1-2: holder job %s%s; daemon VmHWM %.1f MiB; load %s)\n", still.c_str(),
                  still == "executing" ? "" : " -- jobs ran during the measurement", memory.hwm_kib / 1024.0,
                  load_text().c_str());
      release_slot(daemon.socket(), holder);
      daemon.stop();
    }

    if (opts.figures.contains(3)) {
      daemon_process daemon(opts.qjobd, root / "idle", std::nullopt);
      daemon.start();
      unix_http_client client(daemon.socket());
      std::vector<double> submit_ms, total_ms;
      int failures = 0;
      const auto cpu_before = read_proc(daemon.pid(), excluded_threads).cpu_seconds;
      for (int i = -50; i < opts.latency; ++i) {  // the first 50 warm up
        const auto begin = bench_clock::now();
        const auto submitted = client.request("POST", "/v1/jobs", small_job);
        const double submit = seconds_since(begin) * 1e3;
        const auto id = json_string_field(submitted.body, "id");
        const auto result = client.request("GET", "/v1/jobs/" + id + "/result?wait=10");
        const double total = seconds_since(begin) * 1e3;
        if (submitted.status != 201 || result.status != 200) ++failures;
        if (i >= 0) {
          submit_ms.push_back(submit);
          total_ms.push_back(total);
        }
      }
      const double cpu_us = (read_proc(daemon.pid(), excluded_threads).cpu_seconds - cpu_before) / (opts.latency + 50) * 1e6;
      const auto s = summarise(submit_ms), t = summarise(total_ms);
      std::printf("| 3. submit (201), idle daemon, default config, %d jobs | p50 %.3f ms | p90 %.3f / p99 %.3f / max "
                  "%.3f ms | | |\n",
                  opts.latency, s.p50, s.p90, s.p99, s.max);
      std::printf("| 3. submit -> result?wait=10, 2 qubits, 1,000 shots | p50 %.3f ms | p90 %.3f / p99 %.3f / max "
                  "%.3f ms | %6.1f | | [median < 2 ms]%s\n",
                  t.p50, t.p90, t.p99, t.max, cpu_us, failures ? "  (FAILURES!)" : "");
      std::printf("(figure 3: load %s)\n", load_text().c_str());
      std::fflush(stdout);
      daemon.stop();
    }

    if (opts.figures.contains(4)) {
      daemon_process daemon(opts.qjobd, root / "waiting", held_config);
      daemon.start();
      const auto holder = hold_slot(daemon.socket(), daemon.pid(), opts);
      const auto before = read_proc(daemon.pid(), excluded_threads);
      const auto begin = bench_clock::now();
      for (int submitted = 0; submitted < opts.waiting; submitted += opts.batch_size) {
        const int jobs = std::min(opts.batch_size, opts.waiting - submitted);
        unix_http_client client(daemon.socket());
        auto answer = client.request("POST", "/v1/batches", batch_body(jobs, true), "application/x-ndjson");
        if (answer.status != 201) throw std::runtime_error("batch refused: " + answer.body.substr(0, 200));
      }
      const double submit_seconds = seconds_since(begin);
      const auto after = read_proc(daemon.pid(), excluded_threads);
      const long waiting = unfinished_jobs(daemon.socket());
      std::printf("| 4. RSS with %ld jobs not final (holder running) | VmHWM %.1f MiB | VmRSS %.1f MiB "
                  "(before the jobs: VmHWM %.1f, VmRSS %.1f MiB) | | | (submitted in %.2f s)\n",
                  waiting, after.hwm_kib / 1024.0, after.rss_kib / 1024.0, before.hwm_kib / 1024.0,
                  before.rss_kib / 1024.0, submit_seconds);
      const auto holder_state = job_status(daemon.socket(), holder);
      release_slot(daemon.socket(), holder);
      const auto [stop_seconds, exit_code] = daemon.stop();
      const double ready = daemon.start();
      const long resumed = unfinished_jobs(daemon.socket());
      const auto restarted = read_proc(daemon.pid(), excluded_threads);
      std::printf("| 4. restart with them: SIGTERM to exit | %.3f s | exit status %d | | |\n", stop_seconds, exit_code);
      std::printf("| 4. restart with them: start to health ready | %.3f s | %ld jobs not final after ready; VmHWM "
                  "%.1f MiB, VmRSS %.1f MiB | | |\n",
                  ready, resumed, restarted.hwm_kib / 1024.0, restarted.rss_kib / 1024.0);
      std::printf("(figure 4: holder %s before the restart, then cancelled; load %s)\n", holder_state.c_str(), load_text().c_str());
      daemon.stop();
    }

    if (opts.figures.contains(5)) stream_one_batch(root, opts);

    if (!opts.keep) {
      std::error_code ignored;
      fs::remove_all(root, ignored);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qjob_daemon_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
