#pragma once

#include "azure/azure_targets.hpp"
#include "remote/provider_api.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

/// What a submission to Azure Quantum is made of, built without I/O.
///
/// A submission takes four exchanges (a container SAS, the container, the
/// input blob, the job), but provider_api::prepare returns one string, so the
/// prepared text is a JSON envelope carrying everything submit() needs:
///
///     {"job_id": "<our id>", "container": "job-<our id>",
///      "input": "<the input blob's bytes>", "content_type": "application/json",
///      "job": {<the PUT jobs/{id} body, without containerUri and inputDataUri>}}
///
/// `containerUri` and `inputDataUri` come from the SAS URI, which Azure only
/// hands out at submission time.
namespace qjob::azure {

/// One job, ready to be sent.
struct submission {
  std::string job_id;        ///< ours, and Azure's: the id of `PUT jobs/{id}`
  std::string container;     ///< the blob container, `job-{id}` as the SDK names it
  std::string input;         ///< the input blob (ionq.circuit.v1 JSON or QASM 2 text)
  std::string content_type;  ///< the input blob's content type
  boost::json::object job;   ///< itemType, id, name, providerId, target, formats, inputParams, tags
};

/// Translates `job` for its target: ionq.circuit.v1 for IonQ's targets
/// (adapters/ionq's translation), OpenQASM 2 for Quantinuum's
/// (formats::to_qasm2); `inputParams` holds `shots` (and `count`, which
/// Quantinuum's targets read, as the SDK's recording shows) and the keys of the
/// job's `params` object, passed through. Refused (permanent, naming why):
/// an unknown target, one whose format qjob does not write (Rigetti's Quil,
/// Pasqal, QIR), a job id that is not a UUID (Azure's job ids are), more
/// than one circuit, a circuit wider than the target, no shots, `params`
/// that is not an object or sets `shots`/`count`, and what the translation refuses. Pure.
remote::api_result<submission> build_submission(const remote::job_spec& job);

/// The envelope text of `s` (the prepared string). Pure.
std::string to_envelope(const submission& s);

/// Reads an envelope back; nullopt when `text` is not one. Pure.
std::optional<submission> from_envelope(std::string_view text);

/// The `PUT jobs/{id}` body: the job with `containerUri` (the container's SAS
/// URI, as the SDK sends it) and `inputDataUri` (the blob's URL without the
/// SAS). Pure.
boost::json::object job_body(const submission& s, std::string_view container_sas_uri);

/// True when `id` has the form Azure's job ids must have (a UUID). Pure.
bool is_azure_job_id(std::string_view id);

}  // namespace qjob::azure
