// The limits on every input of the real qjobd: NDJSON lines, string fields,
// circuit size at every provider, connections in all and per uid, and requests
// trickled byte by byte. Each refusal answers its status with a message naming
// the configuration key, and nothing of a refused request is stored.

#include "e2e_jobs.hpp"
#include "fake_thread.hpp"
#include "raw_connection.hpp"

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace qjob::e2e {
namespace {

using test::daemon_options;
using test::daemon_process;

const std::string health_request = "GET /v1/health HTTP/1.1\r\nHost: qjobd\r\n\r\n";

/// The status code of a raw answer ("HTTP/1.1 429 ..."), or 0.
unsigned status_of(const std::string& answer) {
  if (answer.size() < 12 || !answer.starts_with("HTTP/1.1 ")) return 0;
  return static_cast<unsigned>(std::stoul(answer.substr(9, 3)));
}

/// Checks an error answer: status, code, the key its message names and (when
/// not empty) its field.
void check_refusal(const test::http_answer& answer, unsigned status, const std::string& code, const std::string& key,
                   const std::string& field = "") {
  BOOST_TEST(answer.status == status, "answer " << answer.status << ": " << answer.body);
  BOOST_TEST(answer.error_code() == code, "answer " << answer.body);
  BOOST_TEST(answer.error_message().find(key) != std::string::npos, "message names " << key << ": " << answer.body);
  if (!field.empty()) BOOST_TEST(answer.error_field() == field, "answer " << answer.body);
}

std::size_t stored_jobs(const daemon_process& daemon) {
  auto list = daemon.get("/v1/jobs");
  BOOST_REQUIRE_EQUAL(list.status, 200u);
  return list.json().at("jobs").as_array().size();
}

json::object gate(const char* name, int target) { return json::object{{"gate", name}, {"target", target}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(limits_tests)

BOOST_AUTO_TEST_CASE(an_ndjson_line_over_max_line_bytes_answers_413_naming_the_key_and_the_line) {
  daemon_process daemon(daemon_options{.config = "max_line_bytes = 2048\n"});
  const auto small = json::serialize(job_of(bell_input()));
  const auto large = json::serialize(job_of(bell_input(), {{"params", json::object{{"pad", std::string(3000, 'p')}}}}));
  auto answer = daemon.post("/v1/batches", small + "\n" + large + "\n" + small + "\n", "application/x-ndjson");
  check_refusal(answer, 413, "line_too_large", "max_line_bytes", "line 2");
  BOOST_TEST(answer.error_message().find("line 2") != std::string::npos, answer.body);
  BOOST_TEST(stored_jobs(daemon) == 0u, "nothing of the refused batch is stored");

  auto accepted = daemon.post("/v1/batches", small + "\n" + small + "\n", "application/x-ndjson");
  BOOST_TEST(accepted.status == 201u, accepted.body);
  BOOST_TEST(stored_jobs(daemon) == 2u);
}

BOOST_AUTO_TEST_CASE(fields_over_their_limits_answer_400_naming_the_key) {
  daemon_process daemon(
      daemon_options{.config = "max_name_bytes = 8\nmax_tags = 2\nmax_tag_bytes = 4\nmax_params_bytes = 64\n"
                               "max_shots = 100\n"});
  struct refusal {
    json::object fields;
    std::string field;
    std::string key;
  };
  const std::vector<refusal> cases{
      {{{"name", "nine-char"}}, "name", "max_name_bytes"},
      {{{"tags", json::array{"a", "b", "c"}}}, "tags", "max_tags"},
      {{{"tags", json::array{"a", "five5"}}}, "tags[1]", "max_tag_bytes"},
      {{{"params", json::object{{"note", std::string(80, 'x')}}}}, "params", "max_params_bytes"},
      {{{"shots", 101}}, "shots", "max_shots"},
      // Fixed bounds, not keys: the message says so.
      {{{"provider", std::string(129, 'p')}}, "provider", "fixed bound"},
      {{{"target", std::string(129, 't')}}, "target", "fixed bound"},
  };
  for (const auto& c : cases) {
    check_refusal(daemon.post_json("/v1/jobs", job_of(bell_input(), c.fields)), 400, "invalid_field", c.key,
                  c.field);
    // In a batch the field names the job; the batch's good jobs are not stored either.
    json::array batch{job_of(bell_input()), job_of(bell_input(), c.fields)};
    check_refusal(daemon.post_json("/v1/batches", batch), 400, "invalid_field", c.key, "[1]." + c.field);
  }
  auto too_long_id = daemon.post_json("/v1/jobs", job_of(bell_input(), {{"id", std::string(129, 'i')}}));
  BOOST_TEST(too_long_id.status == 400u, too_long_id.body);
  BOOST_TEST(too_long_id.error_field() == "id", too_long_id.body);
  BOOST_TEST(stored_jobs(daemon) == 0u, "nothing of a refused job is stored");

  // At every limit, accepted.
  auto at_limits = daemon.post_json(
      "/v1/jobs", job_of(bell_input(), {{"name", "eight-ch"},
                                        {"tags", json::array{"four", "x"}},
                                        {"params", json::object{{"seed", 7}}}}));
  BOOST_TEST(at_limits.status == 201u, at_limits.body);
  BOOST_TEST(stored_jobs(daemon) == 1u);
}

BOOST_AUTO_TEST_CASE(circuits_over_their_limits_answer_400_naming_the_key) {
  daemon_process daemon(daemon_options{.config = "max_gates = 4\nmax_circuit_depth = 3\nmax_circuits_per_job = 2\n"
                                                 "[[providers]]\nname = \"local\"\ntype = \"local\"\n"
                                                 "workers = 1\nsimulator_threads = 1\nmax_qubits = 5\n"});
  auto circuit = [](int qubits, json::array gates) {
    return json::object{{"qubits", qubits}, {"circuit", std::move(gates)}};
  };
  check_refusal(daemon.post_json("/v1/jobs", job_of(ghz_input(6))), 400, "invalid_input",
                "max_qubits of provider 'local'", "input.qubits");
  check_refusal(daemon.post_json("/v1/jobs", job_of(circuit(5, json::array{gate("h", 0), gate("h", 1), gate("h", 2),
                                                                           gate("h", 3), gate("h", 4)}))),
                400, "invalid_input", "max_gates", "input.circuit");
  // OpenQASM counts operations once broadcast: `h q;` on 5 qubits is 5 of them.
  auto broadcast = daemon.post_json(
      "/v1/jobs", job_of(std::string("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[5];\nh q;\n")));
  check_refusal(broadcast, 400, "invalid_input", "max_gates");
  BOOST_TEST(broadcast.error_message().find("line 4") != std::string::npos, broadcast.body);
  check_refusal(daemon.post_json("/v1/jobs", job_of(circuit(1, json::array{gate("x", 0), gate("x", 0), gate("x", 0),
                                                                           gate("x", 0)}))),
                400, "invalid_input", "max_circuit_depth", "input");
  check_refusal(daemon.post_json("/v1/jobs", job_of(json::array{bell_input(), bell_input(), bell_input()})), 400,
                "invalid_input", "max_circuits_per_job", "input");
  BOOST_TEST(stored_jobs(daemon) == 0u, "nothing of a refused job is stored");

  // Four gates in three layers on five qubits, twice: at every limit.
  const auto at_limits = circuit(5, json::array{gate("h", 0), gate("h", 4),
                                                json::object{{"gate", "cnot"}, {"control", 0}, {"target", 1}},
                                                gate("x", 1)});
  auto accepted = daemon.post_json("/v1/jobs", job_of(json::array{at_limits, at_limits}, {{"shots", 10}}));
  BOOST_TEST(accepted.status == 201u, accepted.body);
  BOOST_TEST(text(wait_final(daemon, text(accepted.json().as_object(), "id")), "status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(qubits_are_limited_at_remote_providers_too) {
  fake_ionq_thread fake;
  key_file key("test-key");
  auto ionq = [&](const std::string& name, const std::string& extra) {
    return "[[providers]]\nname = \"" + name + "\"\ntype = \"ionq\"\nbase_url = \"" + fake.base_url() +
           "\"\napi_key_file = \"" + key.path().string() + "\"\n" + extra;
  };
  daemon_process daemon(daemon_options{
      .config = "[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = 1\nsimulator_threads = 1\n" +
                ionq("ionq-small", "max_qubits = 4\n") + ionq("ionq", "")});
  // IonQ's simulator takes 29 qubits; this provider entry allows 4.
  check_refusal(daemon.post_json("/v1/jobs", job_of(ghz_input(5), {{"provider", "ionq-small"}})), 400,
                "invalid_input", "max_qubits of provider 'ionq-small'", "input.qubits");
  // Without max_qubits, the target's own qubit count is the limit, and named.
  check_refusal(daemon.post_json("/v1/jobs", job_of(ghz_input(26), {{"provider", "ionq"}, {"target", "qpu.aria-1"}})),
                400, "invalid_input", "the qubits of target 'qpu.aria-1'", "input.qubits");
  auto targets = daemon.get("/v1/targets").json();
  for (const auto& provider : targets.at("providers").as_array())
    if (provider.at("name") == "ionq-small")
      for (const auto& target : provider.at("targets").as_array())
        BOOST_TEST(target.at("max_qubits").to_number<int>() <= 4, "GET /v1/targets shows the cap");
  BOOST_TEST(stored_jobs(daemon) == 0u);
  BOOST_TEST(fake.call([](fakes::fake_ionq& f) { return f.count("POST"); }) == 0u, "nothing reached IonQ");
}

BOOST_AUTO_TEST_CASE(a_connection_over_max_connections_per_uid_is_answered_429_naming_the_key_and_closed) {
  daemon_process daemon(daemon_options{.config = "max_connections_per_uid = 3\n"});
  std::vector<std::unique_ptr<raw_connection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<raw_connection>(daemon.socket()));
    BOOST_REQUIRE_EQUAL(status_of(held.back()->exchange(health_request)), 200u);
  }
  auto refused = daemon.post_json("/v1/jobs", job_of(bell_input()));
  check_refusal(refused, 429, "too_many_connections", "max_connections_per_uid");
  BOOST_TEST(!refused.retry_after.empty(), "a 429 says when to try again");

  // The refused connection is closed after its answer.
  raw_connection extra(daemon.socket());
  BOOST_TEST(status_of(extra.exchange(health_request)) == 429u, extra.received());
  extra.read_until_closed(generous);
  BOOST_TEST(!extra.still_open(), "the daemon closed the refused connection");

  // The held connections are still served, and once one closes another may open.
  BOOST_TEST(status_of(held.front()->exchange(health_request)) == 200u);
  held.pop_back();
  eventually([&] { return daemon.get("/v1/health").status == 200u; }, "a connection is served once one closed");
  BOOST_TEST(stored_jobs(daemon) == 0u, "the refused submission stored nothing");
}

BOOST_AUTO_TEST_CASE(a_connection_over_max_connections_is_answered_503_naming_the_key) {
  daemon_process daemon(daemon_options{.config = "max_connections = 2\n"});
  std::vector<std::unique_ptr<raw_connection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<raw_connection>(daemon.socket()));
    BOOST_REQUIRE_EQUAL(status_of(held.back()->exchange(health_request)), 200u);
  }
  auto refused = daemon.post_json("/v1/jobs", job_of(bell_input()));
  check_refusal(refused, 503, "too_many_connections", "max_connections");
  BOOST_TEST(refused.error_message().find("max_connections_per_uid") == std::string::npos, refused.body);
  held.clear();
  eventually([&] { return daemon.get("/v1/health").status == 200u; }, "connections are served once others closed");
  BOOST_TEST(stored_jobs(daemon) == 0u, "the refused submission stored nothing");
}

BOOST_AUTO_TEST_CASE(slow_clients_are_closed_after_request_timeout_while_others_are_served) {
  // A long idle timeout: what closes the slow connections is the request's deadline.
  daemon_process daemon(daemon_options{.config = "request_timeout_seconds = 4\nidle_timeout_seconds = 600\n"});
  constexpr int slow_count = 50;
  // Half trickle their header, half their body after the whole header.
  const std::string slow_header = "GET /v1/health HTTP/1.1\r\nHost: qjobd\r\nX-Slow: ";
  const std::string slow_body_head =
      "POST /v1/jobs HTTP/1.1\r\nHost: qjobd\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
  std::vector<std::unique_ptr<raw_connection>> slow;
  for (int i = 0; i < slow_count; ++i) {
    slow.push_back(std::make_unique<raw_connection>(daemon.socket()));
    const auto& first = i % 2 ? slow_body_head : slow_header.substr(0, 1);
    BOOST_REQUIRE(slow.back()->send(first));
  }
  std::vector<std::size_t> sent(slow_count, 1);
  for (int i = 1; i < slow_count; i += 2) sent[i] = slow_body_head.size();
  std::vector<bool> closed(slow_count, false);
  // One byte to every slow connection still open; how many are.
  auto trickle = [&] {
    int open = 0;
    for (int i = 0; i < slow_count; ++i) {
      if (closed[i]) continue;
      if (!slow[i]->still_open()) {
        closed[i] = true;
        continue;
      }
      const auto& script = i % 2 ? slow_body_head : slow_header;
      const char next = sent[i] < script.size() ? script[sent[i]] : (i % 2 ? '{' : 'a');
      if (!slow[i]->send(std::string_view(&next, 1))) {
        closed[i] = true;
        continue;
      }
      ++sent[i];
      ++open;
    }
    return open;
  };

  auto normal = std::async(std::launch::async, [&] { return daemon.post_json("/v1/jobs", job_of(bell_input())); });
  int open_while_served = 0;
  while (normal.wait_for(100ms) != std::future_status::ready) open_while_served = trickle();
  open_while_served = trickle();
  const auto answer = normal.get();
  BOOST_TEST(answer.status == 201u, "a normal client is served while the slow ones trickle: " << answer.body);
  BOOST_TEST(open_while_served == slow_count, "every slow connection was open while the normal one was served");

  const auto until = std::chrono::steady_clock::now() + generous;
  int still_open = slow_count;
  while (still_open > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(100ms);
    still_open = trickle();
  }
  BOOST_TEST(still_open == 0, still_open << " slow connections were never closed");
  for (int i = 0; i < slow_count; ++i)
    BOOST_TEST(slow[i]->received().empty(), "slow connection " << i << " got no answer, only the close");
  BOOST_TEST(daemon.get("/v1/health").status == 200u, "the daemon still serves");
  BOOST_TEST(stored_jobs(daemon) == 1u, "only the normal client's job is stored");
}

BOOST_AUTO_TEST_CASE(a_connection_idle_between_requests_outlives_the_request_timeout) {
  daemon_process daemon(daemon_options{.config = "request_timeout_seconds = 1\nidle_timeout_seconds = 600\n"});
  raw_connection connection(daemon.socket());
  BOOST_REQUIRE_EQUAL(status_of(connection.exchange(health_request)), 200u);
  // Idle for twice the request timeout: only the idle timeout applies between requests.
  std::this_thread::sleep_for(2s);
  BOOST_TEST(connection.still_open());
  BOOST_TEST(status_of(connection.exchange(health_request)) == 200u, connection.received());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::e2e
