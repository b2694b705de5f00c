#pragma once

#include "fakes/fake_http_server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace qjob::fakes {

/// How a fake_azure behaves.
struct fake_azure_options {
  std::string subscription_id = "00000000-0000-0000-0000-000000000000";
  std::string resource_group = "myresourcegroup";
  std::string workspace = "myworkspace";
  /// The workspace key (`x-ms-quantum-api-key`).
  std::string api_key = "test-key";
  /// The service principal the token endpoint accepts.
  std::string tenant_id = "11111111-1111-1111-1111-111111111111";
  std::string client_id = "qjob-client";
  std::string client_secret = "test-secret";
  /// Lifetime of the tokens issued (`expires_in`).
  std::chrono::seconds token_lifetime{3600};
  /// Lifetime of the SAS tokens issued; an expired one gets 403 from the blobs.
  std::chrono::milliseconds sas_lifetime{std::chrono::hours(1)};
  /// 0 for an ephemeral port.
  unsigned short port = 0;
  /// A job moves one status (Waiting -> Executing -> Succeeded) each time it
  /// has been read this many times (a GET, or a list page showing it).
  unsigned polls_per_step = 1;
  /// A status jobs stop at ("Waiting" or "Executing") until cancelled; "" lets them finish.
  std::string hold_at;
  /// Jobs with more operations than this end Failed with InvalidInputData, as a
  /// target refusing the program would.
  std::size_t max_operations = 1000;
  std::uint64_t seed = 1;
  fault_plan faults;
};

/// A fake Azure Quantum workspace, its blob storage account and the Microsoft
/// Entra token endpoint, all on 127.0.0.1 at one port, speaking the data plane
/// (2026-01-15-preview spec, and what the SDK's recordings show):
/// - `POST /{tenant}/oauth2/v2.0/token` (form: client_credentials, client id and
///   secret, scope) -> `{token_type, expires_in, access_token}`; 401 otherwise;
/// - under `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Quantum/workspaces/{ws}`,
///   with `api-version` and either the workspace key or a token issued here
///   (401 otherwise): `POST storage/sasUri` `{containerName[, blobName]}` ->
///   `{sasUri}` pointing at this fake's blob store; `PUT jobs/{id}` creating the
///   job (its container and input blob must exist; a second PUT of an id -> 409);
///   `GET jobs/{id}` with the status moving on reads, `costEstimate` and
///   `outputDataUri` once Succeeded, `errorData` when Failed; `GET jobs` with
///   `orderby`, `top`, `skip`, `filter` (State eq '...') and `nextLink`;
///   `POST jobs/{id}:cancel` (from 2025-12-01-preview) and `DELETE jobs/{id}`;
///   errors as `{"error": {"code", "message"}}`;
/// - the blob store under `/blob/{container}[/{blob}]`, the SAS in the query:
///   container GET/PUT (`restype=container`), blob PUT (`x-ms-blob-type:
///   BlockBlob`) and GET; a missing, unknown or expired SAS -> 403 with the
///   storage XML error `AuthenticationFailed`.
/// Results are exact: ionq.circuit.v1 inputs are simulated into
/// `ionq.quantum-results.v1` histograms, OpenQASM 2 inputs into
/// `honeywell.quantum-results.v1` shots per classical register. Test hooks:
/// `GET /_fake/jobs`.
///
/// Runs on the executor given (one thread); the object's methods must be called
/// there too.
class fake_azure {
public:
  explicit fake_azure(boost::asio::any_io_executor executor, fake_azure_options options = {});
  fake_azure(const fake_azure&) = delete;
  fake_azure& operator=(const fake_azure&) = delete;
  ~fake_azure();

  void start();
  void stop();

  /// "http://127.0.0.1:<port>": the endpoint, the authority and the storage account.
  std::string base_url() const;
  fake_http_server& server() { return server_; }

  /// Jobs created per id (a PUT that created one).
  std::map<std::string, std::size_t> creates_by_job_id() const;
  std::size_t job_count() const;
  /// A job's status now (without counting as a read), or nullopt if unknown.
  std::optional<std::string> job_status(const std::string& id) const;
  /// Tokens issued by the Entra endpoint so far.
  std::size_t tokens_issued() const;

private:
  struct state;
  std::shared_ptr<state> state_;
  fake_http_server server_;
};

}  // namespace qjob::fakes
