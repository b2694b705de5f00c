#include "fakes/fake_azure.hpp"

#include "formats/ionq_circuit_parser.hpp"
#include "formats/qasm2_parser.hpp"
#include "local/simulator.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <regex>
#include <set>
#include <vector>

namespace qjob::fakes {

namespace net = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t max_fake_qubits = 20;

struct job_record {
  std::uint64_t seq = 0;
  json::object fields;  // what the PUT said, as Azure echoes it
  std::string container;
  std::string creation_time;
  unsigned reads = 0;
  bool cancelled = false;
  std::string failure;  // errorData.message when it fails
  std::string output;   // the output blob's text
  bool output_stored = false;
};

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.0000000+00:00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

fake_answer json_answer(unsigned status, const json::value& body) { return {status, json::serialize(body)}; }

fake_answer azure_error(unsigned status, const std::string& code, const std::string& message) {
  return json_answer(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

fake_answer storage_error(unsigned status, const std::string& code, const std::string& message) {
  return {status,
          "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" + message +
              "</Message></Error>",
          "application/xml"};
}

std::string query_value(const boost::urls::url_view& url, std::string_view key) {
  auto found = url.params().find(key);
  return found == url.params().end() ? std::string() : std::string((*found).value);
}

/// The classical registers a QASM 2 program declares, in order: (name, size).
std::vector<std::pair<std::string, std::uint32_t>> qasm_registers(const std::string& program) {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  static const std::regex creg(R"(creg\s+([A-Za-z_][A-Za-z0-9_]*)\s*\[\s*(\d+)\s*\])");
  for (auto it = std::sregex_iterator(program.begin(), program.end(), creg); it != std::sregex_iterator(); ++it)
    out.emplace_back((*it)[1].str(), static_cast<std::uint32_t>(std::stoul((*it)[2].str())));
  return out;
}

}  // namespace

struct fake_azure::state final : fake_api {
  explicit state(fake_azure_options opts) : options(std::move(opts)), random(options.seed) {}

  fake_azure_options options;
  std::string origin;  // set once the server listens
  std::mt19937_64 random;
  std::map<std::string, clock::time_point> tokens;     // access token -> expiry
  std::map<std::string, clock::time_point> sas;        // sig -> expiry
  std::map<std::string, std::map<std::string, std::string>> blobs;  // container -> blob -> text
  std::map<std::string, job_record> jobs;
  std::uint64_t next_seq = 1;
  std::size_t issued = 0;

  std::string workspace_path() const {
    return "/subscriptions/" + options.subscription_id + "/resourceGroups/" + options.resource_group +
           "/providers/Microsoft.Quantum/workspaces/" + options.workspace;
  }

  std::string fresh_secret(const char* prefix) {
    char text[48];
    std::snprintf(text, sizeof text, "%s%016llx", prefix, static_cast<unsigned long long>(random()));
    return text;
  }

  /// A SAS URI of `path` in the blob store (`/blob/...`), valid for sas_lifetime.
  std::string sas_uri(const std::string& path) {
    const auto sig = fresh_secret("sig");
    sas[sig] = clock::now() + options.sas_lifetime;
    return origin + path + "?sv=2024-05-04&sr=c&sp=rwlac&se=2050-01-01T00%3A00%3A00Z&sig=" + sig;
  }

  // ----- fake_api

  std::optional<std::string> api_path(std::string_view path) const override { return std::string(path); }

  bool authorized(const http_request& req) const override {
    if (req[beast_http::field::authorization].empty()) return req["x-ms-quantum-api-key"] == options.api_key;
    const std::string bearer(req[beast_http::field::authorization]);
    if (!bearer.starts_with("Bearer ")) return false;
    auto token = tokens.find(bearer.substr(7));
    return token != tokens.end() && token->second > clock::now();
  }

  fake_answer error(unsigned status) const override {
    return azure_error(status, status == 429 ? "TooManyRequests" : "ServiceError",
                       "fake Azure Quantum answered " + std::to_string(status));
  }

  std::optional<fake_answer> hook(const http_request& req, std::string_view path) override {
    if (req.method() != beast_http::verb::get || path != "/_fake/jobs") return std::nullopt;
    json::array out;
    for (auto& [id, job] : jobs) out.push_back(job_json(id, job, false));
    return json_answer(200, out);
  }

  fake_answer route(const http_request& req, recorded_request& record) override {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) return azure_error(400, "InvalidRequest", "the request target is not a URL");
    const auto& path = record.path;
    if (path == "/" + options.tenant_id + "/oauth2/v2.0/token" && req.method() == beast_http::verb::post)
      return issue_token(req.body());
    if (path.starts_with("/blob/")) return blob(req, *url, path.substr(6));
    const auto prefix = workspace_path();
    if (!path.starts_with(prefix + "/")) return azure_error(404, "NotFound", "no such resource: " + path);
    if (query_value(*url, "api-version").empty())
      return azure_error(400, "MissingApiVersionParameter", "The api-version query parameter is required.");
    if (!record.authorized)
      return azure_error(401, "Unauthorized", "Authentication failed: no valid workspace key or token.");
    return workspace(req, *url, path.substr(prefix.size()), record);
  }

  // ----- Entra

  fake_answer issue_token(const std::string& form) {
    std::map<std::string, std::string> fields;
    const auto target = "/?" + form;
    if (auto parsed = boost::urls::parse_origin_form(target))
      for (const auto& param : parsed->params()) fields[std::string(param.key)] = std::string(param.value);
    if (fields["grant_type"] != "client_credentials" || fields["client_id"] != options.client_id ||
        fields["client_secret"] != options.client_secret)
      return json_answer(401, json::object{{"error", "invalid_client"},
                                           {"error_description", "AADSTS7000215: Invalid client secret provided."}});
    if (fields["scope"] != "https://quantum.microsoft.com/.default")
      return json_answer(400, json::object{{"error", "invalid_scope"}, {"error_description", "unknown scope"}});
    const auto token = fresh_secret("tok");
    tokens[token] = clock::now() + options.token_lifetime;
    ++issued;
    return json_answer(200, json::object{{"token_type", "Bearer"},
                                         {"expires_in", options.token_lifetime.count()},
                                         {"ext_expires_in", options.token_lifetime.count()},
                                         {"access_token", token}});
  }

  // ----- blob store

  fake_answer blob(const http_request& req, const boost::urls::url_view& url, const std::string& rest) {
    auto granted = sas.find(query_value(url, "sig"));
    if (granted == sas.end()) return storage_error(403, "AuthenticationFailed", "Signature did not match.");
    if (granted->second <= clock::now())
      return storage_error(403, "AuthenticationFailed", "Signed expiry time has to be after signed start time.");
    const auto slash = rest.find('/');
    const auto container = rest.substr(0, slash);
    const auto name = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    if (name.empty() && query_value(url, "restype") == "container") {
      if (req.method() == beast_http::verb::put) {
        if (blobs.contains(container))
          return storage_error(409, "ContainerAlreadyExists", "The specified container already exists.");
        blobs[container];
        return {201, "", "application/xml"};
      }
      if (req.method() == beast_http::verb::get)
        return blobs.contains(container) ? fake_answer{200, "", "application/xml"}
                                         : storage_error(404, "ContainerNotFound", "The specified container does not exist.");
    }
    if (name.empty()) return storage_error(400, "InvalidUri", "no blob named");
    if (!blobs.contains(container))
      return storage_error(404, "ContainerNotFound", "The specified container does not exist.");
    if (req.method() == beast_http::verb::put) {
      if (req["x-ms-blob-type"] != "BlockBlob")
        return storage_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.");
      blobs[container][name] = req.body();
      return {201, "", "application/xml"};
    }
    if (req.method() == beast_http::verb::get) {
      auto found = blobs[container].find(name);
      if (found == blobs[container].end()) return storage_error(404, "BlobNotFound", "The specified blob does not exist.");
      return {200, found->second, "application/json"};
    }
    return storage_error(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.");
  }

  /// The blob `uri` names in this fake's store ("" and false when it is not one).
  std::pair<std::string, bool> read_blob(const std::string& uri, std::string* container = nullptr) {
    const auto prefix = origin + "/blob/";
    if (!uri.starts_with(prefix)) return {"", false};
    auto rest = uri.substr(prefix.size());
    rest = rest.substr(0, rest.find('?'));
    const auto slash = rest.find('/');
    if (container != nullptr) *container = rest.substr(0, slash);
    if (slash == std::string::npos) return {"", blobs.contains(rest)};
    auto c = blobs.find(rest.substr(0, slash));
    if (c == blobs.end()) return {"", false};
    auto b = c->second.find(rest.substr(slash + 1));
    if (b == c->second.end()) return {"", false};
    return {b->second, true};
  }

  // ----- workspace

  fake_answer workspace(const http_request& req, const boost::urls::url_view& url, const std::string& path,
                        recorded_request& record) {
    const auto method = req.method();
    if (path == "/storage/sasUri" && method == beast_http::verb::post) {
      boost::system::error_code ec;
      auto body = json::parse(req.body(), ec);
      const auto* name = (!ec && body.is_object()) ? body.get_object().if_contains("containerName") : nullptr;
      if (name == nullptr || !name->is_string() || name->get_string().empty())
        return azure_error(400, "InvalidRequest", "containerName is required");
      const std::string container(name->get_string());
      blobs[container];  // the service creates the container if it is missing
      std::string target = "/blob/" + container;
      if (const auto* blob_name = body.get_object().if_contains("blobName"); blob_name && blob_name->is_string())
        target += "/" + std::string(blob_name->get_string());
      return json_answer(200, json::object{{"sasUri", sas_uri(target)}});
    }
    if (path == "/jobs" && method == beast_http::verb::get) return list(url);
    if (!path.starts_with("/jobs/")) return azure_error(404, "NotFound", "no such operation: " + path);
    auto id = path.substr(6);
    const bool cancel_verb = id.ends_with(":cancel");
    if (cancel_verb) id.resize(id.size() - 7);
    if (method == beast_http::verb::put && !cancel_verb) return create(id, req.body(), record);
    auto found = jobs.find(id);
    if (found == jobs.end()) return azure_error(404, "JobNotFound", "Job " + id + " not found.");
    auto& job = found->second;
    if (method == beast_http::verb::get && !cancel_verb) {
      ++job.reads;
      return json_answer(200, job_json(id, job, true));
    }
    const auto api_version = query_value(url, "api-version");
    if ((cancel_verb && method == beast_http::verb::post) ||
        (!cancel_verb && method == beast_http::verb::delete_ && api_version < "2025-12-01-preview")) {
      const auto now = status_of(job);
      if (now == "Waiting" || now == "Executing") job.cancelled = true;
      if (cancel_verb) return json_answer(200, job_json(id, job, false));
      return {204, ""};
    }
    if (method == beast_http::verb::delete_) {
      jobs.erase(found);
      return {204, ""};
    }
    return azure_error(405, "MethodNotAllowed", "not allowed on a job");
  }

  fake_answer create(const std::string& id, const std::string& text, recorded_request& record) {
    boost::system::error_code ec;
    auto body = json::parse(text, ec);
    if (ec || !body.is_object()) return azure_error(400, "InvalidJobDefinition", "The job definition is not JSON.");
    auto& fields = body.get_object();
    record.qjob_id = id;
    for (const char* key : {"id", "itemType", "providerId", "target", "inputDataFormat", "outputDataFormat",
                            "containerUri", "inputDataUri"}) {
      const auto* value = fields.if_contains(key);
      if (value == nullptr || !value->is_string() || value->get_string().empty())
        return azure_error(400, "InvalidJobDefinition", std::string("The job's '") + key + "' is required.");
    }
    if (fields.at("id").get_string() != id)
      return azure_error(400, "InvalidJobDefinition", "The job's id does not match the path.");
    if (jobs.contains(id)) return azure_error(409, "JobAlreadyExists", "A job with id " + id + " already exists.");
    std::string container;
    if (!read_blob(std::string(fields.at("containerUri").get_string()), &container).second)
      return azure_error(400, "InvalidJobDefinition", "The container does not exist.");
    auto [input, found] = read_blob(std::string(fields.at("inputDataUri").get_string()));
    if (!found) return azure_error(400, "InvalidJobDefinition", "The input data blob does not exist.");

    job_record job;
    job.seq = next_seq++;
    job.container = container;
    job.creation_time = iso_now();
    run(job, fields, input);
    job.fields = std::move(fields);
    jobs.emplace(id, std::move(job));
    record.created_job = id;
    return json_answer(200, job_json(id, jobs.at(id), false));
  }

  /// Simulates the input exactly, into the output blob the target's format wants.
  void run(job_record& job, const json::object& fields, const std::string& input) {
    const std::string format(fields.at("inputDataFormat").get_string());
    formats::input_limits limits;
    limits.max_qubits = max_fake_qubits;
    std::variant<formats::circuit, formats::input_error> parsed = formats::input_error{"unknown format", "input"};
    if (format == "ionq.circuit.v1") {
      boost::system::error_code ec;
      auto value = json::parse(input, ec);
      if (ec) {
        job.failure = "The input data is not JSON.";
        return;
      }
      parsed = formats::parse_ionq_circuit(value, "input", limits);
    } else if (format == "honeywell.openqasm.v1") {
      parsed = formats::parse_qasm2(input, "input", limits);
    }
    if (auto* problem = std::get_if<formats::input_error>(&parsed)) {
      job.failure = "The input data could not be read: " + problem->message;
      return;
    }
    const auto& circuit = std::get<formats::circuit>(parsed);
    if (circuit.ops.size() > options.max_operations) {
      job.failure = "The program has " + std::to_string(circuit.ops.size()) + " operations; the target runs at most " +
                    std::to_string(options.max_operations) + ".";
      return;
    }
    const auto probabilities = local::outcome_probabilities(circuit);
    if (format == "ionq.circuit.v1") {
      json::object histogram;
      for (const auto& [bits, p] : probabilities) histogram[std::to_string(std::stoull(bits, nullptr, 2))] = p;
      job.output = json::serialize(json::object{{"histogram", std::move(histogram)}});
      return;
    }
    // Quantinuum: every shot's value of every classical register.
    std::uint64_t shots = 100;
    if (const auto* params = fields.if_contains("inputParams"); params && params->is_object()) {
      if (const auto* count = params->get_object().if_contains("count"); count && count->is_number())
        shots = count->to_number<std::uint64_t>();
    }
    std::vector<double> weights;
    for (const auto& entry : probabilities) weights.push_back(entry.second);
    std::mt19937_64 draw(options.seed ^ job.seq);
    std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
    const auto registers = qasm_registers(input);
    json::object out;
    for (const auto& [name, size] : registers) out[name] = json::array{};
    for (std::uint64_t shot = 0; shot < shots && !weights.empty(); ++shot) {
      const auto& bits = probabilities[pick(draw)].first;  // clbit 0 rightmost
      std::uint32_t offset = 0;
      for (const auto& [name, size] : registers) {
        std::string value;
        for (std::uint32_t i = size; i-- > 0;) {
          const auto bit = offset + i;
          value += bit < bits.size() ? bits[bits.size() - 1 - bit] : '0';
        }
        out[name].as_array().emplace_back(value);
        offset += size;
      }
    }
    job.output = json::serialize(out);
  }

  std::string status_of(const job_record& job) const {
    if (job.cancelled) return "Cancelled";
    int step = options.polls_per_step == 0 ? 0 : static_cast<int>(job.reads / options.polls_per_step);
    if (options.hold_at == "Waiting") step = std::min(step, 0);
    if (options.hold_at == "Executing") step = std::min(step, 1);
    if (step <= 0) return "Waiting";
    if (step == 1) return "Executing";
    return job.failure.empty() ? "Succeeded" : "Failed";
  }

  json::object job_json(const std::string& id, job_record& job, bool store_output) {
    json::object out = job.fields;
    const auto status = status_of(job);
    out["id"] = id;
    out["status"] = status;
    out["jobType"] = "QuantumComputing";
    out["jobPriority"] = "Basic";
    out["itemType"] = "Job";
    out["creationTime"] = job.creation_time;
    out["lastModifiedTime"] = iso_now();
    out["isCancelling"] = false;
    out["sessionId"] = nullptr;
    if (!out.contains("metadata")) out["metadata"] = nullptr;
    if (!out.contains("tags")) out["tags"] = json::array{};
    if (!out.contains("inputParams")) out["inputParams"] = json::object{};
    out["beginExecutionTime"] = status == "Waiting" ? json::value(nullptr) : json::value(job.creation_time);
    const bool final = status == "Succeeded" || status == "Failed" || status == "Cancelled";
    out["endExecutionTime"] = final ? json::value(job.creation_time) : json::value(nullptr);
    out["cancellationTime"] = status == "Cancelled" ? json::value(iso_now()) : json::value(nullptr);
    out["errorData"] = status == "Failed"
                           ? json::value(json::object{{"code", "InvalidInputData"}, {"message", job.failure}})
                           : json::value(nullptr);
    out["quantumComputingData"] = final ? json::value(json::object{{"count", 1}}) : json::value(nullptr);
    out["costEstimate"] = status == "Succeeded"
                              ? json::value(json::object{{"currencyCode", "USD"},
                                                         {"events", json::array{}},
                                                         {"estimatedTotal", 0.0}})
                              : json::value(nullptr);
    out["outputDataUri"] = origin + "/blob/" + job.container + "/rawOutputData";
    if (status == "Succeeded" && store_output) {
      if (!job.output_stored) {
        blobs[job.container]["rawOutputData"] = job.output;
        job.output_stored = true;
      }
      out["outputDataUri"] = sas_uri("/blob/" + job.container + "/rawOutputData");
    }
    return out;
  }

  fake_answer list(const boost::urls::url_view& url) {
    const auto filter = query_value(url, "filter");
    std::set<std::string> states;
    static const std::regex state(R"(State eq '([A-Za-z]+)')");
    for (auto it = std::sregex_iterator(filter.begin(), filter.end(), state); it != std::sregex_iterator(); ++it)
      states.insert((*it)[1].str());
    std::size_t top = 100;
    std::size_t skip = 0;
    try {
      if (auto text = query_value(url, "top"); !text.empty()) top = std::stoul(text);
      if (auto text = query_value(url, "skip"); !text.empty()) skip = std::stoul(text);
    } catch (const std::exception&) {
      return azure_error(400, "InvalidRequest", "top and skip must be numbers");
    }
    std::vector<std::pair<const std::string, job_record>*> shown;
    for (auto& entry : jobs)
      if (states.empty() || states.contains(status_of(entry.second))) shown.push_back(&entry);
    std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->second.seq > b->second.seq; });
    json::array value;
    for (std::size_t i = skip; i < shown.size() && i < skip + top; ++i) {
      ++shown[i]->second.reads;
      value.push_back(job_json(shown[i]->first, shown[i]->second, true));
    }
    json::object page{{"value", std::move(value)}};
    if (skip + top < shown.size()) {
      std::string next = origin + workspace_path() + "/jobs?";
      if (auto encoded = url.encoded_params().find("filter"); encoded != url.encoded_params().end())
        next += "filter=" + std::string((*encoded).value) + "&";
      next += "top=" + std::to_string(top) + "&skip=" + std::to_string(skip + top) +
              "&api-version=" + query_value(url, "api-version");
      page["nextLink"] = next;
    } else {
      page["nextLink"] = nullptr;
    }
    return json_answer(200, page);
  }
};

fake_azure::fake_azure(net::any_io_executor executor, fake_azure_options options)
    : state_(std::make_shared<state>(std::move(options))),
      server_(executor, state_, state_->options.port, state_->options.faults) {
  state_->origin = server_.origin();
}

fake_azure::~fake_azure() = default;

void fake_azure::start() { server_.start(); }

void fake_azure::stop() { server_.stop(); }

std::string fake_azure::base_url() const { return server_.origin(); }

std::map<std::string, std::size_t> fake_azure::creates_by_job_id() const {
  std::map<std::string, std::size_t> out;
  for (const auto& r : server_.requests())
    if (!r.created_job.empty()) ++out[r.created_job];
  return out;
}

std::size_t fake_azure::job_count() const { return state_->jobs.size(); }

std::optional<std::string> fake_azure::job_status(const std::string& id) const {
  auto found = state_->jobs.find(id);
  if (found == state_->jobs.end()) return std::nullopt;
  return state_->status_of(found->second);
}

std::size_t fake_azure::tokens_issued() const { return state_->issued; }

}  // namespace qjob::fakes
