#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>

namespace qjob::actors::test {

/// A thread running its own io_context, as the daemon runs the storage actor.
/// Joined on destruction, once the work it was given has finished.
class storage_thread {
public:
  storage_thread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  storage_thread(const storage_thread&) = delete;
  storage_thread& operator=(const storage_thread&) = delete;
  ~storage_thread() { join(); }

  boost::asio::io_context::executor_type executor() noexcept { return io_.get_executor(); }

  /// Lets the thread end once its io_context runs out of work, and waits for it.
  void join() {
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  /// Holds the thread until the returned promise is set, so that the requests sent
  /// meanwhile pile up in the storage actor's mailbox and are served together.
  std::promise<void> block() {
    std::promise<void> gate;
    boost::asio::post(io_, [opened = gate.get_future()]() { opened.wait(); });
    return gate;
  }

private:
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  boost::asio::io_context io_{1};
  work_guard work_;
  std::thread thread_;
};

}  // namespace qjob::actors::test
