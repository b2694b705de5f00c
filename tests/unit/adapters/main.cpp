// The one translation unit that defines the adapters test module's main().
#define BOOST_TEST_MODULE adapters
#include <boost/test/unit_test.hpp>
