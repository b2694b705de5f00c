#pragma once

#include "job_supervisor_protocol.hpp"
#include "scheduler_protocol.hpp"

#include "runtime/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace qjob::actors {

/// The queues of jobs waiting here for a slot: per provider, per target. A
/// provider has `capacity` slots (its in-flight quota), shared by its targets;
/// an unknown provider has none, so its jobs wait. Order: priority class (9
/// first), then round-robin across the provider's targets, then across owners,
/// then across each owner's batches, then submission order. Admitted jobs are
/// handed to the job supervisor, which gives each an actor.
///
/// A waiting job costs its seq (8 bytes) in its batch's queue: a million
/// queued jobs are a few megabytes. Whoever withdraws a job or asks for its
/// position names its place (the job's row has it), so no index by job is kept.
/// Runs on the I/O thread.
class scheduler_actor {
public:
  /// `metrics` receives the queue depths; null: a registry of its own.
  scheduler_actor(net::any_io_executor executor, std::unordered_map<std::string, std::size_t> capacity,
                  std::shared_ptr<metrics::registry> metrics = nullptr);

  scheduler_ref ref() const { return scheduler_ref(mailbox_); }
  /// Where admitted jobs go; set before run().
  void admit_to(job_supervisor_ref supervisor) { supervisor_ = std::move(supervisor); }
  net::awaitable<void> run();
  void close() { mailbox_->close(); }

private:
  /// One batch's waiting jobs (or an owner's jobs outside batches), ascending.
  using batch_queue = std::deque<std::int64_t>;
  /// A ring of keys taking turns, the next to serve first.
  template <class Key>
  using turns = std::deque<Key>;
  struct owner_queue {
    std::map<std::string, batch_queue> batches;
    turns<std::string> batch_turns;
    std::size_t size = 0;
  };
  /// One priority class of one target.
  struct class_queue {
    std::map<std::uint32_t, owner_queue> owners;
    turns<std::uint32_t> owner_turns;
    std::size_t size = 0;
  };
  struct target_queue {
    std::array<class_queue, 10> classes;  // index = priority
  };
  struct provider_queue {
    std::size_t capacity = 0;
    std::size_t running = 0;
    std::map<std::string, target_queue> targets;
    std::array<turns<std::string>, 10> target_turns;  // per class: targets with jobs in it
    std::array<std::size_t, 10> class_size{};          // per class, over all targets
  };

  void enqueue(const queued_run& run);
  void withdraw(const queue_place& place, std::int64_t seq);
  /// Admits jobs while the provider has free slots; the seqs admitted.
  std::vector<std::int64_t> dispatch(provider_queue& queue);
  std::optional<std::int64_t> pop(provider_queue& queue);
  std::optional<std::int64_t> position(const queue_place& place, std::int64_t seq) const;
  provider_queue& queue_of(const std::string& provider);
  /// Sends what dispatch admitted to the job supervisor.
  net::awaitable<void> admit(const std::string& provider, std::vector<std::int64_t> seqs);
  /// Sets the depth gauges of every provider's queue (after each message).
  void publish_depths();

  std::shared_ptr<mailbox<scheduler_message>> mailbox_;
  job_supervisor_ref supervisor_;
  std::unordered_map<std::string, std::size_t> capacity_;
  std::unordered_map<std::string, provider_queue> queues_;
  std::shared_ptr<metrics::registry> metrics_;
  metrics::gauge_family& waiting_jobs_;
  metrics::gauge_family& running_jobs_;
  metrics::gauge_family& slots_;
};

}  // namespace qjob::actors
