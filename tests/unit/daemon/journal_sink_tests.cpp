#include "journal_sink.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace qjob::daemon {

namespace {

bool has(const std::vector<std::string>& fields, const std::string& field) {
  return std::find(fields.begin(), fields.end(), field) != fields.end();
}

bool has_key(const std::vector<std::string>& fields, const std::string& key) {
  return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.starts_with(key + "="); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(journal_sink_tests)

BOOST_AUTO_TEST_CASE(a_record_carries_message_priority_and_identifier) {
  auto fields = journal_fields("poller", spdlog::level::warn, "round failed");
  BOOST_TEST(has(fields, "MESSAGE=poller: round failed"));
  BOOST_TEST(has(fields, "PRIORITY=4"));
  BOOST_TEST(has(fields, "SYSLOG_IDENTIFIER=qjobd"));
  BOOST_TEST(has(fields, "QJOB_COMPONENT=poller"));
  BOOST_TEST(!has_key(fields, "QJOB_JOB_ID"));
  BOOST_TEST(has(journal_fields("x", spdlog::level::err, "e"), "PRIORITY=3"));
  BOOST_TEST(has(journal_fields("x", spdlog::level::info, "i"), "PRIORITY=6"));
  BOOST_TEST(has(journal_fields("x", spdlog::level::debug, "d"), "PRIORITY=7"));
}

BOOST_AUTO_TEST_CASE(ids_written_as_key_value_become_fields) {
  auto fields = journal_fields("job", spdlog::level::info,
                               "job=3f2a-77 found at ionq-main as abc: adopted, not sent again");
  BOOST_TEST(has(fields, "QJOB_JOB_ID=3f2a-77"));
  fields = journal_fields("control", spdlog::level::err, "req=4.2 uid=1000 GET /v1/jobs failed: boom");
  BOOST_TEST(has(fields, "QJOB_REQUEST_ID=4.2"));
  BOOST_TEST(!has_key(fields, "QJOB_JOB_ID"));
  fields = journal_fields("job", spdlog::level::warn, "job=j1: commit failed, provider=azure, retrying");
  BOOST_TEST(has(fields, "QJOB_JOB_ID=j1"));
  BOOST_TEST(has(fields, "QJOB_PROVIDER=azure"));
}

BOOST_AUTO_TEST_CASE(a_provider_logger_names_its_provider) {
  auto fields = journal_fields("provider.ionq-main", spdlog::level::info, "circuit breaker closed");
  BOOST_TEST(has(fields, "QJOB_PROVIDER=ionq-main"));
  BOOST_TEST(has(fields, "MESSAGE=provider.ionq-main: circuit breaker closed"));
}

BOOST_AUTO_TEST_CASE(words_that_only_contain_a_key_are_not_ids) {
  auto fields = journal_fields("job", spdlog::level::info, "subjob=7 nojob= job =x");
  BOOST_TEST(!has_key(fields, "QJOB_JOB_ID"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
