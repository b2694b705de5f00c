// The one translation unit that defines the providers test module's main().
#define BOOST_TEST_MODULE providers
#include <boost/test/unit_test.hpp>
