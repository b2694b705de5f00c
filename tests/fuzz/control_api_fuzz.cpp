// The control API from raw bytes: one HTTP/1.1 request parsed by Beast with the
// daemon's limits (control_server.cpp), then what api.cpp checks before it asks
// an actor anything: the origin-form target, the path, the query parameters,
// `?wait=`, and the JSON (or NDJSON) body of POST /v1/jobs and /v1/batches.
#include "fuzz_catalog.hpp"
#include "request_query.hpp"

#include "storage/job_row.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using qjob::daemon::parse_job_request;

constexpr std::uint32_t owner = 1000;

void submit_one(std::string_view body) {
  unsigned char arena_buffer[4096];
  json::monotonic_resource arena(arena_buffer);
  boost::system::error_code ec;
  auto value = json::parse(body, ec, &arena);
  if (ec) return;
  (void)parse_job_request(value, owner, qjob::fuzz::fuzz_rules());
}

void submit_batch(std::string_view body, bool ndjson) {
  const auto max_jobs = qjob::fuzz::fuzz_config().max_batch_jobs;
  std::size_t jobs = 0;
  unsigned char arena_buffer[8192];
  json::monotonic_resource arena(arena_buffer);
  if (ndjson) {
    std::size_t line_number = 0;
    while (!body.empty() && jobs < max_jobs) {
      ++line_number;
      auto end = body.find('\n');
      auto line = body.substr(0, end);
      body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      arena.release();
      boost::system::error_code ec;
      auto job = json::parse(line, ec, &arena);
      if (ec) return;
      auto parsed = parse_job_request(job, owner, qjob::fuzz::fuzz_rules(), "line " + std::to_string(line_number) + ": ");
      if (std::holds_alternative<qjob::daemon::api_error>(parsed)) return;
      ++jobs;
    }
    return;
  }
  boost::system::error_code ec;
  auto value = json::parse(body, ec, &arena);
  if (ec || !value.is_array()) return;
  for (const auto& job : value.get_array()) {
    if (++jobs > max_jobs) return;
    auto parsed = parse_job_request(job, owner, qjob::fuzz::fuzz_rules(), "[" + std::to_string(jobs - 1) + "].");
    if (std::holds_alternative<qjob::daemon::api_error>(parsed)) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& config = qjob::fuzz::fuzz_config();
  http::request_parser<http::string_body> parser;
  parser.body_limit(config.max_body_bytes);
  parser.header_limit(config.max_header_bytes);
  parser.eager(true);
  boost::system::error_code ec;
  boost::asio::const_buffer input(data, size);
  while (input.size() > 0 && !parser.is_done()) {
    const auto used = parser.put(input, ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;
    input += used;
  }
  if (!parser.is_done()) {
    // As http::read does: the end of the stream ends a body that runs to it, and
    // before any byte it is no request at all.
    if (!parser.got_some()) return 0;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  auto request = parser.release();
  (void)(request[http::field::expect] == "100-continue");
  (void)request.keep_alive();

  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return 0;
  const auto segments = qjob::daemon::path_segments(*url);
  for (const char* name : {"history", "provider", "target", "batch", "name", "tag", "job", "last_event_id"})
    (void)qjob::daemon::query_param(*url, name);
  (void)qjob::daemon::wait_param(*url, config.max_wait);
  if (auto status = qjob::daemon::query_param(*url, "status")) (void)qjob::storage::parse_job_status(*status);
  if (auto limit = qjob::daemon::query_param(*url, "limit")) {
    std::uint32_t value = 0;
    (void)std::from_chars(limit->data(), limit->data() + limit->size(), value);
  }
  if (auto cursor = qjob::daemon::query_param(*url, "cursor")) {
    std::int64_t value = 0;
    (void)std::from_chars(cursor->data(), cursor->data() + cursor->size(), value);
  }

  if (request.method() != http::verb::post || segments.size() != 2 || segments[0] != "v1") return 0;
  if (segments[1] == "jobs") submit_one(request.body());
  if (segments[1] == "batches") {
    const auto content_type = request[http::field::content_type];
    submit_batch(request.body(),
                 content_type.starts_with("application/x-ndjson") || content_type.starts_with("application/jsonl"));
  }
  return 0;
}
