#include "circuit_breaker.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ostream>

namespace qjob::actors {
// For Boost.Test's messages.
inline std::ostream& boost_test_print_type(std::ostream& out, circuit_breaker::state state) {
  return out << static_cast<int>(state);
}
}  // namespace qjob::actors

namespace {

using qjob::actors::circuit_breaker;
using state = circuit_breaker::state;
using std::chrono::milliseconds;

}  // namespace

BOOST_AUTO_TEST_SUITE(circuit_breaker_tests)

BOOST_AUTO_TEST_CASE(opens_at_the_threshold_and_lets_one_probe_through_after_the_cool_down) {
  const auto t0 = circuit_breaker::clock::time_point{} + std::chrono::hours(1);
  circuit_breaker breaker(3, milliseconds(100));
  for (int i = 0; i < 2; ++i) {
    BOOST_TEST(breaker.allow(t0));
    breaker.record_failure(t0);
  }
  BOOST_TEST(breaker.current(t0) == state::closed);
  BOOST_TEST(breaker.allow(t0));
  breaker.record_failure(t0);
  BOOST_TEST(breaker.current(t0) == state::open);
  BOOST_TEST(!breaker.allow(t0 + milliseconds(50)));
  BOOST_TEST(std::chrono::round<milliseconds>(breaker.remaining(t0 + milliseconds(50))).count() == 50);
  const auto t1 = t0 + milliseconds(100);
  BOOST_TEST(breaker.allow(t1));   // the probe
  BOOST_TEST(!breaker.allow(t1));  // others wait for its verdict
  breaker.record_success();
  BOOST_TEST(breaker.current(t1) == state::closed);
  BOOST_TEST(breaker.consecutive_failures() == 0u);
}

BOOST_AUTO_TEST_CASE(failed_probe_opens_again_at_once) {
  const auto t0 = circuit_breaker::clock::time_point{} + std::chrono::hours(1);
  circuit_breaker breaker(1, milliseconds(100));
  breaker.record_failure(t0);
  const auto t1 = t0 + milliseconds(100);
  BOOST_TEST(breaker.allow(t1));
  breaker.record_failure(t1);
  BOOST_TEST(breaker.current(t1) == state::open);
  BOOST_TEST(!breaker.allow(t1 + milliseconds(99)));
  BOOST_TEST(breaker.allow(t1 + milliseconds(100)));
}

BOOST_AUTO_TEST_CASE(abandoned_probe_frees_the_slot) {
  const auto t0 = circuit_breaker::clock::time_point{} + std::chrono::hours(1);
  circuit_breaker breaker(1, milliseconds(10));
  breaker.record_failure(t0);
  const auto t1 = t0 + milliseconds(10);
  BOOST_TEST(breaker.allow(t1));
  breaker.record_abandoned();
  BOOST_TEST(breaker.allow(t1));
}

BOOST_AUTO_TEST_SUITE_END()
