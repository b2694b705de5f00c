#include "qcloud/qcloud_request.hpp"

#include "qcloud/originir.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace qjob::qcloud {

namespace json = boost::json;

const machine* find_machine(std::string_view target) {
  auto found = std::find_if(machines.begin(), machines.end(), [&](const machine& m) { return m.name == target; });
  return found == machines.end() ? nullptr : &*found;
}

submission build_submission(const remote::job_spec& job) {
  const auto* target = find_machine(job.target);
  if (target == nullptr)
    return {std::nullopt, formats::input_error{"QCloud has no machine '" + std::string(job.target) + "'", "target"}};
  if (job.input == nullptr || job.input->circuits.size() != 1)
    return {std::nullopt,
            formats::input_error{"QCloud runs one circuit per job; submit the circuits as a batch of jobs", "input"}};
  const auto& circuit = job.input->circuits.front();
  if (circuit.qubits > target->qubits)
    return {std::nullopt, formats::input_error{"the circuit has " + std::to_string(circuit.qubits) + " qubits; " +
                                                   std::string(target->name) + " has " +
                                                   std::to_string(target->qubits),
                                               "input"}};
  auto written = to_originir(circuit, "input");
  if (!written.text) return {std::nullopt, std::move(written.error)};
  json::object body{{"code", *written.text},
                    {"codeLen", written.text->size()},
                    {"taskFrom", 4},
                    {"qubitNum", circuit.qubits},
                    {"classicalbitNum", circuit.clbits},
                    {"taskName", job.name.empty() ? std::string(job.job_id) : std::string(job.name)},
                    {"measureType", 1},
                    {"QMachineType", target->machine_type},
                    {"shot", job.shots}};
  if (target->chip_id != 0) {
    body["chipId"] = target->chip_id;
    body["isAmend"] = true;
    body["mappingFlag"] = true;
    body["circuitOptimization"] = true;
  }
  return {json::serialize(body), std::nullopt};
}

}  // namespace qjob::qcloud
