#include "job_spec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
using qjob::cli::apply_overrides;
using qjob::cli::job_overrides;
using qjob::cli::read_batch;
using qjob::cli::read_job;

BOOST_AUTO_TEST_SUITE(job_spec_tests)

BOOST_AUTO_TEST_CASE(a_json_object_with_input_is_a_whole_job_taken_as_is) {
    auto job = read_job(R"({"name": "bell", "shots": 10, "input": {"qubits": 2, "circuit": []}})", "f.json");
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(json::serialize(*job) == R"({"name":"bell","shots":10,"input":{"qubits":2,"circuit":[]}})");
}

BOOST_AUTO_TEST_CASE(a_json_object_without_input_is_a_bare_circuit) {
    auto job = read_job(R"({"qubits": 1, "circuit": [{"gate": "h", "target": 0}]})", "c.json");
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(job->size() == 1u);
    BOOST_TEST(job->at("input").as_object().at("qubits").as_int64() == 1);
    BOOST_TEST(!job->contains("input_format"));
}

BOOST_AUTO_TEST_CASE(a_json_array_is_a_multi_circuit_input) {
    auto job = read_job(R"([{"qubits": 1, "circuit": []}, {"qubits": 2, "circuit": []}])", "m.json");
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(job->at("input").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_is_qasm_kept_verbatim) {
    std::string const qasm = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nh q[0];\n";
    auto job = read_job(qasm, "bell.qasm");
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(job->at("input").as_string() == qasm);
    BOOST_TEST(job->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_json_string_is_qasm_input) {
    auto job = read_job(R"("OPENQASM 2.0;")", "q.json");
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(job->at("input").as_string() == "OPENQASM 2.0;");
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_refused_naming_it) {
    auto job = read_job(" \n\t\n", "empty.json");
    BOOST_TEST_REQUIRE(!job.has_value());
    BOOST_TEST(job.error().message.find("empty.json: empty file") == 0u);
}

BOOST_AUTO_TEST_CASE(a_json_scalar_is_neither_job_nor_circuit) {
    auto number = read_job("42", "n.json");
    BOOST_TEST_REQUIRE(!number.has_value());
    BOOST_TEST(number.error().message == "n.json: a number is neither a job object nor a circuit");
    BOOST_TEST(!read_job("null", "n.json").has_value());
    BOOST_TEST(!read_job("true", "n.json").has_value());
}

BOOST_AUTO_TEST_CASE(flags_override_the_fields_of_the_file) {
    json::object job = json::parse(R"({"name": "a", "provider": "ionq", "shots": 10, "tags": ["x"], "priority": 1,
                                       "input": "OPENQASM 2.0;"})")
                           .as_object();
    job_overrides o;
    o.name = "b";
    o.target = "simulator";
    o.shots = 200;
    o.priority = 9;
    o.id = "job-1";
    o.input_format = "qasm2";
    o.tags = {"y", "z"};
    auto out = apply_overrides(job, o);
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(out->at("name").as_string() == "b");
    BOOST_TEST(out->at("provider").as_string() == "ionq");
    BOOST_TEST(out->at("target").as_string() == "simulator");
    BOOST_TEST(out->at("shots").as_int64() == 200);
    BOOST_TEST(out->at("priority").as_int64() == 9);
    BOOST_TEST(out->at("id").as_string() == "job-1");
    BOOST_TEST(out->at("input_format").as_string() == "qasm2");
    BOOST_TEST(json::serialize(out->at("tags")) == R"(["y","z"])");
}

BOOST_AUTO_TEST_CASE(no_flags_leave_the_job_unchanged) {
    json::object job = json::parse(R"({"tags": ["x"], "input": []})").as_object();
    auto out = apply_overrides(job, job_overrides{});
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(json::serialize(*out) == json::serialize(job));
}

BOOST_AUTO_TEST_CASE(seed_goes_into_params_beside_the_others) {
    job_overrides o;
    o.seed = 7;
    auto fresh = apply_overrides(json::object{{"input", "x"}}, o);
    BOOST_TEST_REQUIRE(fresh.has_value());
    BOOST_TEST(json::serialize(fresh->at("params")) == R"({"seed":7})");

    auto merged = apply_overrides(json::parse(R"({"input": "x", "params": {"noise": 1, "seed": 1}})").as_object(), o);
    BOOST_TEST_REQUIRE(merged.has_value());
    BOOST_TEST(json::serialize(merged->at("params")) == R"({"noise":1,"seed":7})");
}

BOOST_AUTO_TEST_CASE(seed_with_params_that_are_not_an_object_fails) {
    job_overrides o;
    o.seed = 7;
    auto out = apply_overrides(json::parse(R"({"input": "x", "params": [1]})").as_object(), o);
    BOOST_TEST_REQUIRE(!out.has_value());
    BOOST_TEST(out.error().message.find("--seed") == 0u);
}

BOOST_AUTO_TEST_CASE(batch_lines_become_one_job_per_ndjson_line) {
    std::string const file = "{\"name\": \"a\", \"input\": \"OPENQASM 2.0;\"}\n"
                             "\n"
                             "  {\"qubits\": 1, \"circuit\": []}\r\n"
                             "[{\"qubits\": 1, \"circuit\": []}]";
    auto body = read_batch(file, "jobs.ndjson");
    BOOST_TEST_REQUIRE(body.has_value());
    BOOST_TEST(*body == "{\"name\":\"a\",\"input\":\"OPENQASM 2.0;\"}\n"
                        "{\"input\":{\"qubits\":1,\"circuit\":[]}}\n"
                        "{\"input\":[{\"qubits\":1,\"circuit\":[]}]}\n");
}

BOOST_AUTO_TEST_CASE(a_bad_batch_line_is_named_by_its_number) {
    auto body = read_batch("{\"input\": \"x\"}\n\nOPENQASM 2.0;\n", "jobs.ndjson");
    BOOST_TEST_REQUIRE(!body.has_value());
    BOOST_TEST(body.error().message.find("jobs.ndjson:3: not JSON") == 0u);

    auto scalar = read_batch("{\"input\": \"x\"}\n7\n", "jobs.ndjson");
    BOOST_TEST_REQUIRE(!scalar.has_value());
    BOOST_TEST(scalar.error().message == "jobs.ndjson:2: a number is neither a job object nor a circuit");
}

BOOST_AUTO_TEST_CASE(a_batch_without_jobs_is_refused) {
    auto body = read_batch("\n  \n", "stdin");
    BOOST_TEST_REQUIRE(!body.has_value());
    BOOST_TEST(body.error().message == "stdin: no jobs, expected one job object per line");
}

BOOST_AUTO_TEST_SUITE_END()
