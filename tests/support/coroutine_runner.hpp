#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace qjob::test {

/// How long a coroutine test may take before it counts as hung. Unit cases take
/// milliseconds; the margin is for sanitizer builds on a loaded machine.
inline constexpr std::chrono::seconds default_coroutine_deadline{10};

/// Runs `task` to completion on a fresh io_context driven by the calling thread,
/// as seastar's SEASTAR_TEST_CASE does. Rethrows whatever `task` throws (a failed
/// BOOST_REQUIRE, an unexpected error). Throws std::runtime_error naming the cause
/// when `task` has not finished after `deadline`, or when the io_context runs out
/// of work while `task` is still suspended (a wake-up that never comes). Handlers
/// still pending when it returns (actors the test did not stop) are destroyed
/// with the io_context, unrun.
void run_coroutine(boost::asio::awaitable<void> task,
                   std::chrono::steady_clock::duration deadline = default_coroutine_deadline);

}  // namespace qjob::test
