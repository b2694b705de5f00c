#include "state_vector.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <type_traits>

namespace qjob::local {
namespace {

using formats::gate_kind;
using formats::operation;

// States from 2^parallel_bits amplitudes are split across the pool; passes over
// larger states work on tiles of 2^tile_bits amplitudes (256 KiB, well inside a
// core's L2), always holding the lowest contiguous_bits bits so that tiles are
// gathered in runs of at least 16 amplitudes.
constexpr std::uint32_t parallel_bits = 14;
constexpr std::uint32_t tile_bits = 14;
constexpr std::uint32_t contiguous_bits = 4;

enum class shape : std::uint8_t { diagonal, real, flip, general, swap, xx, yy, zz };

// An operation translated into a tile's local index space.
struct local_op {
  shape kind = shape::general;
  std::uint32_t t0 = 0;
  std::uint32_t t1 = 0;
  std::uint64_t controls_inside = 0;   // local bits
  std::uint64_t controls_outside = 0;  // global bits fixed across the tile
  std::array<amplitude, 4> m{};
  double cos_half = 1.0;
  double sin_half = 0.0;
};

// Inserts a zero bit at position `bit` of `k`.
inline std::uint64_t insert_zero(std::uint64_t k, std::uint32_t bit) {
  const std::uint64_t low = k & ((std::uint64_t{1} << bit) - 1);
  return ((k >> bit) << (bit + 1)) | low;
}

// Spreads the low bits of `value` over the set bits of `mask` (a portable pdep).
inline std::uint64_t deposit(std::uint64_t value, std::uint64_t mask) {
  std::uint64_t out = 0;
  for (std::uint64_t bit = 1; mask != 0; bit <<= 1) {
    const std::uint64_t lowest = mask & (~mask + 1);
    if ((value & bit) != 0) out |= lowest;
    mask &= mask - 1;
  }
  return out;
}

// Complex arithmetic written out on doubles: std::complex's operator* must
// handle inf/NaN and is several times slower in these loops.
inline void mul_add(double& out_re, double& out_im, const amplitude& m, double re, double im) {
  out_re += m.real() * re - m.imag() * im;
  out_im += m.real() * im + m.imag() * re;
}

// Calls kernel(x, y, n) for each pair of half blocks of `size` amplitudes
// split on bit `t`: x and y point at n doubles each (n / 2 amplitudes), y being
// x's partners. For the lowest bits n is a compile-time constant, so the short
// inner loops unroll and vectorise instead of paying a loop per pair.
template <typename Kernel>
void for_each_half_block(double* d, std::uint64_t size, std::uint32_t t, Kernel&& kernel) {
  auto fixed = [&](auto n) {
    for (std::uint64_t b = 0; b < 2 * size; b += 2 * n) kernel(d + b, d + b + n, n);
  };
  switch (t) {
    case 0: return fixed(std::integral_constant<std::uint64_t, 2>{});
    case 1: return fixed(std::integral_constant<std::uint64_t, 4>{});
    case 2: return fixed(std::integral_constant<std::uint64_t, 8>{});
    default: {
      const std::uint64_t n = std::uint64_t{2} << t;
      for (std::uint64_t b = 0; b < 2 * size; b += 2 * n) kernel(d + b, d + b + n, n);
    }
  }
}

void apply_one_qubit(amplitude* state, std::uint64_t size, const local_op& op) {
  double* d = reinterpret_cast<double*>(state);
  // Named copies, not a structured binding: the lambdas below capture them, which
  // clang 14 (the fuzz build) refuses for bindings.
  const auto m00 = op.m[0], m01 = op.m[1], m10 = op.m[2], m11 = op.m[3];
  if (op.controls_inside != 0) {
    const std::uint64_t stride = std::uint64_t{1} << op.t0;
    const std::uint64_t controls = op.controls_inside;
    for (std::uint64_t block = 0; block < size; block += 2 * stride) {
      double* x = d + 2 * block;
      double* y = d + 2 * (block + stride);
      for (std::uint64_t j = 0; j < stride; ++j) {
        if (((block + j) & controls) != controls) continue;
        const double xr = x[2 * j], xi = x[2 * j + 1], yr = y[2 * j], yi = y[2 * j + 1];
        double ar = 0, ai = 0, br = 0, bi = 0;
        mul_add(ar, ai, m00, xr, xi);
        mul_add(ar, ai, m01, yr, yi);
        mul_add(br, bi, m10, xr, xi);
        mul_add(br, bi, m11, yr, yi);
        x[2 * j] = ar, x[2 * j + 1] = ai, y[2 * j] = br, y[2 * j + 1] = bi;
      }
    }
    return;
  }
  switch (op.kind) {
    case shape::real: {
      const double a = m00.real(), b = m01.real(), c = m10.real(), e = m11.real();
      for_each_half_block(d, size, op.t0, [=](double* __restrict__ x, double* __restrict__ y, auto n) {
        for (std::uint64_t k = 0; k < n; ++k) {
          const double xv = x[k], yv = y[k];
          x[k] = a * xv + b * yv;
          y[k] = c * xv + e * yv;
        }
      });
      return;
    }
    case shape::flip:
      for_each_half_block(d, size, op.t0, [](double* __restrict__ x, double* __restrict__ y, auto n) {
        for (std::uint64_t k = 0; k < n; ++k) std::swap(x[k], y[k]);
      });
      return;
    case shape::diagonal: {
      const double ar = m00.real(), ai = m00.imag(), br = m11.real(), bi = m11.imag();
      const bool scale_x = m00 != amplitude(1.0, 0.0);
      for_each_half_block(d, size, op.t0, [=](double* __restrict__ x, double* __restrict__ y, auto n) {
        for (std::uint64_t k = 0; k < n; k += 2) {
          if (scale_x) {
            const double xr = x[k], xi = x[k + 1];
            x[k] = ar * xr - ai * xi;
            x[k + 1] = ar * xi + ai * xr;
          }
          const double yr = y[k], yi = y[k + 1];
          y[k] = br * yr - bi * yi;
          y[k + 1] = br * yi + bi * yr;
        }
      });
      return;
    }
    default:
      for_each_half_block(d, size, op.t0, [=](double* __restrict__ x, double* __restrict__ y, auto n) {
        for (std::uint64_t k = 0; k < n; k += 2) {
          const double xr = x[k], xi = x[k + 1], yr = y[k], yi = y[k + 1];
          double ar = 0, ai = 0, br = 0, bi = 0;
          mul_add(ar, ai, m00, xr, xi);
          mul_add(ar, ai, m01, yr, yi);
          mul_add(br, bi, m10, xr, xi);
          mul_add(br, bi, m11, yr, yi);
          x[k] = ar, x[k + 1] = ai, y[k] = br, y[k + 1] = bi;
        }
      });
  }
}

// a' = c a + f b and b' = c b + f a with f = i * factor (factor real).
inline void rotate_pair(amplitude& a, amplitude& b, double c, double factor) {
  const amplitude old_a = a;
  a = amplitude(c * a.real() - factor * b.imag(), c * a.imag() + factor * b.real());
  b = amplitude(c * b.real() - factor * old_a.imag(), c * b.imag() + factor * old_a.real());
}

void apply_two_qubit(amplitude* state, std::uint64_t size, const local_op& op) {
  const std::uint32_t lo = std::min(op.t0, op.t1);
  const std::uint32_t hi = std::max(op.t0, op.t1);
  const std::uint64_t b0 = std::uint64_t{1} << op.t0;
  const std::uint64_t b1 = std::uint64_t{1} << op.t1;
  const std::uint64_t controls = op.controls_inside;
  const double c = op.cos_half;
  const double s = op.sin_half;
  const amplitude even = amplitude(c, -s);  // e^{-i theta/2}
  const amplitude odd = amplitude(c, s);
  for (std::uint64_t k = 0; k < size / 4; ++k) {
    const std::uint64_t i = insert_zero(insert_zero(k, lo), hi);
    if ((i & controls) != controls) continue;
    amplitude& a00 = state[i];
    amplitude& a01 = state[i | b0];
    amplitude& a10 = state[i | b1];
    amplitude& a11 = state[i | b0 | b1];
    switch (op.kind) {
      case shape::swap:
        std::swap(a01, a10);
        break;
      case shape::xx:  // exp(-i t/2 XX): pairs (00,11) and (01,10), each c - i s
        rotate_pair(a00, a11, c, -s);
        rotate_pair(a01, a10, c, -s);
        break;
      case shape::yy:  // YY|00> = -|11>, YY|01> = |10>
        rotate_pair(a00, a11, c, s);
        rotate_pair(a01, a10, c, -s);
        break;
      default:  // zz
        a00 *= even;
        a11 *= even;
        a01 *= odd;
        a10 *= odd;
    }
  }
}

void apply_local(amplitude* state, std::uint64_t size, const local_op& op) {
  if (op.kind >= shape::swap) {
    apply_two_qubit(state, size, op);
  } else {
    apply_one_qubit(state, size, op);
  }
}

shape classify(const std::array<amplitude, 4>& m) {
  const amplitude zero(0.0, 0.0), one(1.0, 0.0);
  if (m[1] == zero && m[2] == zero) return shape::diagonal;
  if (m[0] == zero && m[3] == zero && m[1] == one && m[2] == one) return shape::flip;
  if (std::all_of(m.begin(), m.end(), [](const amplitude& v) { return v.imag() == 0.0; })) return shape::real;
  return shape::general;
}

// Translates `op` for a tile holding the global bits of `inside` (all bits when
// `inside` covers the state); `local_bit[g]` is the local position of global bit g.
local_op localise(const operation& op, std::uint64_t inside, const std::array<std::uint32_t, 64>& local_bit) {
  local_op out;
  switch (op.gate) {
    case gate_kind::swap: out.kind = shape::swap; break;
    case gate_kind::xx: out.kind = shape::xx; break;
    case gate_kind::yy: out.kind = shape::yy; break;
    case gate_kind::zz: out.kind = shape::zz; break;
    default:
      out.m = gate_matrix(op);
      out.kind = classify(out.m);
  }
  if (out.kind >= shape::swap) {
    out.t1 = local_bit[op.targets[1]];
    out.cos_half = std::cos(op.params[0] / 2);
    out.sin_half = std::sin(op.params[0] / 2);
  }
  out.t0 = local_bit[op.targets[0]];
  for (std::uint32_t c : op.controls) {
    if ((inside >> c) & 1U) {
      out.controls_inside |= std::uint64_t{1} << local_bit[c];
    } else {
      out.controls_outside |= std::uint64_t{1} << c;
    }
  }
  return out;
}

std::uint64_t target_mask(const operation& op) {
  std::uint64_t mask = 0;
  for (std::uint32_t t : op.targets) mask |= std::uint64_t{1} << t;
  return mask;
}

}  // namespace

bool is_unitary(formats::gate_kind gate) {
  return gate != gate_kind::measure && gate != gate_kind::reset && gate != gate_kind::barrier;
}

std::array<amplitude, 4> gate_matrix(const operation& op) {
  using std::numbers::pi;
  const double r = std::numbers::sqrt2 / 2;
  const double c = std::cos(op.params[0] / 2);
  const double s = std::sin(op.params[0] / 2);
  const amplitude i(0.0, 1.0);
  switch (op.gate) {
    case gate_kind::h: return {r, r, r, -r};
    case gate_kind::x: return {0.0, 1.0, 1.0, 0.0};
    case gate_kind::y: return {0.0, -i, i, 0.0};
    case gate_kind::z: return {1.0, 0.0, 0.0, -1.0};
    case gate_kind::s: return {1.0, 0.0, 0.0, i};
    case gate_kind::si: return {1.0, 0.0, 0.0, -i};
    case gate_kind::t: return {1.0, 0.0, 0.0, std::polar(1.0, pi / 4)};
    case gate_kind::ti: return {1.0, 0.0, 0.0, std::polar(1.0, -pi / 4)};
    case gate_kind::v: return {amplitude(0.5, 0.5), amplitude(0.5, -0.5), amplitude(0.5, -0.5), amplitude(0.5, 0.5)};
    case gate_kind::vi: return {amplitude(0.5, -0.5), amplitude(0.5, 0.5), amplitude(0.5, 0.5), amplitude(0.5, -0.5)};
    case gate_kind::rx: return {c, -i * s, -i * s, c};
    case gate_kind::ry: return {c, -s, s, c};
    case gate_kind::rz: return {std::polar(1.0, -op.params[0] / 2), 0.0, 0.0, std::polar(1.0, op.params[0] / 2)};
    case gate_kind::u: {
      const double phi = op.params[1], lambda = op.params[2];
      return {c, -std::polar(s, lambda), std::polar(s, phi), std::polar(c, phi + lambda)};
    }
    case gate_kind::phase: return {1.0, 0.0, 0.0, std::polar(1.0, op.params[0])};
    default: return {1.0, 0.0, 0.0, 1.0};
  }
}

state_vector::state_vector(std::uint32_t qubits)
    : qubits_(qubits), amplitudes_(std::size_t{1} << qubits, amplitude(0.0, 0.0)) {
  amplitudes_[0] = 1.0;
}

void state_vector::apply(std::span<const operation* const> ops, worker_pool& pool) {
  const std::uint64_t size = amplitudes_.size();
  if (qubits_ < parallel_bits) {
    std::array<std::uint32_t, 64> identity{};
    for (std::uint32_t b = 0; b < 64; ++b) identity[b] = b;
    const std::uint64_t all = size - 1;
    for (const operation* op : ops) apply_local(amplitudes_.data(), size, localise(*op, all, identity));
    return;
  }
  // At least two tiles, so both threads get work from 2^14 amplitudes up.
  const std::uint32_t bits = std::min(tile_bits, qubits_ - 1);
  const std::uint64_t low = (std::uint64_t{1} << contiguous_bits) - 1;
  // One tile buffer per chunk, kept across calls: a state is applied to many times.
  if (scratch_.size() < pool.size()) scratch_.resize(pool.size());
  std::size_t first = 0;
  while (first < ops.size()) {
    // The longest run of operations whose targets fit in one tile together;
    // controls may lie anywhere, since a tile fixes the bits outside it.
    std::uint64_t inside = low;
    std::size_t last = first;
    while (last < ops.size()) {
      const std::uint64_t wanted = inside | target_mask(*ops[last]);
      if (static_cast<std::uint32_t>(std::popcount(wanted)) > bits) break;
      inside = wanted;
      ++last;
    }
    // Fill the tile up with the lowest free bits: longer contiguous runs.
    for (std::uint32_t b = 0; std::popcount(inside) < static_cast<int>(bits); ++b) inside |= std::uint64_t{1} << b;
    const std::uint64_t outside = (size - 1) & ~inside;

    std::array<std::uint32_t, 64> local_bit{};
    std::uint32_t next_local = 0;
    for (std::uint32_t b = 0; b < qubits_; ++b) {
      if ((inside >> b) & 1U) local_bit[b] = next_local++;
    }
    std::vector<local_op> local;
    local.reserve(last - first);
    for (std::size_t k = first; k < last; ++k) local.push_back(localise(*ops[k], inside, local_bit));

    const auto run_bits = static_cast<std::uint32_t>(std::countr_one(inside));
    const std::uint64_t run_length = std::uint64_t{1} << run_bits;
    const std::uint64_t upper_inside = inside & ~((std::uint64_t{1} << run_bits) - 1);
    std::vector<std::uint64_t> run_offsets(std::uint64_t{1} << (bits - run_bits));
    for (std::uint64_t r = 0; r < run_offsets.size(); ++r) run_offsets[r] = deposit(r, upper_inside);

    const std::uint64_t tile_size = std::uint64_t{1} << bits;
    amplitude* state = amplitudes_.data();
    for (auto& buffer : scratch_) {
      if (buffer.size() < tile_size) buffer.resize(tile_size);
    }
    pool.parallel_for(std::uint64_t{1} << (qubits_ - bits), [&](unsigned chunk, std::uint64_t begin, std::uint64_t end) {
      amplitude* tile = scratch_[chunk].data();
      for (std::uint64_t t = begin; t < end; ++t) {
        const std::uint64_t base = deposit(t, outside);
        bool gathered = false;
        for (const local_op& op : local) {
          if ((base & op.controls_outside) != op.controls_outside) continue;
          if (!gathered) {
            for (std::uint64_t r = 0; r < run_offsets.size(); ++r) {
              std::memcpy(tile + r * run_length, state + base + run_offsets[r], run_length * sizeof(amplitude));
            }
            gathered = true;
          }
          apply_local(tile, tile_size, op);
        }
        if (!gathered) continue;
        for (std::uint64_t r = 0; r < run_offsets.size(); ++r) {
          std::memcpy(state + base + run_offsets[r], tile + r * run_length, run_length * sizeof(amplitude));
        }
      }
    });
    first = last;
  }
}

double state_vector::probability_of_one(std::uint32_t qubit, worker_pool& pool) const {
  const std::uint64_t bit = std::uint64_t{1} << qubit;
  const std::uint64_t size = amplitudes_.size();
  std::vector<double> partial(pool.size(), 0.0);
  auto body = [&](unsigned chunk, std::uint64_t begin, std::uint64_t end) {
    double sum = 0.0;
    for (std::uint64_t k = begin; k < end; ++k) sum += std::norm(amplitudes_[insert_zero(k, qubit) | bit]);
    partial[chunk] = sum;
  };
  if (qubits_ < parallel_bits) {
    body(0, 0, size / 2);
  } else {
    pool.parallel_for(size / 2, body);
  }
  double total = 0.0;
  for (double p : partial) total += p;
  return std::clamp(total, 0.0, 1.0);
}

void state_vector::collapse(std::uint32_t qubit, bool outcome, double probability, worker_pool& pool) {
  const std::uint64_t bit = std::uint64_t{1} << qubit;
  const double scale = probability > 0.0 ? 1.0 / std::sqrt(probability) : 0.0;
  auto body = [&](unsigned, std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t k = begin; k < end; ++k) {
      const std::uint64_t i0 = insert_zero(k, qubit);
      amplitude& kept = amplitudes_[outcome ? i0 | bit : i0];
      amplitude& dropped = amplitudes_[outcome ? i0 : i0 | bit];
      kept *= scale;
      dropped = 0.0;
    }
  };
  if (qubits_ < parallel_bits) {
    body(0, 0, amplitudes_.size() / 2);
  } else {
    pool.parallel_for(amplitudes_.size() / 2, body);
  }
}

}  // namespace qjob::local
