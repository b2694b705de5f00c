#pragma once

#include "formats/circuit.hpp"
#include "worker_pool.hpp"

#include <array>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace qjob::local {

using amplitude = std::complex<double>;

/// The 2x2 unitary of a one-qubit gate (row-major), without its controls.
/// Precondition: `op.gate` is a one-qubit gate (h ... phase).
std::array<amplitude, 4> gate_matrix(const formats::operation& op);

/// True for the gates that change amplitudes (not measure, reset or barrier).
bool is_unitary(formats::gate_kind gate);

/// The amplitudes of `qubits` qubits, qubit 0 the least significant bit of the
/// index. Kernels run on the calling thread, or split across `pool` when the
/// state has at least 2^14 amplitudes. Not thread-safe itself.
class state_vector {
 public:
  /// |0...0>. Throws std::bad_alloc when 2^qubits amplitudes do not fit.
  explicit state_vector(std::uint32_t qubits);

  std::uint32_t qubits() const { return qubits_; }
  std::span<amplitude> amplitudes() { return amplitudes_; }
  std::span<const amplitude> amplitudes() const { return amplitudes_; }

  /// Applies unitary operations in order, ignoring their conditions (the caller
  /// decides which run). Large states go through cache-sized tiles, several
  /// gates per pass over memory.
  void apply(std::span<const formats::operation* const> ops, worker_pool& pool);

  /// The probability that measuring `qubit` gives 1.
  double probability_of_one(std::uint32_t qubit, worker_pool& pool) const;

  /// Projects `qubit` onto `outcome` (whose probability was `probability`) and
  /// renormalises.
  void collapse(std::uint32_t qubit, bool outcome, double probability, worker_pool& pool);

 private:
  std::uint32_t qubits_;
  std::vector<amplitude> amplitudes_;
  std::vector<std::vector<amplitude>> scratch_;  // per-chunk tiles for apply()
};

}  // namespace qjob::local
