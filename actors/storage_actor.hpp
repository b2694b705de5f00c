#pragma once

#include "storage_protocol.hpp"

#include "runtime/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <spdlog/logger.h>

#include <memory>
#include <unordered_map>
#include <vector>

namespace qjob::actors {

/// The single writer of the job store. Runs on its own thread so that a slow
/// fsync never stalls the socket. Group commit: every write waiting in the
/// mailbox goes into one transaction, and each is answered after COMMIT returns.
class storage_actor {
public:
  /// `executor` is the storage thread's; the store is used only from there.
  /// `metrics` receives the commit latencies (from the storage thread); null: a
  /// registry of its own.
  storage_actor(net::any_io_executor executor, storage::job_store store,
                std::shared_ptr<metrics::registry> metrics = nullptr);

  storage_ref ref() const { return storage_ref(mailbox_); }

  /// The receive loop; returns once the mailbox is closed and drained.
  net::awaitable<void> run();

  /// Stops taking requests; what is buffered is still served, then run() returns.
  /// Any thread. (Closing the channel itself would drop what it buffers: in Boost
  /// 1.81 a closed channel delivers nothing more, so run() drains it first.)
  void close();

private:
  void serve(std::vector<storage_message>& batch);
  void commit_writes(std::vector<storage_message*>& writes);
  void apply_write(storage_message& message);
  void answer_write(storage_message& message, const write_ack& ack);
  void serve_read(storage_message& message);
  /// A write of a streamed batch (a chunk, a publish, a discard), in a
  /// transaction of its own: a refused chunk rolls back alone.
  void serve_batch_write(storage_message& message);
  /// Deletes one chunk of discarded batches' jobs; clears discard_pending_ once none is left.
  void delete_discarded_chunk();

  void take_waiting(std::vector<storage_message>& batch);

  net::any_io_executor executor_;
  std::shared_ptr<concurrent_mailbox<storage_message>> mailbox_;
  storage::job_store store_;
  std::shared_ptr<spdlog::logger> log_;
  // Which rows of each insert of the open transaction were new (not duplicates).
  std::unordered_map<const insert_jobs*, std::vector<bool>> staged_inserts_;
  // Storage thread only: close() was called; run() is waiting in async_receive.
  bool closing_ = false;
  bool receiving_ = false;
  // Storage thread only: discarded batches may have jobs left to delete (true
  // at start, for what a killed daemon left staged).
  bool discard_pending_ = true;
  // Updated on the storage thread, read by the API on the I/O thread: atomics.
  std::shared_ptr<metrics::registry> metrics_;
  metrics::histogram& commit_seconds_;
  metrics::counter& committed_;
  metrics::counter& failed_;
  metrics::counter& writes_;
};

}  // namespace qjob::actors
