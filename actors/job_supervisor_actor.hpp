#pragma once

#include "job_actor.hpp"
#include "job_supervisor_protocol.hpp"
#include "runtime/supervisor.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace qjob::actors {

/// Starts a job actor for every live job and routes commands to it by id. Runs
/// on the I/O thread. On close it closes every job actor's mailbox, so each ends
/// where it is and resumes at the next start.
class job_supervisor_actor {
public:
  /// `services.supervisor` is filled in with this actor's ref.
  job_supervisor_actor(net::any_io_executor executor, supervisor& tasks, job_services services);

  job_supervisor_ref ref() const { return job_supervisor_ref(mailbox_); }
  net::awaitable<void> run();
  void close() { mailbox_->close(); }

  std::size_t live_jobs() const noexcept { return jobs_.size(); }

private:
  void start(storage::job_row job);

  struct live_job {
    job_ref ref;
    std::uint32_t owner = 0;
  };

  void ended(const std::string& job_id);

  net::any_io_executor executor_;
  supervisor& tasks_;
  std::shared_ptr<mailbox<job_supervisor_message>> mailbox_;
  // Shared with every job actor, which reads it on this thread; only this actor changes it.
  std::shared_ptr<job_services> services_;
  std::unordered_map<std::string, live_job> jobs_;
  std::unordered_map<std::uint32_t, std::size_t> per_owner_;  // live jobs of each owner
};

}  // namespace qjob::actors
