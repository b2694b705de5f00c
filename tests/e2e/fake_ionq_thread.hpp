#pragma once

// The fake IonQ server (tests/fakes) on a thread of its own, for suites that
// drive the real qjobd against it: qjobd reaches it over loopback like IonQ,
// the test reads its record through call().

#include "fakes/fake_ionq.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace qjob::e2e {

class fake_ionq_thread {
public:
  explicit fake_ionq_thread(fakes::fake_ionq_options options = {})
      : fake_(io_.get_executor(), std::move(options)), base_url_(fake_.base_url()) {
    fake_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  fake_ionq_thread(const fake_ionq_thread&) = delete;
  fake_ionq_thread& operator=(const fake_ionq_thread&) = delete;
  ~fake_ionq_thread() {
    call([](fakes::fake_ionq& fake) {
      fake.stop();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  const std::string& base_url() const { return base_url_; }

  /// Runs `f(fake)` on the fake's thread and returns its result.
  template <class F, class result = std::invoke_result_t<F&, fakes::fake_ionq&>>
  result call(F f) {
    std::packaged_task<result()> task([&] { return f(fake_); });
    auto answer = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return answer.get();
  }

private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  fakes::fake_ionq fake_;
  std::string base_url_;
  std::thread thread_;
};

/// A file holding an API key, removed afterwards.
class key_file {
public:
  explicit key_file(const std::string& key) {
    std::string pattern = (std::filesystem::temp_directory_path() / "qjob-key-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a key file");
    ::close(fd);
    path_ = pattern;
    std::ofstream(path_) << key << "\n";
  }
  ~key_file() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

}  // namespace qjob::e2e
