#pragma once

#include "formats/job_input.hpp"
#include "remote/provider_api.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// What qjobd sends QCloud to run a job: the machines a job's target may name,
/// and the body of `submitTask.json` (section 3 of the provider notes, as
/// pyqpanda's QCloudMachineImp builds it), checked before anything is sent.
namespace qjob::qcloud {

/// A QCloud machine, as a job's `target` names it: the simulator pyqpanda3's
/// `QCloudService.backend("origin_simulation")` runs (full amplitude,
/// QMachineType 0), or the Wukong chip (real chip, QMachineType 5, chip 72).
struct machine {
  std::string_view name;
  int machine_type;
  int chip_id;
  std::uint32_t qubits;
};

inline constexpr std::array<machine, 2> machines{{
    {"origin_simulation", 0, 0, 32},
    {"origin_wukong", 5, 72, 72},
}};

/// The machine named `target`, or nullptr.
const machine* find_machine(std::string_view target);

/// The submitTask body without the key (the client adds it), or what QCloud
/// cannot run, naming the field of our job (one circuit per job; OriginIR's
/// limits, see originir.hpp).
struct submission {
  std::optional<std::string> body;
  std::optional<formats::input_error> error;
};

/// Builds the submission of `job` to the machine its target names. Pure.
submission build_submission(const remote::job_spec& job);

}  // namespace qjob::qcloud
