// Times layers of Hadamard gates on a large state vector against the machine's
// memory bandwidth; see bench/README.md, "Simulator". Figures are printed, never
// asserted.
#include "local/state_vector.hpp"
#include "local/worker_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Best of `repeats` layers: one h on every qubit, applied as one batch.
double seconds_per_layer(std::uint32_t qubits, unsigned threads, int repeats) {
  qjob::local::state_vector state(qubits);
  qjob::local::worker_pool pool(threads);
  std::vector<qjob::formats::operation> layer(qubits);
  std::vector<const qjob::formats::operation*> ops;
  for (std::uint32_t q = 0; q < qubits; ++q) {
    layer[q].gate = qjob::formats::gate_kind::h;
    layer[q].targets = {q};
    ops.push_back(&layer[q]);
  }
  state.apply(ops, pool);  // first touch of every page
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = clock_type::now();
    state.apply(ops, pool);
    best = std::min(best, seconds_since(start));
  }
  return best;
}

// Bytes moved per second (read + written) copying `bytes` with `threads` threads.
double copy_bandwidth(std::size_t bytes, unsigned threads, int repeats) {
  std::vector<char> from(bytes, 1);
  std::vector<char> to(bytes, 0);
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = clock_type::now();
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const std::size_t begin = bytes * t / threads;
        const std::size_t end = bytes * (t + 1) / threads;
        std::memcpy(to.data() + begin, from.data() + begin, end - begin);
      });
    }
    workers.clear();
    best = std::min(best, seconds_since(start));
  }
  return 2.0 * static_cast<double>(bytes) / best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t qubits = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 24;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  if (qubits < 16 || qubits > 30 || repeats < 1) {
    std::fprintf(stderr, "usage: qjob_simulator_bench [QUBITS 16..30, default 24] [REPEATS, default 5]\n");
    return 2;
  }
  const double state_bytes = 16.0 * static_cast<double>(std::uint64_t{1} << qubits);
  const double mib = 1024.0 * 1024.0;
  std::printf("state: %u qubits, %.0f MiB\n", qubits, state_bytes / mib);

  const double one = seconds_per_layer(qubits, 1, repeats);
  const double two = seconds_per_layer(qubits, 2, repeats);
  std::printf("layer of %u h gates, 1 thread:  %.4f s\n", qubits, one);
  std::printf("layer of %u h gates, 2 threads: %.4f s\n", qubits, two);

  const auto copy_bytes = static_cast<std::size_t>(state_bytes);
  const double bw1 = copy_bandwidth(copy_bytes, 1, repeats);
  const double bw2 = copy_bandwidth(copy_bytes, 2, repeats);
  const double bandwidth = std::max(bw1, bw2);
  std::printf("memory bandwidth (memcpy, read + write): 1 thread %.2f GB/s, 2 threads %.2f GB/s\n", bw1 / 1e9,
              bw2 / 1e9);
  const double bound = 2.0 * state_bytes / bandwidth;
  std::printf("bandwidth bound per layer (state read and written once): %.4f s\n", bound);
  std::printf("ratio to the bound: 1 thread %.2fx, 2 threads %.2fx\n", one / bound, two / bound);
  return 0;
}
