#include "fakes/fake_qcloud.hpp"

#include "fakes/originir_reader.hpp"
#include "local/simulator.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <random>
#include <vector>

namespace qjob::fakes {

namespace net = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

namespace {

// The fake simulates every circuit exactly at submission; this keeps that cheap.
constexpr std::uint32_t max_fake_qubits = 20;
constexpr int finished = 3;

/// Where a task goes, state after state, on each kind of machine.
const std::vector<int> simulator_states{1, 2, finished};
const std::vector<int> chip_states{5, 6, 9, finished};

struct task_record {
  std::string id;
  std::string name;
  bool on_chip = false;
  unsigned queries = 0;
  bool too_long = false;  // ends 8 SEQUENCE_TOO_LONG
  json::object result;    // {"key": [...], "value": [...]}
};

fake_answer envelope(bool success, std::string message, json::value obj = nullptr) {
  return {200, json::serialize(json::object{{"success", success}, {"message", std::move(message)}, {"obj", obj}})};
}

fake_answer refused(std::string message) { return envelope(false, std::move(message)); }

}  // namespace

struct fake_qcloud::state final : fake_api {
  explicit state(fake_qcloud_options opts) : options(std::move(opts)), ids(options.seed) {}

  fake_qcloud_options options;
  std::map<std::string, task_record> tasks;
  std::mt19937_64 ids;
  bool released = false;

  std::optional<std::string> api_path(std::string_view path) const override {
    if (path.starts_with("/oqcs/")) return std::string(path);
    return std::nullopt;
  }
  bool authorized(const http_request& req) const override {
    return req[beast_http::field::authorization] == "oqcs_auth=" + options.api_key;
  }
  fake_answer error(unsigned status) const override {
    return {status, "<html><body><h1>" + std::to_string(status) + "</h1>QCloud gateway error</body></html>",
            "text/html"};
  }
  std::optional<fake_answer> hook(const http_request& req, std::string_view path) override {
    if (req.method() != beast_http::verb::get || path != "/_fake/jobs") return std::nullopt;
    json::array out;
    for (auto& [id, task] : tasks)
      out.push_back(json::object{{"taskId", id}, {"taskName", task.name}, {"taskState", code_of(task)}});
    return fake_answer{200, json::serialize(out)};
  }

  std::string new_id() {
    char text[40];
    std::snprintf(text, sizeof text, "%016llX%016llX", static_cast<unsigned long long>(ids()),
                  static_cast<unsigned long long>(ids()));
    return text;
  }

  /// The state now: one step further every polls_per_step queries, up to hold_at.
  int code_of(const task_record& task) const {
    const auto& path = task.on_chip ? chip_states : simulator_states;
    std::size_t step = options.polls_per_step == 0 ? 0 : task.queries / options.polls_per_step;
    step = std::min(step, path.size() - 1);
    if (options.hold_at != 0 && !released) {
      for (std::size_t i = 0; i < path.size(); ++i)
        if (path[i] == options.hold_at) step = std::min(step, i);
    }
    const int code = path[step];
    return code == finished && task.too_long ? 8 : code;
  }

  fake_answer route(const http_request& req, recorded_request& record) override {
    if (req.method() != beast_http::verb::post) return error(405);
    boost::system::error_code parse_error;
    auto body = json::parse(req.body(), parse_error);
    if (parse_error || !body.is_object()) return refused("request body is not JSON");
    const auto& fields = body.get_object();
    const auto* key = fields.if_contains("apiKey");
    if (!record.authorized || key == nullptr || !key->is_string() || key->get_string() != options.api_key)
      return refused("apiKey authentication failed");
    if (record.path == "/oqcs/task/submitTask.json") return submit(fields, record);
    if (record.path == "/oqcs/task/getTaskDetailForQpanda.json") return detail(fields);
    return error(404);
  }

  fake_answer submit(const json::object& fields, recorded_request& record) {
    const auto* code = fields.if_contains("code");
    const auto* machine = fields.if_contains("QMachineType");
    const auto* shot = fields.if_contains("shot");
    const auto* name = fields.if_contains("taskName");
    if (code == nullptr || !code->is_string()) return refused("code is required");
    if (machine == nullptr || !machine->is_int64()) return refused("QMachineType is required");
    if (shot == nullptr || !shot->is_number()) return refused("shot is required");
    task_record task;
    if (name != nullptr && name->is_string()) task.name = std::string(name->get_string());
    record.qjob_id = task.name;
    task.on_chip = machine->get_int64() == 5;
    if (const auto* chip = fields.if_contains("chipId"); task.on_chip && (chip == nullptr || !chip->is_int64()))
      return refused("chipId is required on a real chip");
    auto read = read_originir(code->get_string());
    if (auto* problem = std::get_if<std::string>(&read)) return refused("OriginIR error: " + *problem);
    const auto& circuit = std::get<formats::circuit>(read);
    if (circuit.qubits > max_fake_qubits)
      return refused("qubitNum " + std::to_string(circuit.qubits) + " exceeds the machine's qubits");
    task.too_long = task.on_chip && circuit.ops.size() > options.max_chip_operations;
    json::array keys;
    json::array values;
    for (const auto& [bits, p] : local::outcome_probabilities(circuit)) {
      keys.emplace_back(bits);
      values.emplace_back(p);
    }
    task.result = json::object{{"key", std::move(keys)}, {"value", std::move(values)}};
    task.id = new_id();
    record.created_job = task.id;
    const auto id = task.id;
    tasks.emplace(id, std::move(task));
    return envelope(true, "", json::object{{"taskId", id}});
  }

  fake_answer detail(const json::object& fields) {
    const auto* id = fields.if_contains("taskId");
    if (id == nullptr || !id->is_string()) return refused("taskId is required");
    auto found = tasks.find(std::string(id->get_string()));
    if (found == tasks.end()) return refused("task not found");
    auto& task = found->second;
    const int code = code_of(task);
    ++task.queries;
    json::object entry{{"taskId", task.id},
                       {"taskState", std::to_string(code)},
                       {"rQMachineType", task.on_chip ? 5 : 0},
                       {"taskResult", code == finished ? json::serialize(task.result) : std::string()},
                       {"errorMessage", code == 8 ? "the sequence is too long for the chip" : ""},
                       {"measureQubitSize", json::array{}}};
    json::object vo{{"taskResultList", json::array{std::move(entry)}}};
    return envelope(true, "", json::object{{"qcodeTaskNewVo", std::move(vo)}});
  }
};

fake_qcloud::fake_qcloud(net::any_io_executor executor, fake_qcloud_options options)
    : state_(std::make_shared<state>(std::move(options))),
      server_(executor, state_, state_->options.port, state_->options.faults) {}

fake_qcloud::~fake_qcloud() = default;

void fake_qcloud::start() { server_.start(); }

void fake_qcloud::stop() { server_.stop(); }

std::string fake_qcloud::base_url() const { return server_.origin(); }

std::map<std::string, std::size_t> fake_qcloud::creates_by_task_name() const {
  std::map<std::string, std::size_t> out;
  for (const auto& r : server_.requests())
    if (!r.created_job.empty()) ++out[r.qjob_id];
  return out;
}

std::size_t fake_qcloud::task_count() const { return state_->tasks.size(); }

std::optional<int> fake_qcloud::task_state(const std::string& id) const {
  auto found = state_->tasks.find(id);
  if (found == state_->tasks.end()) return std::nullopt;
  return state_->code_of(found->second);
}

void fake_qcloud::release_held() { state_->released = true; }

}  // namespace qjob::fakes
