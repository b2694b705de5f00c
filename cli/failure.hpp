#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>

namespace qjob::cli {

/// Why a qjobctl step could not go on, as the one line printed after `qjobctl: `
/// (a file that is not a job, a daemon that cannot be reached). Expected outcomes,
/// so they travel as values in `cli_result`, never as exceptions.
struct failure {
    std::string message;
};

/// The outcome of a step that either yields a `T` or a `failure`.
template <class T>
using cli_result = boost::system::result<T, failure>;

/// Called by `cli_result::value()` on a failure (never by our code, which tests
/// `has_value()` first); throws `std::runtime_error` with the message.
[[noreturn]] void throw_exception_from_error(failure const& f, boost::source_location const& loc);

}  // namespace qjob::cli
