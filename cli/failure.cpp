#include "failure.hpp"

#include <stdexcept>

namespace qjob::cli {

void throw_exception_from_error(failure const& f, boost::source_location const&) {
    throw std::runtime_error(f.message);
}

}  // namespace qjob::cli
