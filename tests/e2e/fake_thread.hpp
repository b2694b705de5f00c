#pragma once

// A fake provider (tests/fakes) on a thread of its own, for suites that drive
// the real qjobd against it: qjobd reaches it over loopback like the provider,
// the test reads its record through call().

#include "fakes/fake_azure.hpp"
#include "fakes/fake_ionq.hpp"
#include "fakes/fake_qcloud.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <unistd.h>

namespace qjob::e2e {

/// `Fake` is fakes::fake_ionq, fakes::fake_qcloud or fakes::fake_azure; `Options` its options.
template <class Fake, class Options>
class fake_thread {
public:
  explicit fake_thread(Options options = {})
      : fake_(io_.get_executor(), std::move(options)), base_url_(fake_.base_url()) {
    fake_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  fake_thread(const fake_thread&) = delete;
  fake_thread& operator=(const fake_thread&) = delete;
  ~fake_thread() {
    call([](Fake& fake) {
      fake.stop();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  const std::string& base_url() const { return base_url_; }

  /// Runs `f(fake)` on the fake's thread and returns its result.
  template <class F, class result = std::invoke_result_t<F&, Fake&>>
  result call(F f) {
    std::packaged_task<result()> task([&] { return f(fake_); });
    auto answer = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return answer.get();
  }

private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  Fake fake_;
  std::string base_url_;
  std::thread thread_;
};

/// The plan a fault spec (fakes::parse_fault_spec) describes.
inline fakes::fault_plan faults(const std::string& spec) {
  auto parsed = fakes::parse_fault_spec(spec);
  BOOST_TEST_REQUIRE(std::holds_alternative<fakes::fault_plan>(parsed), "fault spec: " << spec);
  return std::get<fakes::fault_plan>(std::move(parsed));
}

/// A fake IonQ whose jobs stop at `status` until released, with `fault_spec`'s faults.
inline fakes::fake_ionq_options holding_at(const std::string& status, const std::string& fault_spec = "") {
  fakes::fake_ionq_options held;
  held.hold_at = status;
  if (!fault_spec.empty()) held.faults = faults(fault_spec);
  return held;
}

using fake_ionq_thread = fake_thread<fakes::fake_ionq, fakes::fake_ionq_options>;
using fake_qcloud_thread = fake_thread<fakes::fake_qcloud, fakes::fake_qcloud_options>;
using fake_azure_thread = fake_thread<fakes::fake_azure, fakes::fake_azure_options>;

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
