#pragma once

#include <array>
#include <cstdint>
#include <string_view>

/// The targets of an Azure Quantum workspace that qjob knows, with the formats
/// Azure expects for each (names from the providerStatus recording, formats
/// from the SDK's recordings and its target classes).
namespace qjob::azure {

/// What we write for a target, if anything.
enum class translation : std::uint8_t {
  ionq_circuit,  ///< ionq.circuit.v1 JSON (adapters/ionq's translation)
  qasm2,         ///< OpenQASM 2 text (formats::to_qasm2)
  none,          ///< a format qjob does not write: jobs are refused, `why` says so
};

/// One Azure target, as a job's `target` names it.
struct target_info {
  std::string_view name;
  std::string_view provider_id;  ///< as the SDK sends it in `providerId`
  std::string_view input_format;
  std::string_view output_format;
  std::uint32_t qubits;  ///< the provider's published width; 0 where we know none
  translation writes;
  std::string_view why = "";  ///< for `none`: what the target needs that we do not write
};

inline constexpr std::string_view ionq_input = "ionq.circuit.v1";
inline constexpr std::string_view ionq_output = "ionq.quantum-results.v1";
inline constexpr std::string_view quantinuum_input = "honeywell.openqasm.v1";
inline constexpr std::string_view quantinuum_output = "honeywell.quantum-results.v1";
inline constexpr std::string_view microsoft_output_v2 = "microsoft.quantum-results.v2";

inline constexpr std::string_view needs_quil = "Rigetti's targets take Quil (rigetti.quil.v1), which qjob does not write";
inline constexpr std::string_view needs_pulser = "Pasqal's targets take Pulser sequences (pasqal.pulser.v1), not gate circuits";
inline constexpr std::string_view needs_qir = "this target takes QIR bitcode (qir.v1), which qjob does not write";

/// Every target, IonQ's first (ionq.simulator is the provider's default target).
inline constexpr std::array<target_info, 24> targets{{
    {"ionq.simulator", "IonQ", ionq_input, ionq_output, 29, translation::ionq_circuit},
    {"ionq.qpu.aria-1", "IonQ", ionq_input, ionq_output, 25, translation::ionq_circuit},
    {"ionq.qpu.aria-2", "IonQ", ionq_input, ionq_output, 25, translation::ionq_circuit},
    {"ionq.qpu.forte-1", "IonQ", ionq_input, ionq_output, 36, translation::ionq_circuit},
    {"ionq.qpu.forte-enterprise-1", "IonQ", ionq_input, ionq_output, 36, translation::ionq_circuit},
    {"quantinuum.sim.h1-1sc", "quantinuum", quantinuum_input, quantinuum_output, 20, translation::qasm2},
    {"quantinuum.sim.h1-1e", "quantinuum", quantinuum_input, quantinuum_output, 20, translation::qasm2},
    {"quantinuum.qpu.h1-1", "quantinuum", quantinuum_input, quantinuum_output, 20, translation::qasm2},
    {"quantinuum.sim.h2-1sc", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"quantinuum.sim.h2-1e", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"quantinuum.qpu.h2-1", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"quantinuum.sim.h2-2sc", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"quantinuum.sim.h2-2e", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"quantinuum.qpu.h2-2", "quantinuum", quantinuum_input, quantinuum_output, 56, translation::qasm2},
    {"rigetti.sim.qvm", "rigetti", "rigetti.quil.v1", "rigetti.quil-results.v1", 0, translation::none, needs_quil},
    {"rigetti.qpu.ankaa-3", "rigetti", "rigetti.quil.v1", "rigetti.quil-results.v1", 84, translation::none, needs_quil},
    {"rigetti.qpu.cepheus-1-36q", "rigetti", "rigetti.quil.v1", "rigetti.quil-results.v1", 36, translation::none,
     needs_quil},
    {"pasqal.sim.emu-tn", "pasqal", "pasqal.pulser.v1", "pasqal.pulser-results.v1", 0, translation::none, needs_pulser},
    {"pasqal.qpu.fresnel", "pasqal", "pasqal.pulser.v1", "pasqal.pulser-results.v1", 0, translation::none,
     needs_pulser},
    {"qci.simulator", "qci", "qir.v1", microsoft_output_v2, 0, translation::none, needs_qir},
    {"qci.simulator.noisy", "qci", "qir.v1", microsoft_output_v2, 0, translation::none, needs_qir},
    {"qci.machine1", "qci", "qir.v1", microsoft_output_v2, 0, translation::none, needs_qir},
    {"microsoft.estimator", "microsoft-qc", "qir.v1", "microsoft.resource-estimates.v1", 0, translation::none,
     needs_qir},
    {"microsoft.dft", "microsoft-elements", "microsoft.xyz.v1", "microsoft.dft-results.v1", 0, translation::none,
     "microsoft.dft runs chemistry inputs, not circuits"},
}};

/// The target named `name` (exactly, as Azure spells it), or nullptr. Pure.
const target_info* find_target(std::string_view name);

}  // namespace qjob::azure
