#include "fakes/fault_plan.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <variant>

namespace {

namespace fakes = qjob::fakes;

fakes::fault_plan parse_ok(const std::string& spec) {
  auto parsed = fakes::parse_fault_spec(spec);
  if (auto* problem = std::get_if<std::string>(&parsed)) BOOST_FAIL("refused: " << *problem);
  return std::get<fakes::fault_plan>(std::move(parsed));
}

std::string parse_error(const std::string& spec) {
  auto parsed = fakes::parse_fault_spec(spec);
  if (!std::holds_alternative<std::string>(parsed)) BOOST_FAIL("accepted: " << spec);
  return std::get<std::string>(parsed);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fault_plan_tests)

BOOST_AUTO_TEST_CASE(spec_with_every_kind_and_key_parses) {
  const auto plan = parse_ok(
      "post:accept_502:count=2,get:429:retry_after=1:p=0.25,any:slow:delay_ms=200:path=/jobs/,put:reset,"
      "get:malformed,post:accept_reset,get:garbage,get:503,seed=7");
  BOOST_TEST(plan.seed == 7u);
  BOOST_REQUIRE(plan.rules.size() == 8u);
  BOOST_TEST((plan.rules[0].kind == fakes::fault_kind::accept_502));
  BOOST_TEST(plan.rules[0].method == "POST");
  BOOST_TEST(plan.rules[0].count.value() == 2u);
  BOOST_TEST((plan.rules[1].kind == fakes::fault_kind::status));
  BOOST_TEST(plan.rules[1].status == 429u);
  BOOST_TEST(plan.rules[1].retry_after_s == 1u);
  BOOST_TEST(plan.rules[1].probability == 0.25);
  BOOST_TEST(!plan.rules[1].count.has_value());
  BOOST_TEST(plan.rules[2].method.empty());
  BOOST_TEST(plan.rules[2].delay.count() == 200);
  BOOST_TEST(plan.rules[2].path_prefix == "/jobs/");
  BOOST_TEST((plan.rules[3].kind == fakes::fault_kind::reset));
  BOOST_TEST((plan.rules[7].kind == fakes::fault_kind::status));
  BOOST_TEST(plan.rules[7].status == 503u);
}

BOOST_AUTO_TEST_CASE(bad_items_are_refused_with_the_item_named) {
  BOOST_TEST(parse_error("post").find("'post'") != std::string::npos);
  BOOST_TEST(parse_error("patch:500").find("method") != std::string::npos);
  BOOST_TEST(parse_error("get:teapot").find("unknown kind") != std::string::npos);
  BOOST_TEST(parse_error("get:200").find("4xx or 5xx") != std::string::npos);
  BOOST_TEST(parse_error("get:500:p=2").find("probability") != std::string::npos);
  BOOST_TEST(parse_error("get:500:count=x").find("count") != std::string::npos);
  BOOST_TEST(parse_error("get:500:colour=red").find("unknown key") != std::string::npos);
  BOOST_TEST(parse_error("seed=abc").find("seed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(counted_rule_hits_the_next_n_matching_requests_only) {
  fakes::fault_injector injector(parse_ok("post:502:count=2"));
  BOOST_TEST(!injector.pick("GET", "/jobs").has_value());
  BOOST_TEST(injector.pick("POST", "/jobs").has_value());
  BOOST_TEST(injector.pick("POST", "/jobs").has_value());
  BOOST_TEST(!injector.pick("POST", "/jobs").has_value());
}

BOOST_AUTO_TEST_CASE(path_prefix_limits_a_rule) {
  fakes::fault_injector injector(parse_ok("get:503:path=/jobs/"));
  BOOST_TEST(!injector.pick("GET", "/jobs").has_value());
  BOOST_TEST(injector.pick("GET", "/jobs/abc").has_value());
}

BOOST_AUTO_TEST_CASE(probability_draws_repeat_with_the_same_seed) {
  fakes::fault_injector first(parse_ok("any:500:p=0.5,seed=42"));
  fakes::fault_injector second(parse_ok("any:500:p=0.5,seed=42"));
  int hits = 0;
  for (int i = 0; i < 200; ++i) {
    const bool a = first.pick("GET", "/jobs").has_value();
    const bool b = second.pick("GET", "/jobs").has_value();
    BOOST_TEST(a == b);
    hits += a ? 1 : 0;
  }
  BOOST_TEST(hits > 60);
  BOOST_TEST(hits < 140);
}

BOOST_AUTO_TEST_CASE(first_matching_rule_wins) {
  fakes::fault_injector injector(parse_ok("post:accept_502:count=1,any:429"));
  BOOST_TEST((injector.pick("POST", "/jobs")->kind == fakes::fault_kind::accept_502));
  BOOST_TEST(injector.pick("POST", "/jobs")->status == 429u);
}

BOOST_AUTO_TEST_SUITE_END()
