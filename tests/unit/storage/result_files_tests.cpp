#include "storage/result_files.hpp"

#include "storage/error.hpp"
#include "temp_state_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace qs = qjob::storage;
namespace qt = qjob::storage::test;

// The timeout is a backstop: each case takes milliseconds, more only on a disk
// whose fsync is slow.
BOOST_AUTO_TEST_SUITE(result_files_tests, *boost::unit_test::timeout(60))

BOOST_AUTO_TEST_CASE(safe_job_ids_are_plain_file_names) {
  BOOST_TEST(qs::is_safe_job_id("3f2c-AB_9.x"));
  BOOST_TEST(qs::is_safe_job_id(std::string(128, 'a')));
  BOOST_TEST(!qs::is_safe_job_id(std::string(129, 'a')));
  BOOST_TEST(!qs::is_safe_job_id(""));
  BOOST_TEST(!qs::is_safe_job_id("."));
  BOOST_TEST(!qs::is_safe_job_id(".."));
  BOOST_TEST(!qs::is_safe_job_id("a/b"));
  BOOST_TEST(!qs::is_safe_job_id("a\\b"));
  BOOST_TEST(!qs::is_safe_job_id(std::string("a\0b", 3)));
  BOOST_TEST(!qs::is_safe_job_id("a b"));
}

BOOST_AUTO_TEST_CASE(file_uri_percent_encodes_what_a_uri_cannot_hold) {
  BOOST_TEST(qs::file_uri("/var/lib/qjobd/results/a-1.json") == "file:///var/lib/qjobd/results/a-1.json");
  BOOST_TEST(qs::file_uri("/tmp/my dir/%x#.json") == "file:///tmp/my%20dir/%25x%23.json");
}

BOOST_AUTO_TEST_CASE(write_replaces_and_read_returns_the_document) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  qs::result_files files(std::filesystem::absolute(dir.path()));
  const std::string big(200'000, 'z');
  const auto uri = files.write("job", big);
  BOOST_TEST(uri == qs::file_uri(std::filesystem::absolute(dir.path()) / "job.json"));
  BOOST_TEST(files.read("job").value_or("") == big);
  files.write("job", "{}");
  BOOST_TEST(files.read("job").value_or("") == "{}");
  BOOST_TEST(!files.read("other").has_value());
  BOOST_TEST(!files.read("../job").has_value());
}

BOOST_AUTO_TEST_CASE(stale_temp_files_are_removed_and_documents_kept) {
  qt::temp_state_dir dir;
  std::filesystem::create_directories(dir.path());
  qs::result_files files(std::filesystem::absolute(dir.path()));
  files.write("kept", "{}");
  std::ofstream(dir.path() / "crashed.json.tmp") << "{\"partial";
  files.remove_stale_temp_files();
  BOOST_TEST(!std::filesystem::exists(dir.path() / "crashed.json.tmp"));
  BOOST_TEST(std::filesystem::exists(dir.path() / "kept.json"));
}

BOOST_AUTO_TEST_CASE(write_into_a_missing_directory_fails_naming_the_file) {
  qt::temp_state_dir dir;
  qs::result_files files(std::filesystem::absolute(dir.path()) / "missing");
  try {
    files.write("job", "{}");
    BOOST_FAIL("wrote into a missing directory");
  } catch (const qs::storage_error& e) {
    BOOST_TEST(std::string(e.what()).find("job.json") != std::string::npos);
    BOOST_TEST(!e.disk_full());
  }
}

BOOST_AUTO_TEST_SUITE_END()
