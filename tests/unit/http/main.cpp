// The one translation unit that defines the http test module's main().
#define BOOST_TEST_MODULE http
#include <boost/test/unit_test.hpp>
