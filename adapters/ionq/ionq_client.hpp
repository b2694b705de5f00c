#pragma once

#include "formats/circuit.hpp"
#include "http/http_client.hpp"
#include "ionq/ionq_request.hpp"
#include "ionq/ionq_results.hpp"
#include "ionq/ionq_status.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// IonQ's REST API v0.4 over an http_client: the exchanges, their answers read
/// into values, and every failure classified for the provider actor.
namespace qjob::ionq {

/// What the caller may do after a failed exchange.
enum class error_kind : std::uint8_t {
  transient,        ///< retry later (429, 5xx on reads, timeouts, malformed answers), honouring retry_after
  permanent,        ///< never retry: IonQ refused the request (400, 403, 404, 413) or we cannot build it
  credentials,      ///< IonQ refused the key (401): the provider is unhealthy, jobs wait
  outcome_unknown,  ///< a POST whose answer was lost (timeout, reset, 5xx): the job may exist
};

/// "transient", "permanent", "credentials", "outcome_unknown".
std::string_view to_string(error_kind kind);

/// A failed exchange. `message` never holds the key, and quotes a body only when
/// it is IonQ's error JSON (its `message`).
struct client_error {
  error_kind kind = error_kind::transient;
  std::string message;
  unsigned status = 0;  ///< the HTTP status; 0 when no response came
  std::optional<std::chrono::seconds> retry_after;
};

/// Lets boost::system::result<T, client_error>::value() throw on an error.
[[noreturn]] void throw_exception_from_error(const client_error& error, const boost::source_location& location);

/// The value of an exchange, or its classified failure.
template <class T>
using client_result = boost::system::result<T, client_error>;

/// Settings of an ionq_client.
struct client_options {
  /// The path prefix of the client's base URL ("/v0.4"): IonQ's result URLs carry
  /// it, and http_client targets are relative to the base URL.
  std::string base_path = "/v0.4";
  /// Deadline of each exchange; zero takes the http_client's default.
  std::chrono::milliseconds timeout{0};
  request_limits limits;
};

/// IonQ's jobs API: submit, get, list, cancel and result payloads.
///
/// Runs on the http_client's executor (the I/O thread); not thread-safe, and the
/// http_client must outlive the client and every call. Cancelling an awaiting
/// coroutine aborts its exchange (a cancelled submit reports outcome_unknown).
/// Never logs; the key goes only into the Authorization header.
class ionq_client {
public:
  ionq_client(http::http_client& http, std::string api_key, client_options options = {});

  /// `POST /jobs` with the body build_job_request makes of `job`; IonQ's job id.
  /// A job that cannot be translated fails permanent before anything is sent.
  /// `job`'s pointers need only live until this function returns.
  boost::asio::awaitable<client_result<std::string>> submit(const job_description& job);

  /// `POST /jobs` with a body already built.
  boost::asio::awaitable<client_result<std::string>> submit_body(std::string body);

  /// `GET /jobs/{id}`, read with parse_job.
  boost::asio::awaitable<client_result<job_info>> get(std::string id);

  /// `GET /jobs?limit=&next=`: one page, newest first.
  boost::asio::awaitable<client_result<job_page>> list(std::size_t limit, std::optional<std::string> next);

  /// `PUT /jobs/{id}/status/cancel`, then the job as IonQ now reports it (its
  /// answer says `canceled` even for a job already final).
  boost::asio::awaitable<client_result<job_info>> cancel(std::string id);

  /// The results document of a completed `job`, whose input was `circuits`:
  /// fetches the probabilities (the `url` shape, base path stripped, or the
  /// artifact shape) and builds the document with build_result_document. A
  /// payload that cannot be read is transient; one that does not fit the
  /// circuits is permanent.
  boost::asio::awaitable<client_result<std::string>> probabilities(job_info job, std::vector<formats::circuit> circuits,
                                                                   document_options options);

private:
  http::request make_request(boost::beast::http::verb method, std::string target, std::string body = {}) const;
  /// The target of a result link, relative to the base URL.
  std::string result_target(const job_info& job, const result_link& link) const;

  http::http_client& http_;
  std::string authorization_;
  client_options options_;
};

}  // namespace qjob::ionq
