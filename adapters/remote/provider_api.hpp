#pragma once

#include "formats/circuit.hpp"
#include "formats/job_input.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What the remote provider actor needs of a provider's REST API, whichever
/// provider it is: the exchanges, their answers in the unified words, and every
/// failure classified. An adapter (adapters/ionq, ...) implements it; the actor
/// adds rate limiting, retries, the circuit breaker and exactly-once submission.
namespace qjob::remote {

/// What the caller may do after a failed exchange.
enum class error_kind : std::uint8_t {
  transient,        ///< retry later (429, 5xx on reads, timeouts, malformed answers), honouring retry_after
  permanent,        ///< never retry: the provider refused the request, or it cannot be built
  credentials,      ///< the provider refused our key (401): the provider is unhealthy, jobs wait
  outcome_unknown,  ///< a submission whose answer was lost (timeout, reset, 5xx): the job may exist
};

/// "transient", "permanent", "credentials", "outcome_unknown".
std::string_view to_string(error_kind kind);

/// A failed exchange. `message` never holds a key, and quotes a body only when
/// it is the provider's own error message.
struct api_error {
  error_kind kind = error_kind::transient;
  std::string message;
  unsigned status = 0;  ///< the HTTP status; 0 when no response came
  std::optional<std::chrono::seconds> retry_after;
};

/// A failed exchange without Retry-After.
inline api_error make_error(error_kind kind, std::string message, unsigned status = 0) {
  return api_error{kind, std::move(message), status, std::nullopt};
}

/// Lets boost::system::result<T, api_error>::value() throw on an error.
[[noreturn]] void throw_exception_from_error(const api_error& error, const boost::source_location& location);

/// The value of an exchange, or its classified failure.
template <class T>
using api_result = boost::system::result<T, api_error>;

/// What a provider says about one of its jobs, in the unified words.
struct job_state {
  std::string id;               ///< the provider's id
  std::string state;            ///< "waiting", "executing", "succeeded", "failed", "cancelled"
  std::string provider_status;  ///< the provider's own word
  bool final = false;
  bool known = true;  ///< false: a word the provider has not published (the job stays non-final)
  std::string error_code;     ///< when failed: the provider's failure code
  std::string error_message;
  std::optional<std::string> qjob_id;  ///< our id, where the provider keeps it with the job
  std::string usage;  ///< JSON text of what the provider reports on size and billing, "" when none
};

/// One page of the provider's jobs, newest first.
struct state_page {
  std::vector<job_state> jobs;
  std::optional<std::string> next;  ///< the cursor of the next page; nullopt on the last
};

/// Our job, as far as a provider needs it to build its submission.
struct job_spec {
  std::string_view job_id;
  std::string_view name;    ///< "" when the job has none
  std::string_view target;  ///< the provider's name of the machine
  std::uint64_t shots = 0;
  const formats::parsed_input* input = nullptr;  ///< required
  const boost::json::value* params = nullptr;    ///< may be null
};

/// How the results of a finished job are turned into our results document.
struct result_request {
  std::string job_id;  ///< ours: seeds counts sampled from probabilities
  std::string provider_job_id;
  std::vector<formats::circuit> circuits;  ///< the job's input, to map outcomes back onto our bits
  std::uint64_t shots = 0;
};

/// How a job whose submission's answer was lost is found again, so that it is
/// never sent twice.
enum class lost_submission_lookup : std::uint8_t {
  list_by_qjob_id,  ///< the provider keeps our id with the job: list() finds it (IonQ's metadata)
  get_by_qjob_id,   ///< the provider's id is ours: get(our id) finds it, and a 404 says it is not there
  none,             ///< no way to find it: the job fails rather than risk running twice
};

/// What a provider's API can do beyond submit, get and results.
struct capabilities {
  bool cancel = true;  ///< cancel() exists; otherwise a job at the provider runs to its end
  bool list = true;    ///< list() exists: the poller reads pages when many jobs are due
  lost_submission_lookup lookup = lost_submission_lookup::list_by_qjob_id;
};

/// A provider's REST API. Runs on the I/O thread; not thread-safe. Each call
/// is one exchange unless said otherwise; cancelling the awaiting coroutine
/// aborts it (a cancelled submit reports outcome_unknown). Never logs.
class provider_api {
public:
  virtual ~provider_api() = default;

  /// What this provider can do; list() and cancel() are only called when it says so.
  virtual capabilities abilities() const = 0;

  /// The body of the submission of `job`, translated into the provider's format,
  /// or a permanent error naming what the provider cannot run. Pure.
  virtual api_result<std::string> prepare(const job_spec& job) const = 0;
  /// Sends a prepared submission once; the provider's id of the job.
  virtual boost::asio::awaitable<api_result<std::string>> submit(std::string prepared) = 0;
  /// The state of one job.
  virtual boost::asio::awaitable<api_result<job_state>> get(std::string provider_job_id) = 0;
  /// One page of the provider's jobs, newest first, with our ids where the
  /// provider keeps them: what reconciliation and the poller's lists read.
  virtual boost::asio::awaitable<api_result<state_page>> list(std::size_t limit, std::optional<std::string> next) = 0;
  /// Cancels a job, then reads it: the state the provider reports afterwards.
  virtual boost::asio::awaitable<api_result<job_state>> cancel(std::string provider_job_id) = 0;
  /// The results document (DESIGN.md's shape) of a succeeded job: reads the job
  /// and its results (two exchanges or more). A job that has not succeeded, or
  /// results that do not fit the circuits, are permanent errors.
  virtual boost::asio::awaitable<api_result<std::string>> results(result_request request) = 0;
};

}  // namespace qjob::remote
