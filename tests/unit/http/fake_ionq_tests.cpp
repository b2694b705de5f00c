#include "fakes/fake_ionq.hpp"

#include "http/beast_http_client.hpp"
#include "support/coroutine_runner.hpp"
#include "support/shared_dir.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace http = qjob::http;
namespace fakes = qjob::fakes;
using verb = boost::beast::http::verb;
using qjob::test::run_coroutine;

std::string circuit_job(const std::string& qjob_id, const std::string& backend = "simulator") {
  json::object job{
      {"type", "ionq.circuit.v1"},
      {"backend", backend},
      {"shots", 100},
      {"name", "bell"},
      {"metadata", json::object{{"qjob_id", qjob_id}}},
      {"input", json::object{{"qubits", 2},
                             {"gateset", "qis"},
                             {"circuit", json::array{json::object{{"gate", "h"}, {"target", 0}},
                                                     json::object{{"gate", "cnot"}, {"control", 0}, {"target", 1}}}}}}};
  return json::serialize(job);
}

/// A client of the fake with the right key, answering parsed JSON.
class fake_client {
public:
  fake_client(net::any_io_executor ex, const fakes::fake_ionq& fake) : client_(ex, fake.base_url()) {}

  net::awaitable<http::response> send(verb method, std::string target, std::string body = {},
                                      std::string key = "test-key") {
    http::request req;
    req.method = method;
    req.target = std::move(target);
    req.headers.add("Authorization", "apiKey " + key);
    req.headers.add("Content-Type", "application/json");
    req.body = std::move(body);
    auto outcome = co_await client_.send(std::move(req));
    BOOST_REQUIRE_MESSAGE(outcome.has_value(), "send failed: " << outcome.error().message());
    co_return std::move(*outcome);
  }

  /// POSTs a job and returns its id (requires 201).
  net::awaitable<std::string> create(std::string body) {
    auto created = co_await send(verb::post, "/jobs", std::move(body));
    BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
    const auto parsed = json::parse(created.body);
    BOOST_TEST(parsed.at("status").as_string() == "submitted");
    BOOST_TEST(parsed.at("session_id").is_null());
    co_return std::string(parsed.at("id").as_string());
  }

  net::awaitable<json::value> get_json(std::string target) {
    auto answer = co_await send(verb::get, std::move(target));
    BOOST_REQUIRE_MESSAGE(answer.status == 200u, answer.status << " " << answer.body);
    co_return json::parse(answer.body);
  }

private:
  http::beast_http_client client_;
};

fakes::fault_rule fault(fakes::fault_kind kind, std::string method) {
  fakes::fault_rule rule;
  rule.kind = kind;
  rule.method = std::move(method);
  rule.count = 1;
  return rule;
}

net::awaitable<void> wrong_key_gets_401() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const auto refused = co_await client.send(verb::post, "/jobs", circuit_job("a"), "wrong");
  BOOST_TEST(refused.status == 401u);
  const auto body = json::parse(refused.body);
  BOOST_TEST(body.at("error").as_string() == "Unauthorized Error");
  BOOST_TEST(body.at("statusCode").as_int64() == 401);
  BOOST_TEST(body.at("message").as_string().starts_with("Invalid key provided."));
  BOOST_TEST(fake.job_count() == 0u);
  BOOST_TEST(!fake.requests().at(0).authorized);
}

net::awaitable<void> status_moves_one_step_per_poll() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const auto id = co_await client.create(circuit_job("q1"));
  BOOST_TEST(fake.job_status(id).value() == "submitted");
  std::vector<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    const auto job = co_await client.get_json("/jobs/" + id);
    seen.emplace_back(job.at("status").as_string());
  }
  const std::vector<std::string> expected{"ready", "started", "completed", "completed"};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
  const auto job = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(job.at("metadata").at("qjob_id").as_string() == "q1");
  BOOST_TEST(job.at("name").as_string() == "bell");
  BOOST_TEST(job.at("shots").as_int64() == 100);
  BOOST_TEST(job.at("failure").is_null());
  BOOST_TEST(job.at("stats").at("gate_counts").at("2q").as_int64() == 1);
  BOOST_TEST(job.at("results").at("probabilities").at("url").as_string() ==
             "/v0.4/jobs/" + id + "/results/probabilities");
}

net::awaitable<void> slower_progression() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq_options options;
  options.polls_per_step = 2;
  fakes::fake_ionq fake(ex, options);
  fake.start();
  fake_client client(ex, fake);
  const auto id = co_await client.create(circuit_job("q1"));
  const auto first = co_await client.get_json("/jobs/" + id);
  const auto second = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(first.at("status").as_string() == "submitted");
  BOOST_TEST(second.at("status").as_string() == "ready");
  BOOST_TEST(first.at("results").is_null());
}

net::awaitable<void> progression_by_time() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq_options options;
  options.polls_per_step = 0;
  options.step_time = std::chrono::milliseconds(1);
  fakes::fake_ionq fake(ex, options);
  fake.start();
  fake_client client(ex, fake);
  const auto id = co_await client.create(circuit_job("t"));
  net::steady_timer three_steps(ex, std::chrono::milliseconds(5));
  co_await three_steps.async_wait(net::use_awaitable);
  const auto job = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(job.at("status").as_string() == "completed");
  BOOST_TEST(job.at("completed_at").is_string());
}

net::awaitable<void> held_at_started() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq_options options;
  options.hold_at = "started";
  fakes::fake_ionq fake(ex, options);
  fake.start();
  fake_client client(ex, fake);
  const auto id = co_await client.create(circuit_job("held"));
  for (int i = 0; i < 6; ++i) co_await client.get_json("/jobs/" + id);
  const auto job = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(job.at("status").as_string() == "started");
  BOOST_TEST(job.at("started_at").is_string());
}

net::awaitable<void> probabilities_of_the_submitted_circuit() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const auto id = co_await client.create(circuit_job("q1"));
  const auto early = co_await client.send(verb::get, "/jobs/" + id + "/results/probabilities");
  BOOST_TEST(early.status == 404u);
  for (int i = 0; i < 3; ++i) co_await client.get_json("/jobs/" + id);
  const auto probabilities = co_await client.get_json("/jobs/" + id + "/results/probabilities");
  const auto& map = probabilities.as_object();
  BOOST_TEST(map.size() == 2u);
  BOOST_TEST(map.at("0").as_double() == 0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(map.at("3").as_double() == 0.5, boost::test_tools::tolerance(1e-9));
}

net::awaitable<void> little_endian_keys() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  // x on qubit 1 of 3: state |010> is decimal 2 (qubit 0 is the least significant bit).
  json::object job{{"type", "ionq.circuit.v1"},
                   {"backend", "simulator"},
                   {"input", json::object{{"qubits", 3},
                                          {"circuit", json::array{json::object{{"gate", "x"}, {"target", 1}}}}}}};
  const auto id = co_await client.create(json::serialize(job));
  for (int i = 0; i < 3; ++i) co_await client.get_json("/jobs/" + id);
  const auto probabilities = co_await client.get_json("/jobs/" + id + "/results/probabilities");
  BOOST_TEST(probabilities.as_object().size() == 1u);
  BOOST_TEST(probabilities.at("2").as_double() == 1.0, boost::test_tools::tolerance(1e-9));
}

net::awaitable<void> multi_circuit_job() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  json::object job{
      {"type", "ionq.multi-circuit.v1"},
      {"backend", "simulator"},
      {"shots", 10},
      {"input", json::object{{"qubits", 1},
                             {"gateset", "qis"},
                             {"circuits", json::array{json::object{{"name", "zero"}, {"circuit", json::array{}}},
                                                      json::object{{"name", "one"},
                                                                   {"circuit", json::array{json::object{
                                                                                   {"gate", "x"}, {"target", 0}}}}}}}}}};
  const auto id = co_await client.create(json::serialize(job));
  BOOST_TEST(fake.job_count() == 3u);
  for (int i = 0; i < 3; ++i) co_await client.get_json("/jobs/" + id);
  const auto parent = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(parent.at("status").as_string() == "completed");
  BOOST_TEST(parent.at("stats").at("circuits").as_int64() == 2);
  const auto& children = parent.at("child_job_ids").as_array();
  BOOST_REQUIRE(children.size() == 2u);
  const std::string zero(children[0].as_string());
  const std::string one(children[1].as_string());
  const auto aggregated = co_await client.get_json("/jobs/" + id + "/results/probabilities");
  BOOST_TEST(aggregated.at(zero).at("0").as_double() == 1.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(aggregated.at(one).at("1").as_double() == 1.0, boost::test_tools::tolerance(1e-9));
  const auto child = co_await client.get_json("/jobs/" + one);
  BOOST_TEST(child.at("parent_job_id").as_string() == id);
  BOOST_TEST(child.at("status").as_string() == "completed");
  // Children stay out of plain lists and show with parent_job_id.
  const auto listed = co_await client.get_json("/jobs");
  BOOST_TEST(listed.at("jobs").as_array().size() == 1u);
  const auto family = co_await client.get_json("/jobs?parent_job_id=" + id);
  BOOST_TEST(family.at("jobs").as_array().size() == 2u);
}

net::awaitable<void> native_gates_fail_the_job() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  json::object job{
      {"type", "ionq.circuit.v1"},
      {"backend", "simulator"},
      {"input", json::object{{"qubits", 1},
                             {"gateset", "native"},
                             {"circuit", json::array{json::object{{"gate", "gpi2"}, {"target", 0}, {"phase", 0.25}}}}}}};
  const auto id = co_await client.create(json::serialize(job));
  json::value last;
  for (int i = 0; i < 3; ++i) last = co_await client.get_json("/jobs/" + id);
  BOOST_TEST(last.at("status").as_string() == "failed");
  BOOST_TEST(last.at("failure").at("code").as_string() == "UnsupportedGate");
  BOOST_TEST(last.at("results").is_null());
}

net::awaitable<void> bad_bodies_get_400() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const auto not_json = co_await client.send(verb::post, "/jobs", "{nope");
  BOOST_TEST(not_json.status == 400u);
  const auto no_backend = co_await client.send(verb::post, "/jobs", R"({"type":"ionq.circuit.v1","input":{}})");
  BOOST_TEST(no_backend.status == 400u);
  const auto body = json::parse(no_backend.body);
  BOOST_TEST(body.at("error").as_string() == "Bad Request");
  BOOST_TEST(body.at("statusCode").as_int64() == 400);
  BOOST_TEST(body.at("validation").at("keys").at(0).as_string() == "backend");
  const auto bad_gate = co_await client.send(
      verb::post, "/jobs",
      R"({"type":"ionq.circuit.v1","backend":"simulator","input":{"qubits":1,"circuit":[{"gate":"warp","target":0}]}})");
  BOOST_TEST(bad_gate.status == 400u);
  BOOST_TEST(json::parse(bad_gate.body).at("message").as_string().find("warp") != json::string::npos);
  BOOST_TEST(fake.job_count() == 0u);
  const auto missing = co_await client.send(verb::get, "/jobs/no-such-job");
  BOOST_TEST(missing.status == 404u);
  BOOST_TEST(json::parse(missing.body).at("error").as_string() == "Not Found Error");
}

net::awaitable<void> list_pages_with_cursor() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq_options options;
  options.polls_per_step = 0;
  fakes::fake_ionq fake(ex, options);
  fake.start();
  fake_client client(ex, fake);
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) created.push_back(co_await client.create(circuit_job("q" + std::to_string(i))));
  std::vector<std::string> listed;
  std::string target = "/jobs?limit=2";
  int pages = 0;
  for (;;) {
    const auto page = co_await client.get_json(target);
    ++pages;
    for (const auto& job : page.at("jobs").as_array()) listed.emplace_back(job.at("id").as_string());
    if (page.at("next").is_null()) break;
    target = "/jobs?limit=2&next=" + std::string(page.at("next").as_string());
  }
  BOOST_TEST(pages == 3);
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());
  BOOST_TEST(listed == newest_first, boost::test_tools::per_element());
}

net::awaitable<void> list_filters() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq_options options;
  options.polls_per_step = 0;
  fakes::fake_ionq fake(ex, options);
  fake.start();
  fake_client client(ex, fake);
  const auto sim = co_await client.create(circuit_job("a", "simulator"));
  const auto qpu = co_await client.create(circuit_job("b", "qpu.aria-1"));
  const auto by_target = co_await client.get_json("/jobs?target=qpu.aria-1");
  BOOST_REQUIRE(by_target.at("jobs").as_array().size() == 1u);
  BOOST_TEST(by_target.at("jobs").at(0).at("id").as_string() == qpu);
  co_await client.send(verb::put, "/jobs/" + sim + "/status/cancel");
  const auto canceled = co_await client.get_json("/jobs?status=canceled");
  BOOST_REQUIRE(canceled.at("jobs").as_array().size() == 1u);
  BOOST_TEST(canceled.at("jobs").at(0).at("id").as_string() == sim);
  const auto by_ids = co_await client.get_json("/jobs?ids=" + qpu + "," + sim);
  BOOST_TEST(by_ids.at("jobs").as_array().size() == 2u);
}

net::awaitable<void> cancel_behaviour() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const auto waiting = co_await client.create(circuit_job("w"));
  const auto answer = co_await client.send(verb::put, "/jobs/" + waiting + "/status/cancel");
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST(json::parse(answer.body).at("status").as_string() == "canceled");
  const auto reread = co_await client.get_json("/jobs/" + waiting);
  BOOST_TEST(reread.at("status").as_string() == "canceled");

  const auto done = co_await client.create(circuit_job("d"));
  for (int i = 0; i < 3; ++i) co_await client.get_json("/jobs/" + done);
  const auto late = co_await client.send(verb::put, "/jobs/" + done + "/status/cancel");
  BOOST_TEST(json::parse(late.body).at("status").as_string() == "canceled");
  BOOST_TEST(fake.job_status(done).value() == "completed");  // the answer said canceled; the job did not change
  const auto unknown = co_await client.send(verb::put, "/jobs/nope/status/cancel");
  BOOST_TEST(unknown.status == 404u);
}

net::awaitable<void> status_fault_has_no_effect() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  auto rule = fault(fakes::fault_kind::status, "POST");
  rule.status = 429;
  rule.retry_after_s = 2;
  fake.add_fault(rule);
  fake_client client(ex, fake);
  const auto limited = co_await client.send(verb::post, "/jobs", circuit_job("r"));
  BOOST_TEST(limited.status == 429u);
  BOOST_TEST(limited.headers.find("Retry-After").value_or("") == "2");
  BOOST_TEST(json::parse(limited.body).at("statusCode").as_int64() == 429);
  BOOST_TEST(fake.job_count() == 0u);
  BOOST_TEST(fake.requests().at(0).fault == "status");
  BOOST_TEST(fake.requests().at(0).status == 429u);
  co_await client.create(circuit_job("r"));  // the count was one
  BOOST_TEST(fake.creates_by_qjob_id().at("r") == 1u);
}

net::awaitable<void> server_errors_by_count() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  std::vector<unsigned> statuses;
  const std::array<unsigned, 4> faulty{500, 502, 503, 504};
  for (unsigned status : faulty) {
    auto rule = fault(fakes::fault_kind::status, "GET");
    rule.status = status;
    fake.add_fault(rule);
    const auto answer = co_await client.send(verb::get, "/jobs");
    statuses.push_back(answer.status);
    BOOST_TEST(json::parse(answer.body).at("statusCode").as_int64() == static_cast<std::int64_t>(status));
  }
  const std::vector<unsigned> expected{500, 502, 503, 504};
  BOOST_TEST(statuses == expected, boost::test_tools::per_element());
  const auto healthy = co_await client.send(verb::get, "/jobs");
  BOOST_TEST(healthy.status == 200u);
}

net::awaitable<void> accept_502_creates_the_job() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake.add_fault(fault(fakes::fault_kind::accept_502, "POST"));
  fake_client client(ex, fake);
  const auto answer = co_await client.send(verb::post, "/jobs", circuit_job("lost"));
  BOOST_TEST(answer.status == 502u);
  BOOST_TEST(fake.job_count() == 1u);
  // The job the caller never heard of is found by its metadata in the list.
  const auto listed = co_await client.get_json("/jobs");
  BOOST_REQUIRE(listed.at("jobs").as_array().size() == 1u);
  BOOST_TEST(listed.at("jobs").at(0).at("metadata").at("qjob_id").as_string() == "lost");
  BOOST_TEST(fake.creates_by_qjob_id().at("lost") == 1u);
}

net::awaitable<void> malformed_post_creates_the_job() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake.add_fault(fault(fakes::fault_kind::malformed, "POST"));
  fake_client client(ex, fake);
  const auto answer = co_await client.send(verb::post, "/jobs", circuit_job("m"));
  BOOST_TEST(answer.status == 201u);
  boost::system::error_code parse_error;
  json::parse(answer.body, parse_error);
  BOOST_TEST(parse_error.failed());
  BOOST_TEST(fake.job_count() == 1u);
}

net::awaitable<void> slow_answer_is_late_but_right() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  auto rule = fault(fakes::fault_kind::slow, "GET");
  rule.delay = std::chrono::milliseconds(50);
  fake.add_fault(rule);
  fake_client client(ex, fake);
  const auto started = std::chrono::steady_clock::now();
  const auto answer = co_await client.send(verb::get, "/jobs");
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST((std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(50)));
}

net::awaitable<void> faults_by_spec_over_http() {
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  // The hook lives outside /v0.4, so this client has an empty base path.
  http::beast_http_client raw(ex, "http://127.0.0.1:" + std::to_string(fake.port()));
  http::request put;
  put.method = verb::put;
  put.target = "/_fake/faults";
  put.body = "get:503:count=1";
  auto set = co_await raw.send(std::move(put));
  BOOST_REQUIRE(set.has_value());
  BOOST_TEST(set->status == 200u);
  fake_client client(ex, fake);
  const auto first = co_await client.send(verb::get, "/jobs");
  const auto second = co_await client.send(verb::get, "/jobs");
  BOOST_TEST(first.status == 503u);
  BOOST_TEST(second.status == 200u);
  http::request get;
  get.target = "/_fake/requests";
  auto record = co_await raw.send(std::move(get));
  BOOST_REQUIRE(record.has_value());
  const auto requests = json::parse(record->body).as_array();
  BOOST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[0].at("fault").as_string() == "status");
  BOOST_TEST(requests[0].at("status").as_int64() == 503);
}

net::awaitable<void> shared_example_payloads_are_accepted() {
  const auto shared = qjob::test::shared_dir();
  if (!shared) co_return;  // no shared folder beside this checkout
  auto ex = co_await net::this_coro::executor;
  fakes::fake_ionq fake(ex);
  fake.start();
  fake_client client(ex, fake);
  const std::array<std::string, 2> examples{"v0.4_create-job_single-circuit.request.json",
                                            "v0.4_create-job_multi-circuit.request.json"};
  for (const auto& name : examples) {
    std::ifstream in(*shared / "provider-api" / "ionq" / "examples" / name, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    const auto answer = co_await client.send(verb::post, "/jobs", text.str());
    BOOST_TEST(answer.status == 201u, name << ": " << answer.body);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fake_ionq_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(wrong_api_key_gets_401_in_the_spec_shape) { run_coroutine(wrong_key_gets_401()); }

BOOST_AUTO_TEST_CASE(job_moves_submitted_ready_started_completed_one_step_per_poll) {
  run_coroutine(status_moves_one_step_per_poll());
}

BOOST_AUTO_TEST_CASE(polls_per_step_slows_the_progression) { run_coroutine(slower_progression()); }

BOOST_AUTO_TEST_CASE(step_time_moves_jobs_without_polls) { run_coroutine(progression_by_time()); }

BOOST_AUTO_TEST_CASE(hold_at_keeps_jobs_executing) { run_coroutine(held_at_started()); }

BOOST_AUTO_TEST_CASE(completed_job_serves_the_probabilities_of_its_circuit) {
  run_coroutine(probabilities_of_the_submitted_circuit());
}

BOOST_AUTO_TEST_CASE(probability_keys_are_decimal_little_endian) { run_coroutine(little_endian_keys()); }

BOOST_AUTO_TEST_CASE(multi_circuit_job_has_children_and_aggregated_probabilities) {
  run_coroutine(multi_circuit_job());
}

BOOST_AUTO_TEST_CASE(native_gateset_job_fails_with_unsupported_gate) { run_coroutine(native_gates_fail_the_job()); }

BOOST_AUTO_TEST_CASE(bad_bodies_get_400_and_unknown_jobs_404) { run_coroutine(bad_bodies_get_400()); }

BOOST_AUTO_TEST_CASE(list_pages_newest_first_with_a_next_cursor) { run_coroutine(list_pages_with_cursor()); }

BOOST_AUTO_TEST_CASE(list_filters_by_target_status_and_ids) { run_coroutine(list_filters()); }

BOOST_AUTO_TEST_CASE(cancel_stops_a_waiting_job_and_leaves_a_completed_one) { run_coroutine(cancel_behaviour()); }

BOOST_AUTO_TEST_CASE(status_fault_answers_429_with_retry_after_and_creates_nothing) {
  run_coroutine(status_fault_has_no_effect());
}

BOOST_AUTO_TEST_CASE(counted_server_error_faults_answer_each_status_once) { run_coroutine(server_errors_by_count()); }

BOOST_AUTO_TEST_CASE(accept_502_fault_creates_the_job_and_answers_502) { run_coroutine(accept_502_creates_the_job()); }

BOOST_AUTO_TEST_CASE(malformed_fault_on_post_creates_the_job_with_a_cut_body) {
  run_coroutine(malformed_post_creates_the_job());
}

BOOST_AUTO_TEST_CASE(slow_fault_answers_late_but_right) { run_coroutine(slow_answer_is_late_but_right()); }

BOOST_AUTO_TEST_CASE(faults_can_be_set_and_requests_read_over_http) { run_coroutine(faults_by_spec_over_http()); }

BOOST_AUTO_TEST_CASE(spec_example_create_payloads_are_accepted) {
  run_coroutine(shared_example_payloads_are_accepted());
}

BOOST_AUTO_TEST_SUITE_END()
