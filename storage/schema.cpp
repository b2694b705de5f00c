#include "schema.hpp"

#include "error.hpp"
#include "sqlite_handles.hpp"

#include <array>
#include <cstdio>
#include <string>

namespace qjob::storage {
namespace {

// Version 1: jobs, their tags and their run history.
//
// Times are microseconds since the Unix epoch (0 = not yet). Status is text so the
// sqlite3 CLI stays readable. batch_id and name are NULL when absent, which keeps
// them out of their partial indexes. Every index implicitly ends with the rowid
// (seq), so `WHERE x = ? ORDER BY seq DESC` walks one index backwards without a
// sort: that is why a single column is enough for each list filter. The index
// set is deliberately small: each index costs every insert (see bench/README.md).
//
// Constraints are chosen so that no write needs a statement journal (a copy of
// every page a statement touches, kept to undo that statement alone): the
// statements say OR FAIL, foreign keys are checked at COMMIT (DEFERRABLE
// INITIALLY DEFERRED), and status has no CHECK, since SQLite journals any
// statement a CHECK could abort. Together that is about 20% of insert time.
// Status values come only from to_string(job_status) and are parsed back
// strictly on every read.
constexpr const char* migration_1 = R"sql(
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT,
  provider TEXT NOT NULL,
  target TEXT NOT NULL,
  shots INTEGER NOT NULL,
  input_format TEXT NOT NULL,
  input TEXT NOT NULL,
  params TEXT NOT NULL,
  tags TEXT NOT NULL,
  priority INTEGER NOT NULL,
  batch_id TEXT,
  owner INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  provider_status TEXT NOT NULL,
  provider_job_id TEXT NOT NULL,
  submitted_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  error_code TEXT,
  error_message TEXT,
  cancel_requested INTEGER NOT NULL,
  output_uri TEXT NOT NULL,
  cost TEXT NOT NULL,
  usage TEXT NOT NULL
);
CREATE INDEX jobs_by_owner ON jobs (owner);
CREATE INDEX jobs_by_status ON jobs (status);
CREATE INDEX jobs_by_provider_target ON jobs (provider, target);
CREATE INDEX jobs_by_batch ON jobs (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX jobs_by_name ON jobs (name) WHERE name IS NOT NULL;

-- Keyed by (tag, job_seq) so a tag filter walks the jobs of one tag newest first.
CREATE TABLE job_tags (
  tag TEXT NOT NULL,
  job_seq INTEGER NOT NULL REFERENCES jobs (seq) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (tag, job_seq)
) WITHOUT ROWID;

-- The run history; seq is the global event id (AUTOINCREMENT: never reused).
-- job_seq is the indexed link to the job: an integer key is appended at the end
-- of its index, where a random text id would be inserted anywhere (measured in
-- bench/README.md). job_id repeats the id for readers (the event stream, the CLI).
CREATE TABLE transitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_seq INTEGER NOT NULL REFERENCES jobs (seq) DEFERRABLE INITIALLY DEFERRED,
  job_id TEXT NOT NULL,
  status TEXT NOT NULL,
  provider_status TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX transitions_by_job ON transitions (job_seq);
)sql";

// Version 2: exactly-once submission to remote providers. submit_intent is 1
// from the moment a job is about to be sent to its provider until the
// provider's answer (its job id, or a refusal) is committed: a job found with
// it set after a crash may exist at the provider and is looked up there before
// it is sent again.
constexpr const char* migration_2 = R"sql(
ALTER TABLE jobs ADD COLUMN submit_intent INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 3: retention. Final jobs are purged oldest first by finished_at; the
// partial index holds final jobs only (finished_at is 0 until then), so inserts
// do not pay for it.
constexpr const char* migration_3 = R"sql(
CREATE INDEX jobs_by_finished ON jobs (finished_at) WHERE finished_at > 0;
)sql";

// Version 4: listings by owner. A user who is not an admin always lists with
// their owner, often with a provider too; with owner and provider in separate
// indexes, an owner whose 50,000 jobs ran elsewhere made a listing of one
// provider read all of them (55 ms at 1,000,000 jobs, bench/README.md). One
// index on (owner, provider) in place of (owner) answers the owner alone (one
// walk per provider of the owner, merged by seq) and with a provider. The target
// is left out: (owner, provider, target) cost 7-9% of insert time, this one
// about what (owner) did (bench/README.md).
constexpr const char* migration_4 = R"sql(
DROP INDEX jobs_by_owner;
CREATE INDEX jobs_by_owner_provider ON jobs (owner, provider);
)sql";

// Version 5: streamed batches. A batch received line by line is committed in
// chunks as it arrives, but must stay all or nothing: its jobs are stored while
// its row here exists, and every read of jobs skips a job whose batch_id is
// listed (a primary-key probe in a table of a few rows). Deleting the row, one
// small transaction, publishes the whole batch at once. `discarding` marks a
// batch that was refused, cut off or left by a crash: its jobs are deleted in
// chunks in the background, and a new job with the id of one of them replaces it.
constexpr const char* migration_5 = R"sql(
CREATE TABLE staged_batches (
  batch_id TEXT PRIMARY KEY,
  owner INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  discarding INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)sql";

constexpr std::array<const char*, 5> all_migrations{migration_1, migration_2, migration_3, migration_4,
                                                    migration_5};

std::string hex(std::int64_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08llx", static_cast<unsigned long long>(value & 0xffffffff));
  return buffer;
}

}  // namespace

std::span<const char* const> migrations() noexcept { return all_migrations; }

std::int64_t schema_version() noexcept { return static_cast<std::int64_t>(all_migrations.size()); }

void verify_application(connection& conn) {
  // The first read of the header is where SQLite notices a non-database file.
  const std::int64_t id = conn.query_int("PRAGMA application_id", "open job database");
  if (id == application_id) return;
  const std::int64_t objects = conn.query_int("SELECT count(*) FROM sqlite_schema", "open job database");
  if (id == 0 && objects == 0) return;  // empty or new file: ours to create
  throw storage_error("cannot open job database " + conn.file().string() +
                      ": it is another application's SQLite database (application_id " + hex(id) +
                      ", not qjob's " + hex(application_id) + "); move it away or pass another --state-dir");
}

void migrate(connection& conn) {
  transaction_guard txn(conn);
  const std::int64_t version = conn.query_int("PRAGMA user_version", "read the schema version of job database");
  if (version > schema_version()) {
    throw storage_error("cannot open job database " + conn.file().string() + ": its schema version " +
                        std::to_string(version) + " is newer than this qjobd supports (" +
                        std::to_string(schema_version()) + "); run a newer qjobd");
  }
  if (version == schema_version()) return;  // nothing to write; the guard ends the read
  for (std::int64_t next = version + 1; next <= schema_version(); ++next) {
    const std::string doing = "migrate to schema version " + std::to_string(next) + " job database";
    conn.exec(all_migrations[static_cast<std::size_t>(next - 1)], doing);
  }
  // Pragmas take no bound parameters; both values are our own constants.
  const std::string stamp = "PRAGMA application_id = " + std::to_string(application_id) +
                            "; PRAGMA user_version = " + std::to_string(schema_version());
  conn.exec(stamp.c_str(), "stamp the schema version of job database");
  txn.commit();
}

void quick_check(connection& conn) {
  const std::string verdict = conn.query_text("PRAGMA quick_check", "check the integrity of job database");
  if (verdict != "ok") {
    throw storage_error("job database " + conn.file().string() + " is damaged (quick_check: " + verdict +
                        "); restore it from a backup or move it away");
  }
}

}  // namespace qjob::storage
