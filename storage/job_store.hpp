#pragma once

#include "job_row.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace qjob::storage {

/// Filters of `GET /v1/jobs`; empty strings and nullopt mean "any".
struct job_filter {
  std::optional<std::uint32_t> owner{};  // nullopt: every owner (root, admins)
  std::optional<job_status> status{};
  std::string provider{}, target{}, batch_id{}, name{}, tag{};
};

/// One page of a listing, newest first.
struct job_page {
  std::vector<job_row> jobs;        // without `input`
  std::optional<std::int64_t> next;  // the cursor for the next page; nullopt on the last
};

/// Jobs of one batch per state.
struct batch_counts {
  std::int64_t total = 0;
  std::int64_t per_status[5]{};  // indexed by job_status
};

/// Which transitions an event stream follows; empty strings and nullopt mean "any".
struct event_filter {
  std::optional<std::uint32_t> owner;  // nullopt: every owner's jobs
  std::string job_id;
  std::string batch_id;
};

/// What insert_job did with a job whose id may exist already.
enum class insert_outcome {
  inserted,   // a new job
  duplicate,  // the id exists with the same fingerprint: the row was filled from the store
  conflict,   // the id exists with other content, or is held by a batch being received
  repeated,   // the id is a job of the same batch, which is still being received
};

/// The SQLite job store in `<state_dir>/qjobd.db`, plus result files in
/// `<state_dir>/results/`. Not thread-safe: one thread (the storage actor's) owns it.
/// Every method throws storage_error (error.hpp) naming the operation, the file and
/// SQLite's reason when SQLite fails.
class job_store {
public:
  /// Opens or creates the store: takes the instance lock (a second daemon on the same
  /// directory fails with a hint), WAL, synchronous=FULL, stamps application_id,
  /// runs the migrations in one transaction, then quick_check.
  static job_store open(const std::filesystem::path& state_dir);

  job_store(job_store&&) noexcept;
  job_store& operator=(job_store&&) noexcept;
  ~job_store();

  /// RAII transaction (BEGIN IMMEDIATE); rolls back unless committed.
  class transaction {
  public:
    explicit transaction(job_store& store);
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    /// Rolls back unless commit() succeeded; never throws.
    ~transaction();
    /// Commits (durable on return: WAL, synchronous=FULL). Throws storage_error,
    /// with disk_full() on SQLITE_FULL; the destructor then rolls back.
    void commit();

  private:
    job_store* store_;
    bool done_ = false;
  };

  // Writes: call inside a transaction.

  /// Inserts a job (assigning `row.seq`) and its first transition. On `duplicate`
  /// `row` is replaced by the stored job. A job of a discarded batch holding the
  /// id is deleted first; one of a batch being received makes the outcome
  /// `repeated` (the same batch as `row.batch_id`) or `conflict` (another).
  insert_outcome insert_job(job_row& row);

  // Streamed batches (schema version 4): a batch's jobs are inserted in chunks
  // while it is staged, invisible to every read, and appear at once when it is
  // published.

  /// Marks batch `batch_id` of `owner` as being received (at `at`, microseconds
  /// since the epoch). Call in the transaction of its first chunk. Throws
  /// storage_error when it is staged already.
  void stage_batch(const std::string& batch_id, std::uint32_t owner, std::int64_t at);
  /// Makes a staged batch's jobs visible. False when it was not staged (or is
  /// being discarded). Call inside a transaction.
  bool publish_batch(const std::string& batch_id);
  /// Marks a staged batch as refused: its jobs stay invisible and are deleted
  /// by delete_discarded(). Call inside a transaction.
  void discard_batch(const std::string& batch_id);
  /// Marks every staged batch as discarded (at open, for what a killed daemon
  /// left behind); returns how many were. Outside a transaction.
  std::size_t discard_all_staged();
  /// Deletes up to `limit` jobs of discarded batches (tags and history too), and
  /// forgets discarded batches left without jobs, in a transaction of its own
  /// (call outside one). Returns jobs and batches deleted: 0 when none is left.
  std::size_t delete_discarded(std::size_t limit);
  /// Stores a job's new run state and, when `is_transition`, appends it to the run
  /// history with time `at`. Returns the history entry's seq (0 when none).
  std::int64_t update_run(const std::string& job_id, const run_state& run, bool is_transition,
                          std::int64_t at);

  /// Writes a result document durably (temp file, fsync, rename, fsync of the
  /// directory) and returns its file:// URI. Call before committing the transition
  /// that names it.
  std::string write_result(const std::string& job_id, const std::string& json_text);

  /// Deletes up to `limit` final jobs that finished before `cutoff` (oldest
  /// first), with their tags, run history and result files, in a transaction of
  /// its own (call outside one). Returns how many were deleted.
  std::size_t purge_finished_before(std::int64_t cutoff, std::size_t limit);

  // Reads.

  std::optional<job_row> get_job(const std::string& id, bool with_input = false);
  /// The jobs with these seqs, without `input`, in the order asked; a seq with no
  /// job (purged) is left out.
  std::vector<job_row> get_jobs(const std::vector<std::int64_t>& seqs);
  /// The fingerprint of job `id`, or nullopt when there is no such job: a cheap
  /// probe (one index lookup, no row decoding) for checking a whole batch for
  /// conflicts before inserting any of it. A job of a discarded batch counts as
  /// none (the insert replaces it), one of a batch being received as "" (which
  /// matches no content). Throws storage_error.
  std::optional<std::string> find_fingerprint(const std::string& id);
  /// The run history of a job, oldest first (its first entry is the insert);
  /// empty for an unknown job.
  std::vector<transition_row> history(const std::string& job_id);
  /// One page of jobs newest first (seq DESC) matching every set filter: rows with
  /// seq < `cursor` (all when nullopt), at most `limit` (0 counts as 1); `next` is
  /// the seq of the last row when more rows follow.
  job_page list_jobs(const job_filter& filter, std::uint32_t limit, std::optional<std::int64_t> cursor);
  /// Transitions with seq > `after` matching `filter`, in seq order, at most
  /// `limit`: the event stream's next events.
  std::vector<transition_row> events_after(std::int64_t after, const event_filter& filter, std::uint32_t limit);
  /// The id of the latest event (transition), 0 when there is none.
  std::int64_t latest_event();
  /// The jobs of a batch per state, of one owner or (nullopt) of all.
  batch_counts count_batch(const std::string& batch_id, std::optional<std::uint32_t> owner);
  /// Jobs that are not final, without `input`, in submission order: those with
  /// seq > `after`, at most `limit` (a page: ask again after the last one's seq).
  std::vector<job_row> load_unfinished(std::int64_t after = 0,
                                       std::size_t limit = std::numeric_limits<std::int64_t>::max());
  /// The result document of a job, or nullopt when it has none.
  std::optional<std::string> read_result(const std::string& job_id);
  /// Number of jobs per (provider, status), for metrics. Scans every job:
  /// about 0.1 s per 100,000 jobs (bench/README.md), so call it seldom.
  struct status_count {
    std::string provider;
    job_status status;
    std::int64_t count;
  };
  std::vector<status_count> count_by_status();

  /// The state directory, absolute.
  const std::filesystem::path& state_dir() const noexcept;

  /// Copies committed pages from the WAL back into the database (a passive
  /// checkpoint: never waits for readers). SQLite also does this by itself every
  /// 40 MiB of WAL; the storage actor may call it when its mailbox is empty so the
  /// work falls in idle time. Throws storage_error.
  void checkpoint();

  /// The database file, `<state_dir>/qjobd.db` (absolute).
  std::filesystem::path database_file() const;

  /// Fault injection for tests: caps the database at `pages` pages (PRAGMA
  /// max_page_count; never below the current size), so the next growth fails as a
  /// full disk would (storage_error with disk_full()). Returns the cap in effect.
  std::int64_t set_max_page_count(std::int64_t pages);
  /// The database's current size in pages (PRAGMA page_count).
  std::int64_t page_count();

private:
  struct impl;
  explicit job_store(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

}  // namespace qjob::storage
