#include "queued_runs.hpp"

#include <algorithm>
#include <utility>

namespace qjob::actors {

queue_place place_of(const storage::job_row& job) {
  return queue_place{job.provider, job.target, job.priority, job.owner, job.batch_id};
}

void queued_runs::add(const storage::job_row& job) {
  ++size_;
  auto place = place_of(job);
  // Jobs of one request nearly always share one place: the last run is the one.
  if (!runs_.empty() && runs_.back().place == place) {
    runs_.back().seqs.push_back(job.seq);
    return;
  }
  auto run = std::find_if(runs_.begin(), runs_.end(), [&](const queued_run& r) { return r.place == place; });
  if (run != runs_.end()) {
    run->seqs.push_back(job.seq);
    return;
  }
  runs_.push_back(queued_run{std::move(place), {job.seq}});
}

void queued_runs::add(queued_run run) {
  size_ += run.seqs.size();
  auto same = std::find_if(runs_.begin(), runs_.end(), [&](const queued_run& r) { return r.place == run.place; });
  if (same == runs_.end()) {
    runs_.push_back(std::move(run));
    return;
  }
  same->seqs.insert(same->seqs.end(), run.seqs.begin(), run.seqs.end());
}

std::vector<queued_run> queued_runs::take() {
  size_ = 0;
  return std::exchange(runs_, {});
}

}  // namespace qjob::actors
