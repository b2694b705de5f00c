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
  BOOST_TEST(shipped.idle_timeout.count() == defaults.idle_timeout.count());
  BOOST_TEST(shipped.max_wait.count() == defaults.max_wait.count());
  BOOST_TEST(shipped.drain_timeout.count() == defaults.drain_timeout.count());
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

BOOST_AUTO_TEST_SUITE_END()

}  // namespace qjob::daemon
