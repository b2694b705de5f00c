#include "storage/sqlite_handles.hpp"

#include "storage/error.hpp"
#include "temp_state_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

namespace qs = qjob::storage;
namespace qt = qjob::storage::test;

namespace {

bool message_contains(const qs::storage_error& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

}  // namespace

// The timeout is a backstop: each case takes milliseconds, more only on a disk
// whose fsync is slow.
BOOST_AUTO_TEST_SUITE(sqlite_handles_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(opening_a_directory_fails_naming_it) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  try {
    qs::connection conn(dir.path());
    conn.exec("CREATE TABLE t (x)", "create a table in");
    BOOST_FAIL("a directory was opened as a database");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, dir.path().string()));
    BOOST_TEST(!e.disk_full());
  }
}

BOOST_AUTO_TEST_CASE(errors_say_what_we_were_doing_and_why_without_sql) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  const auto file = dir.path() / "t.db";
  qs::connection conn(file);
  conn.exec("CREATE TABLE t (x TEXT NOT NULL UNIQUE)", "create a table in");
  qs::statement insert(conn, "INSERT INTO t (x) VALUES (?1)", "insert a row into");
  insert.bind(1, std::string_view("secret-value"));
  insert.run();
  insert.reset();
  insert.bind(1, std::string_view("secret-value"));
  try {
    insert.run();
    BOOST_FAIL("a duplicate was inserted");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(message_contains(e, "cannot insert a row into " + file.string() + ": UNIQUE constraint failed"));
    BOOST_TEST(!message_contains(e, "secret-value"));
    BOOST_TEST(!message_contains(e, "INSERT"));
  }
  BOOST_CHECK_THROW(qs::statement(conn, "SELEKT 1", "prepare a query on"), qs::storage_error);
}

BOOST_AUTO_TEST_CASE(binds_and_columns_roundtrip_and_empty_text_is_not_null) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  qs::connection conn(dir.path() / "t.db");
  conn.exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT, d TEXT)", "create a table in");
  qs::statement insert(conn, "INSERT INTO t VALUES (?1, ?2, ?3, ?4)", "insert into");
  insert.bind(1, std::int64_t{-5});
  insert.bind(2, std::string_view(""));
  insert.bind_text_or_null(3, "");
  insert.bind(4, std::string_view("x\0y", 3));
  insert.run();
  qs::statement select(conn, "SELECT a, b, c, d FROM t", "read from");
  qs::statement::scope scope(select);
  BOOST_REQUIRE(select.step());
  BOOST_TEST(select.column_int64(0) == -5);
  BOOST_TEST(!select.column_is_null(1));
  BOOST_TEST(select.column_text(1).empty());
  BOOST_TEST(select.column_is_null(2));
  BOOST_TEST(select.column_text(3) == std::string("x\0y", 3));
  BOOST_TEST(!select.step());
}

BOOST_AUTO_TEST_CASE(transaction_guard_rolls_back_unless_committed) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  qs::connection conn(dir.path() / "t.db");
  conn.exec("CREATE TABLE t (x)", "create a table in");
  {
    qs::transaction_guard txn(conn);
    conn.exec("INSERT INTO t VALUES (1)", "insert into");
    BOOST_TEST(conn.in_transaction());
  }
  BOOST_TEST(!conn.in_transaction());
  BOOST_TEST(conn.query_int("SELECT count(*) FROM t", "count") == 0);
  {
    qs::transaction_guard txn(conn);
    conn.exec("INSERT INTO t VALUES (2)", "insert into");
    txn.commit();
  }
  BOOST_TEST(conn.query_int("SELECT count(*) FROM t", "count") == 1);
}

BOOST_AUTO_TEST_CASE(rollback_after_sqlite_already_rolled_back_is_harmless) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  qs::connection conn(dir.path() / "t.db");
  conn.exec("CREATE TABLE t (x)", "create a table in");
  qs::transaction_guard txn(conn);
  conn.exec("ROLLBACK", "roll back");
  BOOST_TEST(!conn.in_transaction());
  qs::rollback(conn);
}

BOOST_AUTO_TEST_SUITE_END()
