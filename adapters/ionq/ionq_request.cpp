#include "ionq/ionq_request.hpp"

#include "formats/circuit_analysis.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace qjob::ionq {
namespace {

namespace json = boost::json;
using formats::describe;
using formats::gate_kind;
using formats::gate_name;
using formats::input_error;
using formats::operation;

bool takes_rotation(gate_kind kind) {
  return kind == gate_kind::rx || kind == gate_kind::ry || kind == gate_kind::rz || kind == gate_kind::xx ||
         kind == gate_kind::yy || kind == gate_kind::zz;
}

operation make_op(gate_kind kind, std::uint32_t target, std::vector<std::uint32_t> controls, double angle) {
  operation op;
  op.gate = kind;
  op.targets = {target};
  op.controls = std::move(controls);
  op.params[0] = angle;
  return op;
}

// C^n-phase(angle) on `target`: an rz carries the phase up to e^{i angle/2},
// which is global only without controls; with them, that factor is itself a
// controlled phase on the last control, one control fewer (see the header).
void append_phase(std::vector<operation>& out, double angle, std::uint32_t target,
                  std::vector<std::uint32_t> controls) {
  for (;;) {
    out.push_back(make_op(gate_kind::rz, target, controls, angle));
    if (controls.empty()) return;
    target = controls.back();
    controls.pop_back();
    angle /= 2.0;
  }
}

struct lowering {
  std::vector<operation> ops;
  std::optional<input_error> error;
};

lowering lower(const formats::circuit& c, std::string_view field, const request_limits& limits) {
  lowering out;
  const std::string where(field);
  auto refuse = [&](std::string message) {
    out.error = input_error{std::move(message), where};
    return out;
  };
  std::vector<bool> touched(c.qubits, false);
  std::vector<bool> measured(c.qubits, false);
  out.ops.reserve(c.ops.size());
  for (std::size_t k = 0; k < c.ops.size(); ++k) {
    const operation& op = c.ops[k];
    if (op.conditional) {
      return refuse(describe(k, op) + " is conditional on a classical register; IonQ's circuit format "
                                      "cannot express classical control");
    }
    if (op.gate == gate_kind::barrier) continue;
    if (op.gate == gate_kind::measure) {
      measured[op.targets[0]] = true;
      continue;
    }
    if (op.gate == gate_kind::reset) {
      const std::uint32_t q = op.targets[0];
      if (touched[q] || measured[q]) {
        return refuse(describe(k, op) + ": IonQ cannot reset a qubit in the middle of a circuit");
      }
      continue;  // a qubit nothing has acted on is already |0>
    }
    for (const auto* list : {&op.targets, &op.controls}) {
      for (std::uint32_t q : *list) {
        if (measured[q]) {
          return refuse(describe(k, op) + " acts on qubit " + std::to_string(q) +
                        " after it was measured; IonQ measures only at the end (no mid-circuit measurement)");
        }
        touched[q] = true;
      }
    }
    if (op.controls.size() > limits.max_controls) {
      return refuse(describe(k, op) + " has " + std::to_string(op.controls.size()) +
                    " controls; IonQ takes at most " + std::to_string(limits.max_controls));
    }
    const bool ising = op.gate == gate_kind::xx || op.gate == gate_kind::yy || op.gate == gate_kind::zz;
    if (ising && !op.controls.empty()) {
      return refuse(describe(k, op) + ": IonQ's QIS gates have no controlled '" + std::string(gate_name(op.gate)) +
                    "'");
    }
    if (op.gate == gate_kind::phase) {
      append_phase(out.ops, op.params[0], op.targets[0], op.controls);
      continue;
    }
    if (op.gate == gate_kind::u) {
      const double theta = op.params[0], phi = op.params[1], lambda = op.params[2];
      out.ops.push_back(make_op(gate_kind::rz, op.targets[0], op.controls, lambda));
      out.ops.push_back(make_op(gate_kind::ry, op.targets[0], op.controls, theta));
      out.ops.push_back(make_op(gate_kind::rz, op.targets[0], op.controls, phi));
      if (!op.controls.empty()) {
        std::vector<std::uint32_t> rest = op.controls;
        const std::uint32_t last = rest.back();
        rest.pop_back();
        append_phase(out.ops, (phi + lambda) / 2.0, last, std::move(rest));
      }
      continue;
    }
    operation copy = op;
    if (!takes_rotation(copy.gate)) copy.params[0] = 0.0;
    copy.params[1] = copy.params[2] = 0.0;
    out.ops.push_back(std::move(copy));
  }
  return out;
}

json::value qubit_list(const std::vector<std::uint32_t>& qubits) {
  json::array out;
  out.reserve(qubits.size());
  for (std::uint32_t q : qubits) out.emplace_back(q);
  return out;
}

json::object gate_json(const operation& op) {
  json::object out;
  const bool cnot = op.gate == gate_kind::x && !op.controls.empty();
  out["gate"] = cnot ? "cnot" : gate_name(op.gate);
  if (op.targets.size() == 1) {
    out["target"] = op.targets[0];
  } else {
    out["targets"] = qubit_list(op.targets);
  }
  if (op.controls.size() == 1) {
    out["control"] = op.controls[0];
  } else if (!op.controls.empty()) {
    out["controls"] = qubit_list(op.controls);
  }
  if (takes_rotation(op.gate)) out["rotation"] = op.params[0];
  return out;
}

// Thrown inside this file only, from the parameter checks to build_job_request.
struct refusal {
  input_error error;
};

[[noreturn]] void refuse(std::string message, std::string field) {
  throw refusal{input_error{std::move(message), std::move(field)}};
}

const json::object& require_object(const json::value& v, const std::string& field) {
  if (!v.is_object()) refuse("'" + field + "' must be an object", field);
  return v.get_object();
}

void check_keys(const json::object& object, std::initializer_list<std::string_view> known, const std::string& field) {
  for (const auto& entry : object) {
    if (std::find(known.begin(), known.end(), entry.key()) == known.end()) {
      std::string names;
      for (std::string_view k : known) names += (names.empty() ? "" : ", ") + std::string(k);
      refuse("unknown IonQ parameter '" + field + "." + std::string(entry.key()) + "' (known here: " + names + ")",
             field + "." + std::string(entry.key()));
    }
  }
}

void require_string(const json::value& v, const std::string& field) {
  if (!v.is_string()) refuse("'" + field + "' must be a string", field);
}

void require_number(const json::value& v, const std::string& field) {
  if (!v.is_number()) refuse("'" + field + "' must be a number", field);
}

void check_noise(const json::value& v) {
  const json::object& noise = require_object(v, "params.noise");
  check_keys(noise, {"model", "seed"}, "params.noise");
  const json::value* model = noise.if_contains("model");
  if (model == nullptr) refuse("'params.noise' needs a 'model' (e.g. \"ideal\", \"aria-1\")", "params.noise.model");
  require_string(*model, "params.noise.model");
  if (const json::value* seed = noise.if_contains("seed"); seed != nullptr && !seed->is_int64() && !seed->is_uint64()) {
    refuse("'params.noise.seed' must be an integer", "params.noise.seed");
  }
}

// Returns whether debiasing was asked for, which needs at least 500 shots.
bool check_settings(const json::value& v) {
  const json::object& settings = require_object(v, "params.settings");
  check_keys(settings, {"error_mitigation", "compilation"}, "params.settings");
  bool debiasing = false;
  if (const json::value* em = settings.if_contains("error_mitigation")) {
    const json::object& mitigation = require_object(*em, "params.settings.error_mitigation");
    check_keys(mitigation, {"debiasing"}, "params.settings.error_mitigation");
    if (const json::value* d = mitigation.if_contains("debiasing")) {
      if (d->is_bool()) {
        debiasing = d->get_bool();
      } else if (d->is_object()) {
        debiasing = true;  // the phi_chi_twirling form
      } else {
        refuse("'params.settings.error_mitigation.debiasing' must be a boolean or an object",
               "params.settings.error_mitigation.debiasing");
      }
    }
  }
  if (const json::value* comp = settings.if_contains("compilation")) {
    const std::string field = "params.settings.compilation";
    const json::object& compilation = require_object(*comp, field);
    check_keys(compilation, {"opt", "precision", "gate_basis", "service_version"}, field);
    if (const json::value* opt = compilation.if_contains("opt")) require_number(*opt, field + ".opt");
    for (std::string_view key : {"precision", "gate_basis", "service_version"}) {
      if (const json::value* s = compilation.if_contains(key)) require_string(*s, field + "." + std::string(key));
    }
  }
  return debiasing;
}

json::object build(const job_description& job, const request_limits& limits) {
  if (job.input == nullptr) refuse("the job has no parsed input", "input");
  const formats::parsed_input& input = *job.input;
  if (job.target.empty()) refuse("an IonQ job needs a target (IonQ's backend, e.g. \"simulator\")", "target");
  if (job.shots < 1 || job.shots > limits.max_shots) {
    refuse("IonQ takes 1 to " + std::to_string(limits.max_shots) + " shots, not " + std::to_string(job.shots),
           "shots");
  }
  if (input.circuits.empty()) refuse("the job has no circuit", "input");
  if (input.circuits.size() > limits.max_circuits) {
    refuse("IonQ takes at most " + std::to_string(limits.max_circuits) + " circuits in one job, not " +
               std::to_string(input.circuits.size()),
           "input");
  }

  json::object body;
  body["type"] = input.multi ? multi_circuit_v1 : circuit_v1;
  body["backend"] = job.target;
  body["shots"] = job.shots;
  if (!job.name.empty()) body["name"] = job.name;
  json::object metadata;
  metadata["qjob_id"] = job.job_id;

  json::object passed;  // IonQ's own parameters, copied after the input
  if (job.params != nullptr && !job.params->is_null()) {
    const json::object& params = require_object(*job.params, "params");
    check_keys(params, {"noise", "settings", "dry_run", "session_id", "metadata"}, "params");
    if (const json::value* noise = params.if_contains("noise")) {
      check_noise(*noise);
      passed["noise"] = *noise;
    }
    if (const json::value* settings = params.if_contains("settings")) {
      if (check_settings(*settings) && job.shots < 500) {
        refuse("IonQ's debiasing needs at least 500 shots; the job has " + std::to_string(job.shots),
               "params.settings.error_mitigation.debiasing");
      }
      passed["settings"] = *settings;
    }
    if (const json::value* dry_run = params.if_contains("dry_run")) {
      if (!dry_run->is_bool()) refuse("'params.dry_run' must be a boolean", "params.dry_run");
      passed["dry_run"] = *dry_run;
    }
    if (const json::value* session = params.if_contains("session_id")) {
      require_string(*session, "params.session_id");
      passed["session_id"] = *session;
    }
    if (const json::value* extra = params.if_contains("metadata")) {
      const json::object& entries = require_object(*extra, "params.metadata");
      for (const auto& entry : entries) {
        const std::string field = "params.metadata." + std::string(entry.key());
        if (entry.key() == "qjob_id") refuse("'qjob_id' is set by qjob and cannot be given in params.metadata", field);
        if (entry.key().size() > 40) refuse("IonQ metadata names are at most 40 characters: " + field, field);
        require_string(entry.value(), field);
        metadata[entry.key()] = entry.value();
      }
      if (metadata.size() > limits.max_metadata_keys) {
        refuse("IonQ takes at most " + std::to_string(limits.max_metadata_keys) +
                   " metadata keys, qjob_id included",
               "params.metadata");
      }
    }
  }
  body["metadata"] = std::move(metadata);

  json::object ionq_input;
  if (!input.multi) {
    const formats::circuit& c = input.circuits.front();
    circuit_outcome gates = translate_circuit(c, "input", limits);
    if (gates.error) throw refusal{std::move(*gates.error)};
    ionq_input["qubits"] = c.qubits;
    ionq_input["gateset"] = "qis";
    ionq_input["circuit"] = std::move(*gates.gates);
  } else {
    std::uint32_t widest = 0;
    json::array circuits;
    circuits.reserve(input.circuits.size());
    for (std::size_t i = 0; i < input.circuits.size(); ++i) {
      const formats::circuit& c = input.circuits[i];
      circuit_outcome gates = translate_circuit(c, "input[" + std::to_string(i) + "]", limits);
      if (gates.error) throw refusal{std::move(*gates.error)};
      json::object entry;
      if (!c.name.empty()) entry["name"] = c.name;
      entry["qubits"] = c.qubits;
      entry["circuit"] = std::move(*gates.gates);
      circuits.emplace_back(std::move(entry));
      widest = std::max(widest, c.qubits);
    }
    ionq_input["gateset"] = "qis";
    ionq_input["qubits"] = widest;
    ionq_input["circuits"] = std::move(circuits);
  }
  body["input"] = std::move(ionq_input);
  for (auto& entry : passed) body[entry.key()] = std::move(entry.value());
  return body;
}

}  // namespace

lowered_outcome lower_to_qis(const formats::circuit& c, std::string_view field, const request_limits& limits) {
  lowering lowered = lower(c, field, limits);
  lowered_outcome out;
  if (lowered.error) {
    out.error = std::move(lowered.error);
    return out;
  }
  formats::circuit result;
  result.name = c.name;
  result.qubits = c.qubits;
  result.clbits = c.qubits;
  result.ops = std::move(lowered.ops);
  out.circuit = std::move(result);
  return out;
}

circuit_outcome translate_circuit(const formats::circuit& c, std::string_view field, const request_limits& limits) {
  lowering lowered = lower(c, field, limits);
  circuit_outcome out;
  if (lowered.error) {
    out.error = std::move(lowered.error);
    return out;
  }
  json::array gates;
  gates.reserve(lowered.ops.size());
  for (const operation& op : lowered.ops) gates.emplace_back(gate_json(op));
  out.gates = std::move(gates);
  return out;
}

request_outcome build_job_request(const job_description& job, const request_limits& limits) {
  request_outcome out;
  try {
    out.body = build(job, limits);
  } catch (refusal& r) {
    out.error = std::move(r.error);
  }
  return out;
}

}  // namespace qjob::ionq
