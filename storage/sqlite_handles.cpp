#include "sqlite_handles.hpp"

#include "error.hpp"

#include <sqlite3.h>

#include <climits>
#include <utility>

namespace qjob::storage {

void throw_sqlite_error(sqlite3* db, int code, std::string_view doing, const std::filesystem::path& file) {
  std::string what = "cannot ";
  what += doing;
  what += ' ';
  what += file.string();
  what += ": ";
  // sqlite3_errmsg names the failed constraint or I/O step; it only describes
  // `code` while it is the connection's latest error, hence the comparison.
  if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (code & 0xff)) {
    what += sqlite3_errmsg(db);
  } else {
    what += sqlite3_errstr(code);
  }
  throw storage_error(what, (code & 0xff) == SQLITE_FULL);
}

// ---- connection ----

namespace {

// SQLite counts every allocation under one global mutex unless told not to; the
// counts are never read here, and the lock was 3% of a batch insert. The setting
// only takes before SQLite initialises (later, it is refused and nothing changes).
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

connection::connection(const std::filesystem::path& file) : file_(file) {
  configure_sqlite_once();
  // NOMUTEX: the store is owned by one thread, so SQLite's own mutexes only cost.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // On failure SQLite may still hand back a handle that must be closed.
    std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error("cannot open job database " + file_.string() + ": " + reason,
                        (rc & 0xff) == SQLITE_FULL);
  }
  sqlite3_extended_result_codes(db_, 1);
  if (sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error("cannot open job database " + file_.string() +
                        ": opened read-only; the daemon needs write access to it");
  }
}

connection::connection(connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), file_(std::move(other.file_)) {}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    file_ = std::move(other.file_);
  }
  return *this;
}

connection::~connection() {
  // close_v2 defers the close until the last statement is finalized instead of
  // failing with SQLITE_BUSY; our statements are destroyed first anyway.
  sqlite3_close_v2(db_);
}

void connection::exec(const char* sql, std::string_view doing) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, doing, file_);
}

std::int64_t connection::query_int(const char* sql, std::string_view doing) {
  statement stmt(*this, sql, doing);
  if (!stmt.step()) throw storage_error("cannot " + std::string(doing) + " " + file_.string() + ": no result");
  return stmt.column_int64(0);
}

std::string connection::query_text(const char* sql, std::string_view doing) {
  statement stmt(*this, sql, doing);
  if (!stmt.step()) throw storage_error("cannot " + std::string(doing) + " " + file_.string() + ": no result");
  return stmt.column_text(0);
}

void connection::set_busy_timeout(int milliseconds) {
  int rc = sqlite3_busy_timeout(db_, milliseconds);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "set the busy timeout of job database", file_);
}

void connection::checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "checkpoint the WAL of job database", file_);
}

bool connection::in_transaction() const noexcept { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

std::int64_t connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t connection::changes() const noexcept { return sqlite3_changes64(db_); }

// ---- statement ----

statement::statement(connection& conn, std::string_view sql, std::string_view doing)
    : conn_(&conn), doing_(doing) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) throw storage_error("cannot " + doing_ + ": statement too long");
  int rc = sqlite3_prepare_v3(conn.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(conn.get(), rc, doing_, conn.file());
}

statement::statement(statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      conn_(std::exchange(other.conn_, nullptr)),
      doing_(std::move(other.doing_)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    conn_ = std::exchange(other.conn_, nullptr);
    doing_ = std::move(other.doing_);
  }
  return *this;
}

statement::~statement() {
  // finalize returns the last step's error, which was already reported.
  sqlite3_finalize(stmt_);
}

void statement::fail(int code) const { throw_sqlite_error(conn_->get(), code, doing_, conn_->file()); }

void statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(rc);
}

void statement::bind(int index, std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) fail(SQLITE_TOOBIG);
  // A non-null pointer even for "" so that empty text is stored as '' not NULL.
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) fail(rc);
}

void statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(rc);
}

void statement::bind_text_or_null(int index, std::string_view text) {
  if (text.empty()) {
    bind_null(index);
  } else {
    bind(index, text);
  }
}

int statement::parameter_index(const char* name) const noexcept { return sqlite3_bind_parameter_index(stmt_, name); }

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc);
}

void statement::run() {
  while (step()) {
  }
}

std::int64_t statement::column_int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

std::string statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool statement::column_is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

void statement::reset() noexcept {
  if (stmt_ == nullptr) return;
  // reset repeats the last step's error code, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- transactions ----

void begin_immediate(connection& conn) { conn.exec("BEGIN IMMEDIATE", "begin a transaction on job database"); }

void commit(connection& conn) { conn.exec("COMMIT", "commit a transaction to job database"); }

void rollback(connection& conn) noexcept {
  // After SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM SQLite may have rolled the
  // transaction back already; a second ROLLBACK would only fail.
  if (!conn.in_transaction()) return;
  sqlite3_exec(conn.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

transaction_guard::transaction_guard(connection& conn) : conn_(&conn) { begin_immediate(conn); }

transaction_guard::~transaction_guard() {
  if (!done_) rollback(*conn_);
}

void transaction_guard::commit() {
  storage::commit(*conn_);
  done_ = true;
}

}  // namespace qjob::storage
