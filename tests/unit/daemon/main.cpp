#define BOOST_TEST_MODULE daemon_tests
#include <boost/test/unit_test.hpp>
