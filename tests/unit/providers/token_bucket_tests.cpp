#include "token_bucket.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

namespace {

using qjob::actors::token_bucket;
using std::chrono::milliseconds;

}  // namespace

BOOST_AUTO_TEST_SUITE(token_bucket_tests)

BOOST_AUTO_TEST_CASE(burst_goes_at_once_then_requests_are_spaced_by_the_rate) {
  const auto start = token_bucket::clock::time_point{} + std::chrono::hours(1);
  token_bucket bucket(100.0, 2.0, start);
  BOOST_TEST(bucket.take(start).count() == 0);
  BOOST_TEST(bucket.take(start).count() == 0);
  // Reservations queue: the third waits 10 ms, the fourth 20 ms.
  BOOST_TEST(std::chrono::round<milliseconds>(bucket.take(start)).count() == 10);
  BOOST_TEST(std::chrono::round<milliseconds>(bucket.take(start)).count() == 20);
}

BOOST_AUTO_TEST_CASE(idle_time_refills_up_to_the_burst_only) {
  const auto start = token_bucket::clock::time_point{} + std::chrono::hours(1);
  token_bucket bucket(10.0, 1.0, start);
  BOOST_TEST(bucket.take(start).count() == 0);
  const auto later = start + std::chrono::seconds(10);
  BOOST_TEST(bucket.take(later).count() == 0);
  BOOST_TEST(std::chrono::round<milliseconds>(bucket.take(later)).count() == 100);
}

BOOST_AUTO_TEST_CASE(zero_rate_means_unlimited) {
  const auto start = token_bucket::clock::now();
  token_bucket bucket(0.0, 1.0, start);
  for (int i = 0; i < 100; ++i) BOOST_TEST(bucket.take(start).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
