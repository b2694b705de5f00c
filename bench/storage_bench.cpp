// Measures the job store: batch inserts (transactions of 10,000 jobs with a
// ~200-byte input each), single-job transactions (one fsync each), group commit of
// run-state updates, and list_jobs latency with filters over the inserted jobs.
// Prints figures only; nothing here is asserted (bench/README.md, "Storage").
//
// Usage: qjob_storage_bench [--dir DIR] [--batches N] [--single N] [--keep]
//   --dir      parent of the temporary state directory (default: the system temp
//              directory; pass a directory on the disk the daemon will use, as
//              tmpfs makes fsync free)
//   --batches  batches of 10,000 jobs to insert (default 10, i.e. 100,000 jobs)
//   --single   single-job transactions to time (default 500)
//   --keep     leave the state directory in place for inspection
//   --inserts-only  stop after the batch inserts (for profiling them)

#include "storage/job_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace qs = qjob::storage;

namespace {

using bench_clock = std::chrono::steady_clock;

constexpr int batch_size = 10'000;
constexpr std::uint32_t owners = 8;

struct options {
  std::filesystem::path parent = std::filesystem::temp_directory_path();
  int batches = 10;
  int single = 500;
  bool keep = false;
  bool inserts_only = false;
};

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "qjob_storage_bench: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--dir") {
      opts.parent = value();
    } else if (arg == "--batches") {
      opts.batches = std::max(1, std::atoi(value()));
    } else if (arg == "--single") {
      opts.single = std::max(1, std::atoi(value()));
    } else if (arg == "--keep") {
      opts.keep = true;
    } else if (arg == "--inserts-only") {
      opts.inserts_only = true;
    } else {
      std::fprintf(stderr, "usage: qjob_storage_bench [--dir DIR] [--batches N] [--single N] [--keep] [--inserts-only]\n");
      std::exit(2);
    }
  }
  return opts;
}

/// A random UUID-shaped id: random keys are the worst case for the id index.
std::string make_uuid(std::mt19937_64& rng) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : id) {
    if (c == 'x' || c == 'y') c = hex[rng() & 0xf];
  }
  return id;
}

qs::job_row make_job(std::mt19937_64& rng, std::int64_t n, const std::string& batch_id) {
  qs::job_row row;
  row.id = make_uuid(rng);
  row.name = n % 10 == 0 ? "ghz" : "bell";
  const bool ionq = n % 5 == 0;
  row.provider = ionq ? "ionq" : "local";
  row.target = ionq ? (n % 2 == 0 ? "qpu.aria-1" : "simulator") : "simulator";
  row.shots = 1000;
  row.input_format = "ionq.circuit.v0";
  // About 200 bytes, as a small circuit in IonQ's JSON form.
  row.input = R"({"qubits":3,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1},)"
              R"({"gate":"cnot","control":1,"target":2},{"gate":"rz","target":2,"rotation":0.785398}]})";
  row.params = "{}";
  row.tags = {n % 100 == 0 ? "rare" : "common"};
  row.batch_id = batch_id;
  row.owner = 1000 + static_cast<std::uint32_t>(n % owners);
  row.fingerprint = "sha256:" + std::to_string(n);
  row.created_at = 1'700'000'000'000'000 + n;
  return row;
}

double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

/// CPU time of this process so far: on a shared machine it shows how much of the
/// wall time was ours, and how much went to waiting for the disk or other work.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

void print_rate(const char* what, double count, double seconds, double cpu) {
  std::printf("%-52s %10.0f /s  (%.0f in %.3f s, cpu %.3f s)\n", what, count / seconds, count, seconds, cpu);
}

/// Median and 99th percentile of list_jobs(filter, 100) over up to `runs` calls
/// (fewer for a slow query: about a second's worth, at least 5).
void time_list(qs::job_store& store, const char* what, const qs::job_filter& filter,
               std::optional<std::int64_t> cursor = std::nullopt, int runs = 200) {
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(runs));
  std::size_t rows = 0;
  const auto deadline = bench_clock::now() + std::chrono::seconds(1);
  for (int i = 0; i < runs && (i < 5 || bench_clock::now() < deadline); ++i) {
    const auto start = bench_clock::now();
    const auto page = store.list_jobs(filter, 100, cursor);
    micros.push_back(std::chrono::duration<double, std::micro>(bench_clock::now() - start).count());
    rows = page.jobs.size();
  }
  std::sort(micros.begin(), micros.end());
  std::printf("  list %-40s p50 %9.1f us  p99 %9.1f us  (%zu rows)\n", what, micros[micros.size() / 2],
              micros[micros.size() * 99 / 100], rows);
}

/// The disk's fdatasync latency in `dir` (50 overwrites of one 4 KiB block): the
/// floor of a single-job commit, printed so figures from a busy disk read as such.
double fdatasync_ms(const std::filesystem::path& dir) {
  const auto file = dir / "fsync-probe";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  char block[4096] = {};
  const auto start = bench_clock::now();
  constexpr int rounds = 50;
  bool ok = true;
  for (int i = 0; i < rounds && ok; ++i) {
    ok = ::pwrite(fd, block, sizeof block, 0) == static_cast<ssize_t>(sizeof block) && ::fdatasync(fd) == 0;
  }
  const double ms = seconds_since(start) * 1000.0 / rounds;
  ::close(fd);
  ::unlink(file.c_str());
  return ok ? ms : -1;
}

/// Inserts `batches` transactions of 10,000 jobs; returns one id per batch.
std::vector<std::string> bench_batch_inserts(qs::job_store& store, std::mt19937_64& rng, std::int64_t& n,
                                             int batches) {
  std::vector<std::string> sample_ids;
  const auto start = bench_clock::now();
  const double cpu = cpu_seconds();
  for (int b = 0; b < batches; ++b) {
    const std::string batch_id = "batch-" + std::to_string(b);
    qs::job_store::transaction txn(store);
    for (int i = 0; i < batch_size; ++i, ++n) {
      auto row = make_job(rng, n, batch_id);
      store.insert_job(row);
      if (i == 0) sample_ids.push_back(row.id);
    }
    txn.commit();
  }
  print_rate("batch insert (transactions of 10,000 jobs)", static_cast<double>(batches) * batch_size,
             seconds_since(start), cpu_seconds() - cpu);
  return sample_ids;
}

void bench_single_inserts(qs::job_store& store, std::mt19937_64& rng, std::int64_t& n, int count) {
  const auto start = bench_clock::now();
  const double cpu = cpu_seconds();
  for (int i = 0; i < count; ++i, ++n) {
    auto row = make_job(rng, n, "");
    qs::job_store::transaction txn(store);
    store.insert_job(row);
    txn.commit();
  }
  print_rate("single-job transactions (one commit each)", count, seconds_since(start), cpu_seconds() - cpu);
}

/// Group commit as the storage actor does it: many transitions, one commit.
void bench_group_commit(qs::job_store& store, std::int64_t at, int commits) {
  std::vector<std::string> ids;
  for (const auto& job : store.list_jobs({}, 1000, std::nullopt).jobs) ids.push_back(job.id);
  qs::run_state run;
  run.status = qs::job_status::executing;
  run.provider_status = "started";
  for (int group : {1, 10, 100}) {
    const auto start = bench_clock::now();
    const double cpu = cpu_seconds();
    std::size_t k = 0;
    for (int c = 0; c < commits; ++c) {
      qs::job_store::transaction txn(store);
      for (int i = 0; i < group; ++i) store.update_run(ids[k++ % ids.size()], run, true, at);
      txn.commit();
    }
    char label[80];
    std::snprintf(label, sizeof label, "group commit of %d transitions per transaction", group);
    print_rate(label, static_cast<double>(commits) * group, seconds_since(start), cpu_seconds() - cpu);
  }
}

void bench_reads(qs::job_store& store, std::int64_t n, const std::vector<std::string>& sample_ids) {
  std::printf("list_jobs, limit 100, over %lld jobs:\n", static_cast<long long>(n));
  qs::job_filter f;
  time_list(store, "(no filter)", f);
  time_list(store, "(no filter) from the middle", f, n / 2);
  f.owner = 1003;
  time_list(store, "owner", f);
  f = {};
  f.status = qs::job_status::waiting;
  time_list(store, "status=waiting", f);
  f.status = qs::job_status::failed;
  time_list(store, "status=failed (none)", f);
  f = {};
  f.provider = "ionq";
  time_list(store, "provider=ionq (20%)", f);
  f.provider = "azure";
  time_list(store, "provider=azure (none: a full scan)", f);
  f.provider = "ionq";
  f.target = "qpu.aria-1";
  time_list(store, "provider=ionq target=qpu.aria-1", f);
  f = {};
  f.target = "qpu.aria-1";
  time_list(store, "target=qpu.aria-1", f);
  f = {};
  f.batch_id = "batch-3";
  time_list(store, "batch", f);
  f = {};
  f.name = "ghz";
  time_list(store, "name=ghz", f);
  f = {};
  f.tag = "rare";
  time_list(store, "tag=rare (1%)", f);
  f.owner = 1000;
  time_list(store, "tag=rare owner", f);
  f = {};
  f.owner = 1002;
  f.batch_id = "batch-5";
  f.status = qs::job_status::waiting;
  time_list(store, "owner batch status", f);

  auto start = bench_clock::now();
  const auto counts = store.count_batch("batch-1", std::nullopt);
  std::printf("count_batch of %lld jobs: %.1f us\n", static_cast<long long>(counts.total),
              std::chrono::duration<double, std::micro>(bench_clock::now() - start).count());
  start = bench_clock::now();
  const auto rows = store.load_unfinished();
  std::printf("load_unfinished of %zu jobs: %.3f s\n", rows.size(), seconds_since(start));
  start = bench_clock::now();
  for (const auto& id : sample_ids) (void)store.get_job(id, true);
  std::printf("get_job: %.1f us each\n", std::chrono::duration<double, std::micro>(bench_clock::now() - start).count() /
                                             static_cast<double>(std::max<std::size_t>(1, sample_ids.size())));
  start = bench_clock::now();
  const auto by_status = store.count_by_status();
  std::printf("count_by_status: %.3f s\n", seconds_since(start));
}

}  // namespace

int main(int argc, char** argv) {
  const options opts = parse(argc, argv);
  std::string pattern = (opts.parent / "qjob-storage-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "qjob_storage_bench: cannot create a directory in %s\n", opts.parent.string().c_str());
    return 2;
  }
  const std::filesystem::path root = pattern;
  int status = 0;
  try {
    auto store = qs::job_store::open(root / "state");
    std::mt19937_64 rng(42);
    std::int64_t n = 0;
    std::printf("storage bench in %s; fdatasync of 4 KiB there: %.3f ms\n", root.string().c_str(),
                fdatasync_ms(root));
    const auto sample_ids = bench_batch_inserts(store, rng, n, opts.batches);
    if (!opts.inserts_only) {
      bench_single_inserts(store, rng, n, opts.single);
      bench_group_commit(store, n, std::max(1, opts.single / 2));
      bench_reads(store, n, sample_ids);
      std::error_code ec;
      std::printf("database size %.1f MiB (%lld pages)\n",
                  static_cast<double>(std::filesystem::file_size(store.database_file(), ec)) / (1024.0 * 1024.0),
                  static_cast<long long>(store.page_count()));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qjob_storage_bench: %s\n", e.what());
    status = 1;
  }
  if (!opts.keep) {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  }
  return status;
}
