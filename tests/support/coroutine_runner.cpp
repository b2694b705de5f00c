#include "support/coroutine_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <stdexcept>
#include <string>

namespace qjob::test {

void run_coroutine(boost::asio::awaitable<void> task, std::chrono::steady_clock::duration deadline) {
  boost::asio::io_context io(1);
  bool finished = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
    finished = true;
    failure = e;
  });
  const auto until = std::chrono::steady_clock::now() + deadline;
  // One handler at a time, so that the test ends as soon as its coroutine does,
  // even while actors it started still wait on their mailboxes.
  while (!finished && !io.stopped() && std::chrono::steady_clock::now() < until) io.run_one_until(until);
  if (!finished) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline).count();
    if (io.stopped())
      throw std::runtime_error("the test coroutine is suspended with nothing left to wake it (a lost wake-up)");
    throw std::runtime_error("the test coroutine did not finish within its deadline of " + std::to_string(ms) +
                             " ms");
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace qjob::test
