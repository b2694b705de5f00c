#include "target_catalog.hpp"

#include "azure/azure_targets.hpp"
#include "formats/job_input.hpp"
#include "ionq/ionq_targets.hpp"
#include "qcloud/qcloud_request.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace qjob::daemon {

target_catalog::target_catalog(const daemon_config& config) : default_provider_(config.default_provider) {
  for (const auto& provider : config.providers) {
    provider_info info{provider.name, provider.type, {}};
    if (provider.type == "local") {
      info.targets.push_back(target_info{"simulator",
                                         target_dialect::embedded,
                                         {std::string(formats::ionq_circuit_v0), std::string(formats::qasm2)},
                                         provider.max_qubits,
                                         true,
                                         true,
                                         {}});
    } else if (provider.type == "ionq") {
      // Both our formats are translated into ionq.circuit.v1; IonQ cancels a job
      // in any state short of final, and measures only at the end.
      for (const auto& backend : ionq::backends)
        info.targets.push_back(target_info{std::string(backend.name),
                                           target_dialect::ionq,
                                           {std::string(formats::ionq_circuit_v0), std::string(formats::qasm2)},
                                           backend.qubits,
                                           true,
                                           false,
                                           {}});
    } else if (provider.type == "azure") {
      // IonQ's targets get ionq.circuit.v1, Quantinuum's OpenQASM 2; the others
      // take formats qjob does not write, and say so. Azure cancels jobs in any
      // state short of final.
      for (const auto& target : azure::targets) {
        const bool runs = target.writes != azure::translation::none;
        target_info info_of_target{std::string(target.name),
                                   target_dialect::azure,
                                   {},
                                   target.qubits,
                                   true,
                                   false,
                                   runs ? std::string() : std::string(target.why)};
        if (runs) info_of_target.formats = {std::string(formats::ionq_circuit_v0), std::string(formats::qasm2)};
        info.targets.push_back(std::move(info_of_target));
      }
    } else if (provider.type == "qcloud") {
      // Written in OriginIR; QCloud has no cancel, and measures at the end.
      for (const auto& machine : qcloud::machines)
        info.targets.push_back(target_info{std::string(machine.name),
                                           target_dialect::qcloud,
                                           {std::string(formats::ionq_circuit_v0), std::string(formats::qasm2)},
                                           machine.qubits,
                                           false,
                                           false,
                                           {}});
    }
    for (auto& target : info.targets) {
      // A remote provider's max_qubits (0: none) caps what its targets take.
      if (provider.type == "local" || (provider.max_qubits != 0 && provider.max_qubits < target.max_qubits)) {
        target.max_qubits = provider.max_qubits;
        target.qubits_source = "max_qubits of provider '" + provider.name + "'";
      } else {
        target.qubits_source = "the qubits of target '" + target.name + "'";
      }
    }
    providers_.push_back(std::move(info));
  }
}

const provider_info* target_catalog::find_provider(const std::string& name) const {
  auto found = std::find_if(providers_.begin(), providers_.end(), [&](const auto& p) { return p.name == name; });
  return found == providers_.end() ? nullptr : &*found;
}

const target_info* target_catalog::find_target(const provider_info& provider, const std::string& name) const {
  auto found = std::find_if(provider.targets.begin(), provider.targets.end(),
                            [&](const auto& t) { return t.name == name; });
  return found == provider.targets.end() ? nullptr : &*found;
}

boost::json::value target_catalog::to_json(const std::map<std::string, provider_health>& health) const {
  boost::json::array providers;
  for (const auto& provider : providers_) {
    boost::json::array targets;
    for (const auto& target : provider.targets) {
      boost::json::array formats(target.formats.begin(), target.formats.end());
      boost::json::object entry{{"name", target.name},
                                {"default", &target == &provider.targets.front()},
                                {"formats", std::move(formats)},
                                {"max_qubits", target.max_qubits},
                                {"cancel_while_executing", target.cancel_while_executing},
                                {"mid_circuit_measurement", target.mid_circuit_measurement}};
      if (!target.unsupported.empty()) entry["unsupported"] = target.unsupported;
      targets.push_back(std::move(entry));
    }
    boost::json::object provider_health{{"status", "healthy"}};
    if (auto found = health.find(provider.name); found != health.end()) {
      provider_health["status"] = found->second.status;
      if (!found->second.message.empty()) provider_health["message"] = found->second.message;
    }
    providers.push_back(boost::json::object{{"name", provider.name},
                                            {"type", provider.type},
                                            {"default", provider.name == default_provider_},
                                            {"health", std::move(provider_health)},
                                            {"targets", std::move(targets)}});
  }
  return boost::json::object{{"providers", std::move(providers)}};
}

}  // namespace qjob::daemon
