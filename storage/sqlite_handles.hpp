#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

// Forward declarations keep <sqlite3.h> inside storage's .cpp files.
struct sqlite3;
struct sqlite3_stmt;

namespace qjob::storage {

/// Throws storage_error for a failed SQLite call: "cannot <doing> <file>: <reason>".
/// `reason` comes from sqlite3_errmsg when `db` is given (it says which constraint or
/// which file), else from sqlite3_errstr(code). SQLITE_FULL sets disk_full().
/// Never puts SQL text or bound values into the message.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int code, std::string_view doing,
                                     const std::filesystem::path& file);

/// An open SQLite connection (RAII over sqlite3*). Single-threaded: opened with
/// SQLITE_OPEN_NOMUTEX, so only the thread that owns the store may use it.
/// Closing happens in the destructor; statements must be destroyed first.
class connection {
public:
  /// Opens (creating if absent) the database file read-write. Throws storage_error
  /// naming the file when SQLite cannot open it or opens it read-only.
  explicit connection(const std::filesystem::path& file);
  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Runs SQL text that has no parameters (pragmas, migrations, BEGIN/COMMIT).
  /// `doing` names the operation in the error message. Throws storage_error.
  void exec(const char* sql, std::string_view doing);

  /// Runs a statement returning one integer (e.g. `PRAGMA user_version`).
  std::int64_t query_int(const char* sql, std::string_view doing);
  /// Runs a statement returning one text value (e.g. `PRAGMA journal_mode=WAL`).
  std::string query_text(const char* sql, std::string_view doing);

  /// How long a statement waits for another connection's lock (the sqlite3 CLI,
  /// a backup) before failing with SQLITE_BUSY. Throws storage_error.
  void set_busy_timeout(int milliseconds);

  /// Runs a passive WAL checkpoint: copies what it can back into the database
  /// without waiting for readers. Throws storage_error.
  void checkpoint();

  /// True while a transaction is open (SQLite may roll back on its own after
  /// SQLITE_FULL or SQLITE_IOERR, so ask rather than remember).
  bool in_transaction() const noexcept;
  /// Rowid of the last INSERT on this connection.
  std::int64_t last_insert_rowid() const noexcept;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const noexcept;

  sqlite3* get() const noexcept { return db_; }
  const std::filesystem::path& file() const noexcept { return file_; }

private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

/// A prepared statement (RAII over sqlite3_stmt*), prepared once with
/// SQLITE_PREPARE_PERSISTENT and reused: bind, step, read columns, reset.
/// Text is bound without copying (SQLITE_STATIC): the bound string must outlive
/// the steps until reset(), which the usual bind-step-reset in one function ensures.
class statement {
public:
  statement() = default;
  /// Prepares `sql` on `conn`. `doing` names the operation for error messages
  /// ("insert a job into"). Throws storage_error.
  statement(connection& conn, std::string_view sql, std::string_view doing);
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  /// False for a default-constructed (not yet prepared) statement.
  bool prepared() const noexcept { return stmt_ != nullptr; }

  /// Binds parameter `index` (1-based). Throws storage_error.
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_null(int index);
  /// Binds NULL for an empty string (optional text columns such as batch_id).
  void bind_text_or_null(int index, std::string_view text);
  /// Index of a named parameter (":owner"), 0 when the statement has none.
  int parameter_index(const char* name) const noexcept;

  /// Advances: true when a row is ready, false when done. Throws storage_error.
  bool step();
  /// Steps a statement that returns no rows. Throws storage_error.
  void run();

  std::int64_t column_int64(int column) const noexcept;
  /// The text of a column ("" for NULL).
  std::string column_text(int column) const;
  bool column_is_null(int column) const noexcept;

  /// Resets the statement and clears its bindings; safe to call at any time.
  void reset() noexcept;

  /// Resets the statement when the scope ends, whether by return or exception,
  /// so a cached statement never keeps a read transaction or stale bindings.
  class scope {
  public:
    explicit scope(statement& stmt) noexcept : stmt_(&stmt) {}
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() { stmt_->reset(); }

  private:
    statement* stmt_;
  };

private:
  [[noreturn]] void fail(int code) const;

  sqlite3_stmt* stmt_ = nullptr;
  connection* conn_ = nullptr;
  std::string doing_;
};

/// RAII transaction (BEGIN IMMEDIATE so the write lock is taken up front and a
/// busy database fails at BEGIN, not at the first write). Rolls back in the
/// destructor unless commit() succeeded.
class transaction_guard {
public:
  explicit transaction_guard(connection& conn);
  transaction_guard(const transaction_guard&) = delete;
  transaction_guard& operator=(const transaction_guard&) = delete;
  ~transaction_guard();
  /// Commits; throws storage_error (disk_full() on SQLITE_FULL) and then the
  /// destructor rolls back what is left.
  void commit();

private:
  connection* conn_;
  bool done_ = false;
};

/// Begins, commits and rolls back a transaction on `conn`; the building blocks of
/// transaction_guard and job_store::transaction. rollback() never throws: it is
/// called from destructors, and SQLite may already have rolled back by itself.
void begin_immediate(connection& conn);
void commit(connection& conn);
void rollback(connection& conn) noexcept;

}  // namespace qjob::storage
