#include "azure/azure_submission.hpp"

#include "azure/azure_errors.hpp"
#include "formats/qasm2_writer.hpp"
#include "ionq/ionq_request.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace qjob::azure {
namespace {

namespace json = boost::json;

/// The input blob for `target`, or why it cannot be written.
remote::api_result<submission> write_input(const target_info& target, const formats::circuit& c) {
  submission s;
  if (target.writes == translation::ionq_circuit) {
    auto gates = ionq::translate_circuit(c, "input");
    if (gates.error) return refused(gates.error->message);
    // The blob the SDK uploads for ionq.circuit.v1: qubits and the QIS gate list.
    json::object input{{"qubits", c.qubits}, {"circuit", std::move(*gates.gates)}};
    s.input = json::serialize(input);
    s.content_type = "application/json";
  } else {
    auto text = formats::to_qasm2(c, "input", target.name);
    if (text.error) return refused(text.error->message);
    s.input = std::move(*text.text);
    s.content_type = "application/qasm";
  }
  return s;
}

}  // namespace

bool is_azure_job_id(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

remote::api_result<submission> build_submission(const remote::job_spec& job) {
  const auto* target = find_target(job.target);
  if (target == nullptr) return refused("Azure Quantum has no target '" + std::string(job.target) + "' that qjob knows");
  if (target->writes == translation::none)
    return refused("cannot send a job to " + std::string(target->name) + ": " + std::string(target->why));
  if (!is_azure_job_id(job.job_id))
    return refused("Azure Quantum's job ids are UUIDs; job '" + std::string(job.job_id) + "' cannot keep its id there");
  if (job.input == nullptr || job.input->circuits.empty()) return refused("the job has no circuit");
  if (job.input->circuits.size() != 1)
    return refused("an Azure Quantum job holds one circuit; submit the " + std::to_string(job.input->circuits.size()) +
                   " circuits as one job each");
  const auto& c = job.input->circuits.front();
  if (target->qubits != 0 && c.qubits > target->qubits)
    return refused("the circuit uses " + std::to_string(c.qubits) + " qubits; " + std::string(target->name) + " has " +
                   std::to_string(target->qubits));
  if (job.shots == 0) return refused("an Azure Quantum job needs at least one shot");

  json::object params;
  params["shots"] = job.shots;
  // Quantinuum's targets have read the shot count as `count` (the SDK's recording sends only that).
  if (target->writes == translation::qasm2) params["count"] = job.shots;
  if (job.params != nullptr && !job.params->is_null()) {
    if (!job.params->is_object()) return refused("'params' must be an object (Azure's inputParams)");
    for (const auto& entry : job.params->get_object()) {
      if (entry.key() == "shots" || entry.key() == "count")
        return refused("'params." + std::string(entry.key()) + "' is set from the job's shots");
      params[entry.key()] = entry.value();
    }
  }

  auto written = write_input(*target, c);
  if (!written) return written.error();
  submission s = std::move(*written);
  s.job_id = std::string(job.job_id);
  s.container = "job-" + s.job_id;
  for (char& ch : s.container) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  s.job = json::object{{"id", s.job_id},
                       {"itemType", "Job"},
                       {"name", job.name.empty() ? s.job_id : std::string(job.name)},
                       {"providerId", target->provider_id},
                       {"target", target->name},
                       {"inputDataFormat", target->input_format},
                       {"outputDataFormat", target->output_format},
                       {"inputParams", std::move(params)},
                       {"tags", json::array{"qjob"}}};
  return s;
}

std::string to_envelope(const submission& s) {
  json::object envelope{{"job_id", s.job_id},
                        {"container", s.container},
                        {"input", s.input},
                        {"content_type", s.content_type},
                        {"job", s.job}};
  return json::serialize(envelope);
}

std::optional<submission> from_envelope(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.get_object();
  submission s;
  for (auto [key, field] : {std::pair{"job_id", &s.job_id}, std::pair{"container", &s.container},
                            std::pair{"input", &s.input}, std::pair{"content_type", &s.content_type}}) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    *field = v->get_string();
  }
  const auto* job = o.if_contains("job");
  if (job == nullptr || !job->is_object()) return std::nullopt;
  s.job = job->get_object();
  return s;
}

json::object job_body(const submission& s, std::string_view container_sas_uri) {
  json::object body = s.job;
  body["containerUri"] = container_sas_uri;
  const auto query = container_sas_uri.find('?');
  body["inputDataUri"] = std::string(container_sas_uri.substr(0, query)) + "/inputData";
  return body;
}

}  // namespace qjob::azure
