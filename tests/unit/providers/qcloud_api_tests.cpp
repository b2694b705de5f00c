// The QCloud adapter through the http_client seam: the requests it makes (paths,
// headers, bodies as pyqpanda sends them) and how it reads QCloud's answers,
// failures included.

#include "qcloud/qcloud_api.hpp"

#include "formats/job_input.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
namespace net = boost::asio;
using qjob::remote::error_kind;
using qjob::test::run_coroutine;

/// An http_client that answers from a script and records what it was sent.
class scripted_http final : public qjob::http::http_client {
public:
  struct shared {
    std::deque<boost::system::result<qjob::http::response>> answers;
    std::vector<qjob::http::request> sent;
  };
  explicit scripted_http(std::shared_ptr<shared> state) : state_(std::move(state)) {}

  net::awaitable<boost::system::result<qjob::http::response>> send(qjob::http::request req) override {
    state_->sent.push_back(std::move(req));
    BOOST_REQUIRE(!state_->answers.empty());
    auto answer = std::move(state_->answers.front());
    state_->answers.pop_front();
    co_return answer;
  }

private:
  std::shared_ptr<shared> state_;
};

qjob::http::response ok(const std::string& body) { return qjob::http::response{200, {}, body}; }

std::string envelope(const json::value& obj) { return json::serialize(json::object{{"success", true}, {"message", ""}, {"obj", obj}}); }

std::string detail(const json::value& state, const std::string& result = "", const std::string& error = "") {
  json::object entry{{"taskState", state}, {"rQMachineType", 0}};
  if (!result.empty()) entry["taskResult"] = result;
  if (!error.empty()) entry["errorMessage"] = error;
  return envelope(json::object{{"qcodeTaskNewVo", json::object{{"taskResultList", json::array{entry}}}}});
}

struct fixture {
  std::shared_ptr<scripted_http::shared> http = std::make_shared<scripted_http::shared>();
  qjob::qcloud::qcloud_api api{std::make_unique<scripted_http>(http), "KEY-123"};
};

qjob::formats::parsed_input parse(const std::string& qasm) {
  auto parsed = qjob::formats::parse_job_input("qasm2", json::value(qasm), {});
  BOOST_REQUIRE(parsed.input.has_value());
  return std::move(*parsed.input);
}

const std::string bell = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n";

qjob::remote::job_spec spec(const qjob::formats::parsed_input& input, std::string_view target = "origin_simulation") {
  qjob::remote::job_spec job;
  job.job_id = "job-1";
  job.name = "bell";
  job.target = target;
  job.shots = 1000;
  job.input = &input;
  return job;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qcloud_api_tests)

BOOST_AUTO_TEST_CASE(a_job_is_prepared_as_pyqpanda_submits_it_without_the_key) {
  fixture f;
  const auto input = parse(bell);
  const auto prepared = f.api.prepare(spec(input));
  BOOST_REQUIRE(prepared.has_value());
  const auto body = json::parse(*prepared).as_object();
  BOOST_TEST(body.at("code").as_string() ==
             "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]\n");
  BOOST_TEST(body.at("codeLen").to_number<int>() == static_cast<int>(body.at("code").as_string().size()));
  BOOST_TEST(body.at("QMachineType").to_number<int>() == 0);
  BOOST_TEST(body.at("shot").to_number<int>() == 1000);
  BOOST_TEST(body.at("qubitNum").to_number<int>() == 2);
  BOOST_TEST(body.at("classicalbitNum").to_number<int>() == 2);
  BOOST_TEST(body.at("taskName").as_string() == "bell");
  BOOST_TEST(!body.contains("apiKey"), "the key is added only when sending");
  BOOST_TEST(!body.contains("chipId"));

  const auto chip = json::parse(*f.api.prepare(spec(input, "origin_wukong"))).as_object();
  BOOST_TEST(chip.at("QMachineType").to_number<int>() == 5);
  BOOST_TEST(chip.at("chipId").to_number<int>() == 72);

  auto refused = [&](const qjob::remote::api_result<std::string>& r, const std::string& words) {
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().kind == error_kind::permanent));
    BOOST_TEST(r.error().message.find(words) != std::string::npos, r.error().message);
  };
  refused(f.api.prepare(spec(input, "origin_nowhere")), "origin_nowhere");
  const auto conditional = parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\nmeasure q[0] -> c[0];\n"
                                 "if (c == 1) x q[0];\n");
  refused(f.api.prepare(spec(conditional)), "conditional");
  auto two = qjob::formats::parse_job_input("", json::parse(R"([{"qubits":1,"circuit":[{"gate":"h","target":0}]},
                                                                {"qubits":1,"circuit":[{"gate":"x","target":0}]}])"),
                                           {});
  BOOST_REQUIRE(two.input.has_value());
  refused(f.api.prepare(spec(*two.input)), "one circuit");
}

net::awaitable<void> submit_body() {
  fixture f;
  const auto input = parse(bell);
  const auto prepared = *f.api.prepare(spec(input));
  f.http->answers.push_back(ok(envelope(json::object{{"taskId", "A45DE13AA1920B11"}})));
  auto id = co_await f.api.submit(prepared);
  BOOST_TEST(id.value() == "A45DE13AA1920B11");
  const auto& sent = f.http->sent.back();
  BOOST_TEST((sent.method == boost::beast::http::verb::post));
  BOOST_TEST(sent.target == "/oqcs/task/submitTask.json");
  BOOST_TEST(sent.headers.find("Authorization").value_or("") == "oqcs_auth=KEY-123");
  BOOST_TEST(sent.headers.find("Content-Type").value_or("") == "application/json;charset=UTF-8");
  BOOST_TEST(sent.headers.find("origin-language").value_or("") == "en");
  BOOST_TEST(json::parse(sent.body).at("apiKey").as_string() == "KEY-123");

  // How failures read: QCloud's refusals, lost answers, and answers that cannot be read.
  f.http->answers.push_back(ok(R"({"success": false, "message": "apiKey is invalid", "obj": null})"));
  f.http->answers.push_back(ok(R"({"success": false, "message": "qubit number exceeds the limit", "obj": null})"));
  f.http->answers.push_back(qjob::http::response{502, {}, "bad gateway"});
  f.http->answers.push_back(ok(R"({"success": true, "obj": {"taskI)"));
  f.http->answers.push_back(boost::system::result<qjob::http::response>(qjob::http::errc::timeout));
  f.http->answers.push_back(boost::system::result<qjob::http::response>(qjob::http::errc::connection_refused));
  f.http->answers.push_back(qjob::http::response{429, {}, ""});
  f.http->answers.push_back(qjob::http::response{401, {}, ""});
  for (auto expected : {error_kind::credentials, error_kind::permanent, error_kind::outcome_unknown,
                        error_kind::outcome_unknown, error_kind::outcome_unknown, error_kind::transient,
                        error_kind::transient, error_kind::credentials}) {
    auto failed = co_await f.api.submit(prepared);
    BOOST_REQUIRE(!failed.has_value());
    BOOST_TEST(qjob::remote::to_string(failed.error().kind) == qjob::remote::to_string(expected), failed.error().message);
    BOOST_TEST(failed.error().message.find("KEY-123") == std::string::npos);
  }
}

net::awaitable<void> status_body() {
  fixture f;
  f.http->answers.push_back(ok(detail("5")));
  f.http->answers.push_back(ok(detail(2)));
  f.http->answers.push_back(ok(detail(4, "", "the chip is offline")));
  auto queued = co_await f.api.get("T1");
  BOOST_TEST(queued->state == "waiting");
  BOOST_TEST(queued->provider_status == "QUEUING");
  BOOST_TEST(!queued->final);
  BOOST_TEST(f.http->sent.back().target == "/oqcs/task/getTaskDetailForQpanda.json");
  const auto query = json::parse(f.http->sent.back().body).as_object();
  BOOST_TEST(query.at("taskId").as_string() == "T1");
  BOOST_TEST(query.at("apiKey").as_string() == "KEY-123");
  auto computing = co_await f.api.get("T1");
  BOOST_TEST(computing->state == "executing");
  auto failed = co_await f.api.get("T1");
  BOOST_TEST(failed->state == "failed");
  BOOST_TEST(failed->final);
  BOOST_TEST(failed->error_code == "FAILED");
  BOOST_TEST(failed->error_message == "the chip is offline");

  auto listed = co_await f.api.list(100, std::nullopt);
  BOOST_TEST((!listed.has_value() && listed.error().kind == error_kind::permanent));
  auto cancelled = co_await f.api.cancel("T1");
  BOOST_TEST((!cancelled.has_value() && cancelled.error().kind == error_kind::permanent));
  BOOST_TEST(cancelled.error().message.find("cannot cancel") != std::string::npos);
}

net::awaitable<void> results_body() {
  fixture f;
  const std::string bell_result = R"({"key":["00","11"],"value":[0.5,0.5]})";
  qjob::remote::result_request request;
  request.job_id = "job-1";
  request.provider_job_id = "T1";
  request.circuits = parse(bell).circuits;
  request.shots = 1000;
  f.http->answers.push_back(ok(detail(3, bell_result)));
  f.http->answers.push_back(ok(detail(3, bell_result)));
  f.http->answers.push_back(ok(detail(2)));
  auto first = co_await f.api.results(request);
  auto again = co_await f.api.results(request);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(*first == *again, "the same job draws the same counts");
  const auto document = json::parse(*first).as_object();
  const auto& circuit = document.at("results").at(0).as_object();
  BOOST_TEST(circuit.at("counts_source").as_string() == "sampled");
  std::int64_t shots = 0;
  for (const auto& [bits, n] : circuit.at("counts").as_object()) {
    BOOST_TEST((bits == "00" || bits == "11"));
    shots += n.to_number<std::int64_t>();
  }
  BOOST_TEST(shots == 1000);
  BOOST_TEST(circuit.at("probabilities") == (json::object{{"00", 0.5}, {"11", 0.5}}));
  auto early = co_await f.api.results(request);
  BOOST_TEST((!early.has_value() && early.error().kind == error_kind::permanent));
}

BOOST_AUTO_TEST_CASE(a_submission_sends_the_key_as_pyqpanda_does_and_its_failures_are_classified) {
  run_coroutine(submit_body());
}
BOOST_AUTO_TEST_CASE(task_states_read_as_unified_states_and_there_is_no_list_or_cancel) {
  run_coroutine(status_body());
}
BOOST_AUTO_TEST_CASE(results_are_probabilities_with_counts_drawn_the_same_way_every_time) {
  run_coroutine(results_body());
}

BOOST_AUTO_TEST_SUITE_END()
