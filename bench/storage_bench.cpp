// Measures the job store: batch inserts (transactions of 10,000 jobs with a
// ~200-byte input each), single-job transactions (one fsync each), group commit of
// run-state updates, and list_jobs latency with every filter of GET /v1/jobs over
// the inserted jobs. Prints figures only; nothing here is asserted
// (bench/README.md, "Storage").
//
// The jobs look like a store that has run for a while (make_job): several owners
// of very different sizes, four providers with their targets (one holding few
// jobs), most jobs final and the waiting ones among the newest, 70% of the jobs in
// batches of 500 (one owner and target each), names and tags common and rare.
//
// Usage: qjob_storage_bench [--dir DIR] [--batches N | --jobs N] [--single N] [--keep]
//                           [--inserts-only | --list-only]
//   --dir      parent of the temporary state directory (default: the system temp
//              directory; pass a directory on the disk the daemon will use, as
//              tmpfs makes fsync free)
//   --batches  batches of 10,000 jobs to insert (default 10, i.e. 100,000 jobs)
//   --jobs     jobs to insert, rounded up to whole batches (--jobs 1000000)
//   --single   single-job transactions to time (default 500)
//   --keep     leave the state directory in place for inspection
//   --inserts-only  stop after the batch inserts (for profiling them)
//   --list-only     after the batch inserts, time list_jobs only (no single-job
//                   commits, group commit or other reads: for large stores)

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

struct options {
  std::filesystem::path parent = std::filesystem::temp_directory_path();
  int batches = 10;
  int single = 500;
  bool keep = false;
  bool inserts_only = false;
  bool list_only = false;
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
    } else if (arg == "--jobs") {
      const long long jobs = std::max(1LL, std::atoll(value()));
      opts.batches = static_cast<int>((jobs + batch_size - 1) / batch_size);
    } else if (arg == "--single") {
      opts.single = std::max(1, std::atoi(value()));
    } else if (arg == "--keep") {
      opts.keep = true;
    } else if (arg == "--inserts-only") {
      opts.inserts_only = true;
    } else if (arg == "--list-only") {
      opts.list_only = true;
    } else {
      std::fprintf(stderr,
                   "usage: qjob_storage_bench [--dir DIR] [--batches N | --jobs N] [--single N] [--keep] "
                   "[--inserts-only | --list-only]\n");
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

/// Where a job runs.
struct placement {
  const char* provider;
  const char* target;
};

/// Providers and targets with their share of jobs in per mille; "qcloud" holds
/// few jobs (0.2%). bench_list also asks for a provider that holds none.
constexpr struct {
  placement where;
  int per_mille;
} placements[] = {
    {{"local", "simulator"}, 500},          {{"ionq", "simulator"}, 200},
    {{"ionq", "qpu.aria-1"}, 70},            {{"ionq", "qpu.forte-1"}, 30},
    {{"azure", "quantinuum.sim.h1-1e"}, 120}, {{"azure", "rigetti.sim.qvm"}, 78},
    {{"qcloud", "qpu.small"}, 2},
};

/// Owners with their share of jobs in per mille. 1008 and 1009 (a small owner)
/// run only locally: their filters combined with a remote provider match nothing.
constexpr struct {
  std::uint32_t owner;
  int per_mille;
} owner_shares[] = {
    {1000, 350}, {1001, 200}, {1002, 150}, {1003, 50}, {1004, 50},
    {1005, 50},  {1006, 50},  {1007, 50},  {1008, 49}, {1009, 1},
};

placement pick_placement(std::mt19937_64& rng) {
  int roll = static_cast<int>(rng() % 1000);
  for (const auto& p : placements) {
    if (roll < p.per_mille) return p.where;
    roll -= p.per_mille;
  }
  return placements[0].where;
}

std::uint32_t pick_owner(std::mt19937_64& rng) {
  int roll = static_cast<int>(rng() % 1000);
  for (const auto& o : owner_shares) {
    if (roll < o.per_mille) return o.owner;
    roll -= o.per_mille;
  }
  return owner_shares[0].owner;
}

/// Jobs come in runs of 500 that are either one batch (one owner, one target,
/// 70% of the runs) or single submissions of anyone to anywhere.
constexpr std::int64_t run_length = 500;

struct job_run {
  std::string batch_id;  // "" for single submissions
  std::uint32_t owner = 0;
  placement where{};
};

/// The job numbered `n` of `total`. The newest 5,000 jobs are still moving
/// (waiting or executing or just final); older ones are final (94% of them succeeded,
/// 4% failed, 2% cancelled) but for a few stuck ones (0.01%).
qs::job_row make_job(std::mt19937_64& rng, std::int64_t n, std::int64_t total, job_run& run) {
  if (n % run_length == 0 || run.owner == 0) {
    const bool batch = rng() % 10 < 7;
    run.batch_id = batch ? "b-" + std::to_string(n / run_length) : "";
    run.owner = pick_owner(rng);
    run.where = pick_placement(rng);
    if (run.owner >= 1008) run.where = placements[0].where;
  }
  qs::job_row row;
  row.id = make_uuid(rng);
  const auto roll = rng() % 10'000;
  row.name = roll < 5000 ? "bell" : roll < 8000 ? "ghz" : roll < 9990 ? "qft" : "calibration";
  if (run.batch_id.empty()) {
    row.owner = pick_owner(rng);
    const placement where = row.owner >= 1008 ? placements[0].where : pick_placement(rng);
    row.provider = where.provider;
    row.target = where.target;
  } else {
    row.owner = run.owner;
    row.provider = run.where.provider;
    row.target = run.where.target;
    row.batch_id = run.batch_id;
  }
  row.shots = 1000;
  row.input_format = "ionq.circuit.v0";
  // About 200 bytes, as a small circuit in IonQ's JSON form.
  row.input = R"({"qubits":3,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1},)"
              R"({"gate":"cnot","control":1,"target":2},{"gate":"rz","target":2,"rotation":0.785398}]})";
  row.params = "{}";
  const auto tag_roll = rng() % 10'000;
  if (tag_roll < 5000) row.tags.push_back("common");
  const auto experiment = rng() % 100;  // 30% of jobs carry one of 20 experiment tags
  if (experiment < 30) row.tags.push_back("exp-" + std::to_string(experiment % 20));
  if (tag_roll < 10) row.tags.push_back("rare");
  row.fingerprint = "sha256:" + std::to_string(n);
  row.created_at = 1'700'000'000'000'000 + n * 1000;
  const auto status_roll = rng() % 10'000;
  qs::job_status status = qs::job_status::succeeded;
  if (n >= total - 5000) {
    status = status_roll < 4000   ? qs::job_status::waiting
             : status_roll < 6000 ? qs::job_status::executing
                                  : qs::job_status::succeeded;
  } else if (status_roll < 1) {
    status = qs::job_status::waiting;
  } else if (status_roll < 2) {
    status = qs::job_status::executing;
  } else if (status_roll < 402) {
    status = qs::job_status::failed;
  } else if (status_roll < 602) {
    status = qs::job_status::cancelled;
  }
  row.run.status = status;
  row.run.provider_status = std::string(qs::to_string(status));
  if (status != qs::job_status::waiting) {
    row.run.submitted_at = row.created_at + 1000;
    row.run.started_at = row.created_at + 2000;
    row.run.provider_job_id = row.id;
    row.run.attempts = 1;
  }
  if (qs::is_final(status)) row.run.finished_at = row.created_at + 1'000'000;
  if (status == qs::job_status::failed) row.run.error = qs::job_error{"provider_error", "the provider failed the job"};
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

struct latency {
  double p50 = 0, p99 = 0;
  std::size_t rows = 0;
};

/// Median and 99th percentile of list_jobs(filter, 100) over up to 200 calls
/// (fewer for a slow query: about half a second's worth, at least 5).
latency time_list(qs::job_store& store, const qs::job_filter& filter, std::optional<std::int64_t> cursor) {
  constexpr int runs = 200;
  std::vector<double> micros;
  micros.reserve(runs);
  std::size_t rows = 0;
  const auto deadline = bench_clock::now() + std::chrono::milliseconds(500);
  for (int i = 0; i < runs && (i < 5 || bench_clock::now() < deadline); ++i) {
    const auto start = bench_clock::now();
    const auto page = store.list_jobs(filter, 100, cursor);
    micros.push_back(std::chrono::duration<double, std::micro>(bench_clock::now() - start).count());
    rows = page.jobs.size();
  }
  std::sort(micros.begin(), micros.end());
  return {micros[micros.size() / 2], micros[micros.size() * 99 / 100], rows};
}

/// The first page of `filter` and the page at `middle` (a cursor half-way
/// through the store), one line.
void time_list(qs::job_store& store, const std::string& what, const qs::job_filter& filter, std::int64_t middle) {
  const latency first = time_list(store, filter, std::nullopt);
  const latency deep = time_list(store, filter, middle);
  std::printf("  %-46s first p50 %8.1f us p99 %8.1f us (%3zu rows) | middle p50 %8.1f us p99 %8.1f us (%3zu rows)\n",
              what.c_str(), first.p50, first.p99, first.rows, deep.p50, deep.p99, deep.rows);
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

/// What the batch inserts left for the reads to ask for.
struct inserted {
  std::vector<std::string> sample_ids;  // one per transaction
  struct batch {
    std::string id;
    std::uint32_t owner = 0;
    std::int64_t first_seq = 0;
  };
  std::vector<batch> batches;
};

/// Inserts `batches` transactions of 10,000 jobs.
inserted bench_batch_inserts(qs::job_store& store, std::mt19937_64& rng, std::int64_t& n, job_run& run,
                             int batches) {
  inserted out;
  const std::int64_t total = std::int64_t{batches} * batch_size;
  const auto start = bench_clock::now();
  const double cpu = cpu_seconds();
  for (int b = 0; b < batches; ++b) {
    qs::job_store::transaction txn(store);
    for (int i = 0; i < batch_size; ++i, ++n) {
      auto row = make_job(rng, n, total, run);
      store.insert_job(row);
      if (i == 0) out.sample_ids.push_back(row.id);
      if (!row.batch_id.empty() && (out.batches.empty() || out.batches.back().id != row.batch_id))
        out.batches.push_back({row.batch_id, row.owner, row.seq});
    }
    txn.commit();
  }
  print_rate("batch insert (transactions of 10,000 jobs)", static_cast<double>(total), seconds_since(start),
             cpu_seconds() - cpu);
  return out;
}

void bench_single_inserts(qs::job_store& store, std::mt19937_64& rng, std::int64_t& n, job_run& run, int count) {
  const auto start = bench_clock::now();
  const double cpu = cpu_seconds();
  for (int i = 0; i < count; ++i, ++n) {
    auto row = make_job(rng, n, n, run);
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

/// list_jobs with every filter GET /v1/jobs offers, alone and combined, common
/// and rare values, and values that match nothing. A user who is not an admin
/// always lists with an owner, so most combinations include one.
void bench_list(qs::job_store& store, std::int64_t n, const inserted& data) {
  std::printf("list_jobs, limit 100, over %lld jobs (first page | page at a cursor half-way):\n",
              static_cast<long long>(n));
  const std::int64_t middle = n / 2;
  // The batch that holds the middle cursor, so its "middle" page is its second half.
  auto holds_middle = std::find_if(data.batches.rbegin(), data.batches.rend(),
                                   [&](const auto& b) { return b.first_seq <= middle - run_length / 2; });
  const std::string batch = holds_middle->id;
  const std::uint32_t batch_owner = holds_middle->owner;
  const std::uint32_t other_owner = batch_owner == 1000 ? 1001 : 1000;
  using st = qs::job_status;
  struct named_filter {
    std::string what;
    qs::job_filter filter;
  };
  const std::vector<named_filter> filters = {
      {"(no filter)", {}},
      {"owner=1000 (35%)", {.owner = 1000u}},
      {"owner=1009 (0.1%)", {.owner = 1009u}},
      {"owner=1010 (none)", {.owner = 1010u}},
      {"status=succeeded (92%)", {.status = st::succeeded}},
      {"status=failed (4%)", {.status = st::failed}},
      {"status=waiting (newest 2,000 + 0.01%)", {.status = st::waiting}},
      {"status=executing (newest 1,000 + 0.01%)", {.status = st::executing}},
      {"provider=local (50%)", {.provider = "local"}},
      {"provider=ionq (30%)", {.provider = "ionq"}},
      {"provider=qcloud (0.2%)", {.provider = "qcloud"}},
      {"provider=braket (none)", {.provider = "braket"}},
      {"provider=ionq target=qpu.aria-1 (7%)", {.provider = "ionq", .target = "qpu.aria-1"}},
      {"provider=qcloud target=qpu.small (0.2%)", {.provider = "qcloud", .target = "qpu.small"}},
      {"provider=ionq target=qpu.harmony (none)", {.provider = "ionq", .target = "qpu.harmony"}},
      {"target=simulator (70%)", {.target = "simulator"}},
      {"target=qpu.small (0.2%)", {.target = "qpu.small"}},
      {"batch (500 jobs)", {.batch_id = batch}},
      {"batch=b-unknown (none)", {.batch_id = "b-unknown"}},
      {"name=bell (50%)", {.name = "bell"}},
      {"name=calibration (0.1%)", {.name = "calibration"}},
      {"name=unknown (none)", {.name = "unknown"}},
      {"tag=common (50%)", {.tag = "common"}},
      {"tag=exp-7 (1.5%)", {.tag = "exp-7"}},
      {"tag=rare (0.1%)", {.tag = "rare"}},
      {"tag=unknown (none)", {.tag = "unknown"}},
      {"owner status=waiting", {.owner = 1001u, .status = st::waiting}},
      {"owner status=failed", {.owner = 1001u, .status = st::failed}},
      {"owner provider=ionq", {.owner = 1001u, .provider = "ionq"}},
      {"owner provider=ionq target=qpu.aria-1", {.owner = 1001u, .provider = "ionq", .target = "qpu.aria-1"}},
      {"owner=1000 provider=qcloud (few)", {.owner = 1000u, .provider = "qcloud"}},
      {"owner=1009 provider=ionq (none)", {.owner = 1009u, .provider = "ionq"}},
      {"owner=1009 provider=ionq target=qpu.aria-1 (none)",
       {.owner = 1009u, .provider = "ionq", .target = "qpu.aria-1"}},
      {"owner=1008 provider=ionq (none; both 50,000+)", {.owner = 1008u, .provider = "ionq"}},
      {"owner=1008 provider=ionq target=simulator (none)", {.owner = 1008u, .provider = "ionq", .target = "simulator"}},
      {"owner batch (its owner)", {.owner = batch_owner, .batch_id = batch}},
      {"owner batch (another owner: none)", {.owner = other_owner, .batch_id = batch}},
      {"owner batch status=succeeded", {.owner = batch_owner, .status = st::succeeded, .batch_id = batch}},
      {"owner batch status=waiting (none)", {.owner = batch_owner, .status = st::waiting, .batch_id = batch}},
      {"owner name=calibration", {.owner = 1000u, .name = "calibration"}},
      {"owner tag=rare", {.owner = 1000u, .tag = "rare"}},
      {"owner=1009 tag=rare (few)", {.owner = 1009u, .tag = "rare"}},
      {"owner status=failed provider=azure", {.owner = 1000u, .status = st::failed, .provider = "azure"}},
      {"status=failed provider=ionq", {.status = st::failed, .provider = "ionq"}},
      {"status=waiting provider=qcloud (few)", {.status = st::waiting, .provider = "qcloud"}},
      {"status=cancelled provider=ionq target=qpu.aria-1",
       {.status = st::cancelled, .provider = "ionq", .target = "qpu.aria-1"}},
      {"tag=common status=waiting", {.status = st::waiting, .tag = "common"}},
      {"name=ghz tag=exp-3", {.name = "ghz", .tag = "exp-3"}},
      {"owner status provider target name tag",
       {.owner = 1000u, .status = st::succeeded, .provider = "ionq", .target = "simulator", .name = "bell",
        .tag = "common"}},
  };
  for (const auto& [what, filter] : filters) time_list(store, what, filter, middle);
}

void bench_reads(qs::job_store& store, const inserted& data) {
  auto start = bench_clock::now();
  const auto counts = store.count_batch(data.batches.front().id, std::nullopt);
  std::printf("count_batch of %lld jobs: %.1f us\n", static_cast<long long>(counts.total),
              std::chrono::duration<double, std::micro>(bench_clock::now() - start).count());
  start = bench_clock::now();
  const auto rows = store.load_unfinished();
  std::printf("load_unfinished of %zu jobs: %.3f s\n", rows.size(), seconds_since(start));
  start = bench_clock::now();
  for (const auto& id : data.sample_ids) (void)store.get_job(id, true);
  std::printf("get_job: %.1f us each\n", std::chrono::duration<double, std::micro>(bench_clock::now() - start).count() /
                                             static_cast<double>(std::max<std::size_t>(1, data.sample_ids.size())));
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
    job_run run;
    const auto data = bench_batch_inserts(store, rng, n, run, opts.batches);
    if (opts.list_only) {
      bench_list(store, n, data);
    } else if (!opts.inserts_only) {
      bench_single_inserts(store, rng, n, run, opts.single);
      bench_group_commit(store, n, std::max(1, opts.single / 2));
      bench_list(store, n, data);
      bench_reads(store, data);
    }
    if (!opts.inserts_only) {
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
