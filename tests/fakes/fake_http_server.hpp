#pragma once

#include "fakes/fault_plan.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::fakes {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

/// One request a fake received, faulted or not.
struct recorded_request {
  std::string method;
  std::string target;        ///< path and query as sent
  std::string path;          ///< the path within the provider's API (IonQ's without "/v0.4")
  bool authorized = false;   ///< carried the provider's credentials
  std::string content_type;
  std::string user_agent;
  std::uint64_t connection = 0;  ///< which accepted connection (1, 2, ...) carried it
  std::string qjob_id;       ///< our job id, where a submission carries it
  std::string created_job;   ///< the id of the job a submission created, if it did
  std::string fault;         ///< fault_name() of the fault that hit it, or empty
  unsigned status = 0;       ///< the status answered; 0 when none was (reset, garbage)
};

/// An answer, before faults change it.
struct fake_answer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

/// A provider's API behind a fake_http_server: its paths, its credentials, its
/// answers and its error bodies. Called on the server's executor only.
class fake_api {
public:
  virtual ~fake_api() = default;
  /// The path of `target`'s path within the API (what faults and the record
  /// match), or nullopt when it lies outside the API (answered 404).
  virtual std::optional<std::string> api_path(std::string_view path) const = 0;
  /// True when `request` carries the provider's credentials.
  virtual bool authorized(const http_request& request) const = 0;
  /// Serves an API request (`record.path` set; `record.authorized` tells
  /// whether to serve or refuse it); may fill in `record.qjob_id` and
  /// `record.created_job`.
  virtual fake_answer route(const http_request& request, recorded_request& record) = 0;
  /// The provider's answer with HTTP `status` and its own error body: what a
  /// status fault answers.
  virtual fake_answer error(unsigned status) const = 0;
  /// Test hooks of this fake under `/_fake/` beyond the server's own, or nullopt.
  virtual std::optional<fake_answer> hook(const http_request& request, std::string_view path) = 0;
};

/// An HTTP/1.1 server on 127.0.0.1 that puts a fake_api on loopback with the
/// failures of a real network peer injected by a fault_plan (statuses with
/// Retry-After, slow answers, resets, malformed bodies, answers lost after the
/// request took effect, bytes that are not HTTP). Keeps every request in a
/// record. Its own test hooks, without auth or faults: `GET /_fake/requests`
/// (the record as JSON) and `PUT /_fake/faults` (a fault spec replacing the plan).
///
/// Runs on the executor given (one thread); the object's methods must be called
/// there too. Sessions share the server's state by shared_ptr, so destroying it
/// (or its io_context) with connections still open is safe.
class fake_http_server {
public:
  /// Binds and listens at once (throws boost::system::system_error when it
  /// cannot); call start() to serve. `port` 0 takes an ephemeral one.
  fake_http_server(boost::asio::any_io_executor executor, std::shared_ptr<fake_api> api, unsigned short port,
                   fault_plan faults);
  fake_http_server(const fake_http_server&) = delete;
  fake_http_server& operator=(const fake_http_server&) = delete;
  /// Stops serving (see stop()).
  ~fake_http_server();

  /// Spawns the accept loop on the executor. An exception in it propagates out
  /// of the io_context's run functions.
  void start();
  /// Closes the listener and every open connection.
  void stop();

  unsigned short port() const;
  /// "http://127.0.0.1:<port>".
  std::string origin() const;

  /// Replaces the fault plan (and reseeds it).
  void set_faults(fault_plan plan);
  /// Appends one fault rule.
  void add_fault(fault_rule rule);
  /// Closes the connections that wait for their next request, as a server whose
  /// keep-alive timeout passed would: clients' pooled connections go stale.
  void close_idle_connections();

  /// Every request received so far, in order (test hooks excluded).
  const std::vector<recorded_request>& requests() const;
  /// Requests of `method` whose API path starts with `path_prefix`.
  std::size_t count(const std::string& method, const std::string& path_prefix = "") const;
  /// TCP connections accepted so far.
  std::uint64_t connections_accepted() const;

  /// The listener, sessions, faults and record, shared with the session
  /// coroutines (defined in the .cpp; public only so that they can name it).
  struct state;

private:
  std::shared_ptr<state> state_;
};

}  // namespace qjob::fakes
