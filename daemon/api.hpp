#pragma once

#include "api_error.hpp"
#include "config.hpp"
#include "job_request.hpp"
#include "ndjson_lines.hpp"
#include "peer_identity.hpp"
#include "target_catalog.hpp"

#include "hub_protocol.hpp"
#include "job_supervisor_protocol.hpp"
#include "remote_provider_protocol.hpp"
#include "runtime/metrics.hpp"
#include "scheduler_protocol.hpp"
#include "storage_protocol.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace qjob::daemon {

namespace net = boost::asio;
namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

/// The actors the API talks to.
struct api_services {
  actors::storage_ref storage;
  actors::job_supervisor_ref jobs;
  actors::scheduler_ref scheduler;
  actors::hub_ref hub;
  std::map<std::string, actors::remote_provider_ref> remote_providers;  // asked for their health
  std::shared_ptr<metrics::registry> metrics;  ///< what `GET /metrics` renders; null: the API's own figures only
};

/// A validated `GET /v1/events`: whose transitions to follow, and the event id
/// to resume after.
struct event_query {
  storage::event_filter filter;
  std::int64_t after = 0;  ///< -1: from the latest event on
};

/// The control API of DESIGN.md: routes a request, checks it, turns it into
/// messages to the actors and their replies into JSON. Holds no job state. Runs on
/// the I/O thread; a handler may wait (`?wait=`) without blocking others.
class api {
public:
  api(const daemon_config& config, const target_catalog& catalog, api_services services);

  /// Answers one request from `peer`. Never throws for bad input: every failure
  /// is an error answer in DESIGN.md's shape.
  net::awaitable<http_response> handle(const http_request& request, const peer_identity& peer);

  /// Whether a request with this header is a batch whose body the control
  /// server streams to submit_streamed_batch() instead of buffering it:
  /// `POST /v1/batches` with an NDJSON content type.
  static bool streams_body(const http::request_header<>& header);
  /// `POST /v1/batches` as NDJSON lines read as they arrive: each line checked
  /// and the jobs stored in chunks while the body streams in (at most one chunk
  /// committing while the next is parsed), invisible until the last line is
  /// read and all are durable, then published and handed to the scheduler at
  /// once. Any failure (a bad line, too many jobs, a duplicate id, backpressure,
  /// a full disk, a client gone or too slow) discards what was stored and
  /// answers the error naming the line. I/O thread.
  net::awaitable<http_response> submit_streamed_batch(const peer_identity& peer, ndjson_lines& lines);

  /// `GET /v1/events` (Server-Sent Events), which the control server streams:
  /// the query to follow, or the error answer. `?job=ID` and `?batch=ID` follow
  /// one job or batch from its first event, neither every job the peer may see
  /// from now on; a `Last-Event-ID` header (or `?last_event_id=`) resumes after
  /// that event.
  net::awaitable<std::variant<event_query, http_response>> open_events(const http_request& request,
                                                                       const peer_identity& peer);
  /// The next events of `query` (at most `limit`), advancing `query.after`;
  /// nullopt when the store cannot answer (the daemon is stopping).
  net::awaitable<std::optional<std::vector<storage::transition_row>>> next_events(event_query& query,
                                                                                 std::uint32_t limit);
  /// One event in the stream's text form: `id:`, `event: transition`, `data:`.
  static std::string event_text(const storage::transition_row& event);

  /// From now on every request is answered 503 (the daemon is stopping).
  void start_draining() noexcept { draining_ = true; }
  bool draining() const noexcept { return draining_; }
  void set_ready() noexcept { ready_ = true; }
  /// A remote provider added by a reload, asked for its health from now on.
  void add_remote_provider(const std::string& name, actors::remote_provider_ref ref) {
    services_.remote_providers.insert_or_assign(name, std::move(ref));
  }
  std::int64_t open_connections() const noexcept { return static_cast<std::int64_t>(open_connections_.value()); }
  void connection_opened() noexcept { open_connections_.add(1); }
  void connection_closed() noexcept { open_connections_.add(-1); }

private:
  using handler_result = net::awaitable<http_response>;

  handler_result route(const http_request& request, const peer_identity& peer);
  handler_result submit_job(const http_request& request, const peer_identity& peer);
  handler_result submit_batch(const http_request& request, const peer_identity& peer);
  handler_result get_job(const std::string& id, const http_request& request, const peer_identity& peer);
  handler_result list_jobs(const http_request& request, const peer_identity& peer);
  handler_result get_result(const std::string& id, const http_request& request, const peer_identity& peer);
  handler_result cancel_job(const std::string& id, const http_request& request, const peer_identity& peer);
  handler_result get_batch(const std::string& id, const http_request& request, const peer_identity& peer);
  handler_result cancel_batch(const std::string& id, const http_request& request, const peer_identity& peer);
  handler_result metrics(const http_request& request);
  handler_result targets();
  http_response health(const http_request& request) const;

  /// Adds `waiting_reason` to a shown job that waits for a provider a reload
  /// took out of the configuration.
  void explain_wait(boost::json::object& shown, const storage::job_row& job) const;

  /// The checks a submission passes, as the configuration says now.
  submission_rules rules() const { return submission_rules_for(config_, catalog_); }

  /// Sends the storage actor the request `make_request(reply)` builds and awaits the
  /// answer; a stopping daemon or a failed read is an error answer.
  template <class Reply, class MakeRequest>
  net::awaitable<std::variant<Reply, api_error>> ask_storage(MakeRequest make_request);

  /// 429 when `count` more jobs of `owner` would pass max_waiting or
  /// max_waiting_per_owner (jobs not yet final); nullopt when they may come in.
  net::awaitable<std::optional<api_error>> admit(std::uint32_t owner, std::size_t count);
  /// Stores new jobs (after admit()) and starts them; the answer is the stored rows or an error.
  net::awaitable<std::variant<actors::insert_reply, api_error>> store_jobs(std::vector<storage::job_row> rows,
                                                                          const std::string& field_prefix_format);
  /// The streamed batch intake (streamed_batch.cpp): the answer's body, or the error.
  struct batch_intake;
  net::awaitable<std::variant<boost::json::object, api_error>> receive_batch(const peer_identity& peer,
                                                                             ndjson_lines& lines);
  /// Awaits the chunk in flight (if any) and accounts for it; the error it met.
  net::awaitable<std::optional<api_error>> settle_chunk(batch_intake& intake);
  /// Settles the chunk in flight, checks backpressure for the batch so far and
  /// sends the next chunk to the store without awaiting its commit.
  net::awaitable<std::optional<api_error>> send_chunk(batch_intake& intake);

  /// The job if it exists and `peer` may see it. With `wait`, holds until it is
  /// final or the time is up.
  net::awaitable<std::variant<actors::job_view, api_error>> visible_job(const std::string& id,
                                                                       const peer_identity& peer, bool with_input,
                                                                       bool with_history,
                                                                       std::chrono::seconds wait);

  const daemon_config& config_;
  const target_catalog& catalog_;
  api_services services_;
  bool draining_ = false;
  bool ready_ = false;
  std::shared_ptr<metrics::registry> metrics_;
  metrics::gauge& open_connections_;
  metrics::counter& jobs_submitted_;
  metrics::counter_family& responses_by_status_;
};

}  // namespace qjob::daemon
