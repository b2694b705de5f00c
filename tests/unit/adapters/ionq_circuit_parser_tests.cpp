#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_SUITE(ionq_circuit_parser_tests)
BOOST_AUTO_TEST_SUITE_END()
