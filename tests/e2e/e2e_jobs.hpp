#pragma once

// Jobs and waits shared by the e2e suites: circuits with known outcomes, a circuit
// that runs until cancelled, and polling with generous deadlines instead of sleeps.

#include "support/daemon_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>

namespace qjob::e2e {

namespace json = boost::json;
using namespace std::chrono_literals;

/// Deadlines only bound a failure; sanitizer builds on a loaded host are slow.
inline constexpr std::chrono::seconds generous = std::chrono::seconds(90);

/// A config whose `local` provider runs one job at a time, so that a long job
/// keeps the others waiting. `extra` is appended at the top level.
inline std::string one_worker_config(const std::string& extra = "", unsigned workers = 1) {
  return extra + "\n[[providers]]\nname = \"local\"\ntype = \"local\"\nworkers = " + std::to_string(workers) +
         "\nsimulator_threads = 1\nmax_qubits = 30\n";
}

/// The Bell pair in OpenQASM 2: outcomes 00 and 11 only.
inline const std::string bell_qasm =
    "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n";

/// ionq.circuit.v0 Bell pair: outcomes 00 and 11 only.
inline json::object bell_input() {
  return json::object{{"qubits", 2},
                      {"circuit", json::array{json::object{{"gate", "h"}, {"target", 0}},
                                              json::object{{"gate", "cnot"}, {"control", 0}, {"target", 1}}}}};
}

/// ionq.circuit.v0 GHZ state on `qubits` qubits: all zeros or all ones.
inline json::object ghz_input(int qubits) {
  json::array gates{json::object{{"gate", "h"}, {"target", 0}}};
  for (int q = 1; q < qubits; ++q) gates.push_back(json::object{{"gate", "cnot"}, {"control", 0}, {"target", q}});
  return json::object{{"qubits", qubits}, {"circuit", std::move(gates)}};
}

/// A circuit whose one outcome is `value` written in `qubits` bits (qubit 0
/// rightmost): X on each set bit. `padding` X-X pairs on the top qubits make it
/// take longer without changing the outcome (X is a permutation: no rounding).
inline json::object value_input(std::uint64_t value, int qubits, int padding = 0) {
  json::array gates;
  for (int q = 0; q < qubits; ++q)
    if ((value >> q) & 1) gates.push_back(json::object{{"gate", "x"}, {"target", q}});
  for (int i = 0; i < padding; ++i)
    for (int twice = 0; twice < 2; ++twice) gates.push_back(json::object{{"gate", "x"}, {"target", qubits - 1 - (i % 3)}});
  if (gates.empty()) gates.push_back(json::object{{"gate", "z"}, {"target", 0}});
  return json::object{{"qubits", qubits}, {"circuit", std::move(gates)}};
}

/// The bitstring value_input(value, qubits) measures.
inline std::string bits_of(std::uint64_t value, int qubits) {
  std::string bits;
  for (int q = qubits - 1; q >= 0; --q) bits.push_back(((value >> q) & 1) ? '1' : '0');
  return bits;
}

/// A qasm2 program that keeps a worker busy far longer than any test waits for it,
/// so it ends only by being cancelled: a 20-qubit state and some 300,000 gates,
/// written small by nesting gate definitions that each apply the previous twice.
inline std::string endless_input() {
  constexpr int qubits = 20;
  constexpr int doublings = 13;
  std::string params, args, body;
  for (int q = 0; q < qubits; ++q) {
    params += (q ? "," : "") + ("a" + std::to_string(q));
    args += (q ? "," : "") + ("r[" + std::to_string(q) + "]");
    body += "h a" + std::to_string(q) + "; ";
  }
  for (int q = 0; q < qubits; ++q) body += "cx a" + std::to_string(q) + ",a" + std::to_string((q + 1) % qubits) + "; ";
  std::string program = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg r[" + std::to_string(qubits) + "];\ncreg c[" +
                        std::to_string(qubits) + "];\ngate g0 " + params + " { " + body + "}\n";
  for (int k = 1; k <= doublings; ++k) {
    const auto previous = "g" + std::to_string(k - 1) + " " + params + "; ";
    program += "gate g" + std::to_string(k) + " " + params + " { " + previous + previous + "}\n";
  }
  program += "g" + std::to_string(doublings) + " " + args + ";\nmeasure r -> c;\n";
  return program;
}

/// A job of `input` (a circuit object, an array of them or qasm2 text) with the
/// given extra fields.
inline json::object job_of(json::value input, json::object fields = {}) {
  fields["input"] = std::move(input);
  return fields;
}

/// A job of qasm2 program text with the given extra fields.
inline json::object job_of(const std::string& program, json::object fields = {}) {
  return job_of(json::value(json::string(program)), std::move(fields));
}

/// POST /v1/jobs expecting 201; the job.
inline json::object submit(const test::daemon_process& daemon, const json::object& job) {
  auto answer = daemon.post_json("/v1/jobs", job);
  BOOST_TEST_REQUIRE(answer.status == 201u, "POST /v1/jobs answered " << answer.status << ": " << answer.body);
  return answer.json().as_object();
}

/// The string `key` of `object`, or "" when it is absent or not a string.
inline std::string text(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : "";
}

/// GET /v1/jobs/{id} (with `query`), expecting 200.
inline json::object get_job(const test::daemon_process& daemon, const std::string& id, const std::string& query = "") {
  auto answer = daemon.get("/v1/jobs/" + id + query);
  BOOST_TEST_REQUIRE(answer.status == 200u, "GET /v1/jobs/" << id << " answered " << answer.status << ": "
                                                            << answer.body);
  return answer.json().as_object();
}

inline bool is_final_status(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

/// Polls `condition` until it holds; fails the test with `what` at the deadline.
inline void eventually(const std::function<bool()>& condition, const std::string& what,
                       std::chrono::seconds deadline = generous) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < until), "timed out waiting until " << what);
    std::this_thread::sleep_for(10ms);
  }
}

/// The job once it is final (held by ?wait= on the daemon's side).
inline json::object wait_final(const test::daemon_process& daemon, const std::string& id) {
  json::object job;
  eventually(
      [&] {
        job = get_job(daemon, id, "?wait=10");
        return is_final_status(text(job, "status"));
      },
      "job " + id + " is final");
  return job;
}

/// Waits until job `id` has status `status`.
inline void wait_status(const test::daemon_process& daemon, const std::string& id, const std::string& status) {
  eventually([&] { return text(get_job(daemon, id), "status") == status; }, "job " + id + " is " + status);
}

/// GET /v1/jobs/{id}/result, expecting 200.
inline json::object result_of(const test::daemon_process& daemon, const std::string& id) {
  auto answer = daemon.get("/v1/jobs/" + id + "/result");
  BOOST_TEST_REQUIRE(answer.status == 200u, "result of " << id << ": " << answer.body);
  return answer.json().as_object();
}

/// Provider `name` as GET /v1/targets shows it.
inline json::object provider_of(const test::daemon_process& daemon, const std::string& name) {
  auto answer = daemon.get("/v1/targets");
  BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
  const auto body = answer.json();
  for (const auto& provider : body.at("providers").as_array())
    if (text(provider.as_object(), "name") == name) return provider.as_object();
  BOOST_FAIL("no provider " << name << " in " << answer.body);
  return {};
}

/// The `health` object of provider `name` in GET /v1/targets.
inline json::object health_of(const test::daemon_process& daemon, const std::string& name) {
  return provider_of(daemon, name).at("health").as_object();
}

/// SIGKILLs `daemon` and starts it again `kills` times, each after a random
/// pause of up to `longest` (from 50 ms); the seed is printed, so that a failing
/// run's moments can be told apart from the next.
inline void kill_at_random_moments(test::daemon_process& daemon, int kills, std::chrono::milliseconds longest) {
  const unsigned seed = std::random_device{}();
  BOOST_TEST_MESSAGE("kill moments seeded with " << seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<long> pause_ms(50, longest.count());
  for (int kill = 0; kill < kills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    daemon.kill();
    daemon.restart();
  }
}

}  // namespace qjob::e2e
