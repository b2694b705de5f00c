#include "sampler.hpp"

#include <algorithm>
#include <map>

namespace qjob::local {

readout terminal_readout(const formats::circuit& c) {
  readout out;
  out.clbits = c.clbits;
  std::map<std::uint32_t, std::uint32_t> source;  // clbit -> qubit
  for (const formats::operation& op : c.ops) {
    if (op.gate == formats::gate_kind::measure) source[op.clbit] = op.targets[0];
  }
  if (source.empty()) {
    out.clbits = std::max(c.clbits, c.qubits);
    for (std::uint32_t q = 0; q < c.qubits; ++q) out.bits.emplace_back(q, q);
    return out;
  }
  for (const auto& [clbit, qubit] : source) out.bits.emplace_back(qubit, clbit);
  return out;
}

std::vector<outcome> outcome_distribution(const state_vector& state, const readout& bits) {
  // Accumulate over the measured qubits only (ascending), then spread each
  // compact index onto the classical bits.
  std::vector<std::uint32_t> measured;
  for (const auto& [qubit, clbit] : bits.bits) measured.push_back(qubit);
  std::sort(measured.begin(), measured.end());
  measured.erase(std::unique(measured.begin(), measured.end()), measured.end());
  const auto amplitudes = state.amplitudes();
  std::vector<double> compact(std::size_t{1} << measured.size(), 0.0);
  bool prefix = true;
  for (std::size_t k = 0; k < measured.size(); ++k) prefix = prefix && measured[k] == k;
  if (prefix) {
    const std::uint64_t mask = compact.size() - 1;
    for (std::uint64_t i = 0; i < amplitudes.size(); ++i) compact[i & mask] += std::norm(amplitudes[i]);
  } else {
    for (std::uint64_t i = 0; i < amplitudes.size(); ++i) {
      std::uint64_t key = 0;
      for (std::size_t k = 0; k < measured.size(); ++k) key |= ((i >> measured[k]) & 1U) << k;
      compact[key] += std::norm(amplitudes[i]);
    }
  }
  std::vector<outcome> out;
  for (std::uint64_t key = 0; key < compact.size(); ++key) {
    if (compact[key] <= 0.0) continue;
    std::uint64_t value = 0;
    for (const auto& [qubit, clbit] : bits.bits) {
      const auto k = static_cast<std::size_t>(std::lower_bound(measured.begin(), measured.end(), qubit) - measured.begin());
      value |= ((key >> k) & 1U) << clbit;
    }
    out.emplace_back(value, compact[key]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::vector<std::uint64_t> sample(const std::vector<outcome>& distribution, std::uint64_t shots,
                                  std::mt19937_64& rng) {
  std::vector<double> cumulative;
  cumulative.reserve(distribution.size());
  double total = 0.0;
  for (const auto& [value, p] : distribution) cumulative.push_back(total += p);
  std::vector<std::uint64_t> counts(distribution.size(), 0);
  if (distribution.empty()) return counts;
  for (std::uint64_t s = 0; s < shots; ++s) {
    const double u = uniform(rng) * total;
    auto found = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    if (found == cumulative.end()) --found;  // u rounded up to total
    ++counts[static_cast<std::size_t>(found - cumulative.begin())];
  }
  return counts;
}

std::string bitstring(std::uint64_t value, std::uint32_t width) {
  std::string out(width, '0');
  for (std::uint32_t b = 0; b < width && b < 64; ++b) {
    if ((value >> b) & 1U) out[width - 1 - b] = '1';
  }
  return out;
}

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t circuit_seed(std::uint64_t seed, std::size_t index) { return splitmix64(seed ^ splitmix64(index)); }

std::uint64_t job_seed(std::string_view job_id) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char ch : job_id) {
    hash ^= ch;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace qjob::local
