#include "config.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace qjob::daemon {
namespace {

/// A TOML file in the temp directory, removed afterwards.
class temp_config {
public:
  explicit temp_config(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("qjob-config-" + std::to_string(std::random_device{}()) + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~temp_config() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

std::string load_error(const std::string& text) {
  temp_config file(text);
  try {
    load_config(file.path());
  } catch (const config_error& e) {
    return e.what();
  }
  BOOST_FAIL("the configuration was accepted");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_tests)

BOOST_AUTO_TEST_CASE(no_file_gives_the_local_provider_only) {
  auto config = load_config(std::nullopt);
  BOOST_TEST(config.providers.size() == 1u);
  BOOST_TEST(config.providers[0].name == "local");
  BOOST_TEST(config.providers[0].workers > 0u);
  BOOST_TEST(config.providers[0].max_in_flight == config.providers[0].workers);
  BOOST_TEST(config.default_provider == "local");
}

BOOST_AUTO_TEST_CASE(shipped_configuration_equals_the_compiled_in_defaults) {
  auto shipped = load_config(std::filesystem::path(QJOB_SOURCE_DIR) / "etc/qjobd.toml");
  auto defaults = load_config(std::nullopt);
  BOOST_TEST(shipped.socket_mode == defaults.socket_mode);
  BOOST_TEST(shipped.log_level == defaults.log_level);
  BOOST_TEST(shipped.admin_group == defaults.admin_group);
  BOOST_TEST(shipped.default_provider == defaults.default_provider);
  BOOST_TEST(shipped.max_body_bytes == defaults.max_body_bytes);
  BOOST_TEST(shipped.max_header_bytes == defaults.max_header_bytes);
  BOOST_TEST(shipped.max_batch_jobs == defaults.max_batch_jobs);
  BOOST_TEST(shipped.max_shots == defaults.max_shots);
  BOOST_TEST(shipped.max_waiting == defaults.max_waiting);
  BOOST_TEST(shipped.max_waiting_per_owner == defaults.max_waiting_per_owner);
  BOOST_TEST(shipped.idle_timeout.count() == defaults.idle_timeout.count());
  BOOST_TEST(shipped.request_timeout.count() == defaults.request_timeout.count());
  BOOST_TEST(shipped.max_connections == defaults.max_connections);
  BOOST_TEST(shipped.max_connections_per_uid == defaults.max_connections_per_uid);
  BOOST_TEST(shipped.max_line_bytes == defaults.max_line_bytes);
  BOOST_TEST(shipped.max_name_bytes == defaults.max_name_bytes);
  BOOST_TEST(shipped.max_tags == defaults.max_tags);
  BOOST_TEST(shipped.max_tag_bytes == defaults.max_tag_bytes);
  BOOST_TEST(shipped.max_params_bytes == defaults.max_params_bytes);
  BOOST_TEST(shipped.max_gates == defaults.max_gates);
  BOOST_TEST(shipped.max_circuit_depth == defaults.max_circuit_depth);
  BOOST_TEST(shipped.max_circuits_per_job == defaults.max_circuits_per_job);
  BOOST_TEST(shipped.max_wait.count() == defaults.max_wait.count());
  BOOST_TEST(shipped.drain_timeout.count() == defaults.drain_timeout.count());
  BOOST_TEST(shipped.retention_days == defaults.retention_days);
  BOOST_TEST(shipped.poll.initial.count() == defaults.poll.initial.count());
  BOOST_TEST(shipped.poll.max.count() == defaults.poll.max.count());
  BOOST_TEST(shipped.poll.list_threshold == defaults.poll.list_threshold);
  BOOST_TEST(shipped.poll.page_size == defaults.poll.page_size);
  BOOST_REQUIRE(shipped.providers.size() == defaults.providers.size());
  const auto& a = shipped.providers[0];
  const auto& b = defaults.providers[0];
  BOOST_TEST(a.name == b.name);
  BOOST_TEST(a.type == b.type);
  BOOST_TEST(a.workers == b.workers);
  BOOST_TEST(a.simulator_threads == b.simulator_threads);
  BOOST_TEST(a.max_qubits == b.max_qubits);
  BOOST_TEST(a.max_in_flight == b.max_in_flight);
  BOOST_TEST(a.requests_per_second == b.requests_per_second);
}

BOOST_AUTO_TEST_CASE(keys_are_read) {
  temp_config file(R"(
socket = "/tmp/q.sock"
socket_mode = "0600"
max_body_bytes = 1024
admin_group = "qjobadm"
default_provider = "sim"
[[providers]]
name = "sim"
type = "local"
workers = 3
max_qubits = 20
)");
  auto config = load_config(file.path());
  BOOST_TEST(config.socket == "/tmp/q.sock");
  BOOST_TEST(config.socket_mode == 0600u);
  BOOST_TEST(config.max_body_bytes == 1024u);
  BOOST_TEST(config.admin_group == "qjobadm");
  BOOST_REQUIRE(config.find_provider("sim") != nullptr);
  BOOST_TEST(config.find_provider("sim")->workers == 3u);
  BOOST_TEST(config.find_provider("sim")->max_in_flight == 3u);
  BOOST_TEST(config.find_provider("sim")->max_qubits == 20u);
  BOOST_TEST(config.find_provider("local") == nullptr);
}

/// The commented provider examples of etc/qjobd.toml (IonQ, QCloud), uncommented.
std::string shipped_provider_examples() {
  std::ifstream in(std::filesystem::path(QJOB_SOURCE_DIR) / "etc/qjobd.toml");
  std::string line;
  std::string example;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "#[[providers]]") inside = true;
    if (!inside) continue;
    // "#key = value" lines; "## note" and "# prose" lines are comments of the file.
    if (line.size() < 2 || line[0] != '#' || line[1] == '#' || line[1] == ' ') continue;
    example += line.substr(1) + "\n";
  }
  return example;
}

BOOST_AUTO_TEST_CASE(the_shipped_provider_examples_show_the_defaults) {
  temp_config file("default_provider = \"ionq\"\n" + shipped_provider_examples());
  auto config = load_config(file.path());
  const auto* ionq = config.find_provider("ionq");
  BOOST_REQUIRE(ionq != nullptr);
  BOOST_TEST(ionq->api_key_file == "ionq-api-key");
  // Written out, the example equals an entry that gives only what it must.
  temp_config minimal("default_provider = \"ionq\"\n[[providers]]\nname = \"ionq\"\ntype = \"ionq\"\n"
                      "api_key_file = \"ionq-api-key\"\n");
  auto defaults = load_config(minimal.path());
  const auto* plain = defaults.find_provider("ionq");
  BOOST_TEST(ionq->base_url == plain->base_url);
  BOOST_TEST(ionq->base_url == "https://api.ionq.co/v0.4");
  BOOST_TEST(ionq->max_in_flight == plain->max_in_flight);
  BOOST_TEST(ionq->requests_per_second == plain->requests_per_second);
  BOOST_TEST(ionq->request_timeout.count() == plain->request_timeout.count());
  BOOST_TEST(ionq->max_attempts == plain->max_attempts);
  BOOST_TEST(ionq->max_submitting == plain->max_submitting);
  BOOST_TEST(ionq->max_submitting == 1'024u);
  BOOST_TEST(ionq->backoff_initial.count() == plain->backoff_initial.count());
  BOOST_TEST(ionq->backoff_max.count() == plain->backoff_max.count());
  BOOST_TEST(ionq->retry_budget.count() == plain->retry_budget.count());
  BOOST_TEST(ionq->breaker_threshold == plain->breaker_threshold);
  BOOST_TEST(ionq->breaker_cool_down.count() == plain->breaker_cool_down.count());
  BOOST_TEST(ionq->max_qubits == plain->max_qubits);
  BOOST_TEST(ionq->max_qubits == 0u);

  const auto* qcloud = config.find_provider("qcloud");
  BOOST_REQUIRE(qcloud != nullptr);
  BOOST_TEST(qcloud->type == "qcloud");
  BOOST_TEST(qcloud->api_key_file == "qcloud-api-key");
  BOOST_TEST(qcloud->base_url == "https://qcloud.originqc.com.cn");
  BOOST_TEST(qcloud->max_in_flight == plain->max_in_flight);
  BOOST_TEST(qcloud->requests_per_second == plain->requests_per_second);

  const auto* azure = config.find_provider("azure");
  BOOST_REQUIRE(azure != nullptr);
  BOOST_TEST(azure->base_url == "https://eastus.quantum.azure.com");
  BOOST_TEST(azure->workspace == "my-workspace");
  BOOST_TEST(azure->api_version == "2026-01-15-preview");
  BOOST_TEST(azure->api_key_file == "azure-quantum-key");
  BOOST_TEST(azure->max_in_flight == plain->max_in_flight);
}

BOOST_AUTO_TEST_CASE(an_azure_provider_needs_its_workspace_and_one_way_to_sign_in) {
  const std::string workspace = "default_provider = \"az\"\n[[providers]]\nname = \"az\"\ntype = \"azure\"\nsubscription = \"s\"\n"
                                "resource_group = \"g\"\nworkspace = \"w\"\n";
  const auto refused = [](const std::string& text, const std::string& names) {
    temp_config file(text);
    BOOST_CHECK_EXCEPTION(load_config(file.path()), config_error, [&](const config_error& e) {
      return std::string(e.what()).find(names) != std::string::npos;
    });
  };
  refused("[[providers]]\nname = \"az\"\ntype = \"azure\"\napi_key_env = \"K\"\n", "subscription");
  refused(workspace, "either the workspace key");
  refused(workspace + "api_key_env = \"K\"\ntenant_id = \"t\"\n", "either the workspace key");
  refused(workspace + "tenant_id = \"t\"\nclient_id = \"c\"\n", "client_secret_file");
  refused(workspace + "api_key_env = \"K\"\nbase_url = \"https://x\"\n", "unknown key 'base_url'");

  temp_config entra(workspace + "tenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\n"
                                "endpoint = \"http://127.0.0.1:9\"\nauthority = \"http://127.0.0.1:9\"\n");
  const auto config = load_config(entra.path());
  const auto* az = config.find_provider("az");
  BOOST_REQUIRE(az != nullptr);
  BOOST_TEST(az->base_url == "http://127.0.0.1:9");
  BOOST_TEST(az->client_secret_env == "S");
  BOOST_TEST(az->authority == "http://127.0.0.1:9");
}

BOOST_AUTO_TEST_CASE(a_qcloud_provider_talks_to_qcloud_over_https_by_default) {
  temp_config file("[[providers]]\nname = \"local\"\ntype = \"local\"\n[[providers]]\nname = \"qcloud\"\n"
                   "type = \"qcloud\"\napi_key_env = \"QCLOUD_API_KEY\"\n");
  const auto config = load_config(file.path());
  BOOST_REQUIRE(config.find_provider("qcloud") != nullptr);
  BOOST_TEST(config.find_provider("qcloud")->base_url == "https://qcloud.originqc.com.cn");
}

BOOST_AUTO_TEST_CASE(ionq_keys_are_read) {
  temp_config file(R"(
poll_initial_ms = 50
poll_max_ms = 400
poll_list_threshold = 3
poll_page_size = 7
[[providers]]
name = "local"
type = "local"
[[providers]]
name = "ionq-test"
type = "ionq"
base_url = "http://127.0.0.1:9/v0.4"
api_key_env = "QJOB_TEST_KEY"
max_in_flight = 7
requests_per_second = 2.5
request_timeout_ms = 900
max_submitting = 5
max_attempts = 3
backoff_initial_ms = 10
backoff_max_ms = 20
retry_budget_ms = 30
breaker_threshold = 4
breaker_cool_down_ms = 40
)");
  auto config = load_config(file.path());
  BOOST_TEST(config.poll.initial.count() == 50);
  BOOST_TEST(config.poll.max.count() == 400);
  BOOST_TEST(config.poll.list_threshold == 3u);
  BOOST_TEST(config.poll.page_size == 7u);
  const auto* ionq = config.find_provider("ionq-test");
  BOOST_REQUIRE(ionq != nullptr);
  BOOST_TEST(ionq->is_remote());
  BOOST_TEST(ionq->base_url == "http://127.0.0.1:9/v0.4");
  BOOST_TEST(ionq->api_key_env == "QJOB_TEST_KEY");
  BOOST_TEST(ionq->max_in_flight == 7u);
  BOOST_TEST(ionq->requests_per_second == 2.5);
  BOOST_TEST(ionq->request_timeout.count() == 900);
  BOOST_TEST(ionq->max_attempts == 3u);
  BOOST_TEST(ionq->max_submitting == 5u);
  BOOST_TEST(ionq->backoff_initial.count() == 10);
  BOOST_TEST(ionq->backoff_max.count() == 20);
  BOOST_TEST(ionq->retry_budget.count() == 30);
  BOOST_TEST(ionq->breaker_threshold == 4u);
  BOOST_TEST(ionq->breaker_cool_down.count() == 40);
}

BOOST_AUTO_TEST_CASE(ionq_entries_that_cannot_work_are_refused) {
  const std::string head = "[[providers]]\nname = \"q\"\ntype = \"ionq\"\n";
  BOOST_TEST(load_error(head).find("exactly one of api_key_file and api_key_env") != std::string::npos);
  BOOST_TEST(load_error(head + "api_key_env = \"A\"\napi_key_file = \"b\"\n").find("exactly one") !=
             std::string::npos);
  BOOST_TEST(load_error(head + "api_key_env = \"A\"\nbase_url = \"ftp://x\"\n").find("must start with https://") !=
             std::string::npos);
  BOOST_TEST(load_error(head + "api_key_env = \"A\"\nworkers = 3\n").find("unknown key 'workers'") !=
             std::string::npos);
  BOOST_TEST(load_error(head + "api_key_env = \"A\"\nmax_attempts = 0\n").find("max_attempts") != std::string::npos);
  BOOST_TEST(load_error(head + "api_key_env = \"A\"\nmax_submitting = 0\n").find("max_submitting") !=
             std::string::npos);
  BOOST_TEST(load_error("poll_initial_ms = 500\npoll_max_ms = 100\n").find("poll_max_ms") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_refused_with_its_line) {
  auto message = load_error("log_level = \"info\"\nmax_bodybytes = 5\n");
  BOOST_TEST(message.find(":2: unknown key 'max_bodybytes'") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(syntax_error_names_file_and_line) {
  auto message = load_error("log_level = \"info\"\nsocket = \n");
  BOOST_TEST(message.find(".toml:2:") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_key) {
  auto message = load_error("max_body_bytes = \"big\"\n");
  BOOST_TEST(message.find("'max_body_bytes' has the wrong type") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused) {
  BOOST_TEST(load_error("socket_mode = \"rw\"\n").find("socket_mode") != std::string::npos);
  BOOST_TEST(load_error("log_level = \"loud\"\n").find("log_level 'loud'") != std::string::npos);
  BOOST_TEST(load_error("default_provider = \"ionq\"\n").find("default_provider 'ionq'") != std::string::npos);
  BOOST_TEST(load_error("max_shots = -1\n").find("'max_shots' must be >= 0") != std::string::npos);
  BOOST_TEST(load_error("[[providers]]\nname = \"x\"\ntype = \"quantum\"\n").find("unknown type 'quantum'") !=
             std::string::npos);
  BOOST_TEST(load_error("[[providers]]\nname = \"a\"\ntype = \"local\"\n[[providers]]\nname = \"a\"\ntype = \"local\"\n")
                 .find("configured twice") != std::string::npos);
  BOOST_TEST(load_error("[[providers]]\ntype = \"local\"\n").find("needs a 'name'") != std::string::npos);
  BOOST_TEST(load_error("[[providers]]\nname = \"l\"\ntype = \"local\"\nmax_qubits = 40\n").find("max_qubits") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(limit_keys_are_read) {
  temp_config file(R"(
request_timeout_seconds = 5
max_connections = 10
max_connections_per_uid = 3
max_line_bytes = 4096
max_name_bytes = 16
max_tags = 2
max_tag_bytes = 8
max_params_bytes = 100
max_gates = 50
max_circuit_depth = 20
max_circuits_per_job = 4
[[providers]]
name = "local"
type = "local"
[[providers]]
name = "ionq"
type = "ionq"
api_key_env = "IONQ_API_KEY"
max_qubits = 11
)");
  auto config = load_config(file.path());
  BOOST_TEST(config.request_timeout.count() == 5);
  BOOST_TEST(config.max_connections == 10u);
  BOOST_TEST(config.max_connections_per_uid == 3u);
  BOOST_TEST(config.max_line_bytes == 4096u);
  BOOST_TEST(config.max_name_bytes == 16u);
  BOOST_TEST(config.max_tags == 2u);
  BOOST_TEST(config.max_tag_bytes == 8u);
  BOOST_TEST(config.max_params_bytes == 100u);
  BOOST_TEST(config.max_gates == 50u);
  BOOST_TEST(config.max_circuit_depth == 20u);
  BOOST_TEST(config.max_circuits_per_job == 4u);
  BOOST_REQUIRE(config.find_provider("ionq") != nullptr);
  BOOST_TEST(config.find_provider("ionq")->max_qubits == 11u);
  BOOST_TEST(config.find_provider("local")->max_qubits == 26u);
}

BOOST_AUTO_TEST_CASE(a_limit_of_zero_is_refused_with_its_line) {
  for (const char* key : {"request_timeout_seconds", "max_connections", "max_connections_per_uid", "max_line_bytes",
                          "max_name_bytes", "max_tags", "max_tag_bytes", "max_params_bytes", "max_gates",
                          "max_circuit_depth", "max_circuits_per_job"}) {
    auto message = load_error("log_level = \"info\"\n" + std::string(key) + " = 0\n");
    BOOST_TEST(message.find(":2: key '" + std::string(key) + "' must be >= 1") != std::string::npos, message);
  }
  auto huge = load_error("max_gates = 1000000000\n");
  BOOST_TEST(huge.find("max_gates") != std::string::npos, huge);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
