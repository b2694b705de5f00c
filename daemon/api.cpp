#include "api.hpp"

#include "job_json.hpp"
#include "queued_runs.hpp"
#include "request_query.hpp"

#include "runtime/promise.hpp"
#include "runtime/prometheus_text.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <unordered_set>

namespace qjob::daemon {

namespace json = boost::json;
using http::status;
using storage::job_status;

namespace {

constexpr std::uint32_t default_list_limit = 100;
constexpr std::uint32_t max_list_limit = 1000;
// Above this many jobs, POST /v1/batches leaves out job_ids (DESIGN.md).
constexpr std::size_t max_listed_job_ids = 10'000;

http_response json_response(status code, const json::value& body) {
  http_response response{code, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = json::serialize(body);
  response.body().push_back('\n');
  return response;
}

http_response error_response(const api_error& error) {
  json::object detail{{"code", error.code}, {"message", error.message}};
  if (!error.field.empty()) detail.emplace("field", error.field);
  auto response = json_response(error.status, json::object{{"error", std::move(detail)}});
  if (error.status == status::too_many_requests || error.status == status::service_unavailable)
    response.set(http::field::retry_after, std::to_string(error.retry_after));
  return response;
}

api_error not_found(const std::string& what) {
  return api_error{status::not_found, "not_found", what + " not found", ""};
}

api_error unavailable(std::string message) {
  return api_error{status::service_unavailable, "unavailable", std::move(message), ""};
}

api_error shutting_down() { return unavailable("qjobd is shutting down; try again when it is back"); }

std::optional<std::uint32_t> visible_owner(const peer_identity& peer) {
  if (peer.admin) return std::nullopt;
  return peer.uid;
}

bool may_see(const storage::job_row& job, const peer_identity& peer) { return peer.admin || job.owner == peer.uid; }

}  // namespace

api::api(const daemon_config& config, const target_catalog& catalog, api_services services)
    : config_(config), catalog_(catalog), services_(std::move(services)),
      metrics_(metrics::registry_or_own(services_.metrics)),
      open_connections_(metrics_->gauges("qjob_open_connections", "Open control connections.").with({})),
      jobs_submitted_(metrics_->counters("qjob_jobs_submitted_total", "Jobs accepted through the API since start.")
                          .with({})),
      responses_by_status_(metrics_->counters("qjob_http_responses_total", "API answers by HTTP status since start.",
                                              {"code"})) {}

net::awaitable<http_response> api::handle(const http_request& request, const peer_identity& peer) {
  http_response response;
  if (draining_) {
    response = error_response(shutting_down());
  } else {
    response = co_await route(request, peer);
  }
  responses_by_status_.with({std::to_string(response.result_int())}).inc();
  co_return response;
}

api::handler_result api::route(const http_request& request, const peer_identity& peer) {
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) co_return error_response(bad_request("invalid_target", "the request target is not a valid URL path"));
  const auto segments = path_segments(*parsed);
  const auto method = request.method();
  auto allow = [&](std::string_view methods) {
    auto response = error_response(api_error{status::method_not_allowed, "method_not_allowed",
                                             "use " + std::string(methods) + " on this path", ""});
    response.set(http::field::allow, methods);
    return response;
  };

  if (segments.size() == 1 && segments[0] == "metrics") {
    if (method != http::verb::get) co_return allow("GET");
    co_return co_await metrics(request);
  }
  if (segments.size() < 2 || segments[0] != "v1") co_return error_response(not_found("path " + std::string(parsed->path())));

  const auto& resource = segments[1];
  if (segments.size() == 2) {
    if (resource == "jobs") {
      if (method == http::verb::post) co_return co_await submit_job(request, peer);
      if (method == http::verb::get) co_return co_await list_jobs(request, peer);
      co_return allow("GET, POST");
    }
    if (resource == "batches") {
      if (method == http::verb::post) co_return co_await submit_batch(request, peer);
      co_return allow("POST");
    }
    if (resource == "targets") {
      if (method != http::verb::get) co_return allow("GET");
      co_return co_await targets();
    }
    if (resource == "health") {
      if (method != http::verb::get) co_return allow("GET");
      co_return health(request);
    }
    if (resource == "events") {
      // GET is streamed by the control server (open_events); here only the rest.
      co_return allow("GET");
    }
  }
  if ((resource == "jobs" || resource == "batches") && (segments.size() == 3 || segments.size() == 4)) {
    const auto& id = segments[2];
    const std::string action = segments.size() == 4 ? segments[3] : "";
    if (resource == "jobs" && action.empty()) {
      if (method != http::verb::get) co_return allow("GET");
      co_return co_await get_job(id, request, peer);
    }
    if (resource == "jobs" && action == "result") {
      if (method != http::verb::get) co_return allow("GET");
      co_return co_await get_result(id, request, peer);
    }
    if (action == "cancel") {
      if (method != http::verb::post) co_return allow("POST");
      if (resource == "jobs") co_return co_await cancel_job(id, request, peer);
      co_return co_await cancel_batch(id, request, peer);
    }
    if (resource == "batches" && action.empty()) {
      if (method != http::verb::get) co_return allow("GET");
      co_return co_await get_batch(id, request, peer);
    }
  }
  co_return error_response(not_found("path " + std::string(parsed->path())));
}

net::awaitable<std::variant<actors::insert_reply, api_error>> api::store_jobs(std::vector<storage::job_row> rows,
                                                                             const std::string& field_prefix_format) {
  auto refused = co_await admit(rows.front().owner, rows.size());
  if (refused) co_return std::move(*refused);
  auto [reply, answer] = actors::make_promise<actors::insert_reply>(co_await net::this_coro::executor);
  if (!services_.storage.try_send(actors::insert_jobs{std::move(rows), std::move(reply)}))
    co_return api_error{status::too_many_requests, "queue_full", "qjobd is busy storing other jobs; try again", ""};
  auto stored = co_await answer.get();
  if (!stored) co_return shutting_down();
  if (stored->conflict) {
    auto field = field_prefix_format;
    if (auto at = field.find("{}"); at != std::string::npos) field.replace(at, 2, std::to_string(*stored->conflict));
    co_return api_error{status::conflict, "conflict", "a job with this id exists with other content", field + "id"};
  }
  if (!stored->ack.ok()) {
    if (stored->ack.disk_full)
      co_return api_error{status::service_unavailable, "storage_full",
                          "the job store is full (no space left on the state directory's disk); nothing of this "
                          "request was stored; try again once space is freed",
                          ""};
    co_return api_error{status::internal_server_error, "internal", "the job store failed; see the daemon's log", ""};
  }
  actors::queued_runs queued;
  for (std::size_t i = 0; i < stored->rows.size(); ++i)
    if (stored->inserted[i]) queued.add(stored->rows[i]);
  jobs_submitted_.inc(queued.size());
  // Sent before the answer, so that the job is counted and queued when the
  // client's next request (a cancel, a queue position) comes.
  if (queued.size() > 0) {
    actors::queue_jobs queue{queued.take()};
    co_await services_.jobs.send(std::move(queue));
  }
  co_return std::move(*stored);
}

net::awaitable<std::optional<api_error>> api::admit(std::uint32_t owner, std::size_t count) {
  auto [reply, answer] = actors::make_promise<actors::backlog>(co_await net::this_coro::executor);
  actors::get_backlog query{owner, std::move(reply)};
  const bool sent = co_await services_.jobs.send(std::move(query));
  if (!sent) co_return shutting_down();
  auto backlog = co_await answer.get();
  if (!backlog) co_return shutting_down();
  // The backlog drains as jobs end; a client that comes back a little later usually gets in.
  constexpr unsigned backlog_retry_seconds = 30;
  if (backlog->of_owner + count > config_.max_waiting_per_owner) {
    co_return api_error{status::too_many_requests, "too_many_waiting",
                        "you have " + std::to_string(backlog->of_owner) + " jobs not yet final and at most " +
                            std::to_string(config_.max_waiting_per_owner) +
                            " are allowed per user (max_waiting_per_owner); " + std::to_string(count) +
                            " more cannot be accepted now, try again later",
                        "", backlog_retry_seconds};
  }
  if (backlog->total + count > config_.max_waiting) {
    co_return api_error{status::too_many_requests, "too_many_waiting",
                        "qjobd holds " + std::to_string(backlog->total) + " jobs not yet final and at most " +
                            std::to_string(config_.max_waiting) + " are allowed (max_waiting); " +
                            std::to_string(count) + " more cannot be accepted now, try again later",
                        "", backlog_retry_seconds};
  }
  co_return std::nullopt;
}

template <class Reply, class MakeRequest>
net::awaitable<std::variant<Reply, api_error>> api::ask_storage(MakeRequest make_request) {
  auto [reply, answer] = actors::make_promise<Reply>(co_await net::this_coro::executor);
  auto request = make_request(std::move(reply));
  const bool sent = co_await services_.storage.send(std::move(request));
  if (!sent) co_return shutting_down();
  auto value = co_await answer.get();
  if (!value) co_return unavailable("the job store could not be read; see the daemon's log");
  co_return std::move(*value);
}

api::handler_result api::submit_job(const http_request& request, const peer_identity& peer) {
  // The request's DOM lives in an arena (parse_job_request copies what it keeps):
  // freeing it node by node showed in profiles of batch submissions.
  unsigned char arena_buffer[4096];
  json::monotonic_resource arena(arena_buffer);
  boost::system::error_code ec;
  auto body = json::parse(request.body(), ec, &arena);
  if (ec) co_return error_response(bad_request("invalid_json", "the body is not valid JSON: " + ec.message()));
  auto parsed = parse_job_request(body, peer.uid, rules());
  if (auto* error = std::get_if<api_error>(&parsed)) co_return error_response(*error);
  std::vector<storage::job_row> rows;
  rows.push_back(std::move(std::get<storage::job_row>(parsed)));
  const std::string no_field_prefix;
  auto stored = co_await store_jobs(std::move(rows), no_field_prefix);
  if (auto* error = std::get_if<api_error>(&stored)) co_return error_response(*error);
  auto& reply = std::get<actors::insert_reply>(stored);
  // An idempotent retry gets the existing job, as it stands now.
  co_return json_response(reply.inserted.front() ? status::created : status::ok, job_to_json(reply.rows.front()));
}

net::awaitable<http_response> api::submit_streamed_batch(const peer_identity& peer, ndjson_lines& lines) {
  http_response response;
  if (draining_) {
    response = error_response(shutting_down());
  } else {
    auto received = co_await receive_batch(peer, lines);
    if (auto* error = std::get_if<api_error>(&received))
      response = error_response(*error);
    else
      response = json_response(status::created, std::get<json::object>(received));
  }
  responses_by_status_.with({std::to_string(response.result_int())}).inc();
  co_return response;
}

api::handler_result api::submit_batch(const http_request& request, const peer_identity& peer) {
  if (streams_body(request)) {
    // Buffered only when it did not come through the control server's stream
    // (tests, fuzzing): the same intake over the text.
    ndjson_text_lines lines(request.body(), config_.max_line_bytes);
    auto received = co_await receive_batch(peer, lines);
    if (auto* error = std::get_if<api_error>(&received)) co_return error_response(*error);
    co_return json_response(status::created, std::get<json::object>(received));
  }
  std::vector<storage::job_row> rows;
  std::unordered_set<std::string> ids;
  const auto batch_id = make_uuid();

  auto add = [&](const json::value& job, const std::string& prefix) -> std::optional<api_error> {
    if (rows.size() >= config_.max_batch_jobs)
      return api_error{status::payload_too_large, "batch_too_large",
                       "a batch holds at most " + std::to_string(config_.max_batch_jobs) + " jobs (max_batch_jobs)", ""};
    auto parsed = parse_job_request(job, peer.uid, rules(), prefix);
    if (auto* error = std::get_if<api_error>(&parsed)) return *error;
    auto& row = std::get<storage::job_row>(parsed);
    if (!ids.insert(row.id).second)
      return bad_request("duplicate_id", "the id '" + row.id + "' appears twice in this batch", prefix + "id");
    row.batch_id = batch_id;
    rows.push_back(std::move(row));
    return std::nullopt;
  };

  // A conflict found at store time names the job by its position in the array.
  const std::string conflict_field_format = "[{}].";
  // Each job's DOM lives in an arena, as in submit_job.
  unsigned char arena_buffer[8192];
  json::monotonic_resource arena(arena_buffer);
  {
    boost::system::error_code ec;
    auto body = json::parse(request.body(), ec, &arena);
    if (ec) co_return error_response(bad_request("invalid_json", "the body is not valid JSON: " + ec.message()));
    const auto* jobs = body.if_array();
    if (!jobs)
      co_return error_response(bad_request(
          "invalid_batch", "a batch is a JSON array of jobs, or NDJSON with Content-Type: application/x-ndjson"));
    rows.reserve(std::min<std::size_t>(jobs->size(), config_.max_batch_jobs));
    for (std::size_t i = 0; i < jobs->size(); ++i)
      if (auto error = add((*jobs)[i], "[" + std::to_string(i) + "].")) co_return error_response(*error);
  }
  if (rows.empty()) co_return error_response(bad_request("invalid_batch", "the batch has no jobs"));

  auto stored = co_await store_jobs(std::move(rows), conflict_field_format);
  if (auto* error = std::get_if<api_error>(&stored)) co_return error_response(*error);
  auto& reply = std::get<actors::insert_reply>(stored);
  json::object answer{{"batch_id", batch_id}, {"count", reply.rows.size()}};
  if (reply.rows.size() <= max_listed_job_ids) {
    json::array job_ids;
    job_ids.reserve(reply.rows.size());
    for (const auto& row : reply.rows) job_ids.emplace_back(row.id);
    answer.emplace("job_ids", std::move(job_ids));
  }
  co_return json_response(status::created, answer);
}

net::awaitable<std::variant<actors::job_view, api_error>> api::visible_job(const std::string& id,
                                                                          const peer_identity& peer,
                                                                          bool with_input, bool with_history,
                                                                          std::chrono::seconds wait) {
  const auto executor = co_await net::this_coro::executor;
  std::optional<actors::future<job_status>> final_signal;
  if (wait.count() > 0) {
    // Watch before reading, so a job that ends in between is not missed.
    auto [reply, answer] = actors::make_promise<job_status>(executor);
    actors::watch_final watch{id, std::move(reply)};
    const bool watching = co_await services_.hub.send(std::move(watch));
    if (watching) final_signal.emplace(std::move(answer));
  }
  const auto read = [&](actors::promise<actors::job_view> reply) {
    return actors::get_job{id, with_input, with_history, std::move(reply)};
  };
  for (int pass = 0;; ++pass) {
    auto found = co_await ask_storage<actors::job_view>(read);
    if (auto* error = std::get_if<api_error>(&found)) co_return std::move(*error);
    auto& view = std::get<actors::job_view>(found);
    if (!view.job || !may_see(*view.job, peer)) co_return not_found("job '" + id + "'");
    if (pass > 0 || !final_signal || storage::is_final(view.job->run.status)) co_return std::move(view);
    co_await final_signal->get_for(wait);
  }
}

api::handler_result api::get_job(const std::string& id, const http_request& request, const peer_identity& peer) {
  auto url = boost::urls::parse_origin_form(request.target()).value();
  auto wait = wait_param(url, config_.max_wait);
  if (auto* error = std::get_if<api_error>(&wait)) co_return error_response(*error);
  const bool with_history = query_param(url, "history").value_or("0") != "0";
  auto found = co_await visible_job(id, peer, true, with_history, std::get<std::chrono::seconds>(wait));
  if (auto* error = std::get_if<api_error>(&found)) co_return error_response(*error);
  auto& view = std::get<actors::job_view>(found);
  std::optional<std::int64_t> position;
  if (view.job->run.status == job_status::waiting) {
    auto [reply, answer] = actors::make_promise<std::optional<std::int64_t>>(co_await net::this_coro::executor);
    actors::get_queue_position query{actors::place_of(*view.job), view.job->seq, std::move(reply)};
    const bool sent = co_await services_.scheduler.send(std::move(query));
    if (sent) {
      auto known = co_await answer.get();
      if (known) position = *known;
    }
  }
  auto shown = job_to_json(*view.job, position, with_history ? &view.history : nullptr);
  explain_wait(shown, *view.job);
  co_return json_response(status::ok, std::move(shown));
}

api::handler_result api::list_jobs(const http_request& request, const peer_identity& peer) {
  auto url = boost::urls::parse_origin_form(request.target()).value();
  storage::job_filter filter;
  filter.owner = visible_owner(peer);
  if (auto text = query_param(url, "status")) {
    filter.status = storage::parse_job_status(*text);
    if (!filter.status)
      co_return error_response(bad_request(
          "invalid_parameter", "'status' must be one of waiting, executing, succeeded, failed, cancelled", "status"));
  }
  filter.provider = query_param(url, "provider").value_or("");
  filter.target = query_param(url, "target").value_or("");
  filter.batch_id = query_param(url, "batch").value_or("");
  filter.name = query_param(url, "name").value_or("");
  filter.tag = query_param(url, "tag").value_or("");
  std::uint32_t limit = default_list_limit;
  if (auto text = query_param(url, "limit")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc{} || end != text->data() + text->size() || limit == 0 || limit > max_list_limit)
      co_return error_response(bad_request(
          "invalid_parameter", "'limit' must be an integer from 1 to " + std::to_string(max_list_limit), "limit"));
  }
  std::optional<std::int64_t> cursor;
  if (auto text = query_param(url, "cursor")) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value <= 0)
      co_return error_response(
          bad_request("invalid_parameter", "'cursor' is not one this daemon gave out (next_cursor)", "cursor"));
    cursor = value;
  }
  const auto query = [&](actors::promise<storage::job_page> reply) {
    return actors::list_jobs{std::move(filter), limit, cursor, std::move(reply)};
  };
  auto listed = co_await ask_storage<storage::job_page>(query);
  if (auto* error = std::get_if<api_error>(&listed)) co_return error_response(*error);
  auto& page = std::get<storage::job_page>(listed);
  json::array jobs;
  jobs.reserve(page.jobs.size());
  for (const auto& job : page.jobs) {
    auto shown = job_to_json(job);
    explain_wait(shown, job);
    jobs.push_back(std::move(shown));
  }
  json::object body{{"jobs", std::move(jobs)}};
  if (page.next) body.emplace("next_cursor", std::to_string(*page.next));
  co_return json_response(status::ok, body);
}

api::handler_result api::get_result(const std::string& id, const http_request& request, const peer_identity& peer) {
  auto url = boost::urls::parse_origin_form(request.target()).value();
  auto wait = wait_param(url, config_.max_wait);
  if (auto* error = std::get_if<api_error>(&wait)) co_return error_response(*error);
  auto found = co_await visible_job(id, peer, false, false, std::get<std::chrono::seconds>(wait));
  if (auto* error = std::get_if<api_error>(&found)) co_return error_response(*error);
  const auto& job = *std::get<actors::job_view>(found).job;
  switch (job.run.status) {
    case job_status::succeeded:
      break;
    case job_status::failed:
      co_return error_response(api_error{status::conflict, "job_failed",
                                         "job '" + id + "' failed: " + (job.run.error ? job.run.error->message : ""),
                                         ""});
    case job_status::cancelled:
      co_return error_response(api_error{status::conflict, "job_cancelled", "job '" + id + "' was cancelled", ""});
    default:
      co_return error_response(api_error{status::conflict, "not_final",
                                         "job '" + id + "' is " + std::string(storage::to_string(job.run.status)) +
                                             "; its result is not ready (use ?wait=SECONDS)",
                                         ""});
  }
  const auto read = [&](actors::promise<std::optional<std::string>> reply) {
    return actors::read_result{id, std::move(reply)};
  };
  auto document = co_await ask_storage<std::optional<std::string>>(read);
  if (auto* error = std::get_if<api_error>(&document)) co_return error_response(*error);
  if (!std::get<std::optional<std::string>>(document))
    co_return error_response(api_error{status::internal_server_error, "internal",
                                       "the result of job '" + id + "' could not be read; see the daemon's log", ""});
  const std::string& stored = *std::get<std::optional<std::string>>(document);
  if (stored.size() < 2 || stored.front() != '{')
    co_return error_response(api_error{status::internal_server_error, "internal",
                                       "the stored result of job '" + id + "' is damaged", ""});
  // Spliced as text, not re-serialised, so the numbers keep the form they were stored in.
  http_response response{status::ok, 11};
  response.set(http::field::content_type, "application/json");
  auto& body = response.body();
  body = json::serialize(json::object{{"id", id}, {"status", "succeeded"}});
  body.pop_back();
  if (stored.size() > 2) body += ',';
  body.append(stored, 1);
  body.push_back('\n');
  co_return response;
}

api::handler_result api::cancel_job(const std::string& id, const http_request&, const peer_identity& peer) {
  auto found = co_await visible_job(id, peer, false, false, std::chrono::seconds(0));
  if (auto* error = std::get_if<api_error>(&found)) co_return error_response(*error);
  auto already_final = [&](const storage::job_row& job) {
    return error_response(api_error{status::conflict, "already_final",
                                    "job '" + id + "' has already ended (" +
                                        std::string(storage::to_string(job.run.status)) + ")",
                                    ""});
  };
  if (storage::is_final(std::get<actors::job_view>(found).job->run.status))
    co_return already_final(*std::get<actors::job_view>(found).job);

  auto [reply, answer] = actors::make_promise<actors::cancel_reply>(co_await net::this_coro::executor);
  actors::cancel_job cancel{std::get<actors::job_view>(found).job->seq, std::move(reply)};
  const bool sent = co_await services_.jobs.send(std::move(cancel));
  if (!sent)
    co_return error_response(shutting_down());
  auto outcome = co_await answer.get();
  if (outcome && outcome->outcome == actors::cancel_outcome::not_cancellable)
    co_return error_response(api_error{status::conflict, "not_cancellable", outcome->message, ""});
  auto now = co_await visible_job(id, peer, false, false, std::chrono::seconds(0));
  if (auto* error = std::get_if<api_error>(&now)) co_return error_response(*error);
  const auto& job = *std::get<actors::job_view>(now).job;
  if (!outcome || outcome->outcome == actors::cancel_outcome::already_final) {
    if (storage::is_final(job.run.status) && job.run.status != job_status::cancelled) co_return already_final(job);
    if (!storage::is_final(job.run.status))
      co_return error_response(unavailable("job '" + id + "' is being resumed; try again"));
  }
  co_return json_response(status::accepted, job_to_json(job));
}

api::handler_result api::get_batch(const std::string& id, const http_request&, const peer_identity& peer) {
  const auto query = [&](actors::promise<storage::batch_counts> reply) {
    return actors::count_batch{id, visible_owner(peer), std::move(reply)};
  };
  auto counted = co_await ask_storage<storage::batch_counts>(query);
  if (auto* error = std::get_if<api_error>(&counted)) co_return error_response(*error);
  const auto& counts = std::get<storage::batch_counts>(counted);
  if (counts.total == 0) co_return error_response(not_found("batch '" + id + "'"));
  json::object per_status;
  for (auto status_value : {job_status::waiting, job_status::executing, job_status::succeeded, job_status::failed,
                            job_status::cancelled})
    per_status.emplace(storage::to_string(status_value), counts.per_status[static_cast<int>(status_value)]);
  co_return json_response(status::ok,
                          json::object{{"batch_id", id}, {"total", counts.total}, {"counts", std::move(per_status)}});
}

api::handler_result api::cancel_batch(const std::string& id, const http_request& request, const peer_identity& peer) {
  const auto executor = co_await net::this_coro::executor;
  const auto query = [&](actors::promise<std::vector<std::int64_t>> reply) {
    return actors::list_batch_unfinished{id, visible_owner(peer), std::move(reply)};
  };
  auto listed = co_await ask_storage<std::vector<std::int64_t>>(query);
  if (auto* error = std::get_if<api_error>(&listed)) co_return error_response(*error);
  const auto& seqs = std::get<std::vector<std::int64_t>>(listed);
  if (seqs.empty()) {
    // Either every job of the batch has ended, or there is no such batch for this user.
    auto status_answer = co_await get_batch(id, request, peer);
    if (status_answer.result() == status::not_found) co_return status_answer;
  }
  std::int64_t requested = 0;
  for (const auto seq : seqs) {
    auto [cancel_reply_slot, cancel_answer] = actors::make_promise<actors::cancel_reply>(executor);
    actors::cancel_job cancel{seq, std::move(cancel_reply_slot)};
    const bool forwarded = co_await services_.jobs.send(std::move(cancel));
    if (!forwarded) break;
    auto outcome = co_await cancel_answer.get();
    if (outcome && outcome->outcome == actors::cancel_outcome::accepted) ++requested;
  }
  co_return json_response(status::accepted, json::object{{"batch_id", id}, {"cancel_requested", requested}});
}

http_response api::health(const http_request&) const {
  json::object body{{"status", draining_ ? "draining" : "ok"}, {"ready", ready_ && !draining_}, {"draining", draining_}};
  return json_response(ready_ && !draining_ ? status::ok : status::service_unavailable, body);
}

net::awaitable<std::variant<event_query, http_response>> api::open_events(const http_request& request,
                                                                          const peer_identity& peer) {
  if (draining_) co_return error_response(shutting_down());
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) co_return error_response(bad_request("invalid_target", "the request target is not a valid URL path"));
  event_query query;
  query.filter.owner = visible_owner(peer);
  query.filter.job_id = query_param(*parsed, "job").value_or("");
  query.filter.batch_id = query_param(*parsed, "batch").value_or("");
  if (!query.filter.job_id.empty() && !query.filter.batch_id.empty())
    co_return error_response(bad_request("invalid_query", "give ?job= or ?batch=, not both", "batch"));
  // A job or batch is followed from its first event; everything from now on.
  query.after = query.filter.job_id.empty() && query.filter.batch_id.empty() ? -1 : 0;
  std::string resume(request["Last-Event-ID"]);
  if (resume.empty()) resume = query_param(*parsed, "last_event_id").value_or("");
  if (!resume.empty()) {
    char* end = nullptr;
    const auto id = std::strtoll(resume.c_str(), &end, 10);
    if (*end != '\0' || id < 0)
      co_return error_response(bad_request("invalid_query", "Last-Event-ID must be an event id (a number >= 0)",
                                           "last_event_id"));
    query.after = id;
  }
  if (!query.filter.job_id.empty()) {
    const std::chrono::seconds no_wait{0};
    auto job = co_await visible_job(query.filter.job_id, peer, false, false, no_wait);
    if (auto* error = std::get_if<api_error>(&job)) co_return error_response(*error);
  } else if (!query.filter.batch_id.empty()) {
    const auto count = [&](actors::promise<storage::batch_counts> reply) {
      return actors::count_batch{query.filter.batch_id, query.filter.owner, std::move(reply)};
    };
    auto counted = co_await ask_storage<storage::batch_counts>(count);
    if (auto* error = std::get_if<api_error>(&counted)) co_return error_response(*error);
    if (std::get<storage::batch_counts>(counted).total == 0)
      co_return error_response(not_found("batch '" + query.filter.batch_id + "'"));
  }
  if (query.after < 0) {
    // "Now" is fixed before the answer's head goes out: a client that saw the
    // head and then submits must see that job's first transition.
    auto now = co_await next_events(query, 0);
    if (!now) co_return error_response(shutting_down());
  }
  co_return query;
}

net::awaitable<std::optional<std::vector<storage::transition_row>>> api::next_events(event_query& query,
                                                                                     std::uint32_t limit) {
  const auto read = [&](actors::promise<actors::read_events::events> reply) {
    return actors::read_events{query.after, query.filter, limit, std::move(reply)};
  };
  auto got = co_await ask_storage<actors::read_events::events>(read);
  if (std::holds_alternative<api_error>(got)) co_return std::nullopt;
  auto& events = std::get<actors::read_events::events>(got);
  query.after = events.end;
  co_return std::move(events.rows);
}

std::string api::event_text(const storage::transition_row& event) {
  json::object data{{"job_id", event.job_id},
                    {"status", storage::to_string(event.status)},
                    {"provider_status", event.provider_status},
                    {"at", rfc3339(event.at)}};
  return "id: " + std::to_string(event.seq) + "\nevent: transition\ndata: " + json::serialize(data) + "\n\n";
}

api::handler_result api::targets() {
  std::map<std::string, provider_health> health;
  for (const auto& [name, provider] : services_.remote_providers) {
    auto [reply, answer] = actors::make_promise<actors::provider_health>(co_await net::this_coro::executor);
    actors::get_health ask{std::move(reply)};
    const bool sent = co_await provider.send(std::move(ask));
    std::optional<actors::provider_health> got;
    if (sent) got = co_await answer.get_for(std::chrono::seconds(1));
    provider_health entry;
    if (got) {
      entry.status = std::string(actors::to_string(got->state));
      entry.message = std::move(got->message);
    } else {
      entry.status = "unhealthy";
      entry.message = "the provider actor is not answering";
    }
    health.emplace(name, std::move(entry));
  }
  co_return json_response(status::ok, catalog_.to_json(health));
}

void api::explain_wait(json::object& shown, const storage::job_row& job) const {
  if (storage::is_final(job.run.status) || catalog_.find_provider(job.provider) != nullptr) return;
  shown["waiting_reason"] = "provider '" + job.provider +
                            "' is not in the configuration: the job waits until a reload brings it back";
}

api::handler_result api::metrics(const http_request&) {
  using status_counts = std::vector<storage::job_store::status_count>;
  const auto query = [](actors::promise<status_counts> reply) { return actors::count_by_status{std::move(reply)}; };
  auto counted = co_await ask_storage<status_counts>(query);
  auto families = metrics_->read();
  // Read from the store at each scrape rather than kept as gauges, so a state
  // that no job is in any more drops out instead of keeping its last figure.
  metrics::family_data jobs;
  jobs.name = "qjob_jobs";
  jobs.help = "Jobs in the store by provider and state.";
  jobs.type = metrics::metric_type::gauge;
  jobs.label_names = {"provider", "status"};
  // Without the store's counts the rest of the metrics still answer.
  if (const auto* counts = std::get_if<status_counts>(&counted)) {
    for (const auto& count : *counts) {
      metrics::series_data series;
      series.label_values = {count.provider, std::string(storage::to_string(count.status))};
      series.value = static_cast<double>(count.count);
      jobs.series.push_back(std::move(series));
    }
  }
  families.push_back(std::move(jobs));
  std::sort(families.begin(), families.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  http_response response{status::ok, 11};
  response.set(http::field::content_type, metrics::prometheus_content_type);
  response.body() = metrics::render_prometheus_text(families);
  co_return response;
}

}  // namespace qjob::daemon
