#include "fakes/fake_ionq.hpp"

#include "formats/ionq_circuit_parser.hpp"
#include "local/simulator.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <variant>

namespace qjob::fakes {

namespace net = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace {

// The fake simulates every circuit exactly at creation; this keeps that cheap.
constexpr std::uint32_t max_fake_qubits = 20;
constexpr int completed_step = 3;

struct job_record {
  std::string id;
  std::uint64_t seq = 0;
  std::string type;
  std::string backend;
  json::value name;      // null or string
  json::value metadata;  // null or object
  std::uint64_t shots = 100;
  std::uint32_t qubits = 0;
  std::size_t circuits = 1;
  std::uint64_t gates_1q = 0;
  std::uint64_t gates_2q = 0;
  clock::time_point created;
  std::string submitted_at;
  std::string started_at;
  std::string completed_at;
  unsigned observations = 0;
  bool canceled = false;
  std::string failure_code;
  std::string failure_message;
  std::string parent;
  std::vector<std::string> children;
  json::object probabilities;  // decimal little-endian key -> probability
};

using answer = fake_answer;

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms));
  return text;
}

std::string error_name(unsigned status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized Error";
    case 403: return "Forbidden Error";
    case 404: return "Not Found Error";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 500 ? "Client Error" : "Server Error";
  }
}

// Messages as in the spec's examples and response descriptions.
std::string default_message(unsigned status) {
  switch (status) {
    case 401:
      return "Invalid key provided. See https://docs.ionq.com/#authentication for details, or email support@ionq.co "
             "for help.";
    case 404: return "Resource not found. See https://docs.ionq.com/ for details, or email support@ionq.co for help.";
    case 413: return "Request body exceeds the 10 MB limit.";
    case 429: return "Too Many Requests. To get a higher rate limit, please reach out to support@ionq.co";
    case 500: return "Internal service outage. Visit https://status.ionq.co/ to track this incident.";
    case 502:
      return "Bad Gateway, this can be caused by misbehaving proxies, or by service issues. These can be retried, and "
             "downtime can be found on status.ionq.co";
    case 503: return "Service Unavailable, this is indicative of service outage, please check status.ionq.co";
    default: return error_name(status);
  }
}

answer error_answer(unsigned status, std::string message = {}) {
  json::object body;
  body["error"] = error_name(status);
  body["message"] = message.empty() ? default_message(status) : std::move(message);
  body["statusCode"] = status;
  return {status, json::serialize(body)};
}

answer bad_request(std::string message, std::string key) {
  json::object body;
  body["error"] = "Bad Request";
  body["message"] = std::move(message);
  body["statusCode"] = 400;
  body["validation"] = json::object{{"keys", json::array{json::value(std::move(key))}}, {"source", "payload"}};
  return {400, json::serialize(body)};
}

answer json_answer(unsigned status, const json::value& body) { return {status, json::serialize(body)}; }

}  // namespace

struct fake_ionq::state final : fake_api {
  explicit state(fake_ionq_options opts) : options(std::move(opts)), ids(options.seed) {}

  fake_ionq_options options;
  std::map<std::string, job_record> jobs;
  std::uint64_t next_seq = 1;
  std::mt19937_64 ids;

  std::optional<std::string> api_path(std::string_view path) const override {
    if (path == "/v0.4" || path.starts_with("/v0.4/")) return std::string(path.substr(5));
    return std::nullopt;
  }
  bool authorized(const http_request& req) const override {
    return req[beast_http::field::authorization] == "apiKey " + options.api_key;
  }
  answer error(unsigned status) const override { return error_answer(status); }

  std::string new_id() {
    const std::uint64_t a = ids();
    const std::uint64_t b = ids();
    char text[40];
    // UUID version 4 layout, from the seeded generator so that runs are repeatable.
    std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return text;
  }

  job_record& root_of(job_record& job) { return job.parent.empty() ? job : jobs.at(job.parent); }

  int step_of(job_record& job) {
    const job_record& root = root_of(job);
    int step = 0;
    if (options.polls_per_step > 0) step = static_cast<int>(root.observations / options.polls_per_step);
    if (options.step_time.count() > 0)
      step = std::max(step, static_cast<int>((clock::now() - root.created) / options.step_time));
    int last = completed_step;
    if (options.hold_at == "submitted") last = 0;
    if (options.hold_at == "ready") last = 1;
    if (options.hold_at == "started") last = 2;
    return std::min(step, last);
  }

  bool canceled(job_record& job) { return job.canceled || root_of(job).canceled; }

  /// The status now, stamping started_at/completed_at the first time they apply.
  std::string status_of(job_record& job) {
    if (canceled(job)) return "canceled";
    const int step = step_of(job);
    if (step >= 2 && job.started_at.empty()) job.started_at = iso_now();
    if (step >= completed_step && job.completed_at.empty()) job.completed_at = iso_now();
    switch (step) {
      case 0: return "submitted";
      case 1: return "ready";
      case 2: return "started";
      default: return job.failure_code.empty() ? "completed" : "failed";
    }
  }

  void observe(job_record& job) { ++root_of(job).observations; }

  json::object job_json(job_record& job) {
    const std::string status = status_of(job);
    json::object out;
    out["id"] = job.id;
    out["status"] = status;
    out["type"] = job.type;
    out["backend"] = job.backend;
    out["dry_run"] = false;
    out["cost_model"] = "quantum_compute_time";
    out["submitter_id"] = "fake-submitter";
    out["project_id"] = "fake-project";
    out["parent_job_id"] = job.parent.empty() ? json::value(nullptr) : json::value(job.parent);
    if (job.children.empty()) {
      out["child_job_ids"] = nullptr;
    } else {
      json::array children;
      for (const auto& child : job.children) children.emplace_back(child);
      out["child_job_ids"] = std::move(children);
    }
    out["session_id"] = nullptr;
    out["metadata"] = job.metadata;
    out["name"] = job.name;
    out["submitted_at"] = job.submitted_at;
    out["started_at"] = job.started_at.empty() ? json::value(nullptr) : json::value(job.started_at);
    out["completed_at"] = job.completed_at.empty() ? json::value(nullptr) : json::value(job.completed_at);
    out["predicted_execution_duration_ms"] = nullptr;
    out["predicted_wait_time_ms"] = nullptr;
    out["execution_duration_ms"] = job.completed_at.empty() ? json::value(nullptr) : json::value(1);
    out["shots"] = job.shots;
    out["noise"] = json::object{{"model", "ideal"}};
    if (status == "failed") {
      out["failure"] = json::object{{"code", job.failure_code}, {"message", job.failure_message}};
    } else {
      out["failure"] = nullptr;
    }
    out["settings"] = json::object{{"compilation", json::object{}}};
    out["stats"] = json::object{{"qubits", job.qubits},
                                {"circuits", job.circuits},
                                {"gate_counts", json::object{{"1q", job.gates_1q}, {"2q", job.gates_2q}}}};
    if (status == "completed") {
      out["results"] = json::object{
          {"probabilities", json::object{{"url", "/v0.4/jobs/" + job.id + "/results/probabilities"}}}};
    } else {
      out["results"] = nullptr;
    }
    out["output"] = json::object{};
    return out;
  }

  answer create_job(const http_request& req, recorded_request& record);
  answer get_job(const std::string& id);
  answer get_probabilities(const std::string& id);
  answer list_jobs(const boost::urls::url_view& url);
  answer cancel_job(const std::string& id);
  answer route(const http_request& req, recorded_request& record) override;
  std::optional<answer> hook(const http_request& req, std::string_view path) override;
};

namespace {

/// Fills `job` from one QIS circuit (`{"qubits", "circuit", ...}`): gate counts and
/// exact probabilities. Returns a parser message naming the problem, or empty.
std::string simulate_into(const json::object& circuit_object, const std::string& path, job_record& job) {
  formats::input_limits limits;
  limits.max_qubits = max_fake_qubits;
  auto parsed = formats::parse_ionq_circuit(circuit_object, path, limits);
  if (auto* error = std::get_if<formats::input_error>(&parsed)) return error->message + " (" + error->field + ")";
  const auto& circuit = std::get<formats::circuit>(parsed);
  for (const auto& op : circuit.ops) {
    if (op.targets.size() + op.controls.size() <= 1) {
      ++job.gates_1q;
    } else {
      ++job.gates_2q;
    }
  }
  for (const auto& [bits, probability] : local::outcome_probabilities(circuit))
    job.probabilities[std::to_string(std::stoull(bits, nullptr, 2))] = probability;
  return {};
}

}  // namespace

answer fake_ionq::state::create_job(const http_request& req, recorded_request& record) {
  boost::system::error_code parse_error;
  json::value body = json::parse(req.body(), parse_error);
  if (parse_error || !body.is_object()) return bad_request("Invalid request payload JSON format", "payload");
  const auto& payload = body.get_object();
  if (const auto* metadata = payload.if_contains("metadata"); metadata && metadata->is_object()) {
    if (const auto* qjob_id = metadata->get_object().if_contains("qjob_id"); qjob_id && qjob_id->is_string())
      record.qjob_id = std::string(qjob_id->get_string());
  }

  const auto* type = payload.if_contains("type");
  if (type == nullptr) return bad_request("\"type\" is required", "type");
  const bool multi = type->is_string() && type->get_string() == "ionq.multi-circuit.v1";
  if (!type->is_string() || (!multi && type->get_string() != "ionq.circuit.v1"))
    return bad_request("\"type\" must be one of [ionq.circuit.v1, ionq.multi-circuit.v1]", "type");
  const auto* backend = payload.if_contains("backend");
  if (backend == nullptr) return bad_request("\"backend\" is required", "backend");
  if (!backend->is_string()) return bad_request("\"backend\" must be a string", "backend");
  std::uint64_t shots = 100;
  if (const auto* value = payload.if_contains("shots")) {
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > 1'000'000)
      return bad_request("\"shots\" must be an integer between 1 and 1000000", "shots");
    shots = static_cast<std::uint64_t>(value->get_int64());
  }
  json::value metadata = nullptr;
  if (const auto* value = payload.if_contains("metadata")) {
    if (!value->is_object()) return bad_request("\"metadata\" must be an object", "metadata");
    if (value->get_object().size() > 10) return bad_request("\"metadata\" must have at most 10 keys", "metadata");
    for (const auto& [key, item] : value->get_object())
      if (!item.is_string())
        return bad_request("\"metadata." + std::string(key) + "\" must be a string", "metadata." + std::string(key));
    metadata = *value;
  }
  json::value name = nullptr;
  if (const auto* value = payload.if_contains("name")) {
    if (!value->is_string()) return bad_request("\"name\" must be a string", "name");
    name = *value;
  }
  const auto* input_value = payload.if_contains("input");
  if (input_value == nullptr) return bad_request("\"input\" is required", "input");
  if (!input_value->is_object()) return bad_request("\"input\" must be an object", "input");
  const auto& input = input_value->get_object();
  const auto* qubits_value = input.if_contains("qubits");
  if (qubits_value == nullptr || !qubits_value->is_int64() || qubits_value->get_int64() < 1)
    return bad_request("\"input.qubits\" must be an integer of at least 1", "input.qubits");
  const auto qubits = qubits_value->get_int64();
  std::string gateset = "qis";
  if (const auto* value = input.if_contains("gateset")) {
    if (!value->is_string() || (value->get_string() != "qis" && value->get_string() != "native"))
      return bad_request("\"input.gateset\" must be one of [qis, native]", "input.gateset");
    gateset = std::string(value->get_string());
  }

  job_record job;
  job.id = new_id();
  job.type = std::string(type->get_string());
  job.backend = std::string(backend->get_string());
  job.name = name;
  job.metadata = metadata;
  job.shots = shots;
  job.qubits = static_cast<std::uint32_t>(qubits);
  job.created = clock::now();
  job.submitted_at = iso_now();
  std::vector<job_record> children;
  if (!multi) {
    const auto* circuit = input.if_contains("circuit");
    if (circuit == nullptr || !circuit->is_array())
      return bad_request("\"input.circuit\" must be an array", "input.circuit");
    if (gateset == "native") {
      job.failure_code = "UnsupportedGate";
      job.failure_message = "the fake IonQ server does not simulate native gates";
    } else {
      json::object one{{"qubits", qubits}, {"circuit", *circuit}};
      auto problem = simulate_into(one, "input", job);
      if (!problem.empty()) return bad_request(std::move(problem), "input.circuit");
    }
  } else {
    const auto* circuits = input.if_contains("circuits");
    if (circuits == nullptr || !circuits->is_array() || circuits->get_array().empty())
      return bad_request("\"input.circuits\" must be a non-empty array", "input.circuits");
    job.circuits = circuits->get_array().size();
    for (std::size_t i = 0; i < circuits->get_array().size(); ++i) {
      const std::string field = "input.circuits[" + std::to_string(i) + "]";
      const auto& entry = circuits->get_array()[i];
      if (!entry.is_object()) return bad_request("\"" + field + "\" must be an object", field);
      const auto* circuit = entry.get_object().if_contains("circuit");
      if (circuit == nullptr || !circuit->is_array())
        return bad_request("\"" + field + ".circuit\" must be an array", field + ".circuit");
      std::string child_gateset = gateset;
      if (const auto* value = entry.get_object().if_contains("gateset"); value && value->is_string())
        child_gateset = std::string(value->get_string());
      job_record child;
      child.id = new_id();
      child.type = "ionq.circuit.v1";
      child.backend = job.backend;
      child.name = nullptr;
      if (const auto* value = entry.get_object().if_contains("name"); value && value->is_string()) child.name = *value;
      child.metadata = nullptr;
      child.shots = shots;
      child.qubits = job.qubits;
      child.created = job.created;
      child.submitted_at = job.submitted_at;
      child.parent = job.id;
      if (child_gateset == "native") {
        child.failure_code = "UnsupportedGate";
        child.failure_message = "the fake IonQ server does not simulate native gates";
        job.failure_code = child.failure_code;
        job.failure_message = "circuit " + std::to_string(i) + ": " + child.failure_message;
      } else {
        json::object one{{"qubits", qubits}, {"circuit", *circuit}};
        auto problem = simulate_into(one, field, child);
        if (!problem.empty()) return bad_request(std::move(problem), field + ".circuit");
      }
      job.gates_1q += child.gates_1q;
      job.gates_2q += child.gates_2q;
      job.children.push_back(child.id);
      children.push_back(std::move(child));
    }
  }
  // Children get sequence numbers before the parent, so that newest-first lists
  // show the parent ahead of them.
  for (auto& child : children) {
    child.seq = next_seq++;
    std::string id = child.id;
    jobs.emplace(std::move(id), std::move(child));
  }
  job.seq = next_seq++;
  record.created_job = job.id;
  json::object created{{"id", job.id}, {"status", "submitted"}, {"session_id", nullptr}};
  std::string id = job.id;
  jobs.emplace(std::move(id), std::move(job));
  return json_answer(201, created);
}

answer fake_ionq::state::get_job(const std::string& id) {
  auto found = jobs.find(id);
  if (found == jobs.end()) return error_answer(404);
  observe(found->second);
  return json_answer(200, job_json(found->second));
}

answer fake_ionq::state::get_probabilities(const std::string& id) {
  auto found = jobs.find(id);
  if (found == jobs.end()) return error_answer(404);
  auto& job = found->second;
  if (status_of(job) != "completed") return error_answer(404, "Job not found or not yet completed.");
  if (job.children.empty()) return json_answer(200, job.probabilities);
  json::object aggregated;
  for (const auto& child : job.children) aggregated[child] = jobs.at(child).probabilities;
  return json_answer(200, aggregated);
}

answer fake_ionq::state::list_jobs(const boost::urls::url_view& url) {
  std::size_t limit = 100;
  std::uint64_t before = UINT64_MAX;
  std::string status_filter;
  std::string parent_filter;
  std::vector<std::string> targets;
  std::vector<std::string> id_filter;
  auto split_into = [](std::string_view text, std::vector<std::string>& out) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto comma = text.find(',', start);
      const auto piece = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (!piece.empty()) out.emplace_back(piece);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  };
  for (const auto& param : url.params()) {
    if (param.key == "limit") {
      try {
        limit = std::stoul(param.value);
      } catch (const std::exception&) {
        return bad_request("\"limit\" must be an integer", "limit");
      }
      if (limit < 1 || limit > 1000) return bad_request("\"limit\" must be between 1 and 1000", "limit");
    } else if (param.key == "next") {
      // The cursor is "c<seq>" of the last job of the previous page.
      if (param.value.size() < 2 || param.value[0] != 'c') return bad_request("\"next\" is not a valid cursor", "next");
      try {
        before = std::stoull(param.value.substr(1));
      } catch (const std::exception&) {
        return bad_request("\"next\" is not a valid cursor", "next");
      }
    } else if (param.key == "status") {
      status_filter = param.value;
    } else if (param.key == "parent_job_id") {
      parent_filter = param.value;
    } else if (param.key == "target") {
      split_into(param.value, targets);
    } else if (param.key == "ids" || param.key == "ids[]") {
      split_into(param.value, id_filter);
    }
  }
  std::vector<job_record*> ordered;
  for (auto& [id, job] : jobs) ordered.push_back(&job);
  std::sort(ordered.begin(), ordered.end(), [](const job_record* a, const job_record* b) { return a->seq > b->seq; });
  json::array page;
  std::vector<job_record*> shown;
  bool more = false;
  for (job_record* job : ordered) {
    if (job->seq >= before) continue;
    if (parent_filter.empty() ? !job->parent.empty() : job->parent != parent_filter) continue;
    if (!targets.empty() && std::find(targets.begin(), targets.end(), job->backend) == targets.end()) continue;
    if (!id_filter.empty() && std::find(id_filter.begin(), id_filter.end(), job->id) == id_filter.end()) continue;
    if (!status_filter.empty() && status_of(*job) != status_filter) continue;
    if (shown.size() == limit) {
      more = true;
      break;
    }
    shown.push_back(job);
  }
  for (job_record* job : shown) {
    observe(*job);
    page.push_back(job_json(*job));
  }
  json::object out;
  out["jobs"] = std::move(page);
  out["next"] = more ? json::value("c" + std::to_string(shown.back()->seq)) : json::value(nullptr);
  return json_answer(200, out);
}

answer fake_ionq::state::cancel_job(const std::string& id) {
  auto found = jobs.find(id);
  if (found == jobs.end()) return error_answer(404);
  auto& job = found->second;
  const std::string status = status_of(job);
  if (status != "completed" && status != "failed") job.canceled = true;
  // The spec's JobCanceledResponse always says "canceled"; what happened shows on a re-read.
  return json_answer(200, json::object{{"id", job.id}, {"status", "canceled"}});
}

std::optional<answer> fake_ionq::state::hook(const http_request& req, std::string_view path) {
  if (req.method() == beast_http::verb::get && path == "/_fake/jobs") {
    json::array out;
    for (auto& [id, job] : jobs) out.push_back(job_json(job));
    return json_answer(200, out);
  }
  return std::nullopt;
}

answer fake_ionq::state::route(const http_request& req, recorded_request& record) {
  if (!record.authorized) return error_answer(401);
  const std::string& path = record.path;
  const auto method = req.method();
  if (path == "/jobs") {
    if (method == beast_http::verb::post) return create_job(req, record);
    if (method == beast_http::verb::get) {
      auto url = boost::urls::parse_origin_form(req.target());
      if (!url) return bad_request("the query string is invalid", "query");
      return list_jobs(*url);
    }
    return error_answer(404);
  }
  if (!path.starts_with("/jobs/")) return error_answer(404);
  const std::string rest = path.substr(6);
  const auto slash = rest.find('/');
  const std::string id = rest.substr(0, slash);
  const std::string tail = slash == std::string::npos ? std::string() : rest.substr(slash);
  if (tail.empty() && method == beast_http::verb::get) return get_job(id);
  if (tail == "/results/probabilities" && method == beast_http::verb::get) return get_probabilities(id);
  if (tail == "/status/cancel" && method == beast_http::verb::put) return cancel_job(id);
  return error_answer(404);
}

fake_ionq::fake_ionq(net::any_io_executor executor, fake_ionq_options options)
    : state_(std::make_shared<state>(std::move(options))),
      server_(executor, state_, state_->options.port, state_->options.faults) {}

fake_ionq::~fake_ionq() = default;

void fake_ionq::start() { server_.start(); }

void fake_ionq::stop() { server_.stop(); }

unsigned short fake_ionq::port() const { return server_.port(); }

std::string fake_ionq::base_url() const { return server_.origin() + "/v0.4"; }

void fake_ionq::set_faults(fault_plan plan) { server_.set_faults(std::move(plan)); }

void fake_ionq::set_hold_at(std::string status) { state_->options.hold_at = std::move(status); }

void fake_ionq::add_fault(fault_rule rule) { server_.add_fault(std::move(rule)); }

void fake_ionq::close_idle_connections() { server_.close_idle_connections(); }

const std::vector<recorded_request>& fake_ionq::requests() const { return server_.requests(); }

std::size_t fake_ionq::count(const std::string& method, const std::string& path_prefix) const {
  return server_.count(method, path_prefix);
}

std::map<std::string, std::size_t> fake_ionq::creates_by_qjob_id() const {
  std::map<std::string, std::size_t> out;
  for (const auto& r : server_.requests())
    if (!r.created_job.empty() && !r.qjob_id.empty()) ++out[r.qjob_id];
  return out;
}

std::uint64_t fake_ionq::connections_accepted() const { return server_.connections_accepted(); }

std::size_t fake_ionq::job_count() const { return state_->jobs.size(); }

std::optional<std::string> fake_ionq::job_status(const std::string& id) const {
  auto found = state_->jobs.find(id);
  if (found == state_->jobs.end()) return std::nullopt;
  return state_->status_of(found->second);
}

}  // namespace qjob::fakes
