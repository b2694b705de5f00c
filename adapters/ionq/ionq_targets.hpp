#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace qjob::ionq {

/// One of IonQ's backends, as `backend` names it in `POST /jobs`.
struct backend {
  std::string_view name;
  std::uint32_t qubits;
};

/// The backends of the v0.4 spec (`simulator`, then the QPUs by generation), the
/// first the default. Qubit counts are IonQ's published ones (the ideal simulator
/// runs up to 29; Aria has 25 qubits, Forte 36): jobs wider than their backend
/// are refused at submission rather than by IonQ after a round trip.
inline constexpr std::array<backend, 7> backends{{
    {"simulator", 29},
    {"qpu.aria-1", 25},
    {"qpu.aria-2", 25},
    {"qpu.forte-1", 36},
    {"qpu.forte-enterprise-1", 36},
    {"qpu.forte-enterprise-2", 36},
    {"qpu.forte-enterprise-3", 36},
}};

}  // namespace qjob::ionq
