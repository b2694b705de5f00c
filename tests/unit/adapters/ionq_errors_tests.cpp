#include "ionq/ionq_errors.hpp"

#include "support/shared_dir.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

namespace json = boost::json;
using qjob::ionq::classify_status;
using qjob::ionq::describe_failure;
using qjob::ionq::failure_kind;
using qjob::ionq::parse_error_body;

std::optional<json::value> example(const std::string& name) {
  const auto shared = qjob::test::shared_dir();
  if (!shared) return std::nullopt;
  std::ifstream in(*shared / "provider-api" / "ionq" / "examples" / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ionq_errors_tests)

BOOST_AUTO_TEST_CASE(the_issue_transient_codes_are_transient) {
  for (unsigned status : {408U, 429U, 500U, 502U, 503U, 504U}) {
    BOOST_TEST_CONTEXT(status) { BOOST_TEST((classify_status(status) == failure_kind::transient)); }
  }
  for (unsigned status = 520; status <= 529; ++status) {
    BOOST_TEST_CONTEXT(status) { BOOST_TEST((classify_status(status) == failure_kind::transient)); }
  }
}

BOOST_AUTO_TEST_CASE(the_issue_permanent_codes_are_permanent) {
  for (unsigned status : {400U, 403U, 404U, 413U}) {
    BOOST_TEST_CONTEXT(status) { BOOST_TEST((classify_status(status) == failure_kind::permanent)); }
  }
}

BOOST_AUTO_TEST_CASE(unauthorized_is_a_credentials_failure) {
  BOOST_TEST((classify_status(401) == failure_kind::credentials));
  BOOST_TEST(qjob::ionq::to_string(failure_kind::credentials) == "credentials");
  BOOST_TEST(qjob::ionq::to_string(failure_kind::transient) == "transient");
  BOOST_TEST(qjob::ionq::to_string(failure_kind::permanent) == "permanent");
}

BOOST_AUTO_TEST_CASE(other_codes_follow_their_class) {
  BOOST_TEST((classify_status(409) == failure_kind::permanent));
  BOOST_TEST((classify_status(422) == failure_kind::permanent));
  BOOST_TEST((classify_status(501) == failure_kind::transient));
  BOOST_TEST((classify_status(599) == failure_kind::transient));
  BOOST_TEST((classify_status(302) == failure_kind::permanent));
  BOOST_TEST((classify_status(100) == failure_kind::permanent));
}

BOOST_AUTO_TEST_CASE(the_spec_error_bodies_are_read) {
  const auto bodies = example("v0.4_error-bodies.json");
  if (!bodies) {
    BOOST_TEST_MESSAGE("no shared IonQ examples: skipped");
    return;
  }
  for (const auto& entry : bodies->as_object()) {
    BOOST_TEST_CONTEXT(entry.key()) {
      const std::string text = json::serialize(entry.value());
      const auto parsed = parse_error_body(text);
      BOOST_REQUIRE(parsed.has_value());
      BOOST_TEST(!parsed->error.empty());
      BOOST_TEST(!parsed->message.empty());
      BOOST_TEST(parsed->status_code.value_or(0) == static_cast<unsigned>(std::stoul(std::string(entry.key()))));
    }
  }
  const auto bad_request = describe_failure(400, json::serialize(bodies->at("400")));
  BOOST_TEST((bad_request.kind == failure_kind::permanent));
  BOOST_TEST(bad_request.body_understood);
  BOOST_TEST(bad_request.message ==
             "IonQ answered 400 Bad Request: \"some-parameter\" was invalid. (keys: some-parameter)");
  const auto unauthorized = describe_failure(401, json::serialize(bodies->at("401")));
  BOOST_TEST((unauthorized.kind == failure_kind::credentials));
  BOOST_TEST(unauthorized.message.starts_with("IonQ answered 401 Unauthorized Error: Invalid key provided."));
  const auto not_found = describe_failure(404, json::serialize(bodies->at("404")));
  BOOST_TEST((not_found.kind == failure_kind::permanent));
  BOOST_TEST(not_found.message.starts_with("IonQ answered 404 Not Found Error: Resource not found."));
  const auto outage = describe_failure(500, json::serialize(bodies->at("500")));
  BOOST_TEST((outage.kind == failure_kind::transient));
  BOOST_TEST(outage.message.starts_with("IonQ answered 500 Internal Server Error: Internal service outage."));
}

BOOST_AUTO_TEST_CASE(the_older_error_shapes_are_read_too) {
  const auto coded = parse_error_body(R"({"code": 429, "message": "slow down"})");
  BOOST_REQUIRE(coded.has_value());
  BOOST_TEST(coded->message == "slow down");
  BOOST_TEST(coded->status_code.value_or(0) == 429U);
  const auto nested = parse_error_body(R"({"error": {"type": "InvalidRequest", "message": "bad circuit"}})");
  BOOST_REQUIRE(nested.has_value());
  BOOST_TEST(nested->error == "InvalidRequest");
  BOOST_TEST(nested->message == "bad circuit");
  BOOST_TEST(describe_failure(400, R"({"error": {"type": "InvalidRequest", "message": "bad circuit"}})").message ==
             "IonQ answered 400 InvalidRequest: bad circuit");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_ionq_error_is_not_quoted) {
  for (const char* body : {"<html><body>502 Bad Gateway</body></html>", "[1]", "{}", R"({"statusCode": 500})",
                           "{\"error\": \"trunc"}) {
    BOOST_TEST_CONTEXT(body) {
      BOOST_TEST(!parse_error_body(body).has_value());
      const auto failure = describe_failure(502, body);
      BOOST_TEST(!failure.body_understood);
      BOOST_TEST(failure.message == "IonQ answered 502 with a body that is not an IonQ error");
      BOOST_TEST((failure.kind == failure_kind::transient));
    }
  }
  BOOST_TEST(describe_failure(503, "").message == "IonQ answered 503 with no body");
  BOOST_TEST((describe_failure(404, "<html>nope</html>").kind == failure_kind::permanent));
}

BOOST_AUTO_TEST_SUITE_END()
