#include "job_request.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

namespace qjob::daemon {
namespace {

namespace json = boost::json;
using boost::beast::http::status;

const char* const bell = R"({"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]})";

struct fixture {
  daemon_config config = load_config(std::nullopt);
  target_catalog catalog{config};
  submission_rules rules = [this] {
    auto rules = submission_rules_for(config, catalog);
    rules.max_shots = 1000;
    return rules;
  }();

  std::variant<storage::job_row, api_error> parse(const std::string& text, std::uint32_t owner = 1000,
                                                 const std::string& prefix = {}) {
    return parse_job_request(json::parse(text), owner, rules, prefix);
  }
  storage::job_row accepted(const std::string& text, std::uint32_t owner = 1000) {
    auto outcome = parse(text, owner);
    if (auto* error = std::get_if<api_error>(&outcome)) BOOST_FAIL("refused: " + error->message);
    return std::get<storage::job_row>(outcome);
  }
  api_error refused(const std::string& text, const std::string& prefix = {}) {
    auto outcome = parse(text, 1000, prefix);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<api_error>(outcome), "accepted: " + text);
    return std::get<api_error>(outcome);
  }
};

std::string with_input(const std::string& fields) {
  return std::string("{\"input\":") + bell + (fields.empty() ? "" : "," + fields) + "}";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(job_request_tests, fixture)

BOOST_AUTO_TEST_CASE(defaults_are_applied) {
  auto row = accepted(with_input(""));
  BOOST_TEST(std::regex_match(row.id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  BOOST_TEST(row.provider == "local");
  BOOST_TEST(row.target == "simulator");
  BOOST_TEST(row.shots == 1000);
  BOOST_TEST(row.priority == 5);
  BOOST_TEST(row.owner == 1000u);
  BOOST_TEST(row.input_format == "ionq.circuit.v0");
  BOOST_TEST(row.params == "{}");
  BOOST_TEST(row.fingerprint.size() == 64u);
  BOOST_TEST(row.created_at > 0);
}

BOOST_AUTO_TEST_CASE(fields_are_kept) {
  auto row = accepted(with_input(R"("id":"run-1.a_b","name":"n","shots":10,"priority":9,"tags":["x","y"],"params":{"seed":3})"));
  BOOST_TEST(row.id == "run-1.a_b");
  BOOST_TEST(row.name == "n");
  BOOST_TEST(row.shots == 10);
  BOOST_TEST(row.priority == 9);
  BOOST_TEST(row.tags == (std::vector<std::string>{"x", "y"}));
  BOOST_TEST(row.params == R"({"seed":3})");
}

BOOST_AUTO_TEST_CASE(qasm_text_is_inferred) {
  auto row = accepted(R"({"input":"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nh q[0];\n"})");
  BOOST_TEST(row.input_format == "qasm2");
}

BOOST_AUTO_TEST_CASE(fingerprint_follows_content_and_owner) {
  auto a = accepted(with_input(R"("id":"same")"));
  auto b = accepted(with_input(R"("id":"same")"));
  auto other_shots = accepted(with_input(R"("id":"same","shots":7)"));
  auto other_owner = accepted(with_input(R"("id":"same")"), 1001);
  BOOST_TEST(a.fingerprint == b.fingerprint);
  BOOST_TEST(a.fingerprint != other_shots.fingerprint);
  BOOST_TEST(a.fingerprint != other_owner.fingerprint);
}

BOOST_AUTO_TEST_CASE(each_bad_field_is_named) {
  struct refusal {
    std::string fields;
    std::string field;
  };
  const std::vector<refusal> cases{
      {R"("colour":"red")", "colour"},
      {R"("id":"../etc")", "id"},
      {R"("id":".hidden")", "id"},
      {R"("id":"")", "id"},
      {R"("id":7)", "id"},
      {R"("shots":0)", "shots"},
      {R"("shots":1001)", "shots"},
      {R"("shots":1.5)", "shots"},
      {R"("priority":10)", "priority"},
      {R"("priority":-1)", "priority"},
      {R"("tags":"x")", "tags"},
      {R"("tags":["ok",""])", "tags[1]"},
      {R"("tags":[1])", "tags[0]"},
      {R"("params":[])", "params"},
      {R"("params":{"seed":-1})", "params.seed"},
      {R"("params":{"seed":"x"})", "params.seed"},
      {R"("name":5)", "name"},
  };
  for (const auto& c : cases) {
    auto error = refused(with_input(c.fields));
    BOOST_TEST(error.status == status::bad_request, c.fields);
    BOOST_TEST(error.field == c.field, c.fields << " -> " << error.field);
    BOOST_TEST(!error.message.empty());
  }
}

BOOST_AUTO_TEST_CASE(input_errors_carry_the_circuit_path) {
  auto error = refused(R"({"input":{"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"foo","target":1}]}})");
  BOOST_TEST(error.code == "invalid_input");
  BOOST_TEST(error.field == "input.circuit[1].gate");
  BOOST_TEST(error.message.find("foo") != std::string::npos);
  auto missing = refused(R"({"name":"x"})");
  BOOST_TEST(missing.field == "input");
}

BOOST_AUTO_TEST_CASE(qasm_errors_name_the_line) {
  auto error = refused(R"({"input":"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nfoo q[0];\n"})");
  BOOST_TEST(error.code == "invalid_input");
  BOOST_TEST(error.message.find("line 4") != std::string::npos, error.message);
}

BOOST_AUTO_TEST_CASE(unknown_provider_target_and_format_are_422) {
  auto provider = refused(with_input(R"("provider":"ionq")"));
  BOOST_TEST(provider.status == status::unprocessable_entity);
  BOOST_TEST(provider.code == "unknown_provider");
  BOOST_TEST(provider.field == "provider");
  auto target = refused(with_input(R"("target":"qpu.aria-1")"));
  BOOST_TEST(target.status == status::unprocessable_entity);
  BOOST_TEST(target.code == "unknown_target");
  auto format = refused(with_input(R"("input_format":"quil")"));
  BOOST_TEST(format.status == status::unprocessable_entity);
  BOOST_TEST(format.code == "unsupported_format");
  BOOST_TEST(format.field == "input_format");
}

BOOST_AUTO_TEST_CASE(too_many_qubits_for_the_target_is_refused) {
  auto error = refused(R"({"input":{"qubits":27,"circuit":[{"gate":"h","target":0}]}})");
  BOOST_TEST(error.code == "invalid_input");
  BOOST_TEST(error.message.find("26") != std::string::npos, error.message);
}

BOOST_AUTO_TEST_CASE(batch_prefix_is_put_before_the_field) {
  auto error = refused(with_input(R"("shots":-5)"), "[3].");
  BOOST_TEST(error.field == "[3].shots");
  BOOST_TEST(refused("[1]", "[0].").field == "[0].");
}

BOOST_AUTO_TEST_CASE(valid_ids_follow_the_documented_alphabet) {
  BOOST_TEST(is_valid_job_id("abc-DEF_0.9"));
  BOOST_TEST(is_valid_job_id(std::string(128, 'a')));
  BOOST_TEST(!is_valid_job_id(std::string(129, 'a')));
  BOOST_TEST(!is_valid_job_id("a/b"));
  BOOST_TEST(!is_valid_job_id("a b"));
  BOOST_TEST(make_uuid() != make_uuid());
}

BOOST_AUTO_TEST_CASE(ids_the_daemon_makes_sort_by_the_time_they_were_made) {
  const auto first = make_uuid();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const auto second = make_uuid();
  BOOST_TEST(first < second);
  BOOST_TEST(first.substr(14, 1) == "7");
  BOOST_TEST(first.size() == 36u);
}

BOOST_AUTO_TEST_CASE(fields_over_a_configured_limit_are_refused_naming_the_key) {
  rules.max_name_bytes = 4;
  rules.max_tags = 2;
  rules.max_tag_bytes = 3;
  rules.max_params_bytes = 20;
  struct refusal {
    std::string fields;
    std::string field;
    std::string key;
  };
  const std::vector<refusal> cases{
      {R"("name":"abcde")", "name", "max_name_bytes"},
      {R"("tags":["a","b","c"])", "tags", "max_tags"},
      {R"("tags":["a","long"])", "tags[1]", "max_tag_bytes"},
      {R"("params":{"note":"a string that is long"})", "params", "max_params_bytes"},
      {R"("shots":1001)", "shots", "max_shots"},
  };
  for (const auto& c : cases) {
    auto error = refused(with_input(c.fields));
    BOOST_TEST(error.status == status::bad_request, c.fields);
    BOOST_TEST(error.field == c.field, c.fields << " -> " << error.field);
    BOOST_TEST(error.message.find(c.key) != std::string::npos, error.message);
  }
  // At the limits, accepted.
  auto row = accepted(with_input(R"("name":"abcd","tags":["abc","x"],"params":{"seed":12345678})"));
  BOOST_TEST(row.name == "abcd");
}

BOOST_AUTO_TEST_CASE(circuits_over_the_configured_size_are_refused_naming_the_key) {
  rules.max_gates = 1;
  auto gates = refused(with_input(""));
  BOOST_TEST(gates.code == "invalid_input");
  BOOST_TEST(gates.message.find("max_gates") != std::string::npos, gates.message);

  rules.max_gates = 100;
  rules.max_circuit_depth = 2;
  // h, cnot, cnot on the same qubits: depth 3 in 3 gates.
  auto deep = refused(R"({"input":{"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1},)"
                      R"({"gate":"cnot","control":0,"target":1}]}})");
  BOOST_TEST(deep.code == "invalid_input");
  BOOST_TEST(deep.field == "input");
  BOOST_TEST(deep.message.find("depth 3") != std::string::npos, deep.message);
  BOOST_TEST(deep.message.find("max_circuit_depth") != std::string::npos, deep.message);
  // Three gates side by side on three qubits are one layer.
  accepted(R"({"input":{"qubits":3,"circuit":[{"gate":"h","target":0},{"gate":"h","target":1},{"gate":"h","target":2}]}})");

  rules.max_circuits_per_job = 1;
  auto many = refused(std::string("{\"input\":[") + bell + "," + bell + "]}");
  BOOST_TEST(many.message.find("max_circuits_per_job") != std::string::npos, many.message);

  auto wide = refused(R"({"input":{"qubits":27,"circuit":[]}})");
  BOOST_TEST(wide.field == "input.qubits");
  BOOST_TEST(wide.message.find("max_qubits of provider 'local'") != std::string::npos, wide.message);
}

BOOST_AUTO_TEST_CASE(depth_counts_layers_per_qubit_and_barriers_add_none) {
  formats::circuit c;
  c.qubits = 3;
  auto op = [](formats::gate_kind gate, std::vector<std::uint32_t> targets, std::vector<std::uint32_t> controls = {}) {
    formats::operation o;
    o.gate = gate;
    o.targets = std::move(targets);
    o.controls = std::move(controls);
    return o;
  };
  BOOST_TEST(circuit_depth(c) == 0u);
  c.ops.push_back(op(formats::gate_kind::h, {0}));
  c.ops.push_back(op(formats::gate_kind::h, {1}));
  BOOST_TEST(circuit_depth(c) == 1u);
  c.ops.push_back(op(formats::gate_kind::x, {1}, {0}));
  BOOST_TEST(circuit_depth(c) == 2u);
  c.ops.push_back(op(formats::gate_kind::barrier, {0, 1, 2}));
  BOOST_TEST(circuit_depth(c) == 2u);
  // After the barrier, qubit 2 starts where the others are.
  c.ops.push_back(op(formats::gate_kind::h, {2}));
  BOOST_TEST(circuit_depth(c) == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
