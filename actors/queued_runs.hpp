#pragma once

#include "scheduler_protocol.hpp"
#include "storage/job_row.hpp"

#include <cstddef>
#include <vector>

namespace qjob::actors {

/// The scheduler queue a job waits in, from its row.
queue_place place_of(const storage::job_row& job);

/// Groups jobs into runs of one place for enqueue_jobs. Jobs added in seq order
/// keep it within each run; a batch of a million jobs of one place is one run of
/// 8-byte seqs.
class queued_runs {
public:
  void add(const storage::job_row& job);
  /// Adds a run's jobs (seqs above those added before), joining a run of its place.
  void add(queued_run run);
  std::size_t size() const noexcept { return size_; }
  std::vector<queued_run> take();

private:
  std::vector<queued_run> runs_;
  std::size_t size_ = 0;
};

}  // namespace qjob::actors
