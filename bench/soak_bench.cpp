// Soak: the real qjobd (release build) for a long run with steady submissions
// (single jobs and batches), cancels, and restarts (SIGTERM drains and SIGKILLs),
// sampling its resident memory and open file descriptors once a minute. At the
// end, every job that was answered 201 must be there and final. Prints a table
// and the verdict; asserts nothing else (bench/README.md, "Soak").

#include "bench_support.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace qjob::bench;

namespace {

const char* const config = R"(log_level = "warn"
[[providers]]
name = "local"
type = "local"
workers = 2
simulator_threads = 1
)";

std::string bell(int index) {
  return R"({"name":"soak-)" + std::to_string(index) +
         R"(","shots":100,"input":{"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]}})";
}

std::size_t open_fds(pid_t pid) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++count;
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  const double duration = argc > 1 ? std::atof(argv[1]) : 3600;  // seconds
  const int per_second = argc > 2 ? std::atoi(argv[2]) : 20;      // single jobs a second
  const std::string qjobd = argc > 3 ? argv[3] : QJOB_QJOBD_PATH;
  try {
    std::string pattern = (fs::temp_directory_path() / "qjob-soak-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a scratch directory");
    daemon_process daemon(qjobd, pattern, config);
    daemon.start();
    std::printf("qjob_soak_bench: %.0f s, %d jobs/s plus a batch of 50 every 10 s, 10%% cancelled, "
                "a SIGTERM restart every 5 min and a SIGKILL every 15 min\n",
                duration, per_second);
    std::printf("| minute | RSS MiB | open fds | accepted | cancelled | restarts |\n| --- | --- | --- | --- | --- | --- |\n");
    std::mt19937 random(7);
    std::set<std::string> accepted;
    std::size_t cancelled = 0, restarts = 0, refused = 0;
    int index = 0;
    const auto start = bench_clock::now();
    auto client = std::make_unique<unix_http_client>(daemon.socket());
    for (int second = 1; seconds_since(start) < duration; ++second) {
      const auto tick = start + std::chrono::seconds(second);
      for (int i = 0; i < per_second; ++i) {
        const auto answer = client->request("POST", "/v1/jobs", bell(index++));
        if (answer.status != 201) {
          ++refused;
          continue;
        }
        const auto id = json_string_field(answer.body, "id");
        accepted.insert(id);
        if (random() % 10 == 0 && client->request("POST", "/v1/jobs/" + id + "/cancel").status == 202) ++cancelled;
      }
      if (second % 10 == 0) {
        std::string batch = "[";
        for (int i = 0; i < 50; ++i) batch += (i ? "," : "") + bell(index++);
        const auto answer = client->request("POST", "/v1/batches", batch + "]");
        if (answer.status == 201) {
          // The ids are in "job_ids": read them back through the batch's listing at the end.
          accepted.insert("batch:" + json_string_field(answer.body, "batch_id"));
        } else {
          ++refused;
        }
      }
      if (second % 60 == 0) {
        const auto figures = read_proc(daemon.pid());
        std::printf("| %d | %.1f | %zu | %zu | %zu | %zu |\n", second / 60, figures.rss_kib / 1024.0,
                    open_fds(daemon.pid()), accepted.size(), cancelled, restarts);
        std::fflush(stdout);
      }
      if (second % 300 == 0) {
        client.reset();
        if (second % 900 == 0) {
          daemon.kill();
        } else {
          const auto [took, status] = daemon.stop();
          if (status != 0) std::printf("drain exited %d after %.2f s\n", status, took);
        }
        daemon.start();
        ++restarts;
        client = std::make_unique<unix_http_client>(daemon.socket());
      }
      std::this_thread::sleep_until(tick);
    }

    // Every accepted job is there, and ends.
    std::size_t missing = 0, not_final = 0, jobs = 0;
    const auto until = bench_clock::now() + std::chrono::minutes(10);
    for (const auto& key : accepted) {
      if (key.starts_with("batch:")) {
        for (;;) {
          const auto answer = client->request("GET", "/v1/batches/" + key.substr(6));
          if (answer.status != 200 || answer.body.find("\"total\":50") == std::string::npos) {
            missing += 50;
            break;
          }
          const bool done = answer.body.find("\"waiting\":0") != std::string::npos &&
                            answer.body.find("\"executing\":0") != std::string::npos;
          if (done || bench_clock::now() > until) {
            not_final += !done;
            jobs += 50;
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
      ++jobs;
      const auto answer = client->request("GET", "/v1/jobs/" + key + "?wait=30");
      const auto status = json_string_field(answer.body, "status");
      if (answer.status != 200) ++missing;
      else if (status != "succeeded" && status != "cancelled" && status != "failed") ++not_final;
    }
    const auto end = read_proc(daemon.pid());
    std::printf("\n%zu jobs accepted (%zu refused), %zu cancelled, %zu restarts; missing %zu, not final %zu; "
                "RSS at the end %.1f MiB, %zu open fds\n",
                jobs, refused, cancelled, restarts, missing, not_final, end.rss_kib / 1024.0, open_fds(daemon.pid()));
    std::printf("%s\n", missing == 0 && not_final == 0 ? "no job lost" : "JOBS LOST OR STUCK");
    daemon.stop();
    fs::remove_all(pattern);
    return missing == 0 && not_final == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qjob_soak_bench: %s\n", e.what());
    return 2;
  }
}
