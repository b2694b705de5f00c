#pragma once

#include "scheduler_protocol.hpp"

#include "runtime/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace qjob::actors {

/// The queues of jobs waiting for a slot, one per provider. A provider has
/// `capacity` slots (its in-flight quota); an unknown provider has none, so its
/// jobs wait. Order: priority class (9 first), then round-robin across owners,
/// then across each owner's batches, then submission order. Runs on the I/O thread.
class scheduler_actor {
public:
  /// `metrics` receives the queue depths; null: a registry of its own.
  scheduler_actor(net::any_io_executor executor, std::unordered_map<std::string, std::size_t> capacity,
                  std::shared_ptr<metrics::registry> metrics = nullptr);

  scheduler_ref ref() const { return scheduler_ref(mailbox_); }
  net::awaitable<void> run();
  void close() { mailbox_->close(); }

private:
  struct waiting_job {
    std::int64_t seq;
    std::string job_id;
    job_ref job;
  };
  /// One batch's jobs (or the owner's jobs outside batches), by submission order.
  using batch_queue = std::deque<waiting_job>;
  struct owner_queue {
    std::map<std::string, batch_queue> batches;
    std::deque<std::string> turns;  // batch ids, the next to serve first
    std::size_t size = 0;
  };
  struct priority_class {
    std::map<std::uint32_t, owner_queue> owners;
    std::deque<std::uint32_t> turns;  // owners, the next to serve first
    std::size_t size = 0;
  };
  struct provider_queue {
    std::size_t capacity = 0;
    std::size_t running = 0;
    std::array<priority_class, 10> classes;  // index = priority
  };
  struct location {
    std::string provider;
    std::int32_t priority;
    std::uint32_t owner;
    std::string batch_id;
    std::int64_t seq;
  };

  void enqueue(enqueue_job& request);
  void withdraw(const std::string& job_id);
  void dispatch(provider_queue& queue);
  std::optional<waiting_job> pop(provider_queue& queue);
  std::optional<std::int64_t> position(const std::string& job_id) const;
  provider_queue& queue_of(const std::string& provider);
  /// Sets the depth gauges of every provider's queue (after each message).
  void publish_depths();

  std::shared_ptr<mailbox<scheduler_message>> mailbox_;
  std::unordered_map<std::string, std::size_t> capacity_;
  std::unordered_map<std::string, provider_queue> queues_;
  std::unordered_map<std::string, location> waiting_;  // job id -> where it waits
  std::shared_ptr<metrics::registry> metrics_;
  metrics::gauge_family& waiting_jobs_;
  metrics::gauge_family& running_jobs_;
  metrics::gauge_family& slots_;
};

}  // namespace qjob::actors
