#pragma once

#include "formats/circuit.hpp"
#include "state_vector.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qjob::local {

/// Which qubit each classical bit reads at the end of a circuit without
/// mid-circuit effects: the last measurement into a bit wins, and a circuit that
/// measures nothing reads qubit i into bit i.
struct readout {
  std::uint32_t clbits = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> bits;  // (qubit, clbit)
};

/// The readout of `c`'s measurements. Pure.
readout terminal_readout(const formats::circuit& c);

/// An outcome (classical bits, bit 0 least significant) and its probability.
using outcome = std::pair<std::uint64_t, double>;

/// The probability of every outcome of reading `state` through `bits`, sorted by
/// outcome, zeros left out. Runs on the calling thread.
std::vector<outcome> outcome_distribution(const state_vector& state, const readout& bits);

/// Draws a uniform double in [0, 1) from 53 bits of `rng`, the same on every
/// platform (std::uniform_real_distribution is not specified bit for bit).
double uniform(std::mt19937_64& rng);

/// Draws `shots` outcomes from `distribution` (which need not be normalised);
/// returns how often each entry was drawn, aligned with `distribution`.
std::vector<std::uint64_t> sample(const std::vector<outcome>& distribution, std::uint64_t shots,
                                  std::mt19937_64& rng);

/// Independent, reproducible random streams per circuit of a job: the seed of
/// circuit `index` from the job's `seed` (SplitMix64 mixing). Pure.
std::uint64_t circuit_seed(std::uint64_t seed, std::size_t index);

/// A stable seed for the counts drawn for a job from a provider's
/// probabilities (FNV-1a of our job id), so a job always gets the same counts. Pure.
std::uint64_t job_seed(std::string_view job_id);

/// `value` as `width` characters '0'/'1', bit 0 rightmost.
std::string bitstring(std::uint64_t value, std::uint32_t width);

}  // namespace qjob::local
