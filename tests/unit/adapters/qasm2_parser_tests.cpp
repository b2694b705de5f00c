#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_SUITE(qasm2_parser_tests)
BOOST_AUTO_TEST_SUITE_END()
