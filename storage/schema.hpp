#pragma once

#include <cstdint>
#include <span>

namespace qjob::storage {

class connection;

/// `PRAGMA application_id` of a qjob database: "qjob" in ASCII. Lets `file(1)` and
/// open() tell our database from any other SQLite file.
inline constexpr std::int32_t application_id = 0x716A6F62;

/// The numbered migrations: entry N-1 is the SQL script that brings schema version
/// N-1 to N. Append only; never edit a released entry.
std::span<const char* const> migrations() noexcept;

/// The schema version this binary writes: the number of migrations.
std::int64_t schema_version() noexcept;

/// Refuses a file that is not ours: another application's SQLite database (another
/// application_id, or tables without our id) or a non-SQLite file (SQLite's own
/// "file is not a database"). Runs before anything writes to the file, so a
/// foreign database is left untouched. Throws storage_error naming the file.
void verify_application(connection& conn);

/// Brings the schema to schema_version() in one transaction and stamps
/// application_id and user_version. Refuses a database newer than this binary.
/// Throws storage_error naming the file; a failed migration leaves the file as it was.
void migrate(connection& conn);

/// Runs `PRAGMA quick_check`; throws storage_error with SQLite's first complaint.
void quick_check(connection& conn);

}  // namespace qjob::storage
