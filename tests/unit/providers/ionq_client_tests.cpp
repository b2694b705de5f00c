#include "ionq/ionq_client.hpp"

#include "fakes/fake_ionq.hpp"
#include "formats/job_input.hpp"
#include "http/beast_http_client.hpp"
#include "ionq/ionq_api.hpp"
#include "local/sampler.hpp"
#include "support/coroutine_runner.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

// For Boost.Test's messages.
namespace qjob::remote {
inline std::ostream& boost_test_print_type(std::ostream& out, error_kind kind) { return out << to_string(kind); }
}  // namespace qjob::remote
namespace qjob::ionq {
inline std::ostream& boost_test_print_type(std::ostream& out, unified_state state) { return out << to_string(state); }
}  // namespace qjob::ionq

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace ionq = qjob::ionq;
namespace fakes = qjob::fakes;
namespace formats = qjob::formats;
using qjob::test::run_coroutine;

const char* const bell_input =
    R"({"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]})";
// Circuit 0 flips its qubit, circuit 1 leaves it alone: results tell them apart.
const char* const two_circuits_input =
    R"([{"qubits":1,"circuit":[{"gate":"x","target":0}]},{"qubits":1,"circuit":[{"gate":"z","target":0}]}])";

formats::parsed_input parse(const char* input) {
  auto parsed = formats::parse_job_input("", json::parse(input), formats::input_limits{});
  BOOST_REQUIRE_MESSAGE(parsed.input, (parsed.error ? parsed.error->message : std::string()));
  return std::move(*parsed.input);
}

/// What a failed result says ("" on success); a function, as g++ 12 mishandles
/// `?:` string temporaries inside coroutines.
template <class T>
std::string error_text(const ionq::client_result<T>& outcome) {
  if (outcome) return {};
  return outcome.error().message;
}

/// Starts `fake` and answers its base URL (for a member initialiser).
std::string started(fakes::fake_ionq& fake) {
  fake.start();
  return fake.base_url();
}

/// The fake, an HTTP client to it and the IonQ client under test, on the test's executor.
struct fixture {
  explicit fixture(net::any_io_executor ex, std::string key = "test-key")
      : fake(ex), http(ex, started(fake)), client(http, std::move(key)) {}
  fakes::fake_ionq fake;
  qjob::http::beast_http_client http;
  ionq::ionq_client client;
};

fakes::fault_rule fault(fakes::fault_kind kind, std::string method, unsigned status = 503) {
  fakes::fault_rule rule;
  rule.kind = kind;
  rule.method = std::move(method);
  rule.status = status;
  rule.count = 1;
  return rule;
}

/// Submits `input` as our job `job_id` and requires IonQ's id back.
net::awaitable<std::string> submit(ionq::ionq_client& client, const formats::parsed_input& input, std::string job_id) {
  ionq::job_description job;
  job.job_id = job_id;
  job.name = "test";
  job.target = "simulator";
  job.shots = 100;
  job.input = &input;
  auto id = co_await client.submit(job);
  BOOST_REQUIRE_MESSAGE(id.has_value(), error_text(id));
  co_return std::move(*id);
}

net::awaitable<void> bell_job_round_trip() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(bell_input);
  const auto id = co_await submit(f.client, input, "job-bell");
  BOOST_TEST(f.fake.creates_by_qjob_id().at("job-bell") == 1u);
  const auto& post = f.fake.requests().back();
  BOOST_TEST(post.authorized);
  BOOST_TEST(post.content_type == "application/json");
  std::string status;
  for (int i = 0; i < 3; ++i) {
    auto job = co_await f.client.get(id);
    BOOST_REQUIRE(job.has_value());
    status = job->status;
  }
  BOOST_TEST(status == "completed");
  auto job = co_await f.client.get(id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->qjob_id.value() == "job-bell");
  BOOST_TEST(job->mapping.state == ionq::unified_state::succeeded);
  ionq::document_options options;
  options.shots = 100;
  options.seed = qjob::local::job_seed("job-bell");
  auto document = co_await f.client.probabilities(*job, input.circuits, options);
  BOOST_REQUIRE_MESSAGE(document.has_value(), error_text(document));
  const auto parsed = json::parse(*document);
  BOOST_TEST(parsed.at("results").at(0).at("counts_source").as_string() == "sampled");
  const auto& counts = parsed.at("results").at(0).at("counts").as_object();
  std::int64_t total = 0;
  for (const auto& [bits, count] : counts) {
    BOOST_TEST((bits == "00" || bits == "11"), bits);
    total += count.as_int64();
  }
  BOOST_TEST(total == 100);
}

net::awaitable<void> multi_circuit_results_come_in_circuit_order() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(two_circuits_input);
  BOOST_REQUIRE(input.multi);
  const auto id = co_await submit(f.client, input, "job-multi");
  std::optional<ionq::job_info> job;
  for (int i = 0; i < 4; ++i) {
    auto read = co_await f.client.get(id);
    BOOST_REQUIRE(read.has_value());
    job = std::move(*read);
  }
  BOOST_REQUIRE(job->child_job_ids.size() == 2u);
  ionq::document_options options;
  options.shots = 10;
  auto document = co_await f.client.probabilities(*job, input.circuits, options);
  BOOST_REQUIRE_MESSAGE(document.has_value(), error_text(document));
  const auto results = json::parse(*document).at("results").as_array();
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(results.at(0).at("counts").at("1").as_int64() == 10);
  BOOST_TEST(results.at(1).at("counts").at("0").as_int64() == 10);
}

net::awaitable<void> list_pages_through_the_cursor() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(bell_input);
  for (const char* name : {"a", "b", "c"}) co_await submit(f.client, input, name);
  auto first = co_await f.client.list(2, std::nullopt);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->jobs.size() == 2u);
  BOOST_TEST(first->jobs.at(0).qjob_id.value() == "c");
  BOOST_REQUIRE(first->next.has_value());
  auto second = co_await f.client.list(2, first->next);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->jobs.size() == 1u);
  BOOST_TEST(second->jobs.at(0).qjob_id.value() == "a");
  BOOST_TEST(!second->next.has_value());
}

net::awaitable<void> cancel_reports_the_job_as_reread() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(bell_input);
  const auto id = co_await submit(f.client, input, "to-cancel");
  auto cancelled = co_await f.client.cancel(id);
  BOOST_REQUIRE(cancelled.has_value());
  BOOST_TEST(cancelled->status == "canceled");
  BOOST_TEST(cancelled->mapping.state == ionq::unified_state::cancelled);
  BOOST_TEST(f.fake.count("PUT", "/jobs/" + id + "/status/cancel") == 1u);
}

net::awaitable<void> wrong_key_is_a_credentials_error() {
  fixture f(co_await net::this_coro::executor, "wrong-key");
  auto sent = co_await f.client.submit_body("{}");
  BOOST_REQUIRE(sent.has_error());
  BOOST_TEST(sent.error().kind == ionq::error_kind::credentials);
  BOOST_TEST(sent.error().status == 401u);
  BOOST_TEST(sent.error().message.find("wrong-key") == std::string::npos);
}

net::awaitable<void> bad_request_is_permanent_with_ionqs_message() {
  fixture f(co_await net::this_coro::executor);
  auto sent = co_await f.client.submit_body(R"({"type":"ionq.circuit.v1"})");
  BOOST_REQUIRE(sent.has_error());
  BOOST_TEST(sent.error().kind == ionq::error_kind::permanent);
  BOOST_TEST(sent.error().message.find("\"backend\" is required") != std::string::npos, sent.error().message);
  auto missing = co_await f.client.get("no-such-job");
  BOOST_REQUIRE(missing.has_error());
  BOOST_TEST(missing.error().kind == ionq::error_kind::permanent);
  BOOST_TEST(missing.error().status == 404u);
}

net::awaitable<void> untranslatable_job_fails_before_sending() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(bell_input);
  ionq::job_description job;
  job.job_id = "j";
  job.target = "simulator";
  job.shots = 2'000'000;  // above IonQ's limit
  job.input = &input;
  auto sent = co_await f.client.submit(job);
  BOOST_REQUIRE(sent.has_error());
  BOOST_TEST(sent.error().kind == ionq::error_kind::permanent);
  BOOST_TEST(f.fake.requests().empty());
}

net::awaitable<void> throttled_and_failing_reads_are_transient() {
  fixture f(co_await net::this_coro::executor);
  auto throttled = fault(fakes::fault_kind::status, "GET", 429);
  throttled.retry_after_s = 2;
  f.fake.add_fault(throttled);
  auto first = co_await f.client.get("x");
  BOOST_REQUIRE(first.has_error());
  BOOST_TEST(first.error().kind == ionq::error_kind::transient);
  BOOST_TEST(first.error().retry_after.value() == std::chrono::seconds(2));
  f.fake.add_fault(fault(fakes::fault_kind::status, "GET", 503));
  auto second = co_await f.client.list(10, std::nullopt);
  BOOST_REQUIRE(second.has_error());
  BOOST_TEST(second.error().kind == ionq::error_kind::transient);
  // Twice: the transport retries a GET once on a fresh connection.
  auto reset = fault(fakes::fault_kind::reset, "GET");
  reset.count = 2;
  f.fake.add_fault(reset);
  auto third = co_await f.client.list(10, std::nullopt);
  BOOST_REQUIRE(third.has_error());
  BOOST_TEST(third.error().kind == ionq::error_kind::transient);
  f.fake.add_fault(fault(fakes::fault_kind::malformed, "GET"));
  auto fourth = co_await f.client.list(10, std::nullopt);
  BOOST_REQUIRE(fourth.has_error());
  BOOST_TEST(fourth.error().kind == ionq::error_kind::transient);
}

net::awaitable<void> lost_answers_to_a_post_are_outcome_unknown() {
  fixture f(co_await net::this_coro::executor);
  const auto input = parse(bell_input);
  ionq::job_description job;
  job.job_id = "lost";
  job.target = "simulator";
  job.shots = 10;
  job.input = &input;
  f.fake.add_fault(fault(fakes::fault_kind::accept_502, "POST"));
  auto first = co_await f.client.submit(job);
  BOOST_REQUIRE(first.has_error());
  BOOST_TEST(first.error().kind == ionq::error_kind::outcome_unknown);
  f.fake.add_fault(fault(fakes::fault_kind::accept_reset, "POST"));
  auto second = co_await f.client.submit(job);
  BOOST_REQUIRE(second.has_error());
  BOOST_TEST(second.error().kind == ionq::error_kind::outcome_unknown);
  BOOST_TEST(f.fake.creates_by_qjob_id().at("lost") == 2u);
  // A 429 is IonQ refusing the job, not losing it.
  f.fake.add_fault(fault(fakes::fault_kind::status, "POST", 429));
  auto third = co_await f.client.submit(job);
  BOOST_REQUIRE(third.has_error());
  BOOST_TEST(third.error().kind == ionq::error_kind::transient);
}

net::awaitable<void> refused_connection_fails_transiently() {
  auto ex = co_await net::this_coro::executor;
  std::string base;
  {
    fakes::fake_ionq gone(ex);
    base = gone.base_url();
  }
  qjob::http::beast_http_client http(ex, base);
  ionq::ionq_client client(http, "test-key");
  auto sent = co_await client.submit_body("{}");
  BOOST_REQUIRE(sent.has_error());
  BOOST_TEST(sent.error().kind == ionq::error_kind::transient);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_client_tests)

BOOST_AUTO_TEST_CASE(an_ionq_job_reads_as_a_unified_job_state_with_our_id_and_usage) {
  const auto failed = qjob::ionq::parse_job(std::string_view(
      R"({"id": "abc", "status": "failed", "metadata": {"qjob_id": "ours-1"},
          "failure": {"code": "QuotaExhaustedError", "message": "out of credit"},
          "execution_duration_ms": 12})"));
  BOOST_REQUIRE(failed.job.has_value());
  const auto state = qjob::ionq::to_job_state(*failed.job);
  BOOST_TEST(state.id == "abc");
  BOOST_TEST(state.state == "failed");
  BOOST_TEST(state.provider_status == "failed");
  BOOST_TEST(state.final);
  BOOST_TEST(state.known);
  BOOST_TEST(state.error_code == "QuotaExhaustedError");
  BOOST_TEST(state.error_message == "out of credit");
  BOOST_TEST(state.qjob_id.value_or("") == "ours-1");
  BOOST_TEST(state.usage.find("execution_duration_ms") != std::string::npos, state.usage);

  const auto odd = qjob::ionq::parse_job(std::string_view(R"({"id": "x", "status": "teleporting"})"));
  BOOST_REQUIRE(odd.job.has_value());
  const auto unknown = qjob::ionq::to_job_state(*odd.job);
  BOOST_TEST(!unknown.known);
  BOOST_TEST(!unknown.final);
  BOOST_TEST(unknown.state == "waiting");
  BOOST_TEST(!unknown.qjob_id.has_value());
}

BOOST_AUTO_TEST_CASE(bell_job_is_submitted_read_and_its_results_fetched, *boost::unit_test::timeout(10)) {
  run_coroutine(bell_job_round_trip());
}
BOOST_AUTO_TEST_CASE(multi_circuit_results_come_back_in_circuit_order, *boost::unit_test::timeout(10)) {
  run_coroutine(multi_circuit_results_come_in_circuit_order());
}
BOOST_AUTO_TEST_CASE(list_pages_newest_first_through_the_cursor, *boost::unit_test::timeout(10)) {
  run_coroutine(list_pages_through_the_cursor());
}
BOOST_AUTO_TEST_CASE(cancel_answers_the_job_as_reread, *boost::unit_test::timeout(10)) {
  run_coroutine(cancel_reports_the_job_as_reread());
}
BOOST_AUTO_TEST_CASE(wrong_key_is_a_credentials_error_that_never_shows_the_key, *boost::unit_test::timeout(10)) {
  run_coroutine(wrong_key_is_a_credentials_error());
}
BOOST_AUTO_TEST_CASE(bad_request_and_unknown_job_are_permanent, *boost::unit_test::timeout(10)) {
  run_coroutine(bad_request_is_permanent_with_ionqs_message());
}
BOOST_AUTO_TEST_CASE(job_ionq_cannot_take_fails_before_anything_is_sent, *boost::unit_test::timeout(10)) {
  run_coroutine(untranslatable_job_fails_before_sending());
}
BOOST_AUTO_TEST_CASE(throttled_failing_cut_and_malformed_reads_are_transient, *boost::unit_test::timeout(10)) {
  run_coroutine(throttled_and_failing_reads_are_transient());
}
BOOST_AUTO_TEST_CASE(post_whose_answer_was_lost_is_outcome_unknown, *boost::unit_test::timeout(10)) {
  run_coroutine(lost_answers_to_a_post_are_outcome_unknown());
}
BOOST_AUTO_TEST_CASE(refused_connection_is_transient_even_for_a_post, *boost::unit_test::timeout(10)) {
  run_coroutine(refused_connection_fails_transiently());
}

BOOST_AUTO_TEST_SUITE_END()
