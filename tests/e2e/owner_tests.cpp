#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(owner_tests)
BOOST_AUTO_TEST_SUITE_END()
