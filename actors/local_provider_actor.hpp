#pragma once

#include "provider_protocol.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace qjob::actors {

/// Settings of the embedded simulator provider.
struct local_provider_settings {
  unsigned workers = 1;             // jobs simulated at once
  unsigned simulator_threads = 2;   // threads per large state vector
  std::uint32_t max_qubits = 26;

  bool operator==(const local_provider_settings&) const = default;
};

/// The provider actor of the embedded simulator: runs jobs on its own worker
/// threads, never on the I/O thread, and cancels them while they execute. Its
/// state and mailbox live on the I/O thread; workers only post their outcome back.
class local_provider_actor {
public:
  local_provider_actor(net::any_io_executor executor, local_provider_settings settings);
  ~local_provider_actor();

  provider_ref ref() const { return provider_ref(mailbox_); }
  net::awaitable<void> run();
  /// Stops taking work and cancels what runs. I/O thread.
  void close();

private:
  void start(run_job& request);

  net::any_io_executor executor_;
  local_provider_settings settings_;
  std::shared_ptr<mailbox<provider_message>> mailbox_;
  net::thread_pool workers_;
  std::unordered_map<std::string, std::shared_ptr<std::atomic<bool>>> cancel_flags_;  // running jobs
};

}  // namespace qjob::actors
