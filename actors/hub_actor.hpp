#pragma once

#include "hub_protocol.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace qjob::actors {

/// Tells those who wait on a job (`?wait=`) when it becomes final. Runs on the
/// I/O thread. Waiters that gave up are dropped as the hub goes.
class hub_actor {
public:
  explicit hub_actor(net::any_io_executor executor);

  hub_ref ref() const { return hub_ref(mailbox_); }
  net::awaitable<void> run();
  void close() { mailbox_->close(); }

private:
  void prune();

  std::shared_ptr<mailbox<hub_message>> mailbox_;
  std::unordered_map<std::string, std::vector<promise<storage::job_status>>> waiters_;
  std::size_t watches_since_prune_ = 0;
};

}  // namespace qjob::actors
