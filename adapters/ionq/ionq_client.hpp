#pragma once

#include "formats/circuit.hpp"
#include "http/http_client.hpp"
#include "ionq/ionq_request.hpp"
#include "ionq/ionq_results.hpp"
#include "ionq/ionq_status.hpp"
#include "remote/provider_api.hpp"

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

/// IonQ's failures are the remote API's (remote/provider_api.hpp).
using remote::error_kind;
using client_error = remote::api_error;
template <class T>
using client_result = remote::api_result<T>;

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
