#include "job_store.hpp"

#include "error.hpp"
#include "instance_lock.hpp"
#include "result_files.hpp"
#include "schema.hpp"
#include "sqlite_handles.hpp"
#include "tags_json.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include <sys/stat.h>

namespace qjob::storage {
namespace {

constexpr int busy_timeout_ms = 5000;

// Column lists shared by every query that reads whole jobs; read_job() decodes
// them by position. The list form leaves `input` out (it can be large).
#define QJOB_JOB_COLUMNS_HEAD                                                                          \
  "j.seq, j.id, j.name, j.provider, j.target, j.shots, j.input_format, "
#define QJOB_JOB_COLUMNS_TAIL                                                                          \
  ", j.params, j.tags, j.priority, j.batch_id, j.owner, j.fingerprint, j.created_at, j.status, "      \
  "j.provider_status, j.provider_job_id, j.submitted_at, j.started_at, j.finished_at, j.attempts, "    \
  "j.error_code, j.error_message, j.cancel_requested, j.output_uri, j.cost, j.usage, j.submit_intent"
constexpr const char* job_columns_with_input = QJOB_JOB_COLUMNS_HEAD "j.input" QJOB_JOB_COLUMNS_TAIL;
constexpr const char* job_columns_without_input = QJOB_JOB_COLUMNS_HEAD "''" QJOB_JOB_COLUMNS_TAIL;
#undef QJOB_JOB_COLUMNS_HEAD
#undef QJOB_JOB_COLUMNS_TAIL

// What every read of jobs (alias j) adds: a job of a batch still being received
// (or being discarded) does not exist yet for anyone (schema.cpp, version 4).
// A probe of staged_batches' primary key per row: the table holds a few rows.
#define QJOB_VISIBLE_JOB " NOT EXISTS (SELECT 1 FROM staged_batches AS s WHERE s.batch_id = j.batch_id)"

// OR FAIL on every write: see schema.cpp, it spares each statement a journal.
constexpr const char* insert_job_sql =
    "INSERT OR FAIL INTO jobs (id, name, provider, target, shots, input_format, input, params, tags, priority, "
    "batch_id, owner, fingerprint, created_at, status, provider_status, provider_job_id, submitted_at, "
    "started_at, finished_at, attempts, error_code, error_message, cancel_requested, output_uri, cost, usage, "
    "submit_intent) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28) "
    "ON CONFLICT (id) DO NOTHING";

constexpr const char* update_run_sql =
    "UPDATE OR FAIL jobs SET status = ?2, provider_status = ?3, provider_job_id = ?4, submitted_at = ?5, "
    "started_at = ?6, finished_at = ?7, attempts = ?8, error_code = ?9, error_message = ?10, "
    "cancel_requested = ?11, output_uri = ?12, cost = ?13, usage = ?14, submit_intent = ?15 WHERE id = ?1";

/// Bit of each list filter; a combination selects one cached statement.
enum filter_bit : unsigned {
  by_owner = 1u << 0,
  by_status = 1u << 1,
  by_provider = 1u << 2,
  by_target = 1u << 3,
  by_batch = 1u << 4,
  by_name = 1u << 5,
  by_tag = 1u << 6,
  filter_combinations = 1u << 7,
};

unsigned filter_mask(const job_filter& f) {
  unsigned mask = 0;
  if (f.owner) mask |= by_owner;
  if (f.status) mask |= by_status;
  if (!f.provider.empty()) mask |= by_provider;
  if (!f.target.empty()) mask |= by_target;
  if (!f.batch_id.empty()) mask |= by_batch;
  if (!f.name.empty()) mask |= by_name;
  if (!f.tag.empty()) mask |= by_tag;
  return mask;
}

/// The index a listing walks newest first (each index ends with seq, so an
/// equality on its columns yields rows in seq order); the other filters are
/// tested on each row it reaches. list_jobs chooses the walk per call (see there).
enum class list_walk : unsigned {
  seq,              // the table itself, backwards from the cursor
  owner,            // jobs_by_owner_provider, one provider per walk
  status,           // jobs_by_status
  provider_target,  // jobs_by_provider_target, one (provider, target) pair per walk
  batch,            // jobs_by_batch
  name,             // jobs_by_name
  tag,              // job_tags' (tag, job_seq) key
};
constexpr unsigned list_walks = 7;

/// How far list_jobs probes each walk it could take (index entries, no rows):
/// a walk shorter than this is taken as is, since reading its rows costs at
/// most a few milliseconds.
constexpr std::int64_t probe_cap = 1000;

/// The list query of `mask` walking `walk` (with by_provider set when `walk` is
/// owner, and by_target too when it is provider_target). A unary + keeps SQLite
/// off the index of a column that is only tested; without statistics it would
/// pick any of them.
std::string list_sql(unsigned mask, list_walk walk) {
  const bool by_tags = walk == list_walk::tag;
  const char* seq = by_tags ? "t.job_seq" : "j.seq";
  auto test = [&](list_walk column) { return walk == column ? " AND j." : " AND +j."; };
  std::string sql = "SELECT ";
  sql += job_columns_without_input;
  // CROSS JOIN keeps job_tags outside: its key yields the tag's jobs in seq order.
  sql += by_tags ? " FROM job_tags AS t CROSS JOIN jobs AS j ON j.seq = t.job_seq AND t.tag = :tag" : " FROM jobs AS j";
  sql += " WHERE ";
  sql += seq;
  sql += " < :cursor AND" QJOB_VISIBLE_JOB;
  if ((mask & by_owner) != 0) sql += std::string(test(list_walk::owner)) + "owner = :owner";
  if ((mask & by_status) != 0) sql += std::string(test(list_walk::status)) + "status = :status";
  // Owner and provider lead jobs_by_owner_provider.
  const list_walk pair_walk = walk == list_walk::owner ? list_walk::owner : list_walk::provider_target;
  if ((mask & by_provider) != 0) sql += std::string(test(pair_walk)) + "provider = :provider";
  if ((mask & by_target) != 0) sql += std::string(test(list_walk::provider_target)) + "target = :target";
  if ((mask & by_batch) != 0) sql += std::string(test(list_walk::batch)) + "batch_id = :batch";
  if ((mask & by_name) != 0) sql += std::string(test(list_walk::name)) + "name = :name";
  if ((mask & by_tag) != 0 && !by_tags)
    sql += " AND EXISTS (SELECT 1 FROM job_tags AS t WHERE t.tag = :tag AND t.job_seq = j.seq)";
  sql += " ORDER BY ";
  sql += seq;
  sql += " DESC LIMIT :limit";
  return sql;
}

/// Counts the first `:cap` entries of one walk below `:cursor` from the index
/// alone (no table rows), and the lowest seq among them: how long the walk is
/// near the cursor.
const char* probe_sql(list_walk walk) {
  switch (walk) {
    case list_walk::owner:
      return "SELECT count(*), min(seq) FROM (SELECT seq FROM jobs INDEXED BY jobs_by_owner_provider "
             "WHERE owner = :value AND provider = :provider AND seq < :cursor ORDER BY seq DESC LIMIT :cap)";
    case list_walk::status:
      return "SELECT count(*), min(seq) FROM (SELECT seq FROM jobs INDEXED BY jobs_by_status WHERE status = :value "
             "AND seq < :cursor ORDER BY seq DESC LIMIT :cap)";
    case list_walk::provider_target:
      return "SELECT count(*), min(seq) FROM (SELECT seq FROM jobs INDEXED BY jobs_by_provider_target "
             "WHERE provider = :provider AND target = :target AND seq < :cursor ORDER BY seq DESC LIMIT :cap)";
    case list_walk::batch:
      return "SELECT count(*), min(seq) FROM (SELECT seq FROM jobs INDEXED BY jobs_by_batch WHERE batch_id = :value "
             "AND seq < :cursor ORDER BY seq DESC LIMIT :cap)";
    case list_walk::name:
      return "SELECT count(*), min(seq) FROM (SELECT seq FROM jobs INDEXED BY jobs_by_name WHERE name = :value "
             "AND seq < :cursor ORDER BY seq DESC LIMIT :cap)";
    case list_walk::tag:
      return "SELECT count(*), min(job_seq) FROM (SELECT job_seq FROM job_tags WHERE tag = :value "
             "AND job_seq < :cursor ORDER BY job_seq DESC LIMIT :cap)";
    case list_walk::seq:
      break;
  }
  return nullptr;
}

void bind_named(statement& stmt, const char* name, std::string_view text) { stmt.bind(stmt.parameter_index(name), text); }

/// Binds the run state to parameters first..first+13 in update_run_sql's order.
void bind_run(statement& stmt, int first, const run_state& run) {
  stmt.bind(first, to_string(run.status));
  stmt.bind(first + 1, run.provider_status);
  stmt.bind(first + 2, run.provider_job_id);
  stmt.bind(first + 3, run.submitted_at);
  stmt.bind(first + 4, run.started_at);
  stmt.bind(first + 5, run.finished_at);
  stmt.bind(first + 6, std::int64_t{run.attempts});
  if (run.error) {
    stmt.bind(first + 7, run.error->code);
    stmt.bind(first + 8, run.error->message);
  } else {
    stmt.bind_null(first + 7);
    stmt.bind_null(first + 8);
  }
  stmt.bind(first + 9, std::int64_t{run.cancel_requested ? 1 : 0});
  stmt.bind(first + 10, run.output_uri);
  stmt.bind(first + 11, run.cost);
  stmt.bind(first + 12, run.usage);
  stmt.bind(first + 13, std::int64_t{run.submit_intent ? 1 : 0});
}

job_status read_status(const statement& stmt, int column, const std::filesystem::path& file) {
  const auto status = parse_job_status(stmt.column_text(column));
  if (!status) throw storage_error("job database " + file.string() + " holds an unknown job status");
  return *status;
}

job_row read_job(const statement& stmt, const std::filesystem::path& file) {
  job_row row;
  row.seq = stmt.column_int64(0);
  row.id = stmt.column_text(1);
  row.name = stmt.column_text(2);
  row.provider = stmt.column_text(3);
  row.target = stmt.column_text(4);
  row.shots = stmt.column_int64(5);
  row.input_format = stmt.column_text(6);
  row.input = stmt.column_text(7);
  row.params = stmt.column_text(8);
  row.tags = tags_from_json(stmt.column_text(9));
  row.priority = static_cast<std::int32_t>(stmt.column_int64(10));
  row.batch_id = stmt.column_text(11);
  row.owner = static_cast<std::uint32_t>(stmt.column_int64(12));
  row.fingerprint = stmt.column_text(13);
  row.created_at = stmt.column_int64(14);
  run_state& run = row.run;
  run.status = read_status(stmt, 15, file);
  run.provider_status = stmt.column_text(16);
  run.provider_job_id = stmt.column_text(17);
  run.submitted_at = stmt.column_int64(18);
  run.started_at = stmt.column_int64(19);
  run.finished_at = stmt.column_int64(20);
  run.attempts = static_cast<std::int32_t>(stmt.column_int64(21));
  if (!stmt.column_is_null(22)) run.error = job_error{stmt.column_text(22), stmt.column_text(23)};
  run.cancel_requested = stmt.column_int64(24) != 0;
  run.output_uri = stmt.column_text(25);
  run.cost = stmt.column_text(26);
  run.usage = stmt.column_text(27);
  run.submit_intent = stmt.column_int64(28) != 0;
  return row;
}

/// Creates `dir` (and missing parents) with mode 0700; mkdir's mode leaves no
/// window in which the directory is readable by others. An existing directory
/// keeps its mode: the administrator (or systemd's StateDirectoryMode) chose it.
void make_private_dir(const std::filesystem::path& dir, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (ec) throw storage_error("cannot create " + std::string(what) + " " + dir.string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    const int error = errno;
    throw storage_error("cannot create " + std::string(what) + " " + dir.string() + ": " + std::strerror(error),
                        error == ENOSPC || error == EDQUOT);
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    throw storage_error("cannot use " + std::string(what) + " " + dir.string() + ": not a directory");
  }
}

std::filesystem::path absolute_dir(const std::filesystem::path& dir) {
  std::filesystem::path result = std::filesystem::absolute(dir).lexically_normal();
  // "/var/lib/qjobd/" normalises to a trailing empty file name; drop it.
  if (!result.has_filename() && result.has_parent_path() && result != result.root_path()) {
    result = result.parent_path();
  }
  return result;
}

}  // namespace

struct job_store::impl {
  // Members are destroyed in reverse: statements, then the connection, then the
  // lock, so the lock is released only once the database is closed.
  std::filesystem::path state_dir;
  instance_lock lock;
  connection conn;
  result_files results;

  statement insert_job;
  statement insert_tag;
  statement insert_transition;
  statement insert_transition_by_id;
  statement select_fingerprint;
  statement update_run;
  statement get_job_with_input;
  statement get_job_without_input;
  statement get_job_by_seq;
  statement history;
  statement count_batch;
  statement load_unfinished;
  statement count_by_status;
  statement events_of_job;
  statement events_matching;
  statement select_expired;
  statement delete_tags;
  statement delete_transitions;
  statement delete_job;
  // List queries by (mask, walk), prepared on first use; a walk over several
  // providers or (provider, target) pairs steps one statement per pair side by side.
  std::array<std::array<std::vector<statement>, list_walks>, filter_combinations> list_by_filter;
  std::array<statement, list_walks> probe_by_walk;  // prepared on first use
  statement max_seq;
  statement loose_scan[3][2];  // [providers, targets of a provider, providers of an owner][after a value]
  statement select_existing;
  statement stage_batch;
  statement publish_batch;
  statement discard_batch;
  statement select_discarded_jobs;
  statement delete_emptied_batches;

  impl(std::filesystem::path dir, instance_lock held)
      : state_dir(std::move(dir)),
        lock(std::move(held)),
        conn(state_dir / "qjobd.db"),
        results(state_dir / "results") {}

  void prepare() {
    insert_job = statement(conn, insert_job_sql, "insert a job into job database");
    insert_tag = statement(conn, "INSERT OR IGNORE INTO job_tags (tag, job_seq) VALUES (?1, ?2)",
                           "insert the tags of a job into job database");
    insert_transition =
        statement(conn, "INSERT OR FAIL INTO transitions (job_seq, job_id, status, provider_status, at) VALUES (?5, ?1, ?2, ?3, ?4)",
                  "record a job transition in job database");
    insert_transition_by_id = statement(conn,
                                        "INSERT OR FAIL INTO transitions (job_seq, job_id, status, provider_status, at) "
                                        "SELECT seq, id, ?2, ?3, ?4 FROM jobs WHERE id = ?1",
                                        "record a job transition in job database");
    // discarding is NULL for a job of no staged batch.
    select_fingerprint = statement(conn,
                                   "SELECT j.fingerprint, s.discarding FROM jobs AS j LEFT JOIN staged_batches AS s "
                                   "ON s.batch_id = j.batch_id WHERE j.id = ?1",
                                   "look up an existing job in job database");
    select_existing = statement(conn,
                                "SELECT j.seq, j.fingerprint, j.batch_id, s.discarding FROM jobs AS j "
                                "LEFT JOIN staged_batches AS s ON s.batch_id = j.batch_id WHERE j.id = ?1",
                                "look up an existing job in job database");
    stage_batch = statement(conn, "INSERT OR FAIL INTO staged_batches (batch_id, owner, started_at) VALUES (?1, ?2, ?3)",
                            "stage a batch in job database");
    publish_batch = statement(conn, "DELETE FROM staged_batches WHERE batch_id = ?1 AND discarding = 0",
                              "publish a batch in job database");
    discard_batch = statement(conn, "UPDATE OR FAIL staged_batches SET discarding = 1 WHERE batch_id = ?1",
                              "discard a staged batch in job database");
    select_discarded_jobs = statement(conn,
                                      "SELECT j.seq FROM staged_batches AS s JOIN jobs AS j ON j.batch_id = s.batch_id "
                                      "WHERE s.discarding = 1 LIMIT ?1",
                                      "find the jobs of discarded batches in job database");
    delete_emptied_batches = statement(conn,
                                       "DELETE FROM staged_batches WHERE discarding = 1 AND NOT EXISTS "
                                       "(SELECT 1 FROM jobs WHERE jobs.batch_id = staged_batches.batch_id)",
                                       "forget emptied discarded batches in job database");
    update_run = statement(conn, update_run_sql, "update the run state of a job in job database");
    get_job_with_input = statement(conn, std::string("SELECT ") + job_columns_with_input + " FROM jobs AS j WHERE j.id = ?1 AND" QJOB_VISIBLE_JOB,
                                   "read a job from job database");
    get_job_without_input =
        statement(conn, std::string("SELECT ") + job_columns_without_input + " FROM jobs AS j WHERE j.id = ?1 AND" QJOB_VISIBLE_JOB,
                  "read a job from job database");
    get_job_by_seq =
        statement(conn, std::string("SELECT ") + job_columns_without_input + " FROM jobs AS j WHERE j.seq = ?1",
                  "read a job from job database");
    history = statement(conn,
                        "SELECT seq, job_id, status, provider_status, at FROM transitions "
                        "WHERE job_seq = (SELECT j.seq FROM jobs AS j WHERE j.id = ?1 AND" QJOB_VISIBLE_JOB ") ORDER BY seq",
                        "read the history of a job from job database");
    count_batch = statement(conn,
                            "SELECT status, count(*) FROM jobs WHERE batch_id = ?1 "
                            "AND (?2 IS NULL OR owner = ?2) "
                            "AND NOT EXISTS (SELECT 1 FROM staged_batches WHERE batch_id = ?1) GROUP BY status",
                            "count the jobs of a batch in job database");
    // One status at a time: each walks its index in seq order and stops at the
    // limit, where `status IN (...)` would gather and sort every later row per page.
    load_unfinished = statement(conn,
                                std::string("SELECT ") + job_columns_without_input +
                                    " FROM jobs AS j WHERE j.status = ?1 AND j.seq > ?2 AND" QJOB_VISIBLE_JOB
                                    " ORDER BY j.seq LIMIT ?3",
                                "load unfinished jobs from job database");
    count_by_status = statement(conn, "SELECT j.provider, j.status, count(*) FROM jobs AS j WHERE" QJOB_VISIBLE_JOB
                                " GROUP BY j.provider, j.status",
                                "count jobs by status in job database");
    // A job's events come from its index; the others walk the event ids from
    // `after`, which is cheap when following the stream's end.
    events_of_job = statement(conn,
                              "SELECT t.seq, t.job_id, t.status, t.provider_status, t.at FROM transitions AS t "
                              "JOIN jobs AS j ON j.seq = t.job_seq WHERE j.id = ?2 AND t.seq > ?1 "
                              "AND (?3 IS NULL OR j.owner = ?3) AND" QJOB_VISIBLE_JOB " ORDER BY t.seq LIMIT ?4",
                              "read the events of a job from job database");
    events_matching = statement(conn,
                                "SELECT t.seq, t.job_id, t.status, t.provider_status, t.at FROM transitions AS t "
                                "JOIN jobs AS j ON j.seq = t.job_seq WHERE t.seq > ?1 "
                                "AND (?2 IS NULL OR j.batch_id = ?2) AND (?3 IS NULL OR j.owner = ?3) AND" QJOB_VISIBLE_JOB
                                " ORDER BY t.seq LIMIT ?4",
                                "read events from job database");
    max_seq = statement(conn, "SELECT coalesce(max(seq), 0) FROM jobs", "plan a job listing in job database");
    // Loose scans of the provider indexes: ?1 the value before, ?2 the provider, ?3 the owner.
    const char* loose_scans[3][2] = {
        {"SELECT min(provider) FROM jobs", "SELECT min(provider) FROM jobs WHERE provider > ?1"},
        {"SELECT min(target) FROM jobs WHERE provider = ?2",
         "SELECT min(target) FROM jobs WHERE provider = ?2 AND target > ?1"},
        {"SELECT min(provider) FROM jobs WHERE owner = ?3",
         "SELECT min(provider) FROM jobs WHERE owner = ?3 AND provider > ?1"}};
    for (int kind = 0; kind < 3; ++kind)
      for (int next = 0; next < 2; ++next)
        loose_scan[kind][next] = statement(conn, loose_scans[kind][next], "plan a job listing in job database");
    select_expired = statement(conn,
                               "SELECT seq, id FROM jobs WHERE finished_at > 0 AND finished_at < ?1 "
                               "ORDER BY finished_at LIMIT ?2",
                               "find expired jobs in job database");
    delete_tags = statement(conn, "DELETE FROM job_tags WHERE tag IN (SELECT value FROM json_each("
                                  "(SELECT tags FROM jobs WHERE seq = ?1))) AND job_seq = ?1",
                            "purge the tags of a job from job database");
    delete_transitions = statement(conn, "DELETE FROM transitions WHERE job_seq = ?1",
                                   "purge the history of a job from job database");
    delete_job = statement(conn, "DELETE FROM jobs WHERE seq = ?1", "purge a job from job database");
  }

  /// The `index`th list statement of (mask, walk).
  statement& list_statement(unsigned mask, list_walk walk, std::size_t index) {
    auto& pool = list_by_filter[mask][static_cast<unsigned>(walk)];
    while (pool.size() <= index) pool.emplace_back(conn, list_sql(mask, walk), "list jobs in job database");
    return pool[index];
  }

  statement& probe_statement(list_walk walk) {
    statement& stmt = probe_by_walk[static_cast<unsigned>(walk)];
    if (!stmt.prepared()) stmt = statement(conn, probe_sql(walk), "plan a job listing in job database");
    return stmt;
  }

  /// Values found by one seek each (a loose index scan): with `provider`, that
  /// provider's targets (jobs_by_provider_target); with `owner`, that owner's
  /// providers (jobs_by_owner_provider); else every provider.
  std::vector<std::string> distinct_values(const std::string* provider, std::optional<std::int64_t> owner) {
    auto& scans = loose_scan[provider != nullptr ? 1 : owner ? 2 : 0];
    std::vector<std::string> values;
    for (;;) {
      std::optional<std::string> value;
      {
        statement& stmt = scans[values.empty() ? 0 : 1];
        statement::scope scope(stmt);
        if (!values.empty()) stmt.bind(1, values.back());
        if (provider != nullptr) stmt.bind(2, *provider);
        if (owner) stmt.bind(3, *owner);
        if (stmt.step() && !stmt.column_is_null(0)) value = stmt.column_text(0);
      }
      if (!value) return values;
      values.push_back(std::move(*value));
    }
  }

  /// The (provider, target) pairs that exist for `filter`'s provider and target
  /// (either may be empty: any).
  std::vector<std::pair<std::string, std::string>> pairs_of(const job_filter& filter) {
    std::vector<std::pair<std::string, std::string>> pairs;
    if (!filter.provider.empty() && !filter.target.empty()) {
      pairs.emplace_back(filter.provider, filter.target);
    } else if (!filter.provider.empty()) {
      for (auto& target : distinct_values(&filter.provider, std::nullopt)) pairs.emplace_back(filter.provider, std::move(target));
    } else {
      for (auto& provider : distinct_values(nullptr, std::nullopt)) pairs.emplace_back(std::move(provider), filter.target);
    }
    return pairs;
  }

  /// One way to walk a listing: an index with the filter's value, or for owner
  /// one walk per provider and for provider_target one per (provider, target)
  /// pair, merged by seq.
  struct walk_choice {
    list_walk walk = list_walk::seq;
    std::string value;  // status, batch, name or tag
    std::int64_t owner = 0;
    std::vector<std::pair<std::string, std::string>> pairs;
  };

  /// How many entries of a walk lie just below `cursor` (at most `cap`) and the
  /// lowest seq among them.
  std::pair<std::int64_t, std::int64_t> probe(const walk_choice& choice, const std::string* provider,
                                              const std::string* target, std::int64_t cursor, std::int64_t cap) {
    statement& stmt = probe_statement(choice.walk);
    statement::scope scope(stmt);
    if (choice.walk == list_walk::owner) {
      stmt.bind(stmt.parameter_index(":value"), choice.owner);
    } else if (choice.walk != list_walk::provider_target) {
      bind_named(stmt, ":value", choice.value);
    }
    if (provider != nullptr) bind_named(stmt, ":provider", *provider);
    if (target != nullptr && choice.walk == list_walk::provider_target) bind_named(stmt, ":target", *target);
    stmt.bind(stmt.parameter_index(":cursor"), cursor);
    stmt.bind(stmt.parameter_index(":cap"), cap);
    if (!stmt.step()) return {0, 0};
    return {stmt.column_int64(0), stmt.column_int64(1)};
  }

  job_page list(const job_filter& filter, std::uint32_t limit, std::int64_t cursor) {
    // The walks this filter could take. Without statistics SQLite picks an index
    // by the shape of the query alone, and a walk whose rows rarely pass the
    // other filters reads the whole index (a provider with no jobs read every
    // row of a million). So each possible walk is probed first, from its index
    // alone, and the shortest (or, when all are long, the sparsest) is taken.
    const unsigned mask = filter_mask(filter);
    std::vector<walk_choice> choices;
    if (filter.owner) {
      // jobs_by_owner_provider yields seq order for one owner and provider; the
      // owner's providers (or the filter's) are walked side by side and merged.
      // This walk covers the provider filter too, so it needs no walk of its own.
      walk_choice by_owner_walk{list_walk::owner, {}, std::int64_t{*filter.owner}, {}};
      if (!filter.provider.empty()) {
        by_owner_walk.pairs.emplace_back(filter.provider, filter.target);
      } else {
        for (auto& provider : distinct_values(nullptr, by_owner_walk.owner))
          by_owner_walk.pairs.emplace_back(std::move(provider), filter.target);
      }
      if (by_owner_walk.pairs.empty()) return {};
      choices.push_back(std::move(by_owner_walk));
    }
    if (filter.status) choices.push_back({list_walk::status, std::string(to_string(*filter.status)), 0, {}});
    if (!filter.batch_id.empty()) choices.push_back({list_walk::batch, filter.batch_id, 0, {}});
    if (!filter.name.empty()) choices.push_back({list_walk::name, filter.name, 0, {}});
    if (!filter.tag.empty()) choices.push_back({list_walk::tag, filter.tag, 0, {}});
    if (!filter.provider.empty() || !filter.target.empty()) {
      // Likewise jobs_by_provider_target for a provider, a target or both.
      walk_choice pt{list_walk::provider_target, {}, 0, pairs_of(filter)};
      if (pt.pairs.empty()) return {};
      choices.push_back(std::move(pt));
    }
    std::size_t chosen = 0;
    if (choices.empty()) {
      choices.push_back({});
    } else if (choices.size() > 1) {
      const std::int64_t top = std::min(cursor, max_seq_plus_one());
      std::int64_t best_count = INT64_MAX;
      double best_density = 0;
      for (std::size_t i = 0; i < choices.size(); ++i) {
        auto& choice = choices[i];
        std::int64_t count = 0;
        double density = 0;
        auto add = [&](std::pair<std::int64_t, std::int64_t> probed, std::int64_t cap) {
          // A walk that ended before `cap` entries spans everything below the
          // cursor; one cut short counts as probe_cap entries, long either way.
          count += probed.first < cap ? probed.first : probe_cap;
          const std::int64_t span = probed.first < cap ? top : std::max<std::int64_t>(1, top - probed.second);
          density += static_cast<double>(probed.first) / static_cast<double>(std::max<std::int64_t>(1, span));
          return probed.first;
        };
        if (!choice.pairs.empty()) {
          // Each pair's probe is shorter when there are many: the probes of a
          // walk read about probe_cap entries in all.
          const std::int64_t cap = std::max<std::int64_t>(probe_cap / static_cast<std::int64_t>(choice.pairs.size()), 50);
          std::erase_if(choice.pairs, [&](const auto& pair) {
            return add(probe(choice, &pair.first, &pair.second, cursor, cap), cap) == 0;
          });
        } else {
          add(probe(choice, nullptr, nullptr, cursor, probe_cap), probe_cap);
        }
        if (count == 0) return {};  // one filter matches nothing below the cursor
        // Short walks first (at most probe_cap rows read); among long ones the sparsest.
        const bool better = i == 0 || (count < probe_cap || best_count < probe_cap
                                           ? count < best_count
                                           : density < best_density);
        if (better) {
          chosen = i;
          best_count = count;
          best_density = density;
        }
      }
    }
    return walk_list(filter, mask, choices[chosen], limit, cursor);
  }

  /// Runs the list query of `mask` along `choice`: one statement, or one per
  /// (provider, target) pair stepped side by side, taking the highest seq each time.
  job_page walk_list(const job_filter& filter, unsigned mask, const walk_choice& choice, std::uint32_t limit,
                     std::int64_t cursor) {
    const bool by_pairs = !choice.pairs.empty();
    const unsigned walk_mask =
        choice.walk == list_walk::provider_target ? (mask | by_provider | by_target) : by_pairs ? (mask | by_provider) : mask;
    const std::size_t walks = by_pairs ? choice.pairs.size() : 1;
    std::vector<statement*> stmts;
    struct reset_all {
      std::vector<statement*>& stmts;
      ~reset_all() {
        for (statement* stmt : stmts) stmt->reset();
      }
    } resetter{stmts};
    std::vector<bool> has_row;
    list_statement(walk_mask, choice.walk, walks - 1);  // grows the pool first: the pointers stay valid
    for (std::size_t w = 0; w < walks; ++w) {
      statement& stmt = list_statement(walk_mask, choice.walk, w);
      stmts.push_back(&stmt);
      stmt.bind(stmt.parameter_index(":cursor"), cursor);
      // One row more than asked tells whether another page exists.
      stmt.bind(stmt.parameter_index(":limit"), std::int64_t{limit} + 1);
      if ((walk_mask & by_owner) != 0) stmt.bind(stmt.parameter_index(":owner"), std::int64_t{*filter.owner});
      if ((walk_mask & by_status) != 0) bind_named(stmt, ":status", to_string(*filter.status));
      if ((walk_mask & by_provider) != 0) bind_named(stmt, ":provider", by_pairs ? choice.pairs[w].first : filter.provider);
      if ((walk_mask & by_target) != 0) bind_named(stmt, ":target", by_pairs ? choice.pairs[w].second : filter.target);
      if ((walk_mask & by_batch) != 0) bind_named(stmt, ":batch", filter.batch_id);
      if ((walk_mask & by_name) != 0) bind_named(stmt, ":name", filter.name);
      if ((walk_mask & by_tag) != 0) bind_named(stmt, ":tag", filter.tag);
      has_row.push_back(stmt.step());
    }
    job_page page;
    for (;;) {
      std::size_t next = walks;
      for (std::size_t w = 0; w < walks; ++w) {
        if (has_row[w] && (next == walks || stmts[w]->column_int64(0) > stmts[next]->column_int64(0))) next = w;
      }
      if (next == walks) break;
      if (page.jobs.size() == limit) {
        page.next = page.jobs.back().seq;
        break;
      }
      page.jobs.push_back(read_job(*stmts[next], conn.file()));
      has_row[next] = stmts[next]->step();
    }
    return page;
  }

  std::int64_t max_seq_plus_one() {
    statement::scope scope(max_seq);
    return max_seq.step() ? max_seq.column_int64(0) + 1 : 1;
  }

  std::optional<job_row> get(const std::string& id, bool with_input) {
    statement& stmt = with_input ? get_job_with_input : get_job_without_input;
    statement::scope scope(stmt);
    stmt.bind(1, id);
    if (!stmt.step()) return std::nullopt;
    return read_job(stmt, conn.file());
  }

  insert_outcome insert(job_row& row) {
    {
      statement::scope scope(insert_job);
      insert_job.bind(1, row.id);
      insert_job.bind_text_or_null(2, row.name);
      insert_job.bind(3, row.provider);
      insert_job.bind(4, row.target);
      insert_job.bind(5, row.shots);
      insert_job.bind(6, row.input_format);
      insert_job.bind(7, row.input);
      insert_job.bind(8, row.params);
      const std::string tags = tags_to_json(row.tags);
      insert_job.bind(9, tags);
      insert_job.bind(10, std::int64_t{row.priority});
      insert_job.bind_text_or_null(11, row.batch_id);
      insert_job.bind(12, std::int64_t{row.owner});
      insert_job.bind(13, row.fingerprint);
      insert_job.bind(14, row.created_at);
      bind_run(insert_job, 15, row.run);
      insert_job.run();
    }
    if (conn.changes() == 0) return existing(row);
    row.seq = conn.last_insert_rowid();
    for (const auto& tag : row.tags) {
      statement::scope scope(insert_tag);
      insert_tag.bind(1, tag);
      insert_tag.bind(2, row.seq);
      insert_tag.run();
    }
    add_transition(row.seq, row.id, row.run, row.created_at);
    return insert_outcome::inserted;
  }

  insert_outcome existing(job_row& row) {
    std::int64_t seq = 0;
    {
      statement::scope scope(select_existing);
      select_existing.bind(1, row.id);
      // ON CONFLICT DO NOTHING inserted nothing, so the id exists.
      if (!select_existing.step()) {
        throw storage_error("cannot insert a job into job database " + conn.file().string() +
                            ": the insert was ignored but no job has its id");
      }
      if (!select_existing.column_is_null(3)) {
        // A job of a staged batch: of this very batch (its id is repeated), of
        // one still being received (taken), or of a discarded one (garbage).
        if (select_existing.column_int64(3) == 0)
          return select_existing.column_text(2) == row.batch_id ? insert_outcome::repeated
                                                                : insert_outcome::conflict;
        seq = select_existing.column_int64(0);
      } else if (select_existing.column_text(1) != row.fingerprint) {
        return insert_outcome::conflict;
      }
    }
    if (seq != 0) {
      // A client retrying a refused batch at once must not trip over its leftovers.
      delete_job_rows(seq);
      return insert(row);
    }
    row = *get(row.id, true);
    return insert_outcome::duplicate;
  }

  /// Deletes job `seq` with its tags and history (not its result file).
  void delete_job_rows(std::int64_t seq) {
    // job_tags is keyed by (tag, job_seq): its rows are found through the job's
    // own list of tags, before the job row goes.
    for (auto* stmt : {&delete_tags, &delete_transitions, &delete_job}) {
      statement::scope scope(*stmt);
      stmt->bind(1, seq);
      stmt->run();
    }
  }

  std::int64_t add_transition(std::int64_t seq, const std::string& job_id, const run_state& run, std::int64_t at) {
    statement::scope scope(insert_transition);
    insert_transition.bind(1, job_id);
    insert_transition.bind(2, to_string(run.status));
    insert_transition.bind(3, run.provider_status);
    insert_transition.bind(4, at);
    insert_transition.bind(5, seq);
    insert_transition.run();
    return conn.last_insert_rowid();
  }

  std::int64_t update(const std::string& job_id, const run_state& run, bool is_transition, std::int64_t at) {
    {
      statement::scope scope(update_run);
      update_run.bind(1, job_id);
      bind_run(update_run, 2, run);
      update_run.run();
    }
    if (conn.changes() == 0) {
      throw storage_error("cannot update the run state of a job in job database " + conn.file().string() +
                          ": no job has its id");
    }
    if (!is_transition) return 0;
    // The job's seq is looked up inside the INSERT: cheaper than UPDATE ... RETURNING,
    // which collects its rows in a temporary table.
    statement::scope scope(insert_transition_by_id);
    insert_transition_by_id.bind(1, job_id);
    insert_transition_by_id.bind(2, to_string(run.status));
    insert_transition_by_id.bind(3, run.provider_status);
    insert_transition_by_id.bind(4, at);
    insert_transition_by_id.run();
    return conn.last_insert_rowid();
  }
};

job_store job_store::open(const std::filesystem::path& state_dir) {
  std::filesystem::path dir = absolute_dir(state_dir);
  make_private_dir(dir, "state directory");
  make_private_dir(dir / "results", "results directory");
  instance_lock lock(dir);
  auto store = std::make_unique<impl>(std::move(dir), std::move(lock));
  connection& conn = store->conn;
  conn.set_busy_timeout(busy_timeout_ms);
  // Before anything writes: switching to WAL would already modify a foreign file.
  verify_application(conn);
  if (conn.query_text("PRAGMA journal_mode = WAL", "switch to WAL mode job database") != "wal") {
    throw storage_error("cannot switch to WAL mode job database " + conn.file().string() +
                        ": the file system does not support it (shared memory for the WAL index)");
  }
  // FULL: a commit in WAL mode is durable only when the WAL is synced at commit.
  conn.exec("PRAGMA synchronous = FULL", "set synchronous=FULL on job database");
  conn.exec("PRAGMA foreign_keys = ON", "enable foreign keys on job database");
  // A 32 MiB page cache keeps the id and filter indexes of a large batch in memory.
  conn.exec("PRAGMA cache_size = -32768", "set the cache size of job database");
  // SQLite's default checkpoint interval (1000 pages, 4 MiB) is kept on purpose.
  // A 40 MiB interval saved 10-20% of batch insert CPU, but made every small
  // commit append to a growing WAL file, and growing a file makes fsync update
  // its metadata too: single-job commits fell from ~4,000/s to ~250/s
  // (bench/README.md). After a checkpoint the WAL restarts at its beginning and
  // overwrites blocks that exist already.
  migrate(conn);
  quick_check(conn);
  store->prepare();
  // No batch is being received before the control socket opens: what a killed
  // daemon left staged is garbage, deleted in the background (delete_discarded).
  job_store opened(std::move(store));
  opened.discard_all_staged();
  opened.impl_->results.remove_stale_temp_files();
  return opened;
}

job_store::job_store(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}
job_store::job_store(job_store&&) noexcept = default;
job_store& job_store::operator=(job_store&&) noexcept = default;
job_store::~job_store() = default;

job_store::transaction::transaction(job_store& store) : store_(&store) { begin_immediate(store.impl_->conn); }

job_store::transaction::~transaction() {
  if (!done_) rollback(store_->impl_->conn);
}

void job_store::transaction::commit() {
  storage::commit(store_->impl_->conn);
  done_ = true;
}

insert_outcome job_store::insert_job(job_row& row) {
  if (impl_->conn.in_transaction()) return impl_->insert(row);
  // Outside a caller's transaction the job row, its tags and its first
  // transition still go in together.
  transaction_guard txn(impl_->conn);
  const insert_outcome outcome = impl_->insert(row);
  txn.commit();
  return outcome;
}

std::int64_t job_store::update_run(const std::string& job_id, const run_state& run, bool is_transition,
                                   std::int64_t at) {
  if (impl_->conn.in_transaction()) return impl_->update(job_id, run, is_transition, at);
  transaction_guard txn(impl_->conn);
  const std::int64_t seq = impl_->update(job_id, run, is_transition, at);
  txn.commit();
  return seq;
}

std::string job_store::write_result(const std::string& job_id, const std::string& json_text) {
  return impl_->results.write(job_id, json_text);
}

std::optional<job_row> job_store::get_job(const std::string& id, bool with_input) { return impl_->get(id, with_input); }

std::vector<job_row> job_store::get_jobs(const std::vector<std::int64_t>& seqs) {
  std::vector<job_row> rows;
  rows.reserve(seqs.size());
  statement& stmt = impl_->get_job_by_seq;
  for (const auto seq : seqs) {
    statement::scope scope(stmt);
    stmt.bind(1, seq);
    if (stmt.step()) rows.push_back(read_job(stmt, impl_->conn.file()));
  }
  return rows;
}

std::optional<std::string> job_store::find_fingerprint(const std::string& id) {
  statement& stmt = impl_->select_fingerprint;
  statement::scope scope(stmt);
  stmt.bind(1, id);
  if (!stmt.step()) return std::nullopt;
  if (stmt.column_is_null(1)) return stmt.column_text(0);
  // A job of a batch being received holds its id: no content matches it. One
  // of a discarded batch is replaced by the insert.
  if (stmt.column_int64(1) == 0) return std::string();
  return std::nullopt;
}

void job_store::stage_batch(const std::string& batch_id, std::uint32_t owner, std::int64_t at) {
  statement& stmt = impl_->stage_batch;
  statement::scope scope(stmt);
  stmt.bind(1, batch_id);
  stmt.bind(2, std::int64_t{owner});
  stmt.bind(3, at);
  stmt.run();
}

bool job_store::publish_batch(const std::string& batch_id) {
  statement& stmt = impl_->publish_batch;
  statement::scope scope(stmt);
  stmt.bind(1, batch_id);
  stmt.run();
  return impl_->conn.changes() > 0;
}

void job_store::discard_batch(const std::string& batch_id) {
  statement& stmt = impl_->discard_batch;
  statement::scope scope(stmt);
  stmt.bind(1, batch_id);
  stmt.run();
}

std::size_t job_store::discard_all_staged() {
  impl_->conn.exec("UPDATE OR FAIL staged_batches SET discarding = 1 WHERE discarding = 0",
                   "discard the batches a previous run left staged in job database");
  return static_cast<std::size_t>(impl_->conn.changes());
}

std::size_t job_store::delete_discarded(std::size_t limit) {
  std::vector<std::int64_t> doomed;
  transaction txn(*this);
  {
    statement& select = impl_->select_discarded_jobs;
    statement::scope scope(select);
    select.bind(1, static_cast<std::int64_t>(std::max<std::size_t>(limit, 1)));
    while (select.step()) doomed.push_back(select.column_int64(0));
  }
  for (const auto seq : doomed) impl_->delete_job_rows(seq);
  std::size_t forgotten = 0;
  if (doomed.size() < limit) {
    statement& forget = impl_->delete_emptied_batches;
    statement::scope scope(forget);
    forget.run();
    forgotten = static_cast<std::size_t>(impl_->conn.changes());
  }
  txn.commit();
  return doomed.size() + forgotten;
}

namespace {

/// The transitions a statement selects as (seq, job_id, status, provider_status, at).
std::vector<transition_row> read_transitions(statement& stmt, const std::filesystem::path& file) {
  std::vector<transition_row> rows;
  while (stmt.step()) {
    transition_row row;
    row.seq = stmt.column_int64(0);
    row.job_id = stmt.column_text(1);
    row.status = read_status(stmt, 2, file);
    row.provider_status = stmt.column_text(3);
    row.at = stmt.column_int64(4);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::vector<transition_row> job_store::history(const std::string& job_id) {
  statement& stmt = impl_->history;
  statement::scope scope(stmt);
  stmt.bind(1, job_id);
  return read_transitions(stmt, impl_->conn.file());
}

std::int64_t job_store::latest_event() {
  return impl_->conn.query_int("SELECT coalesce(max(seq), 0) FROM transitions", "read the latest event id of job database");
}

std::vector<transition_row> job_store::events_after(std::int64_t after, const event_filter& filter,
                                                   std::uint32_t limit) {
  statement& stmt = filter.job_id.empty() ? impl_->events_matching : impl_->events_of_job;
  statement::scope scope(stmt);
  stmt.bind(1, after);
  if (filter.job_id.empty())
    stmt.bind_text_or_null(2, filter.batch_id);
  else
    stmt.bind(2, filter.job_id);
  if (filter.owner)
    stmt.bind(3, std::int64_t{*filter.owner});
  else
    stmt.bind_null(3);
  stmt.bind(4, std::int64_t{std::max<std::uint32_t>(limit, 1)});
  return read_transitions(stmt, impl_->conn.file());
}

job_page job_store::list_jobs(const job_filter& filter, std::uint32_t limit, std::optional<std::int64_t> cursor) {
  return impl_->list(filter, std::max<std::uint32_t>(limit, 1), cursor.value_or(INT64_MAX));
}

batch_counts job_store::count_batch(const std::string& batch_id, std::optional<std::uint32_t> owner) {
  statement& stmt = impl_->count_batch;
  statement::scope scope(stmt);
  stmt.bind(1, batch_id);
  if (owner) {
    stmt.bind(2, std::int64_t{*owner});
  } else {
    stmt.bind_null(2);
  }
  batch_counts counts;
  while (stmt.step()) {
    const job_status status = read_status(stmt, 0, impl_->conn.file());
    const std::int64_t n = stmt.column_int64(1);
    counts.per_status[static_cast<std::size_t>(status)] = n;
    counts.total += n;
  }
  return counts;
}

std::vector<job_row> job_store::load_unfinished(std::int64_t after, std::size_t limit) {
  statement& stmt = impl_->load_unfinished;
  const auto page_size = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  std::vector<job_row> rows;
  std::size_t waiting = 0;  // rows[0, waiting) are the waiting jobs, the rest executing
  for (const auto status : {job_status::waiting, job_status::executing}) {
    statement::scope scope(stmt);
    stmt.bind(1, to_string(status));  // a static string: safe to bind without a copy
    stmt.bind(2, after);
    stmt.bind(3, page_size);
    while (stmt.step()) rows.push_back(read_job(stmt, impl_->conn.file()));
    if (status == job_status::waiting) waiting = rows.size();
  }
  // Two runs in seq order: merged, the first `limit` are the page.
  std::inplace_merge(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(waiting), rows.end(),
                     [](const job_row& a, const job_row& b) { return a.seq < b.seq; });
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

std::optional<std::string> job_store::read_result(const std::string& job_id) { return impl_->results.read(job_id); }

std::size_t job_store::purge_finished_before(std::int64_t cutoff, std::size_t limit) {
  std::vector<std::pair<std::int64_t, std::string>> expired;
  {
    transaction txn(*this);
    {
      statement& select = impl_->select_expired;
      statement::scope scope(select);
      select.bind(1, cutoff);
      select.bind(2, static_cast<std::int64_t>(limit));
      while (select.step()) expired.emplace_back(select.column_int64(0), select.column_text(1));
    }
    for (const auto& [seq, id] : expired) impl_->delete_job_rows(seq);
    txn.commit();
  }
  // After the commit: a crash in between leaves result files without jobs, never
  // jobs without their results.
  for (const auto& [seq, id] : expired) impl_->results.remove(id);
  return expired.size();
}

std::vector<job_store::status_count> job_store::count_by_status() {
  statement& stmt = impl_->count_by_status;
  statement::scope scope(stmt);
  std::vector<status_count> counts;
  while (stmt.step()) {
    counts.push_back(status_count{stmt.column_text(0), read_status(stmt, 1, impl_->conn.file()), stmt.column_int64(2)});
  }
  return counts;
}

const std::filesystem::path& job_store::state_dir() const noexcept { return impl_->state_dir; }

void job_store::checkpoint() { impl_->conn.checkpoint(); }

std::filesystem::path job_store::database_file() const { return impl_->conn.file(); }

std::int64_t job_store::set_max_page_count(std::int64_t pages) {
  // Pragmas take no bound parameters; `pages` is an integer, not text.
  const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
  return impl_->conn.query_int(sql.c_str(), "set max_page_count on job database");
}

std::int64_t job_store::page_count() { return impl_->conn.query_int("PRAGMA page_count", "read the page count of job database"); }

}  // namespace qjob::storage
