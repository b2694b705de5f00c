// POST /v1/batches as NDJSON, stored as it streams in: lines are parsed into
// chunks, each chunk committed by the storage actor while the next is parsed,
// the batch staged (invisible) until its last line is durable, then published
// and handed to the scheduler. Memory is a chunk or two, and each new job's seq
// (8 bytes, what the scheduler keeps for it anyway): no body, no list of every
// id (the store finds a repeated id).
#include "api.hpp"

#include "queued_runs.hpp"
#include "runtime/promise.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>

#include <chrono>

namespace qjob::daemon {

namespace json = boost::json;
using http::status;

namespace {

// A chunk is one transaction of the store: large enough that a commit's fsync
// is shared by thousands of jobs, small enough that the writer is not held long
// and memory stays a few MB (jobs, or bytes of their input, whichever first).
constexpr std::size_t chunk_jobs = 5'000;
constexpr std::size_t chunk_bytes = 8 << 20;
// Above this many jobs, the answer leaves out job_ids (DESIGN.md).
constexpr std::size_t max_listed_job_ids = 10'000;

std::string line_field(std::size_t line) { return "line " + std::to_string(line) + ": "; }

api_error store_failed(const actors::write_ack& ack) {
  if (ack.disk_full)
    return api_error{status::service_unavailable, "storage_full",
                     "the job store is full (no space left on the state directory's disk); nothing of this "
                     "request was stored; try again once space is freed",
                     ""};
  return api_error{status::internal_server_error, "internal", "the job store failed; see the daemon's log", ""};
}

/// Why the lines stopped short, as the client is told.
api_error line_failure(const ndjson_lines& lines, const daemon_config& config) {
  const auto line = std::to_string(lines.failed_line());
  switch (lines.failure()) {
    case ndjson_failure::line_too_long:
      return api_error{status::payload_too_large, "line_too_large",
                       "line " + line + " is " + (lines.failed_line_whole() ? "" : "over ") +
                           std::to_string(lines.failed_line_bytes()) + " bytes; the limit is " +
                           std::to_string(config.max_line_bytes) + " (max_line_bytes)",
                       "line " + line};
    case ndjson_failure::timed_out:
      return api_error{status::request_timeout, "request_timeout",
                       "nothing of the batch arrived for " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config.request_timeout).count()) +
                           " s (request_timeout_seconds); nothing of it was stored",
                       ""};
    case ndjson_failure::malformed:
      return bad_request("invalid_body", "the request body's framing is broken; nothing of the batch was stored");
    case ndjson_failure::disconnected:
    case ndjson_failure::none:
      break;
  }
  return bad_request("incomplete_body", "the connection closed before the end of the batch; nothing of it was stored");
}

}  // namespace

/// A batch being received: what was parsed and not yet sent, the chunk whose
/// commit is awaited, and the totals.
struct api::batch_intake {
  std::string batch_id;
  std::uint32_t owner = 0;
  std::vector<storage::job_row> next;  ///< parsed, not yet sent
  std::vector<std::size_t> next_lines;  ///< the line of each row of `next`
  std::size_t next_bytes = 0;
  /// The chunk sent and not yet settled: its reply (which hands its rows back),
  /// and each row's line so that a refusal names it.
  std::optional<actors::future<actors::staged_reply>> in_flight;
  std::vector<std::size_t> in_flight_lines;
  std::size_t sent = 0;      ///< jobs sent to the store, in all
  /// New jobs committed (the others were idempotent duplicates), to queue once
  /// the batch is published.
  actors::queued_runs committed;
  bool staged = false;       ///< a chunk was sent: the batch may exist, staged, in the store
};

bool api::streams_body(const http::request_header<>& header) {
  if (header.method() != http::verb::post) return false;
  const auto target = header.target();
  if (!(target == "/v1/batches" || target.starts_with("/v1/batches?"))) return false;
  const auto content_type = header[http::field::content_type];
  return content_type.starts_with("application/x-ndjson") || content_type.starts_with("application/jsonl");
}

net::awaitable<std::variant<json::object, api_error>> api::receive_batch(const peer_identity& peer,
                                                                         ndjson_lines& lines) {
  const auto executor = co_await net::this_coro::executor;
  batch_intake intake;
  intake.batch_id = make_uuid();
  intake.owner = peer.uid;
  const auto checks = rules();
  std::size_t count = 0;
  // Kept only while the answer may list them (DESIGN.md): at most 10,000.
  std::vector<std::string> job_ids;
  // Each line's DOM lives in an arena, reused, as in submit_job.
  unsigned char arena_buffer[8192];
  json::monotonic_resource arena(arena_buffer);
  std::optional<api_error> failed;
  for (;;) {
    auto line = co_await lines.next();
    if (!line) {
      if (lines.failure() != ndjson_failure::none) failed = line_failure(lines, config_);
      break;
    }
    if (line->text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const auto prefix = line_field(line->number);
    if (count >= config_.max_batch_jobs) {
      failed = api_error{status::payload_too_large, "batch_too_large",
                         "a batch holds at most " + std::to_string(config_.max_batch_jobs) +
                             " jobs (max_batch_jobs); line " + std::to_string(line->number) + " is one more",
                         ""};
      break;
    }
    arena.release();  // the previous line's DOM is gone
    boost::system::error_code ec;
    auto job = json::parse(line->text, ec, &arena);
    if (ec) {
      failed = bad_request("invalid_json",
                           "line " + std::to_string(line->number) + " is not valid JSON: " + ec.message(), prefix);
      break;
    }
    auto parsed = parse_job_request(job, peer.uid, checks, prefix);
    if (auto* error = std::get_if<api_error>(&parsed)) {
      failed = std::move(*error);
      break;
    }
    auto& row = std::get<storage::job_row>(parsed);
    row.batch_id = intake.batch_id;
    ++count;
    if (count <= max_listed_job_ids)
      job_ids.push_back(row.id);
    else
      std::vector<std::string>().swap(job_ids);
    intake.next_bytes += row.input.size() + row.params.size();
    intake.next.push_back(std::move(row));
    intake.next_lines.push_back(line->number);
    if (intake.next.size() >= chunk_jobs || intake.next_bytes >= chunk_bytes) {
      failed = co_await send_chunk(intake);
      if (failed) break;
    }
  }
  if (!failed && !intake.next.empty()) failed = co_await send_chunk(intake);
  if (!failed) failed = co_await settle_chunk(intake);
  if (!failed && count == 0) failed = bad_request("invalid_batch", "the batch has no jobs");
  if (!failed) {
    auto [reply, answer] = actors::make_promise<actors::write_ack>(executor);
    actors::publish_batch publish{intake.batch_id, std::move(reply)};
    const bool sent = co_await services_.storage.send(std::move(publish));
    std::optional<actors::write_ack> ack;
    if (sent) ack = co_await answer.get();
    if (!ack)
      failed = api_error{status::service_unavailable, "unavailable", "qjobd is shutting down; try again when it is back",
                         ""};
    else if (!ack->ok())
      failed = store_failed(*ack);
  }
  if (failed) {
    // A chunk still committing must land before the discard, which then covers it.
    co_await settle_chunk(intake);
    if (intake.staged) {
      auto [reply, answer] = actors::make_promise<actors::write_ack>(executor);
      actors::discard_batch discard{intake.batch_id, std::move(reply)};
      const bool sent = co_await services_.storage.send(std::move(discard));
      // Unanswered only when the daemon stops: the next start discards it.
      if (sent) co_await answer.get();
    }
    co_return std::move(*failed);
  }
  // Handed over as committed: 8 bytes a job, the scheduler's own cost for them.
  jobs_submitted_.inc(intake.committed.size());
  if (intake.committed.size() > 0) {
    actors::queue_jobs queue{intake.committed.take()};
    co_await services_.jobs.send(std::move(queue));
  }
  json::object body{{"batch_id", intake.batch_id}, {"count", count}};
  if (count <= max_listed_job_ids) {
    json::array listed;
    listed.reserve(job_ids.size());
    for (auto& id : job_ids) listed.emplace_back(std::move(id));
    body.emplace("job_ids", std::move(listed));
  }
  co_return body;
}

net::awaitable<std::optional<api_error>> api::settle_chunk(batch_intake& intake) {
  if (!intake.in_flight) co_return std::nullopt;
  auto reply = co_await intake.in_flight->get();
  intake.in_flight.reset();
  if (!reply)
    co_return api_error{status::service_unavailable, "unavailable", "qjobd is shutting down; try again when it is back",
                        ""};
  if (reply->repeated) {
    const auto at = *reply->repeated;
    co_return bad_request("duplicate_id", "the id '" + reply->rows[at].id + "' appears twice in this batch",
                          line_field(intake.in_flight_lines[at]) + "id");
  }
  if (reply->conflict) {
    const auto at = *reply->conflict;
    co_return api_error{status::conflict, "conflict",
                        "a job with the id '" + reply->rows[at].id + "' exists with other content",
                        line_field(intake.in_flight_lines[at]) + "id"};
  }
  if (!reply->ack.ok()) co_return store_failed(reply->ack);
  for (auto& run : reply->queued) intake.committed.add(std::move(run));
  co_return std::nullopt;
}

net::awaitable<std::optional<api_error>> api::send_chunk(batch_intake& intake) {
  // One chunk commits while the next is parsed: no more, so memory stays bounded.
  auto settled = co_await settle_chunk(intake);
  if (settled) co_return settled;
  // Staged jobs are not counted by the backlog yet: the batch so far is.
  auto refused = co_await admit(intake.owner, intake.sent + intake.next.size());
  if (refused) co_return refused;
  intake.in_flight_lines = std::move(intake.next_lines);
  intake.sent += intake.next.size();
  auto [reply, answer] = actors::make_promise<actors::staged_reply>(co_await net::this_coro::executor);
  actors::insert_staged chunk{intake.batch_id, intake.owner, !intake.staged, std::move(intake.next), std::move(reply)};
  intake.next = {};
  intake.next_lines = {};
  intake.next_bytes = 0;
  intake.staged = true;
  const bool sent = co_await services_.storage.send(std::move(chunk));
  if (!sent)
    co_return api_error{status::service_unavailable, "unavailable", "qjobd is shutting down; try again when it is back",
                        ""};
  intake.in_flight.emplace(std::move(answer));
  co_return std::nullopt;
}

}  // namespace qjob::daemon
