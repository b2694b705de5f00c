// The Azure Quantum adapter through the http_client seam: the exact requests of
// a submission (hosts, methods, paths, queries, headers, bodies), Entra tokens
// cached and refreshed, cancel by API version, lists by nextLink, the expired
// SAS of an output blob refreshed once, and every failure classified.

#include "azure/azure_api.hpp"

#include "azure_fake_web.hpp"
#include "formats/job_input.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace {

namespace json = boost::json;
namespace net = boost::asio;
using qjob::remote::error_kind;
using qjob::test::fake_web;
using qjob::test::respond;
using qjob::test::run_coroutine;
using verb = boost::beast::http::verb;

constexpr std::string_view job_id = "5b0c3b3e-8f4e-4f7e-9d35-3e0d7f2c1a10";
constexpr std::string_view workspace = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/my-rg"
                                       "/providers/Microsoft.Quantum/workspaces/my-ws";
constexpr std::string_view endpoint = "https://eastus.quantum.azure.com";
constexpr std::string_view storage = "https://acct.blob.core.windows.net";
const std::string sas = "sv=2024&se=2050-01-01&sp=rwlac&sig=SIGNATURE";
const std::string secret_key = "KEY-SECRET-123";

qjob::azure::azure_options key_options(std::string api_version = "2026-01-15-preview") {
  qjob::azure::azure_options options;
  options.endpoint = std::string(endpoint);
  options.subscription_id = "00000000-0000-0000-0000-0000000000aa";
  options.resource_group = "my-rg";
  options.workspace = "my-ws";
  options.api_version = std::move(api_version);
  options.api_key = secret_key;
  return options;
}

std::string job_json(std::string_view status, std::string extra = "") {
  return R"({"id": ")" + std::string(job_id) + R"(", "status": ")" + std::string(status) +
         R"(", "itemType": "Job", "target": "ionq.simulator", "outputDataFormat": "ionq.quantum-results.v1",
            "outputDataUri": ")" + std::string(storage) + "/job-" + std::string(job_id) + "/rawOutputData?sv=1&sp=r&sig=OLD\"" +
         extra + "}";
}

const std::string bell = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\n"
                         "measure q -> c;\n";

qjob::formats::parsed_input parse(const std::string& qasm) {
  auto parsed = qjob::formats::parse_job_input("qasm2", json::value(qasm), {});
  BOOST_REQUIRE(parsed.input.has_value());
  return std::move(*parsed.input);
}

std::string prepared(const qjob::azure::azure_api& api, const qjob::formats::parsed_input& input,
                     std::string_view target = "ionq.simulator") {
  qjob::remote::job_spec job;
  job.job_id = job_id;
  job.name = "bell";
  job.target = target;
  job.shots = 500;
  job.input = &input;
  auto built = api.prepare(job);
  BOOST_REQUIRE_MESSAGE(built.has_value(), (built.has_value() ? "" : built.error().message));
  return *built;
}

std::string header(const qjob::http::request& r, std::string_view name) {
  return std::string(r.headers.find(name).value_or(""));
}

void expect_kind(const qjob::remote::api_error& error, error_kind kind) {
  BOOST_TEST(qjob::remote::to_string(error.kind) == qjob::remote::to_string(kind), error.message);
  BOOST_TEST(error.message.find(secret_key) == std::string::npos);
  BOOST_TEST(error.message.find("SIGNATURE") == std::string::npos);
}

boost::system::result<qjob::http::response> lost(qjob::http::errc e) { return boost::system::result<qjob::http::response>(e); }

/// The answers of a whole submission: SAS URI, container, blob, job.
void script_submission(fake_web& web, unsigned container_status = 201, std::string container_body = "") {
  web.answers.push_back(respond(200, R"({"sasUri": ")" + std::string(storage) + "/job-" + std::string(job_id) + "?" + sas + "\"}"));
  web.answers.push_back(respond(container_status, std::move(container_body)));
  web.answers.push_back(respond(201));
  web.answers.push_back(respond(201, job_json("Waiting")));
}

net::awaitable<void> submission_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(key_options(), fake_web::factory(web));
  BOOST_TEST((api.abilities().lookup == qjob::remote::lost_submission_lookup::get_by_qjob_id));
  BOOST_TEST(api.abilities().cancel);
  BOOST_TEST(api.abilities().list);
  const auto input = parse(bell);
  const auto body = prepared(api, input);
  script_submission(*web);
  auto id = co_await api.submit(body);
  BOOST_REQUIRE_MESSAGE(id.has_value(), (id.has_value() ? "" : id.error().message));
  BOOST_TEST(*id == job_id);

  BOOST_REQUIRE_EQUAL(web->sent.size(), 4u);
  const auto& [sas_origin, sas_request] = web->sent[0];
  BOOST_TEST(sas_origin == endpoint);
  BOOST_TEST((sas_request.method == verb::post));
  BOOST_TEST(sas_request.target == std::string(workspace) + "/storage/sasUri?api-version=2026-01-15-preview");
  BOOST_TEST(header(sas_request, "x-ms-quantum-api-key") == secret_key);
  BOOST_TEST(header(sas_request, "Content-Type") == "application/json");
  BOOST_TEST(json::parse(sas_request.body) == (json::object{{"containerName", "job-" + std::string(job_id)}}));

  const auto& [container_origin, container] = web->sent[1];
  BOOST_TEST(container_origin == storage);
  BOOST_TEST((container.method == verb::put));
  BOOST_TEST(container.target == "/job-" + std::string(job_id) + "?restype=container&" + sas);
  BOOST_TEST(!container.headers.contains("x-ms-quantum-api-key"), "the SAS is the storage credential");

  const auto& [blob_origin, blob] = web->sent[2];
  BOOST_TEST(blob_origin == storage);
  BOOST_TEST((blob.method == verb::put));
  BOOST_TEST(blob.target == "/job-" + std::string(job_id) + "/inputData?" + sas);
  BOOST_TEST(header(blob, "x-ms-blob-type") == "BlockBlob");
  BOOST_TEST(header(blob, "Content-Type") == "application/json");
  BOOST_TEST(!blob.headers.contains("x-ms-quantum-api-key"));
  BOOST_TEST(!blob.headers.contains("Authorization"));
  BOOST_TEST(json::parse(blob.body).at("qubits").to_number<int>() == 2);

  const auto& [job_origin, put] = web->sent[3];
  BOOST_TEST(job_origin == endpoint);
  BOOST_TEST((put.method == verb::put));
  BOOST_TEST(put.target == std::string(workspace) + "/jobs/" + std::string(job_id) + "?api-version=2026-01-15-preview");
  BOOST_TEST(header(put, "x-ms-quantum-api-key") == secret_key);
  BOOST_TEST(!put.may_resend, "the transport never sends the job's PUT twice");
  BOOST_TEST(blob.may_resend, "the blob's PUT may be sent again");
  const auto sent_job = json::parse(put.body).as_object();
  BOOST_TEST(sent_job.at("id").as_string() == job_id);
  BOOST_TEST(sent_job.at("itemType").as_string() == "Job");
  BOOST_TEST(sent_job.at("providerId").as_string() == "IonQ");
  BOOST_TEST(sent_job.at("target").as_string() == "ionq.simulator");
  BOOST_TEST(sent_job.at("inputDataFormat").as_string() == "ionq.circuit.v1");
  BOOST_TEST(sent_job.at("outputDataFormat").as_string() == "ionq.quantum-results.v1");
  BOOST_TEST(sent_job.at("containerUri").as_string() == std::string(storage) + "/job-" + std::string(job_id) + "?" + sas);
  BOOST_TEST(sent_job.at("inputDataUri").as_string() == std::string(storage) + "/job-" + std::string(job_id) + "/inputData");
  BOOST_TEST(sent_job.at("inputParams") == (json::object{{"shots", 500}}));
  BOOST_TEST(sent_job.at("name").as_string() == "bell");
  BOOST_TEST(sent_job.at("tags").is_array());
  BOOST_TEST(web->clients_made.size() == 2u, "one client per origin");

  // A container that exists already is fine; one being deleted is not.
  script_submission(*web, 409, "<?xml version=\"1.0\"?><Error><Code>ContainerAlreadyExists</Code><Message>x</Message></Error>");
  BOOST_TEST((co_await api.submit(body)).has_value());
  web->answers.clear();
  script_submission(*web, 409, "<Error><Code>ContainerBeingDeleted</Code><Message>sig=SIGNATURE</Message></Error>");
  auto deleting = co_await api.submit(body);
  BOOST_REQUIRE(!deleting.has_value());
  expect_kind(deleting.error(), error_kind::permanent);
  BOOST_TEST(deleting.error().message.find("ContainerBeingDeleted") != std::string::npos);
  web->answers.clear();

  auto nonsense = co_await api.submit("not an envelope");
  BOOST_REQUIRE(!nonsense.has_value());
  expect_kind(nonsense.error(), error_kind::permanent);
}

/// The answers before the final PUT, then `last` for it.
void script_until_put(fake_web& web, boost::system::result<qjob::http::response> last) {
  web.answers.push_back(respond(200, R"({"sasUri": ")" + std::string(storage) + "/job-" + std::string(job_id) + "?" + sas + "\"}"));
  web.answers.push_back(respond(201));
  web.answers.push_back(respond(201));
  web.answers.push_back(std::move(last));
}

net::awaitable<void> submission_failures_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(key_options(), fake_web::factory(web));
  const auto input = parse(bell);
  const auto body = prepared(api, input);
  struct failure_case {
    boost::system::result<qjob::http::response> answer;
    error_kind kind;
  };
  std::vector<failure_case> cases;
  cases.push_back({respond(500, R"({"error": {"code": "InternalError", "message": "try later"}})"), error_kind::outcome_unknown});
  cases.push_back({lost(qjob::http::errc::timeout), error_kind::outcome_unknown});
  cases.push_back({lost(qjob::http::errc::connection_reset), error_kind::outcome_unknown});
  cases.push_back({lost(qjob::http::errc::connection_refused), error_kind::transient});
  cases.push_back({respond(429, "", {{"Retry-After", "9"}}), error_kind::transient});
  cases.push_back({respond(200, "<html>proxy</html>"), error_kind::outcome_unknown});
  // A job with our id there already: an earlier try's, to be looked up and adopted.
  cases.push_back({respond(409, R"({"error": {"code": "JobAlreadyExists", "message": "exists"}})"),
                   error_kind::outcome_unknown});
  cases.push_back({respond(401, R"({"error": {"code": "Unauthorized", "message": "bad key"}})"), error_kind::credentials});
  cases.push_back({respond(400, R"({"error": {"code": "InvalidJobDefinition", "message": "Session is already in a terminal state."}})"),
                   error_kind::permanent});
  for (auto& c : cases) {
    script_until_put(*web, std::move(c.answer));
    auto failed = co_await api.submit(body);
    BOOST_REQUIRE(!failed.has_value());
    expect_kind(failed.error(), c.kind);
  }
  // A lost answer before the job's PUT created nothing that runs: transient.
  web->answers.push_back(lost(qjob::http::errc::timeout));
  auto early = co_await api.submit(body);
  BOOST_REQUIRE(!early.has_value());
  expect_kind(early.error(), error_kind::transient);
  web->answers.push_back(respond(200, R"({"sasUri": ")" + std::string(storage) + "/c?" + sas + "\"}"));
  web->answers.push_back(respond(201));
  web->answers.push_back(respond(503));
  auto blob = co_await api.submit(body);
  BOOST_REQUIRE(!blob.has_value());
  expect_kind(blob.error(), error_kind::transient);
  BOOST_TEST(web->answers.empty(), "no job PUT after a failed upload");
}

net::awaitable<void> read_failures_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(key_options(), fake_web::factory(web));
  web->answers.push_back(respond(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})", {{"Retry-After", "7"}}));
  web->answers.push_back(respond(500));
  web->answers.push_back(respond(200, R"({"id": ")" + std::string(job_id) + R"(", "status": )"));
  web->answers.push_back(respond(401));
  web->answers.push_back(respond(404, R"({"error": {"code": "JobNotFound", "message": "The job does not exist."}})"));
  web->answers.push_back(respond(403, R"({"error": {"code": "Forbidden", "message": "no access to the workspace"}})"));
  web->answers.push_back(lost(qjob::http::errc::timeout));

  auto throttled = co_await api.get(std::string(job_id));
  BOOST_REQUIRE(!throttled.has_value());
  expect_kind(throttled.error(), error_kind::transient);
  BOOST_TEST(throttled.error().retry_after.value_or(std::chrono::seconds(0)).count() == 7);
  BOOST_TEST(throttled.error().status == 429u);
  BOOST_TEST(web->sent.back().request.target ==
             std::string(workspace) + "/jobs/" + std::string(job_id) + "?api-version=2026-01-15-preview");
  auto server = co_await api.get(std::string(job_id));
  expect_kind(server.error(), error_kind::transient);
  auto malformed = co_await api.get(std::string(job_id));
  expect_kind(malformed.error(), error_kind::transient);
  auto refused_key = co_await api.get(std::string(job_id));
  expect_kind(refused_key.error(), error_kind::credentials);
  auto missing = co_await api.get(std::string(job_id));
  expect_kind(missing.error(), error_kind::permanent);
  BOOST_TEST(missing.error().status == 404u, "the provider actor reads a 404 as: not there");
  BOOST_TEST(missing.error().message.find("The job does not exist.") != std::string::npos, missing.error().message);
  auto forbidden = co_await api.get(std::string(job_id));
  expect_kind(forbidden.error(), error_kind::permanent);
  auto timeout = co_await api.get(std::string(job_id));
  expect_kind(timeout.error(), error_kind::transient);
}

net::awaitable<void> cancel_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api current(key_options(), fake_web::factory(web));
  web->answers.push_back(respond(200, job_json("CancellationRequested")));
  web->answers.push_back(respond(200, job_json("Cancelled")));
  auto cancelled = co_await current.cancel(std::string(job_id));
  BOOST_REQUIRE(cancelled.has_value());
  BOOST_TEST(cancelled->state == "cancelled", "the state is the one read after the cancel");
  BOOST_REQUIRE_EQUAL(web->sent.size(), 2u);
  BOOST_TEST((web->sent[0].request.method == verb::post));
  BOOST_TEST(web->sent[0].request.target ==
             std::string(workspace) + "/jobs/" + std::string(job_id) + ":cancel?api-version=2026-01-15-preview");
  BOOST_TEST((web->sent[1].request.method == verb::get));

  web->sent.clear();
  qjob::azure::azure_api older(key_options("2025-09-01-preview"), fake_web::factory(web));
  web->answers.push_back(respond(204));
  web->answers.push_back(respond(200, job_json("Cancelled")));
  auto deleted = co_await older.cancel(std::string(job_id));
  BOOST_REQUIRE(deleted.has_value());
  BOOST_TEST((web->sent[0].request.method == verb::delete_));
  BOOST_TEST(web->sent[0].request.target ==
             std::string(workspace) + "/jobs/" + std::string(job_id) + "?api-version=2025-09-01-preview");

  web->answers.push_back(respond(409, R"({"error": {"code": "InvalidJobState", "message": "The job is already final."}})"));
  auto final_job = co_await current.cancel(std::string(job_id));
  BOOST_REQUIRE(!final_job.has_value());
  expect_kind(final_job.error(), error_kind::permanent);
}

net::awaitable<void> list_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(key_options(), fake_web::factory(web));
  const std::string next = std::string(endpoint) + std::string(workspace) + "/jobs?top=2&skip=2&api-version=2026-01-15-preview";
  web->answers.push_back(respond(200, R"({"value": [)" + job_json("Executing") + "," + job_json("Queued") +
                                          R"(], "nextLink": ")" + next + "\"}"));
  web->answers.push_back(respond(200, R"({"value": [)" + job_json("Failed", R"(, "errorData": {"code": "ProviderTimeout", "message": "m"})") +
                                          R"(], "nextLink": null})"));
  auto first = co_await api.list(2, std::nullopt);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(web->sent[0].request.target == std::string(workspace) +
                                                "/jobs?api-version=2026-01-15-preview&orderby=CreationTime%20desc&top=2");
  BOOST_TEST(first->jobs.size() == 2u);
  BOOST_TEST(first->jobs[1].state == "waiting");
  BOOST_TEST(first->jobs[0].qjob_id.value_or("") == job_id);
  BOOST_TEST(first->next.value_or("") == next);
  auto second = co_await api.list(2, first->next);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(web->sent[1].origin == endpoint);
  BOOST_TEST(web->sent[1].request.target == std::string(workspace) + "/jobs?top=2&skip=2&api-version=2026-01-15-preview");
  BOOST_TEST(header(web->sent[1].request, "x-ms-quantum-api-key") == secret_key);
  BOOST_TEST(second->jobs[0].error_code == "ProviderTimeout");
  BOOST_TEST(!second->next.has_value());
  auto elsewhere = co_await api.list(2, std::string("https://evil.example/jobs?skip=4"));
  BOOST_REQUIRE(!elsewhere.has_value());
  expect_kind(elsewhere.error(), error_kind::permanent);
  BOOST_TEST(web->sent.size() == 2u, "our key never goes to another host");
}

net::awaitable<void> expired_sas_body() {
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(key_options(), fake_web::factory(web));
  qjob::remote::result_request request;
  request.job_id = std::string(job_id);
  request.provider_job_id = std::string(job_id);
  request.circuits = parse(bell).circuits;
  request.shots = 1000;
  const std::string expired = "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Signed expiry "
                              "time must be after signed start time sig=SIGNATURE</Message></Error>";
  const std::string fresh = std::string(storage) + "/job-" + std::string(job_id) + "/rawOutputData?sv=2&sp=r&sig=NEW";
  web->answers.push_back(respond(200, job_json("Succeeded")));
  web->answers.push_back(respond(403, expired));
  web->answers.push_back(respond(200, R"({"sasUri": ")" + fresh + "\"}"));
  web->answers.push_back(respond(206, R"({"histogram": {"0": 0.5, "3": 0.5}})"));
  auto document = co_await api.results(request);
  BOOST_REQUIRE_MESSAGE(document.has_value(), (document.has_value() ? "" : document.error().message));
  BOOST_REQUIRE_EQUAL(web->sent.size(), 4u);
  BOOST_TEST(web->sent[1].origin == storage);
  BOOST_TEST(web->sent[1].request.target == "/job-" + std::string(job_id) + "/rawOutputData?sv=1&sp=r&sig=OLD");
  BOOST_TEST(web->sent[2].request.target == std::string(workspace) + "/storage/sasUri?api-version=2026-01-15-preview");
  BOOST_TEST(json::parse(web->sent[2].request.body) ==
             (json::object{{"containerName", "job-" + std::string(job_id)}, {"blobName", "rawOutputData"}}));
  BOOST_TEST(web->sent[3].request.target == "/job-" + std::string(job_id) + "/rawOutputData?sv=2&sp=r&sig=NEW");
  const auto result = json::parse(*document).at("results").at(0);
  BOOST_TEST(result.at("probabilities") == (json::object{{"00", 0.5}, {"11", 0.5}}));
  BOOST_TEST(result.at("counts_source").as_string() == "sampled");

  // Refreshed once only: a second refusal is the answer.
  web->answers.push_back(respond(200, job_json("Succeeded")));
  web->answers.push_back(respond(403, expired));
  web->answers.push_back(respond(200, R"({"sasUri": ")" + fresh + "\"}"));
  web->answers.push_back(respond(403, expired));
  auto refused = co_await api.results(request);
  BOOST_REQUIRE(!refused.has_value());
  expect_kind(refused.error(), error_kind::permanent);
  BOOST_TEST(refused.error().status == 403u);
  BOOST_TEST(refused.error().message.find("AuthenticationFailed") != std::string::npos, refused.error().message);

  web->answers.push_back(respond(200, job_json("Executing")));
  auto early = co_await api.results(request);
  expect_kind(early.error(), error_kind::permanent);
  BOOST_TEST(early.error().message.find("Executing") != std::string::npos);
}

struct fake_clock {
  std::shared_ptr<std::chrono::steady_clock::time_point> now =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} + std::chrono::hours(1));
  std::function<std::chrono::steady_clock::time_point()> function() const {
    return [now = now] { return *now; };
  }
};

qjob::azure::azure_options entra_options(const fake_clock& clock) {
  auto options = key_options();
  options.api_key.reset();
  qjob::azure::entra_credentials credentials;
  credentials.tenant_id = "tenant-1";
  credentials.client_id = "client-1";
  credentials.client_secret = "SECRET+/=value";
  options.entra = credentials;
  options.now = clock.function();
  return options;
}

std::string token_answer(std::string_view token, int expires_in) {
  return R"({"token_type": "Bearer", "expires_in": )" + std::to_string(expires_in) + R"(, "access_token": ")" +
         std::string(token) + "\"}";
}

net::awaitable<void> entra_body() {
  fake_clock clock;
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(entra_options(clock), fake_web::factory(web));
  web->answers.push_back(respond(200, token_answer("TOKEN-ONE", 3600)));
  web->answers.push_back(respond(200, job_json("Waiting")));
  web->answers.push_back(respond(200, job_json("Waiting")));
  BOOST_TEST((co_await api.get(std::string(job_id))).has_value());
  *clock.now += std::chrono::seconds(3000);  // 5 minutes early is 3300 s: still fresh
  BOOST_TEST((co_await api.get(std::string(job_id))).has_value());
  BOOST_REQUIRE_EQUAL(web->sent.size(), 3u);
  const auto& token_request = web->sent[0];
  BOOST_TEST(token_request.origin == "https://login.microsoftonline.com");
  BOOST_TEST((token_request.request.method == verb::post));
  BOOST_TEST(token_request.request.target == "/tenant-1/oauth2/v2.0/token");
  BOOST_TEST(header(token_request.request, "Content-Type") == "application/x-www-form-urlencoded");
  BOOST_TEST(token_request.request.body ==
             "grant_type=client_credentials&client_id=client-1&client_secret=SECRET%2B%2F%3Dvalue"
             "&scope=https%3A%2F%2Fquantum.microsoft.com%2F.default");
  BOOST_TEST(header(web->sent[1].request, "Authorization") == "Bearer TOKEN-ONE");
  BOOST_TEST(header(web->sent[2].request, "Authorization") == "Bearer TOKEN-ONE", "the token is cached");
  BOOST_TEST(!web->sent[1].request.headers.contains("x-ms-quantum-api-key"));

  *clock.now += std::chrono::seconds(301);  // within 5 minutes of expiry: a new token first
  web->answers.push_back(respond(200, token_answer("TOKEN-TWO", 3600)));
  web->answers.push_back(respond(200, job_json("Waiting")));
  BOOST_TEST((co_await api.get(std::string(job_id))).has_value());
  BOOST_REQUIRE_EQUAL(web->sent.size(), 5u);
  BOOST_TEST(web->sent[3].request.target == "/tenant-1/oauth2/v2.0/token");
  BOOST_TEST(header(web->sent[4].request, "Authorization") == "Bearer TOKEN-TWO");

  // A token Azure refuses is dropped: the next call fetches another.
  web->answers.push_back(respond(401, R"({"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})"));
  auto refused = co_await api.get(std::string(job_id));
  expect_kind(refused.error(), error_kind::credentials);
  web->answers.push_back(respond(200, token_answer("TOKEN-THREE", 3600)));
  web->answers.push_back(respond(200, job_json("Waiting")));
  BOOST_TEST((co_await api.get(std::string(job_id))).has_value());
  BOOST_TEST(header(web->sent.back().request, "Authorization") == "Bearer TOKEN-THREE");
  for (const auto& sent : web->sent) BOOST_TEST(sent.origin != storage);
}

net::awaitable<void> entra_refusal_body() {
  fake_clock clock;
  auto web = std::make_shared<fake_web>();
  qjob::azure::azure_api api(entra_options(clock), fake_web::factory(web));
  web->answers.push_back(respond(401, R"({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1"})"));
  auto refused = co_await api.get(std::string(job_id));
  BOOST_REQUIRE(!refused.has_value());
  expect_kind(refused.error(), error_kind::credentials);
  BOOST_TEST(refused.error().message.find("invalid_client") != std::string::npos, refused.error().message);
  BOOST_TEST(refused.error().message.find("SECRET") == std::string::npos);
  BOOST_TEST(refused.error().message.find("Trace ID") == std::string::npos);
  BOOST_TEST(web->sent.size() == 1u, "nothing reaches the workspace without a token");
  web->answers.push_back(respond(503));
  expect_kind((co_await api.get(std::string(job_id))).error(), error_kind::transient);
  web->answers.push_back(respond(200, R"({"token_type": "Bearer"})"));
  expect_kind((co_await api.get(std::string(job_id))).error(), error_kind::transient);
}

net::awaitable<void> entra_overlap_body() {
  using namespace boost::asio::experimental::awaitable_operators;
  fake_clock clock;
  auto web = std::make_shared<fake_web>();
  web->delay = std::chrono::milliseconds(2);
  qjob::azure::azure_api api(entra_options(clock), fake_web::factory(web));
  web->responder = [](const std::string& origin, const qjob::http::request&) -> fake_web::answer {
    if (origin == "https://login.microsoftonline.com") return respond(200, token_answer("SHARED", 3600));
    return respond(200, job_json("Waiting"));
  };
  auto first = api.get(std::string(job_id));
  auto second = api.get(std::string(job_id));
  auto both = std::move(first) && std::move(second);
  auto [a, b] = co_await std::move(both);
  BOOST_TEST(a.has_value());
  BOOST_TEST(b.has_value());
  std::size_t token_requests = 0;
  for (const auto& sent : web->sent) token_requests += sent.origin == "https://login.microsoftonline.com" ? 1 : 0;
  BOOST_TEST(token_requests == 1u, "overlapping calls share one token request");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(azure_api_tests)

BOOST_AUTO_TEST_CASE(a_submission_sends_the_sdk_requests_to_the_workspace_and_the_storage_account) {
  run_coroutine(submission_body());
}
BOOST_AUTO_TEST_CASE(only_a_lost_answer_to_the_job_put_leaves_the_submission_outcome_unknown) {
  run_coroutine(submission_failures_body());
}
BOOST_AUTO_TEST_CASE(failed_reads_are_classified_and_a_missing_job_is_a_404) { run_coroutine(read_failures_body()); }
BOOST_AUTO_TEST_CASE(cancel_posts_cancel_from_2025_12_01_and_deletes_before_then_reads_the_job) {
  run_coroutine(cancel_body());
}
BOOST_AUTO_TEST_CASE(lists_follow_next_links_on_the_workspace_host_only) { run_coroutine(list_body()); }
BOOST_AUTO_TEST_CASE(an_expired_output_sas_is_refreshed_once) { run_coroutine(expired_sas_body()); }
BOOST_AUTO_TEST_CASE(an_entra_token_is_fetched_once_cached_and_refreshed_before_expiry) { run_coroutine(entra_body()); }
BOOST_AUTO_TEST_CASE(refused_client_credentials_are_a_credentials_error_without_the_secret) {
  run_coroutine(entra_refusal_body());
}
BOOST_AUTO_TEST_CASE(overlapping_calls_share_one_token_request) { run_coroutine(entra_overlap_body()); }

BOOST_AUTO_TEST_CASE(options_that_cannot_work_are_refused_at_construction) {
  auto web = std::make_shared<fake_web>();
  auto no_auth = key_options();
  no_auth.api_key.reset();
  BOOST_CHECK_THROW(qjob::azure::azure_api(no_auth, fake_web::factory(web)), std::invalid_argument);
  auto bad_endpoint = key_options();
  bad_endpoint.endpoint = "eastus.quantum.azure.com";
  BOOST_CHECK_THROW(qjob::azure::azure_api(bad_endpoint, fake_web::factory(web)), std::invalid_argument);
  auto no_workspace = key_options();
  no_workspace.workspace.clear();
  BOOST_CHECK_THROW(qjob::azure::azure_api(no_workspace, fake_web::factory(web)), std::invalid_argument);
  BOOST_TEST(web->clients_made.empty(), "clients are made when first needed");
}

BOOST_AUTO_TEST_SUITE_END()
