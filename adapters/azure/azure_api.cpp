#include "azure/azure_api.hpp"

#include "azure/azure_results.hpp"
#include "azure/azure_status.hpp"
#include "azure/azure_submission.hpp"
#include "azure/azure_url.hpp"
#include "local/sampler.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace qjob::azure {

namespace net = boost::asio;
namespace json = boost::json;
using verb = boost::beast::http::verb;

namespace {

/// The Blob service version our storage requests speak (the SDK's, in the recordings).
constexpr std::string_view storage_version = "2024-05-04";

bool is_success(unsigned status) { return status >= 200 && status < 300; }

std::string require(const std::string& value, std::string_view name) {
  if (value.empty()) throw std::invalid_argument("Azure Quantum needs '" + std::string(name) + "'");
  return percent_encode(value);
}

}  // namespace

azure_api::azure_api(azure_options options, client_factory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {
  auto endpoint = split_url(options_.endpoint);
  if (!endpoint) throw std::invalid_argument("Azure Quantum's 'endpoint' is not an http(s) URL");
  workspace_origin_ = endpoint->origin;
  std::string prefix = endpoint->path;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  workspace_path_ = prefix + "/subscriptions/" + require(options_.subscription_id, "subscription") +
                    "/resourceGroups/" + require(options_.resource_group, "resource_group") +
                    "/providers/Microsoft.Quantum/workspaces/" + require(options_.workspace, "workspace");
  if (options_.api_version.empty()) throw std::invalid_argument("Azure Quantum needs an 'api_version'");
  if (!options_.api_key) {
    if (!options_.entra) throw std::invalid_argument("Azure Quantum needs an API key or Entra client credentials");
    if (options_.entra->tenant_id.empty() || options_.entra->client_id.empty() || options_.entra->client_secret.empty())
      throw std::invalid_argument("Azure Quantum's Entra credentials need tenant_id, client_id and client_secret");
    token_.emplace(*options_.entra, options_.now, options_.timeout);
  }
  if (!factory_) throw std::invalid_argument("Azure Quantum needs an http client factory");
}

remote::capabilities azure_api::abilities() const {
  return {.cancel = true, .list = true, .lookup = remote::lost_submission_lookup::get_by_qjob_id};
}

remote::api_result<std::string> azure_api::prepare(const remote::job_spec& job) const {
  auto built = build_submission(job);
  if (!built) return built.error();
  return to_envelope(*built);
}

http::http_client& azure_api::client_for(const std::string& origin) {
  auto& client = clients_[origin];
  if (!client) client = factory_(origin);
  return *client;
}

std::string azure_api::operation(std::string_view path, std::string_view query) const {
  std::string target = workspace_path_ + std::string(path) + "?api-version=" + percent_encode(options_.api_version);
  if (!query.empty()) target += "&" + std::string(query);
  return target;
}

net::awaitable<remote::api_result<http::response>> azure_api::send_raw(std::string origin, http::request request,
                                                                       exchange ex) {
  request.timeout = options_.timeout;
  auto& client = client_for(origin);
  auto sent = co_await client.send(std::move(request));
  if (!sent) co_return transport_error(sent.error(), ex);
  co_return std::move(*sent);
}

net::awaitable<remote::api_result<http::response>> azure_api::workspace(verb method, std::string target,
                                                                        std::string body, exchange ex) {
  http::request request;
  request.method = method;
  request.target = std::move(target);
  request.headers.add("Accept", "application/json");
  if (options_.api_key) {
    request.headers.add("x-ms-quantum-api-key", *options_.api_key);
  } else {
    auto& authority = client_for(token_->origin());
    auto token = co_await token_->get(authority);
    if (!token) co_return token.error();
    request.headers.add("Authorization", "Bearer " + *token);
  }
  if (!body.empty() || method == verb::post || method == verb::put) request.headers.add("Content-Type", "application/json");
  request.body = std::move(body);
  // The PUT that creates the job is never sent twice by the transport: a second
  // one would meet the first's job (409), which only a lookup can tell apart.
  request.may_resend = !ex.final_submit;
  auto sent = co_await send_raw(workspace_origin_, std::move(request), ex);
  if (!sent) co_return sent.error();
  if (!is_success(sent->status)) {
    // A refused token may have been revoked before its expiry: fetch another next time.
    if (sent->status == 401 && token_) token_->invalidate();
    co_return status_error(*sent, ex);
  }
  co_return std::move(*sent);
}

net::awaitable<remote::api_result<std::string>> azure_api::sas_uri(std::string container, std::string blob) {
  json::object details{{"containerName", container}};
  if (!blob.empty()) details["blobName"] = blob;
  const exchange ex{"POST storage/sasUri"};
  auto target = operation("/storage/sasUri");
  auto answered = co_await workspace(verb::post, std::move(target), json::serialize(details), ex);
  if (!answered) co_return answered.error();
  boost::system::error_code ec;
  const auto value = json::parse(answered->body, ec);
  const auto* uri = (!ec && value.is_object()) ? value.get_object().if_contains("sasUri") : nullptr;
  if (uri == nullptr || !uri->is_string() || !split_url(uri->get_string()))
    co_return unreadable("no sasUri that is an http(s) URL", ex);
  co_return std::string(uri->get_string());
}

net::awaitable<remote::api_result<std::string>> azure_api::submit(std::string prepared) {
  const auto job = from_envelope(prepared);
  if (!job) co_return refused("not a prepared Azure Quantum submission");

  auto container_uri = co_await sas_uri(job->container, "");
  if (!container_uri) co_return container_uri.error();
  const auto container = *split_url(*container_uri);

  // The SDK checks for the container first; creating it and accepting
  // "already exists" is one exchange fewer and the same outcome.
  http::request create;
  create.method = verb::put;
  create.target = container.path + "?restype=container" + (container.query.empty() ? "" : "&" + container.query);
  create.headers.add("x-ms-version", std::string(storage_version));
  const exchange create_ex{"PUT blob container"};
  auto created = co_await send_raw(container.origin, std::move(create), create_ex);
  if (!created) co_return created.error();
  const bool exists = created->status == 409 && describe_error_body(created->body) == "ContainerAlreadyExists";
  if (!is_success(created->status) && !exists) co_return status_error(*created, create_ex);

  http::request upload;
  upload.method = verb::put;
  upload.target = container.path + "/inputData" + (container.query.empty() ? "" : "?" + container.query);
  upload.headers.add("x-ms-version", std::string(storage_version));
  upload.headers.add("x-ms-blob-type", "BlockBlob");
  upload.headers.add("Content-Type", job->content_type);
  upload.body = job->input;
  const exchange upload_ex{"PUT blob inputData"};
  auto uploaded = co_await send_raw(container.origin, std::move(upload), upload_ex);
  if (!uploaded) co_return uploaded.error();
  if (!is_success(uploaded->status)) co_return status_error(*uploaded, upload_ex);

  const exchange put_ex{"PUT jobs/" + job->job_id, true};
  auto body = json::serialize(job_body(*job, *container_uri));
  auto target = operation("/jobs/" + percent_encode(job->job_id));
  auto put = co_await workspace(verb::put, std::move(target), std::move(body), put_ex);
  if (!put) co_return put.error();
  auto details = parse_job_details(std::string_view(put->body));
  if (!details.job) co_return unreadable(details.error, put_ex);
  co_return std::move(details.job->id);
}

net::awaitable<remote::api_result<job_details>> azure_api::read_job(std::string id) {
  const std::string what = "GET jobs/" + id;
  const exchange ex{what};
  auto target = operation("/jobs/" + percent_encode(id));
  auto answered = co_await workspace(verb::get, std::move(target), {}, ex);
  if (!answered) co_return answered.error();
  auto details = parse_job_details(std::string_view(answered->body));
  if (!details.job) co_return unreadable(details.error, ex);
  co_return std::move(*details.job);
}

net::awaitable<remote::api_result<remote::job_state>> azure_api::get(std::string provider_job_id) {
  auto job = co_await read_job(std::move(provider_job_id));
  if (!job) co_return job.error();
  co_return to_job_state(*job);
}

net::awaitable<remote::api_result<remote::state_page>> azure_api::list(std::size_t limit,
                                                                      std::optional<std::string> next) {
  const exchange ex{"GET jobs"};
  std::string target;
  if (next) {
    const auto link = split_url(*next);
    // The link gets our credentials: it must lead back to the workspace's own host.
    if (!link || link->origin != workspace_origin_)
      co_return refused("Azure's nextLink does not lead to the workspace endpoint");
    target = link->target();
  } else {
    target = operation("/jobs", "orderby=" + percent_encode("CreationTime desc") + "&top=" + std::to_string(limit));
  }
  auto answered = co_await workspace(verb::get, std::move(target), {}, ex);
  if (!answered) co_return answered.error();
  auto read = parse_job_page(answered->body);
  if (!read.page) co_return unreadable(read.error, ex);
  remote::state_page page;
  page.jobs.reserve(read.page->jobs.size());
  for (const auto& job : read.page->jobs) page.jobs.push_back(to_job_state(job));
  page.next = std::move(read.page->next);
  co_return page;
}

net::awaitable<remote::api_result<remote::job_state>> azure_api::cancel(std::string provider_job_id) {
  const bool cancel_verb = options_.api_version >= cancel_verb_api_version;
  const auto path = "/jobs/" + percent_encode(provider_job_id) + (cancel_verb ? ":cancel" : "");
  const std::string what = (cancel_verb ? "POST jobs/" : "DELETE jobs/") + provider_job_id + (cancel_verb ? ":cancel" : "");
  const exchange ex{what};
  auto target = operation(path);
  const auto method = cancel_verb ? verb::post : verb::delete_;
  auto answered = co_await workspace(method, std::move(target), {}, ex);
  if (!answered) co_return answered.error();
  // The answer (JobDetails, or 204) may still say Executing: the job is read again.
  co_return co_await get(std::move(provider_job_id));
}

net::awaitable<remote::api_result<http::response>> azure_api::download(std::string url, exchange ex) {
  const auto parts = split_url(url);
  if (!parts) co_return refused("Azure's outputDataUri is not an http(s) URL");
  http::request request;
  request.method = verb::get;
  request.target = parts->target();
  request.headers.add("x-ms-version", std::string(storage_version));
  co_return co_await send_raw(parts->origin, std::move(request), ex);
}

net::awaitable<remote::api_result<std::string>> azure_api::results(remote::result_request request) {
  auto job = co_await read_job(request.provider_job_id);
  if (!job) co_return job.error();
  if (job->mapping.state != "succeeded")
    co_return refused("job " + job->id + " has no results: it is " + job->status);
  if (job->output_data_uri.empty()) {
    const exchange read_ex{"GET jobs/" + job->id};
    co_return unreadable("job " + job->id + " names no outputDataUri yet", read_ex);
  }

  const exchange ex{"GET blob output"};
  auto downloaded = co_await download(job->output_data_uri, ex);
  if (!downloaded) co_return downloaded.error();
  if (downloaded->status == 403) {
    // The SAS in outputDataUri has expired: ask for a fresh one for that blob, once.
    const auto parts = split_url(job->output_data_uri);
    const auto slash = parts->path.find('/', 1);
    if (slash == std::string::npos) co_return status_error(*downloaded, ex);
    auto container = parts->path.substr(1, slash - 1);
    auto blob = parts->path.substr(slash + 1);
    auto fresh = co_await sas_uri(std::move(container), std::move(blob));
    if (!fresh) co_return fresh.error();
    downloaded = co_await download(std::move(*fresh), ex);
    if (!downloaded) co_return downloaded.error();
  }
  if (!is_success(downloaded->status)) co_return status_error(*downloaded, ex);

  const auto read = read_results(job->output_data_format, downloaded->body, request.circuits, request.shots,
                                 local::job_seed(request.job_id));
  if (read.document.empty()) {
    if (read.permanent) co_return refused("job " + job->id + ": " + read.error);
    co_return unreadable(read.error, ex);
  }
  co_return read.document;
}

}  // namespace qjob::azure
