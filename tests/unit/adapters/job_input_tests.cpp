#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_SUITE(job_input_tests)
BOOST_AUTO_TEST_SUITE_END()
