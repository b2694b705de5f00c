#include "request_query.hpp"

#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <string>

namespace qjob::daemon {
namespace {

using namespace std::chrono_literals;

std::variant<std::chrono::seconds, api_error> wait_of(const std::string& target) {
  return wait_param(boost::urls::parse_origin_form(target).value(), 600s);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_query_tests)

BOOST_AUTO_TEST_CASE(wait_rounds_fractions_up_and_caps_at_max_wait) {
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a")).count() == 0);
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=")).count() == 0);
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=2.5")).count() == 3);
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=30")).count() == 30);
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=601")).count() == 600);
}

BOOST_AUTO_TEST_CASE(wait_beyond_any_integer_is_capped_and_nan_or_inf_refused) {
  // Found by tests/fuzz (control_api): these reached a double-to-integer
  // conversion whose result is undefined.
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=1e300")).count() == 600);
  BOOST_TEST(std::get<std::chrono::seconds>(wait_of("/v1/jobs/a?wait=9223372036854775807")).count() == 600);
  for (const char* bad : {"nan", "inf", "-inf", "NaN", "infinity", "-1", "1s", "0x10"}) {
    const auto wait = wait_of(std::string("/v1/jobs/a?wait=") + bad);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<api_error>(wait), bad);
    BOOST_TEST(std::get<api_error>(wait).field == "wait");
  }
}

BOOST_AUTO_TEST_CASE(path_segments_and_query_params_are_percent_decoded) {
  const auto url = boost::urls::parse_origin_form("/v1/jobs/job%2D1/result?name=a%20b&tag=").value();
  BOOST_TEST((path_segments(url) == std::vector<std::string>{"v1", "jobs", "job-1", "result"}));
  BOOST_TEST(query_param(url, "name").value_or("") == "a b");
  BOOST_TEST(query_param(url, "tag").has_value());
  BOOST_TEST(!query_param(url, "batch").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
