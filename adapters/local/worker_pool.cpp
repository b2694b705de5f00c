#include "worker_pool.hpp"

namespace qjob::local {

worker_pool::worker_pool(unsigned threads) {
  const unsigned workers = threads > 1 ? threads - 1 : 0;
  workers_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    workers_.emplace_back([this, chunk = i + 1] { work(chunk); });
  }
}

worker_pool::~worker_pool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  workers_.clear();  // joins
}

void worker_pool::run_chunk(unsigned chunk) const {
  const std::uint64_t chunks = size();
  const std::uint64_t begin = n_ * chunk / chunks;
  const std::uint64_t end = n_ * (chunk + 1) / chunks;
  if (begin < end) fn_(context_, chunk, begin, end);
}

void worker_pool::run(std::uint64_t n, chunk_fn fn, void* context) {
  if (workers_.empty() || n < 2) {
    if (n > 0) fn(context, 0, 0, n);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    fn_ = fn;
    context_ = context;
    n_ = n;
    pending_ = static_cast<unsigned>(workers_.size());
    ++generation_;
  }
  start_.notify_all();
  // The task fields are written only while no worker is pending, so reading them
  // here without the lock is ordered by the mutex hand-off above.
  run_chunk(0);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
}

void worker_pool::work(unsigned chunk) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_chunk(chunk);
    bool last = false;
    {
      std::lock_guard lock(mutex_);
      last = --pending_ == 0;
    }
    if (last) done_.notify_one();
  }
}

}  // namespace qjob::local
