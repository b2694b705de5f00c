#pragma once

#include "fakes/fake_http_server.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qjob::fakes {

/// How a fake_ionq behaves.
struct fake_ionq_options {
  /// The key clients must send as `Authorization: apiKey <key>`; others get 401.
  std::string api_key = "test-key";
  /// 0 for an ephemeral port.
  unsigned short port = 0;
  /// A job moves one status (submitted -> ready -> started -> completed) each time
  /// it has been observed this many times (a GET of the job, or its appearance in
  /// a list page); 0: polls do not move jobs.
  unsigned polls_per_step = 1;
  /// A job also moves one status each time this much time has passed since its
  /// creation; 0: time does not move jobs.
  std::chrono::milliseconds step_time{0};
  /// A status jobs stop at ("submitted", "ready" or "started") until cancelled;
  /// "" lets them complete.
  std::string hold_at;
  /// Seeds the job ids.
  std::uint64_t seed = 1;
  /// Faults injected from the start.
  fault_plan faults;
};

/// A fake IonQ Quantum Cloud v0.4 server on 127.0.0.1, speaking the API as the
/// published spec and its example payloads show:
/// - `POST /v0.4/jobs` with ionq.circuit.v1 or ionq.multi-circuit.v1 bodies (QIS
///   gates; native-gateset circuits are accepted and end `failed` with
///   `UnsupportedGate`, as the fake does not simulate them) -> 201 `{id,status,session_id}`;
/// - `GET /v0.4/jobs/{id}`: the job object, status moving as the options say,
///   `metadata` echoed, `results.probabilities.url` once completed;
/// - `GET /v0.4/jobs/{id}/results/probabilities`: the exact probabilities of the
///   submitted circuit (our simulator), keys decimal little-endian; for a
///   multi-circuit parent `{child id: {...}}`; 404 until completed;
/// - `GET /v0.4/jobs?limit=&next=&status=&target=&parent_job_id=&ids=`: newest first,
///   children only with parent_job_id, `next` an opaque cursor or null;
/// - `PUT /v0.4/jobs/{id}/status/cancel`: a job not yet final becomes `canceled`; a
///   final one stays as it was, though the answer says `canceled` (re-read the job);
/// - errors as the spec's `{error, message, statusCode}`: 400, 401, 404, 413.
/// Served by a fake_http_server (faults, record, its test hooks), with one hook
/// of its own: `GET /_fake/jobs`.
///
/// Runs on the executor given (one thread); the object's methods must be called
/// there too.
class fake_ionq {
public:
  /// Binds and listens at once (throws boost::system::system_error when it cannot);
  /// call start() to serve.
  explicit fake_ionq(boost::asio::any_io_executor executor, fake_ionq_options options = {});
  fake_ionq(const fake_ionq&) = delete;
  fake_ionq& operator=(const fake_ionq&) = delete;
  /// Stops serving (see stop()).
  ~fake_ionq();

  /// Spawns the accept loop on the executor. An exception in it propagates out of
  /// the io_context's run functions.
  void start();
  /// Closes the listener and every open connection.
  void stop();

  unsigned short port() const;
  /// "http://127.0.0.1:<port>/v0.4", the base URL clients use.
  std::string base_url() const;

  /// Replaces the fault plan (and reseeds it).
  void set_faults(fault_plan plan);
  /// The status jobs stop at from now on ("" lets them complete), as hold_at.
  void set_hold_at(std::string status);
  /// Appends one fault rule.
  void add_fault(fault_rule rule);
  /// Closes the connections that wait for their next request, as a server whose
  /// keep-alive timeout passed would: clients' pooled connections go stale.
  void close_idle_connections();

  /// Every request received so far, in order (test hooks excluded).
  const std::vector<recorded_request>& requests() const;
  /// Requests of `method` whose path (after "/v0.4") starts with `path_prefix`.
  std::size_t count(const std::string& method, const std::string& path_prefix = "") const;
  /// Jobs created per `metadata.qjob_id` (creates without one are not counted).
  std::map<std::string, std::size_t> creates_by_qjob_id() const;
  /// TCP connections accepted so far.
  std::uint64_t connections_accepted() const;
  /// Jobs held, children of multi-circuit jobs included.
  std::size_t job_count() const;
  /// A job's status now (without counting as an observation), or nullopt if unknown.
  std::optional<std::string> job_status(const std::string& id) const;

private:
  struct state;  // the jobs, and the API the server serves
  std::shared_ptr<state> state_;
  fake_http_server server_;
};

}  // namespace qjob::fakes
