#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace qjob::local {

/// A small persistent pool that splits one loop at a time across its threads; the
/// calling thread takes the first chunk, so `worker_pool(1)` starts no thread.
/// Owned and driven by one thread (the simulator's); not reentrant. Workers sleep
/// on a condition variable between loops and are joined by the destructor.
class worker_pool {
 public:
  /// Starts `threads - 1` workers (0 is taken as 1). Throws std::system_error when
  /// a thread cannot be started.
  explicit worker_pool(unsigned threads);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// The number of chunks a loop is split into: the workers plus the caller.
  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Calls `body(chunk, begin, end)` for size() contiguous chunks of [0, n), in
  /// parallel, and returns when all are done. `body` must not throw.
  template <typename Body>
  void parallel_for(std::uint64_t n, Body&& body) {
    run(n, &invoke<std::remove_reference_t<Body>>, &body);
  }

 private:
  using chunk_fn = void (*)(void* context, unsigned chunk, std::uint64_t begin, std::uint64_t end);

  template <typename Body>
  static void invoke(void* context, unsigned chunk, std::uint64_t begin, std::uint64_t end) {
    (*static_cast<Body*>(context))(chunk, begin, end);
  }

  void run(std::uint64_t n, chunk_fn fn, void* context);
  void run_chunk(unsigned chunk) const;
  void work(unsigned chunk);

  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  std::uint64_t generation_ = 0;
  unsigned pending_ = 0;
  bool stopping_ = false;
  chunk_fn fn_ = nullptr;
  void* context_ = nullptr;
  std::uint64_t n_ = 0;
  // Last, so the workers start after the state they read and are joined first.
  std::vector<std::jthread> workers_;
};

}  // namespace qjob::local
