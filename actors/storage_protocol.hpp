#pragma once

#include "runtime/mailbox.hpp"
#include "runtime/promise.hpp"
#include "scheduler_protocol.hpp"
#include "storage/job_row.hpp"
#include "storage/job_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// Messages of the storage actor: the single writer of the job database. Writes
/// are answered only once their transaction has committed.
namespace qjob::actors {

/// How a write ended. `error` is empty on success; `disk_full` tells a full disk
/// (answer 503, try later) from other failures.
struct write_ack {
  std::string error;
  bool disk_full = false;
  bool ok() const noexcept { return error.empty(); }
};

/// The answer to insert_jobs: all rows committed, or none of them.
struct insert_reply {
  write_ack ack;
  /// Rows as stored, in request order; a duplicate (same id and content) is the
  /// existing job and has `inserted[i] == false`.
  std::vector<storage::job_row> rows;
  std::vector<bool> inserted;
  /// Index of the row whose id exists with other content; nothing was stored.
  std::optional<std::size_t> conflict;
};

/// Store new jobs, all or nothing.
struct insert_jobs {
  std::vector<storage::job_row> rows;
  promise<insert_reply> reply;
};

/// The answer to insert_staged: the whole chunk committed, or nothing of it.
struct staged_reply {
  write_ack ack;
  /// The new jobs (not the idempotent duplicates of earlier submissions) by their
  /// place in the scheduler's queues, to be queued once the batch is published
  /// (8 bytes a job, not a read of the batch back).
  std::vector<queued_run> queued;
  /// Index of the row whose id is a job of the same batch already; nothing of the chunk was stored.
  std::optional<std::size_t> repeated;
  /// Index of the row whose id exists with other content (or is held by another
  /// batch being received); nothing of the chunk was stored.
  std::optional<std::size_t> conflict;
  /// The chunk's rows, handed back: a refusal names its row's id from them, and
  /// they are freed on the thread that made them, not on the store's, which
  /// bounds a batch's rate.
  std::vector<storage::job_row> rows;
};

/// One chunk of a streamed batch, in a transaction of its own. The first chunk
/// (`first`) stages the batch in the same transaction: its jobs stay invisible
/// and unscheduled until publish_batch.
struct insert_staged {
  std::string batch_id;
  std::uint32_t owner = 0;
  bool first = false;
  std::vector<storage::job_row> rows;
  promise<staged_reply> reply;
};

/// Makes a staged batch's jobs visible, in one small transaction. The ack's
/// error is set when the batch was not staged (or was discarded).
struct publish_batch {
  std::string batch_id;
  promise<write_ack> reply;
};

/// Refuses a staged batch: its jobs stay invisible and are deleted in the
/// background, in chunks, while the mailbox is empty. Harmless for a batch
/// that was never staged.
struct discard_batch {
  std::string batch_id;
  promise<write_ack> reply;
};


/// Store a job's run state; with `is_transition` it also enters the run history.
/// `result_json`, when set, is written to the result file first and its URI put
/// in run.output_uri.
struct record_run {
  std::string job_id;
  storage::run_state run;
  bool is_transition = true;
  std::int64_t at = 0;  // when it happened, microseconds since the epoch
  std::optional<std::string> result_json;
  promise<write_ack> reply;
};

struct job_view {
  std::optional<storage::job_row> job;
  std::vector<storage::transition_row> history;  // filled when asked for
};

struct get_job {
  std::string id;
  bool with_input = false;
  bool with_history = false;
  promise<job_view> reply;
};

struct list_jobs {
  storage::job_filter filter;
  std::uint32_t limit = 100;
  std::optional<std::int64_t> cursor;
  promise<storage::job_page> reply;
};

struct count_batch {
  std::string batch_id;
  std::optional<std::uint32_t> owner;
  promise<storage::batch_counts> reply;
};

/// The seqs of a batch's jobs that are not final and visible to `owner`.
struct list_batch_unfinished {
  std::string batch_id;
  std::optional<std::uint32_t> owner;
  promise<std::vector<std::int64_t>> reply;
};

/// Jobs by seq, without their input, for job actors about to start; a purged
/// one is left out.
struct load_jobs {
  std::vector<std::int64_t> seqs;
  promise<std::vector<storage::job_row>> reply;
};

/// A page of the jobs that are not final (job_store::load_unfinished).
struct load_unfinished {
  std::int64_t after = 0;
  std::size_t limit = 0;
  promise<std::vector<storage::job_row>> reply;
};

struct read_result {
  std::string job_id;
  promise<std::optional<std::string>> reply;
};

struct count_by_status {
  promise<std::vector<storage::job_store::status_count>> reply;
};

/// Delete up to `limit` final jobs that finished before `cutoff` (microseconds
/// since the epoch), oldest first, with their history and results, in a
/// transaction of their own; the reply is how many went.
struct purge_finished {
  std::int64_t cutoff = 0;
  std::size_t limit = 500;
  promise<std::size_t> reply;
};

/// The next events of a stream: transitions after event id `after` matching
/// `filter`, at most `limit`. With `after` < 0, none: the reply's `end` is then
/// the latest event id (a stream that starts from now).
struct read_events {
  std::int64_t after = 0;
  storage::event_filter filter;
  std::uint32_t limit = 500;
  struct events {
    std::vector<storage::transition_row> rows;
    std::int64_t end = 0;  ///< the id to resume after: the last row's, or `after`
  };
  promise<events> reply;
};

using storage_message = std::variant<insert_jobs, record_run, get_job, list_jobs, count_batch,
                                     list_batch_unfinished, load_jobs, load_unfinished, read_result, count_by_status,
                                     purge_finished, read_events, insert_staged, publish_batch, discard_batch>;
using storage_ref = actor_ref<storage_message, concurrent_mailbox>;

/// How many requests may wait for the storage thread before intake answers 429.
inline constexpr std::size_t storage_mailbox_capacity = 4096;

}  // namespace qjob::actors
