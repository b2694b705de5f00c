#include "ionq/ionq_client.hpp"

#include "http/retry_after.hpp"
#include "ionq/ionq_errors.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>
#include <utility>

namespace qjob::ionq {

namespace net = boost::asio;
using verb = boost::beast::http::verb;

namespace {

using remote::make_error;

/// No response at all. A POST may have reached IonQ unless the connection was
/// never made, so only those failures are plainly transient for it.
client_error transport_error(const boost::system::error_code& ec, bool is_post) {
  if (ec == http::errc::invalid_request) return make_error(error_kind::permanent, "IonQ request not sent: " + ec.message());
  auto kind = (is_post && !http::never_reached_server(ec)) ? error_kind::outcome_unknown : error_kind::transient;
  return make_error(kind, "no answer from IonQ: " + ec.message());
}

/// A non-2xx answer. A 5xx (or 408) to a POST may come after the job was created
/// (a proxy's 502 behind a server that accepted it), so its outcome is unknown.
client_error status_error(const http::response& response, bool is_post) {
  auto failure = describe_failure(response.status, response.body);
  client_error error;
  error.status = response.status;
  error.message = std::move(failure.message);
  switch (failure.kind) {
    case failure_kind::transient:
      error.kind = (is_post && (response.status >= 500 || response.status == 408)) ? error_kind::outcome_unknown
                                                                                    : error_kind::transient;
      break;
    case failure_kind::permanent: error.kind = error_kind::permanent; break;
    case failure_kind::credentials: error.kind = error_kind::credentials; break;
  }
  if (auto header = response.headers.find("Retry-After"))
    error.retry_after = http::parse_retry_after(*header, std::chrono::system_clock::now());
  return error;
}

bool is_success(unsigned status) { return status >= 200 && status < 300; }

net::awaitable<client_result<std::string>> ready_error(client_error error) { co_return std::move(error); }

}  // namespace

ionq_client::ionq_client(http::http_client& http, std::string api_key, client_options options)
    : http_(http), authorization_("apiKey " + std::move(api_key)), options_(std::move(options)) {}

http::request ionq_client::make_request(verb method, std::string target, std::string body) const {
  http::request request;
  request.method = method;
  request.target = std::move(target);
  request.headers.add("Authorization", authorization_);
  request.headers.add("Accept", "application/json");
  if (!body.empty()) request.headers.add("Content-Type", "application/json");
  request.body = std::move(body);
  request.timeout = options_.timeout;
  return request;
}

net::awaitable<client_result<std::string>> ionq_client::submit(const job_description& job) {
  auto built = build_job_request(job, options_.limits);
  if (!built.body) {
    auto message = built.error ? built.error->message : std::string("job cannot be sent to IonQ");
    return ready_error(make_error(error_kind::permanent, std::move(message)));
  }
  return submit_body(boost::json::serialize(*built.body));
}

net::awaitable<client_result<std::string>> ionq_client::submit_body(std::string body) {
  auto request = make_request(verb::post, "/jobs", std::move(body));
  auto sent = co_await http_.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), true);
  if (!is_success(sent->status)) co_return status_error(*sent, true);
  auto parsed = parse_job(std::string_view(sent->body));
  // A 2xx whose body we cannot read still created the job.
  if (!parsed.job) co_return make_error(error_kind::outcome_unknown, "IonQ's answer to POST /jobs: " + parsed.error);
  co_return std::move(parsed.job->id);
}

net::awaitable<client_result<job_info>> ionq_client::get(std::string id) {
  auto request = make_request(verb::get, "/jobs/" + id);
  auto sent = co_await http_.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), false);
  if (!is_success(sent->status)) co_return status_error(*sent, false);
  auto parsed = parse_job(std::string_view(sent->body));
  if (!parsed.job) co_return make_error(error_kind::transient, "IonQ's job " + id + ": " + parsed.error);
  co_return std::move(*parsed.job);
}

net::awaitable<client_result<job_page>> ionq_client::list(std::size_t limit, std::optional<std::string> next) {
  auto target = "/jobs?limit=" + std::to_string(limit);
  // IonQ's cursors are opaque tokens of URL-safe characters; anything else would be
  // a broken answer, and sending it back as is fails that one request only.
  if (next) target += "&next=" + *next;
  auto request = make_request(verb::get, std::move(target));
  auto sent = co_await http_.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), false);
  if (!is_success(sent->status)) co_return status_error(*sent, false);
  auto parsed = parse_job_page(sent->body);
  if (!parsed.page) co_return make_error(error_kind::transient, "IonQ's job list: " + parsed.error);
  co_return std::move(*parsed.page);
}

net::awaitable<client_result<job_info>> ionq_client::cancel(std::string id) {
  auto request = make_request(verb::put, "/jobs/" + id + "/status/cancel");
  auto sent = co_await http_.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), false);
  if (!is_success(sent->status)) co_return status_error(*sent, false);
  // IonQ answers `canceled` even when the job had already finished: trust a re-read.
  auto reread = co_await get(std::move(id));
  co_return reread;
}

std::string ionq_client::result_target(const job_info& job, const result_link& link) const {
  if (link.url.empty()) return "/jobs/" + job.id + "/artifacts/" + link.artifact_id;
  std::string_view url = link.url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    auto path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view("/") : url.substr(path);
  }
  if (!options_.base_path.empty() && url.starts_with(options_.base_path)) url.remove_prefix(options_.base_path.size());
  return std::string(url);
}

net::awaitable<client_result<std::string>> ionq_client::probabilities(job_info job,
                                                                       std::vector<formats::circuit> circuits,
                                                                       document_options options) {
  const result_link* link = nullptr;
  for (const auto& candidate : job.results)
    if (candidate.kind == "probabilities" || candidate.kind == "probabilities-aggregate") {
      link = &candidate;
      break;
    }
  if (link == nullptr) co_return make_error(error_kind::transient, "IonQ's job " + job.id + " lists no probabilities yet");
  const int version = link->version;
  auto request = make_request(verb::get, result_target(job, *link));
  auto sent = co_await http_.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), false);
  if (!is_success(sent->status)) co_return status_error(*sent, false);

  std::vector<circuit_payload> payloads;
  if (!job.child_job_ids.empty()) {
    auto aggregate = parse_aggregate(sent->body, job.child_job_ids);
    if (!aggregate.value) co_return make_error(error_kind::transient, "IonQ's results of " + job.id + ": " + aggregate.error);
    for (auto& distribution : *aggregate.value) {
      circuit_payload payload;
      payload.probabilities = std::move(distribution);
      payloads.push_back(std::move(payload));
    }
  } else {
    auto single = parse_probabilities(sent->body, version);
    if (!single.value) co_return make_error(error_kind::transient, "IonQ's results of " + job.id + ": " + single.error);
    circuit_payload payload;
    payload.probabilities = std::move(*single.value);
    payloads.push_back(std::move(payload));
  }
  auto document = build_result_document(circuits, payloads, options);
  if (!document.error.empty())
    co_return make_error(error_kind::permanent, "IonQ's results of " + job.id + " do not fit the job: " + document.error);
  co_return std::move(document.document);
}

}  // namespace qjob::ionq
