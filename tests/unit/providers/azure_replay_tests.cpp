// The Azure adapter against the Python SDK's recorded sessions, read from the
// shared folder at test time: each request the adapter makes is answered by
// the first unused recorded interaction with the same method, host and path
// (the storage/sasUri ones also by their JSON body, as the SDK asked for a
// container and for a blob), the way vcrpy plays a cassette back; a GET with
// nothing unused left is answered again by its last recording
// (allow_playback_repeats). The tests check the requests the adapter makes and
// the states and results it ends with.

#include "azure/azure_api.hpp"
#include "azure/azure_url.hpp"

#include "azure_fake_web.hpp"
#include "formats/job_input.hpp"
#include "support/coroutine_runner.hpp"
#include "support/shared_dir.hpp"
#include "support/vcr_cassette.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>

namespace {

namespace json = boost::json;
namespace net = boost::asio;
using qjob::test::fake_web;
using verb = boost::beast::http::verb;

constexpr std::string_view recorded_job = "00000000-0000-0000-0000-000000000001";
constexpr std::string_view recorded_workspace = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                                                "myresourcegroup/providers/Microsoft.Quantum/workspaces/myworkspace";
constexpr std::string_view authority = "https://login.microsoftonline.com";

std::optional<std::filesystem::path> recording(std::string_view name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) {
    BOOST_TEST_MESSAGE("no shared folder: replay skipped");
    return std::nullopt;
  }
  auto path = *shared / "provider-api" / "azure-quantum" / "recordings" / std::string(name);
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(path), "missing recording " + path.string());
  return path;
}

std::string_view verb_name(verb method) {
  switch (method) {
    case verb::get: return "GET";
    case verb::put: return "PUT";
    case verb::post: return "POST";
    case verb::delete_: return "DELETE";
    default: return "OTHER";
  }
}

/// Plays a cassette back through a fake_web.
class player {
public:
  explicit player(const std::filesystem::path& path) : recorded_(qjob::test::read_cassette(path)), used_(recorded_.size()) {}

  fake_web::answer answer(const std::string& origin, const qjob::http::request& request) {
    const auto method = verb_name(request.method);
    const auto path = request.target.substr(0, request.target.find('?'));
    std::optional<std::size_t> unused, last;
    for (std::size_t i = 0; i < recorded_.size(); ++i) {
      const auto& r = recorded_[i].request;
      const auto uri = qjob::azure::split_url(r.uri);
      if (r.method != method || !uri || uri->origin != origin || uri->path != path) continue;
      if (path.ends_with("/storage/sasUri") && !same_json(r.body, request.body)) continue;
      last = i;
      if (!used_[i] && !unused) unused = i;
    }
    const auto chosen = unused ? unused : (method == "GET" ? last : std::nullopt);
    if (!chosen) BOOST_FAIL("nothing recorded for " + std::string(method) + " " + origin + path);
    const std::size_t index = chosen.value_or(0);
    used_[index] = true;
    const auto& response = recorded_[index].response;
    qjob::http::response out;
    out.status = response.status;
    out.body = response.body;
    for (const auto& [name, value] : response.headers) out.headers.add(name, value);
    return out;
  }

  const std::vector<qjob::test::interaction>& recorded() const { return recorded_; }

  /// The recorded request body of the first `method` whose path ends with `suffix`.
  std::string recorded_body(std::string_view method, std::string_view suffix) const {
    for (const auto& i : recorded_) {
      const auto uri = qjob::azure::split_url(i.request.uri);
      if (i.request.method == method && uri && uri->path.ends_with(suffix) && i.request.body) return *i.request.body;
    }
    BOOST_FAIL("no recorded " << method << " ..." << suffix);
    return {};
  }

private:
  static bool same_json(const std::optional<std::string>& recorded, const std::string& sent) {
    if (!recorded) return sent.empty();
    boost::system::error_code a, b;
    const auto left = json::parse(*recorded, a);
    const auto right = json::parse(sent, b);
    return !a && !b && left == right;
  }

  std::vector<qjob::test::interaction> recorded_;
  std::vector<bool> used_;
};

qjob::azure::azure_options recorded_options() {
  qjob::azure::azure_options options;
  options.endpoint = "https://eastus.quantum.azure.com";
  options.subscription_id = "00000000-0000-0000-0000-000000000000";
  options.resource_group = "myresourcegroup";
  options.workspace = "myworkspace";
  options.api_version = "2025-12-01-preview";  // the recordings' version
  qjob::azure::entra_credentials entra;
  entra.tenant_id = "00000000-0000-0000-0000-000000000000";
  entra.client_id = "PLACEHOLDER";
  entra.client_secret = "not-the-real-secret";
  options.entra = entra;
  return options;
}

struct replay {
  std::shared_ptr<player> cassette;
  std::shared_ptr<fake_web> web = std::make_shared<fake_web>();
  std::unique_ptr<qjob::azure::azure_api> api;

  explicit replay(const std::filesystem::path& path) : cassette(std::make_shared<player>(path)) {
    web->responder = [c = cassette](const std::string& origin, const qjob::http::request& request) {
      return c->answer(origin, request);
    };
    api = std::make_unique<qjob::azure::azure_api>(recorded_options(), fake_web::factory(web));
  }

  /// The requests sent, as "METHOD origin path".
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& [origin, request] : web->sent)
      out.push_back(std::string(verb_name(request.method)) + " " + origin + request.target.substr(0, request.target.find('?')));
    return out;
  }
};

std::string workspace_line(std::string_view method, std::string_view path) {
  return std::string(method) + " https://eastus.quantum.azure.com" + std::string(recorded_workspace) + std::string(path);
}

/// Polls until the job is final, as the SDK's wait_until_completed did; the states seen.
net::awaitable<std::vector<qjob::remote::job_state>> poll(qjob::azure::azure_api& api, std::string id) {
  std::vector<qjob::remote::job_state> seen;
  for (int i = 0; i < 50; ++i) {
    auto state = co_await api.get(id);
    BOOST_REQUIRE_MESSAGE(state.has_value(), (state.has_value() ? "" : state.error().message));
    BOOST_TEST(state->qjob_id.value_or("") == id);
    seen.push_back(*state);
    if (state->final) co_return seen;
  }
  BOOST_FAIL("the job never ended");
  co_return seen;
}

std::vector<std::string> words(const std::vector<qjob::remote::job_state>& states) {
  std::vector<std::string> out;
  for (const auto& s : states) out.push_back(s.provider_status);
  return out;
}

qjob::formats::parsed_input parse(std::string_view format, const json::value& input) {
  auto parsed = qjob::formats::parse_job_input(format, input, {});
  BOOST_REQUIRE_MESSAGE(parsed.input.has_value(), (parsed.error ? parsed.error->message : ""));
  return std::move(*parsed.input);
}

net::awaitable<void> submit_ionq_body(std::filesystem::path path) {
  replay r(path);
  // The recorded input blob is an ionq.circuit.v1 circuit: ours to submit again.
  const auto recorded_input = r.cassette->recorded_body("PUT", "/inputData");
  const auto input = parse("ionq.circuit.v0", json::parse(recorded_input));
  qjob::remote::job_spec job;
  job.job_id = recorded_job;
  job.name = "ionq-3ghz-job";
  job.target = "ionq.simulator";
  job.shots = 500;
  job.input = &input;
  const auto prepared = r.api->prepare(job);
  BOOST_REQUIRE(prepared.has_value());
  auto id = co_await r.api->submit(*prepared);
  BOOST_REQUIRE_MESSAGE(id.has_value(), (id.has_value() ? "" : id.error().message));
  BOOST_TEST(*id == recorded_job);

  const auto lines = r.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 5u);
  BOOST_TEST(lines[0] == "POST https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token");
  BOOST_TEST(lines[1] == workspace_line("POST", "/storage/sasUri"));
  BOOST_TEST(lines[2] == "PUT https://mystorage.blob.core.windows.net/job-00000000-0000-0000-0000-000000000001");
  BOOST_TEST(lines[3] == "PUT https://mystorage.blob.core.windows.net/job-00000000-0000-0000-0000-000000000001/inputData");
  BOOST_TEST(lines[4] == workspace_line("PUT", "/jobs/00000000-0000-0000-0000-000000000001"));
  const auto& upload = r.web->sent[3].request;
  BOOST_TEST(json::parse(upload.body) == json::parse(recorded_input), "the blob the SDK uploaded, gate for gate");
  BOOST_TEST(upload.headers.find("x-ms-blob-type").value_or("") == "BlockBlob");
  BOOST_TEST(upload.target.find("sp=rwlac") != std::string::npos, "uploaded with the container's SAS");
  const auto sent_job = json::parse(r.web->sent[4].request.body).as_object();
  const auto recorded_job_body = json::parse(r.cassette->recorded_body("PUT", "/jobs/00000000-0000-0000-0000-000000000001")).as_object();
  for (std::string_view key : {"itemType", "containerUri", "inputDataUri", "inputDataFormat", "outputDataFormat", "target", "name"})
    BOOST_TEST(sent_job.at(key) == recorded_job_body.at(key), key);
  BOOST_TEST(sent_job.at("providerId").as_string() == "IonQ");
  BOOST_TEST(r.web->sent[4].request.headers.find("Authorization").value_or("") == "Bearer PLACEHOLDER");

  const auto states = co_await poll(*r.api, std::string(recorded_job));
  const auto seen = words(states);
  BOOST_TEST(seen.front() == "Waiting");
  BOOST_TEST(seen.back() == "Succeeded");
  BOOST_TEST(states.back().state == "succeeded");
  const auto usage = json::parse(states.back().usage);
  BOOST_TEST(usage.at("costEstimate").at("currencyCode").as_string() == "USD", "the recorded billing is kept");
  BOOST_TEST(usage.at("costEstimate").at("events").as_array().size() == 2u);

  qjob::remote::result_request request;
  request.job_id = std::string(recorded_job);
  request.provider_job_id = std::string(recorded_job);
  request.circuits = input.circuits;
  request.shots = 500;
  auto document = co_await r.api->results(request);
  BOOST_REQUIRE_MESSAGE(document.has_value(), (document.has_value() ? "" : document.error().message));
  BOOST_TEST(r.lines().back() == "GET https://mystorage.blob.core.windows.net/job-00000000-0000-0000-0000-000000000001/rawOutputData");
  const auto result = json::parse(*document).at("results").at(0);
  BOOST_TEST(result.at("probabilities") == (json::object{{"000", 0.5}, {"111", 0.5}}));
  std::int64_t shots = 0;
  for (const auto& [bits, n] : result.at("counts").as_object()) {
    BOOST_TEST((bits == "000" || bits == "111"));
    shots += n.to_number<std::int64_t>();
  }
  BOOST_TEST(shots == 500);
  std::size_t token_requests = 0;
  for (const auto& line : r.lines()) token_requests += line.starts_with("POST https://login.") ? 1 : 0;
  BOOST_TEST(token_requests == 1u, "one token for the whole session");
}

net::awaitable<void> submit_quantinuum_body(std::filesystem::path path) {
  replay r(path);
  // The SDK's teleportation program: three one-bit registers and two conditionals.
  const auto program = r.cassette->recorded_body("PUT", "/inputData");
  const auto input = parse("qasm2", json::value(program));
  qjob::remote::job_spec job;
  job.job_id = recorded_job;
  job.name = "quantinuum-job";
  job.target = "quantinuum.sim.h2-1sc";
  job.shots = 100;
  job.input = &input;
  const auto prepared = r.api->prepare(job);
  BOOST_REQUIRE_MESSAGE(prepared.has_value(), (prepared.has_value() ? "" : prepared.error().message));
  auto id = co_await r.api->submit(*prepared);
  BOOST_REQUIRE_MESSAGE(id.has_value(), (id.has_value() ? "" : id.error().message));

  const auto& upload = r.web->sent[3].request;
  BOOST_TEST(upload.headers.find("Content-Type").value_or("") == "application/qasm");
  BOOST_TEST(upload.body.starts_with("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c0[1];\ncreg c1[1];\ncreg c2[1];\n"),
             upload.body);
  BOOST_TEST(upload.body.find("if(c0==1) x q[1];") != std::string::npos, upload.body);
  BOOST_TEST(upload.body.find("if(c1==1) z q[1];") != std::string::npos, upload.body);
  const auto sent_job = json::parse(r.web->sent[4].request.body).as_object();
  const auto recorded_job_body = json::parse(r.cassette->recorded_body("PUT", "/jobs/00000000-0000-0000-0000-000000000001")).as_object();
  for (std::string_view key : {"itemType", "providerId", "target", "inputDataFormat", "outputDataFormat", "containerUri",
                               "inputDataUri", "name"})
    BOOST_TEST(sent_job.at(key) == recorded_job_body.at(key), key);
  BOOST_TEST(sent_job.at("inputParams").at("count") == recorded_job_body.at("inputParams").at("count"));
  BOOST_TEST(sent_job.at("inputParams").at("shots").to_number<int>() == 100);

  const auto states = co_await poll(*r.api, std::string(recorded_job));
  const auto seen = words(states);
  BOOST_TEST(seen.back() == "Succeeded");
  qjob::remote::result_request request;
  request.job_id = std::string(recorded_job);
  request.provider_job_id = std::string(recorded_job);
  request.circuits = input.circuits;
  request.shots = 100;
  auto document = co_await r.api->results(request);
  BOOST_REQUIRE_MESSAGE(document.has_value(), (document.has_value() ? "" : document.error().message));
  const auto result = json::parse(*document).at("results").at(0);
  BOOST_TEST(result.at("counts") == (json::object{{"000", 100}}), "every recorded shot read 0 in c0, c1 and c2");
  BOOST_TEST(result.at("counts_source").as_string() == "measured");
}

net::awaitable<void> expired_sas_body(std::filesystem::path path) {
  replay r(path);
  // The SDK's test made the output blob's SAS expire; the storage account then
  // refuses the job's own outputDataUri, which is what the adapter must survive.
  bool refused_once = false;
  r.web->responder = [c = r.cassette, &refused_once](const std::string& origin, const qjob::http::request& request) {
    if (!refused_once && request.target.find("/rawOutputData?") != std::string::npos) {
      refused_once = true;
      return fake_web::answer(qjob::test::respond(
          403, "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Signed "
               "expiry time [Wed, 08 Oct 2025 23:57:00 GMT] must be after signed start time</Message></Error>"));
    }
    return c->answer(origin, request);
  };
  const auto states = co_await poll(*r.api, std::string(recorded_job));
  const auto seen = words(states);
  BOOST_TEST(seen.front() == "Waiting");
  BOOST_TEST((std::find(seen.begin(), seen.end(), "Executing") != seen.end()));
  BOOST_TEST(seen.back() == "Succeeded");

  qjob::remote::result_request request;
  request.job_id = std::string(recorded_job);
  request.provider_job_id = std::string(recorded_job);
  request.circuits = parse("ionq.circuit.v0", json::parse(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}]})")).circuits;
  request.shots = 10;
  const auto before = r.web->sent.size();
  auto document = co_await r.api->results(request);
  const auto lines = r.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), before + 4);
  BOOST_TEST(lines[before] == workspace_line("GET", "/jobs/00000000-0000-0000-0000-000000000001"));
  BOOST_TEST(lines[before + 1] == "GET https://mystorage.blob.core.windows.net/job-00000000-0000-0000-0000-000000000001/rawOutputData");
  BOOST_TEST(lines[before + 2] == workspace_line("POST", "/storage/sasUri"));
  BOOST_TEST(json::parse(r.web->sent[before + 2].request.body) ==
             json::parse(R"({"containerName": "job-00000000-0000-0000-0000-000000000001", "blobName": "rawOutputData"})"));
  BOOST_TEST(lines[before + 3] == lines[before + 1]);
  BOOST_TEST(r.web->sent[before + 3].request.target.find("sp=rcw") != std::string::npos, "the refreshed SAS is used");
  // The recorded job is the SDK's echo target, whose log output is no results format of ours.
  BOOST_REQUIRE(!document.has_value());
  BOOST_TEST((document.error().kind == qjob::remote::error_kind::permanent));
  BOOST_TEST(document.error().message.find("microsoft.quantum-log.v1") != std::string::npos, document.error().message);
}

net::awaitable<void> list_body(std::filesystem::path path) {
  replay r(path);
  std::vector<qjob::remote::job_state> jobs;
  std::optional<std::string> next;
  int pages = 0;
  do {
    auto page = co_await r.api->list(100, next);
    BOOST_REQUIRE_MESSAGE(page.has_value(), (page.has_value() ? "" : page.error().message));
    jobs.insert(jobs.end(), page->jobs.begin(), page->jobs.end());
    next = page->next;
    ++pages;
  } while (next && pages < 10);
  BOOST_TEST(pages == 3);
  const auto lines = r.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 4u);
  BOOST_TEST(r.web->sent[1].request.target.find("top=100") != std::string::npos);
  BOOST_TEST(r.web->sent[2].request.target.find("skip=100") != std::string::npos, "the nextLink as Azure wrote it");
  BOOST_TEST(r.web->sent[3].request.target.find("skip=200") != std::string::npos);
  BOOST_TEST(jobs.size() > 200u);
  std::size_t with_code = 0;
  for (const auto& job : jobs) {
    BOOST_TEST(job.state == "failed", job.id);
    BOOST_TEST(job.final);
    BOOST_TEST(job.known);
    BOOST_TEST(job.qjob_id.value_or("") == job.id);
    with_code += job.error_code.empty() ? 0 : 1;
  }
  BOOST_TEST(with_code == jobs.size(), "every failed job says why");
  const auto timeout = std::find_if(jobs.begin(), jobs.end(), [](const auto& j) { return j.id == "209247ba-4f83-11ef-b04c-a0b339c1da8f"; });
  BOOST_REQUIRE(timeout != jobs.end());
  BOOST_TEST(timeout->error_code == "ProviderTimeout");
  BOOST_TEST(timeout->error_message.find("problem submitting the job to 'ionq'") != std::string::npos, timeout->error_message);
}

net::awaitable<void> quil_failure_body(std::filesystem::path path) {
  replay r(path);
  // Rigetti's targets take Quil, which we do not write: the job is refused here...
  const auto input = parse("ionq.circuit.v0", json::parse(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}]})"));
  qjob::remote::job_spec job;
  job.job_id = recorded_job;
  job.target = "rigetti.sim.qvm";
  job.shots = 1;
  job.input = &input;
  const auto refused = r.api->prepare(job);
  BOOST_REQUIRE(!refused.has_value());
  BOOST_TEST(refused.error().message.find("Quil") != std::string::npos);
  // ...but the SDK's job that Rigetti failed reads as failed, with Azure's reason.
  const auto states = co_await poll(*r.api, std::string(recorded_job));
  const auto& last = states.back();
  BOOST_TEST(last.state == "failed");
  BOOST_TEST(last.final);
  BOOST_TEST(last.error_code == "InvalidInputData");
  BOOST_TEST(last.error_message.find("\n\n    a\n\nwhich could not be executed") != std::string::npos, last.error_message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_replay_tests)

BOOST_AUTO_TEST_CASE(the_cassette_reader_reads_every_recording) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return;
  std::size_t read = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*shared / "provider-api" / "azure-quantum" / "recordings")) {
    const auto interactions = qjob::test::read_cassette(entry.path());
    BOOST_TEST(!interactions.empty(), entry.path().filename());
    for (const auto& i : interactions) {
      BOOST_TEST(!i.request.method.empty());
      BOOST_TEST(qjob::azure::split_url(i.request.uri).has_value(), i.request.uri);
      BOOST_TEST(i.response.status >= 200u);
    }
    ++read;
  }
  BOOST_TEST(read >= 10u);
  const auto ionq = qjob::test::read_cassette(*recording("test_job_submit_ionq.yaml"));
  BOOST_TEST(ionq[3].response.status == 404u);
  BOOST_TEST(ionq[3].response.body.find("<Code>ContainerNotFound</Code>") != std::string::npos);
  BOOST_TEST(ionq[3].response.body.find("does not exist.\nRequestId") != std::string::npos, "escapes and folding");
  BOOST_TEST(qjob::test::header_value(ionq[2].request.headers, "content-type") == "application/json");
  BOOST_TEST(qjob::test::decode_recorded_body(R"(b'a\n\'b\' \x41')") == "a\n'b' A");
}

BOOST_AUTO_TEST_CASE(the_recorded_ionq_submission_replays) {
  if (auto path = recording("test_job_submit_ionq.yaml")) qjob::test::run_coroutine(submit_ionq_body(*path));
}
BOOST_AUTO_TEST_CASE(the_recorded_quantinuum_submission_with_shots_replays) {
  if (auto path = recording("test_job_submit_quantinuum_with_shots.yaml")) qjob::test::run_coroutine(submit_quantinuum_body(*path));
}
BOOST_AUTO_TEST_CASE(the_recorded_results_with_an_expired_sas_replay) {
  if (auto path = recording("test_job_get_results_with_expired_sas_token.yaml")) qjob::test::run_coroutine(expired_sas_body(*path));
}
BOOST_AUTO_TEST_CASE(the_recorded_list_filtered_by_status_replays_through_its_next_links) {
  if (auto path = recording("test_list_jobs_filtered_by_status.yaml")) qjob::test::run_coroutine(list_body(*path));
}

BOOST_AUTO_TEST_CASE(the_recorded_quil_syntax_error_reads_as_a_failed_job) {
  if (auto path = recording("test_quil_syntax_error.yaml")) qjob::test::run_coroutine(quil_failure_body(*path));
}

BOOST_AUTO_TEST_SUITE_END()
