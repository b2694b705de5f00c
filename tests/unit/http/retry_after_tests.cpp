// Retry-After as RFC 9110 writes it: delay-seconds or an HTTP-date in any of its three forms.

#include "http/retry_after.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

namespace {

using namespace std::chrono_literals;
using qjob::http::parse_retry_after;

// 1994-11-06 08:49:37 UTC, the date RFC 9110 uses in its examples.
const std::chrono::system_clock::time_point rfc_date =
    std::chrono::sys_days(std::chrono::year(1994) / std::chrono::November / 6) + 8h + 49min + 37s;

}  // namespace

BOOST_AUTO_TEST_SUITE(retry_after_tests)

BOOST_AUTO_TEST_CASE(retry_after_reads_seconds) {
  BOOST_TEST(parse_retry_after("120", rfc_date).value_or(-1s).count() == 120);
  BOOST_TEST(parse_retry_after(" 0 ", rfc_date).value_or(-1s).count() == 0);
  BOOST_TEST(parse_retry_after("99999999999999999999999", rfc_date).value_or(-1s) == qjob::http::max_retry_after);
}

BOOST_AUTO_TEST_CASE(retry_after_reads_the_three_http_date_forms) {
  const auto now = rfc_date - 90s;
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now).value_or(-1s).count() == 90);
  BOOST_TEST(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now).value_or(-1s).count() == 90);
  BOOST_TEST(parse_retry_after("Sun Nov  6 08:49:37 1994", now).value_or(-1s).count() == 90);
}

BOOST_AUTO_TEST_CASE(retry_after_rounds_up_and_never_goes_negative) {
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date - 1500ms).value_or(-1s).count() == 2);
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date + 1h).value_or(-1s).count() == 0);
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date - std::chrono::days(30)).value_or(-1s) ==
             qjob::http::max_retry_after);
}

BOOST_AUTO_TEST_CASE(retry_after_dates_centuries_away_are_capped_or_past) {
  // Found by tests/fuzz (ionq_response, azure_response): a date this far from now
  // overflowed the clock's nanoseconds while being compared.
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 5994 08:49:37 GMT", rfc_date).value_or(-1s) == qjob::http::max_retry_after);
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 9999 08:49:37 GMT", rfc_date).value_or(-1s) == qjob::http::max_retry_after);
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 0001 08:49:37 GMT", rfc_date).value_or(-1s).count() == 0);
  BOOST_TEST(parse_retry_after("Sun Nov  6 08:49:37 0000", rfc_date).value_or(-1s).count() == 0);
}

BOOST_AUTO_TEST_CASE(retry_after_refuses_what_is_neither_form) {
  for (const char* value : {"", "-5", "1.5", "soon", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 08:49:37 GMT extra"}) {
    BOOST_TEST_CONTEXT("'" << value << "'") { BOOST_TEST(!parse_retry_after(value, rfc_date).has_value()); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
