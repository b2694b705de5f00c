#include "config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>
#include <unistd.h>

namespace qjob::daemon {

namespace {

const std::set<std::string, std::less<>> known_provider_types{"local", "ionq", "qcloud", "azure"};

std::string where(const toml::node& node, const std::filesystem::path& file) {
  const auto& source = node.source();
  return file.string() + ":" + std::to_string(source.begin.line);
}

template <class T>
T get_or(const toml::table& table, std::string_view key, T fallback, const std::filesystem::path& file) {
  const auto* node = table.get(key);
  if (!node) return fallback;
  if (auto value = node->value<T>()) return *value;
  throw config_error(where(*node, file) + ": key '" + std::string(key) + "' has the wrong type");
}

std::int64_t positive(const toml::table& table, std::string_view key, std::int64_t fallback,
                      const std::filesystem::path& file) {
  auto value = get_or<std::int64_t>(table, key, fallback, file);
  if (value < 0) throw config_error(where(*table.get(key), file) + ": key '" + std::string(key) + "' must be >= 0");
  return value;
}

/// A limit that must be at least 1: 0 would refuse everything.
std::int64_t at_least_one(const toml::table& table, std::string_view key, std::int64_t fallback,
                          const std::filesystem::path& file) {
  auto value = get_or<std::int64_t>(table, key, fallback, file);
  if (value < 1) throw config_error(where(*table.get(key), file) + ": key '" + std::string(key) + "' must be >= 1");
  return value;
}

template <class T>
void read_limit(const toml::table& table, std::string_view key, T& value, const std::filesystem::path& file) {
  value = static_cast<T>(at_least_one(table, key, static_cast<std::int64_t>(value), file));
}

void check_keys(const toml::table& table, const std::set<std::string_view>& allowed,
                const std::filesystem::path& file, std::string_view section) {
  for (const auto& [key, node] : table)
    if (!allowed.contains(key.str()))
      throw config_error(where(node, file) + ": unknown key '" + std::string(key.str()) + "'" +
                         (section.empty() ? "" : " in " + std::string(section)) +
                         " (every key is documented in etc/qjobd.toml)");
}

provider_config local_provider() {
  provider_config local;
  local.name = "local";
  local.type = "local";
  return local;
}

void resolve_defaults(provider_config& provider) {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  if (provider.type == "local") {
    if (provider.workers == 0) provider.workers = cpus;
    if (provider.simulator_threads == 0) provider.simulator_threads = cpus;
    if (provider.max_in_flight == 0) provider.max_in_flight = provider.workers;
  } else {
    if (provider.max_in_flight == 0) provider.max_in_flight = 100;
    if (provider.base_url.empty() && provider.type == "ionq") provider.base_url = "https://api.ionq.co/v0.4";
    if (provider.base_url.empty() && provider.type == "azure") provider.base_url = "https://eastus.quantum.azure.com";
    if (provider.base_url.empty() && provider.type == "qcloud") provider.base_url = "https://qcloud.originqc.com.cn";
  }
}

std::chrono::milliseconds millis(const toml::table& table, std::string_view key, std::chrono::milliseconds fallback,
                                 const std::filesystem::path& file) {
  return std::chrono::milliseconds(positive(table, key, fallback.count(), file));
}

/// The keys only Azure Quantum providers read: the workspace and the Entra
/// client credentials (the workspace key is api_key_file / api_key_env).
void read_azure(const toml::table& table, const std::filesystem::path& file, provider_config& provider) {
  provider.subscription_id = get_or<std::string>(table, "subscription", "", file);
  provider.resource_group = get_or<std::string>(table, "resource_group", "", file);
  provider.workspace = get_or<std::string>(table, "workspace", "", file);
  provider.api_version = get_or<std::string>(table, "api_version", "", file);
  provider.tenant_id = get_or<std::string>(table, "tenant_id", "", file);
  provider.client_id = get_or<std::string>(table, "client_id", "", file);
  provider.client_secret_file = get_or<std::string>(table, "client_secret_file", "", file);
  provider.client_secret_env = get_or<std::string>(table, "client_secret_env", "", file);
  provider.authority = get_or<std::string>(table, "authority", "", file);
  const auto whose = where(table, file) + ": provider '" + provider.name + "'";
  if (provider.subscription_id.empty() || provider.resource_group.empty() || provider.workspace.empty())
    throw config_error(whose + " of type azure needs subscription, resource_group and workspace");
  const bool key = !provider.api_key_file.empty() || !provider.api_key_env.empty();
  const bool entra = !provider.tenant_id.empty() || !provider.client_id.empty() ||
                     !provider.client_secret_file.empty() || !provider.client_secret_env.empty();
  if (key == entra)
    throw config_error(whose + " needs either the workspace key (api_key_file or api_key_env) or Entra client "
                               "credentials (tenant_id, client_id and client_secret_file or client_secret_env)");
  if (entra && (provider.tenant_id.empty() || provider.client_id.empty() ||
                provider.client_secret_file.empty() == provider.client_secret_env.empty()))
    throw config_error(whose + ": Entra client credentials need tenant_id, client_id and exactly one of "
                               "client_secret_file and client_secret_env");
  if (key && !provider.api_key_file.empty() && !provider.api_key_env.empty())
    throw config_error(whose + " needs exactly one of api_key_file and api_key_env");
  if (!provider.authority.empty() && provider.authority.rfind("https://", 0) != 0 &&
      provider.authority.rfind("http://", 0) != 0)
    throw config_error(whose + ": authority must start with https:// (or http://, for tests)");
}

/// The keys only remote providers read.
void read_remote(const toml::table& table, const std::filesystem::path& file, provider_config& provider) {
  // Azure calls its address the workspace's endpoint.
  const std::string url_key = provider.type == "azure" ? "endpoint" : "base_url";
  provider.base_url = get_or<std::string>(table, url_key, "", file);
  if (!provider.base_url.empty() && provider.base_url.rfind("https://", 0) != 0 &&
      provider.base_url.rfind("http://", 0) != 0)
    throw config_error(where(*table.get(url_key), file) + ": " + url_key + " of provider '" + provider.name +
                       "' must start with https:// (or http://, for proxies and tests)");
  provider.api_key_file = get_or<std::string>(table, "api_key_file", "", file);
  provider.api_key_env = get_or<std::string>(table, "api_key_env", "", file);
  if (provider.type == "azure")
    read_azure(table, file, provider);
  else if (provider.api_key_file.empty() == provider.api_key_env.empty())
    throw config_error(where(table, file) + ": provider '" + provider.name +
                       "' needs exactly one of api_key_file and api_key_env");
  provider.request_timeout = millis(table, "request_timeout_ms", provider.request_timeout, file);
  read_limit(table, "max_submitting", provider.max_submitting, file);
  provider.max_attempts = static_cast<unsigned>(positive(table, "max_attempts", provider.max_attempts, file));
  provider.backoff_initial = millis(table, "backoff_initial_ms", provider.backoff_initial, file);
  provider.backoff_max = millis(table, "backoff_max_ms", provider.backoff_max, file);
  provider.retry_budget = millis(table, "retry_budget_ms", provider.retry_budget, file);
  provider.breaker_threshold =
      static_cast<unsigned>(positive(table, "breaker_threshold", provider.breaker_threshold, file));
  provider.breaker_cool_down = millis(table, "breaker_cool_down_ms", provider.breaker_cool_down, file);
  if (provider.max_attempts == 0 || provider.breaker_threshold == 0 || provider.request_timeout.count() == 0)
    throw config_error(where(table, file) + ": provider '" + provider.name +
                       "': max_attempts, breaker_threshold and request_timeout_ms must be at least 1");
}

provider_config read_provider(const toml::table& table, const std::filesystem::path& file) {
  const auto type = get_or<std::string>(table, "type", "", file);
  if (type == "local") {
    check_keys(table,
               {"name", "type", "max_in_flight", "requests_per_second", "workers", "simulator_threads", "max_qubits"},
               file, "[[providers]] of type local");
  } else if (type == "azure") {
    check_keys(table,
               {"name", "type", "max_in_flight", "requests_per_second", "max_qubits", "endpoint", "subscription",
                "resource_group", "workspace", "api_version", "api_key_file", "api_key_env", "tenant_id", "client_id",
                "client_secret_file", "client_secret_env", "authority", "request_timeout_ms", "max_submitting",
                "max_attempts", "backoff_initial_ms", "backoff_max_ms", "retry_budget_ms", "breaker_threshold",
                "breaker_cool_down_ms"},
               file, "[[providers]] of type azure");
  } else {
    check_keys(table,
               {"name", "type", "max_in_flight", "requests_per_second", "max_qubits", "base_url", "api_key_file",
                "api_key_env", "request_timeout_ms", "max_submitting", "max_attempts", "backoff_initial_ms",
                "backoff_max_ms", "retry_budget_ms", "breaker_threshold", "breaker_cool_down_ms"},
               file, "[[providers]] of type " + type);
  }
  provider_config provider;
  provider.name = get_or<std::string>(table, "name", "", file);
  provider.type = get_or<std::string>(table, "type", "", file);
  if (provider.name.empty()) throw config_error(where(table, file) + ": a [[providers]] entry needs a 'name'");
  if (!known_provider_types.contains(provider.type))
    throw config_error(where(table, file) + ": provider '" + provider.name + "' has unknown type '" +
                       provider.type + "' (known: local, ionq, qcloud, azure)");
  provider.max_in_flight = static_cast<std::size_t>(positive(table, "max_in_flight", 0, file));
  provider.requests_per_second = get_or<double>(table, "requests_per_second", 10.0, file);
  provider.workers = static_cast<unsigned>(positive(table, "workers", 0, file));
  provider.simulator_threads = static_cast<unsigned>(positive(table, "simulator_threads", 0, file));
  // A remote target's own qubit count is its limit unless max_qubits is lower.
  provider.max_qubits =
      static_cast<std::uint32_t>(positive(table, "max_qubits", provider.type == "local" ? 26 : 0, file));
  if (provider.type == "local" && (provider.max_qubits == 0 || provider.max_qubits > 34))
    throw config_error(where(table, file) + ": max_qubits must be between 1 and 34");
  if (provider.max_qubits > 1'000'000)
    throw config_error(where(table, file) + ": max_qubits must be at most 1000000 (0: each target's own count)");
  if (provider.is_remote()) read_remote(table, file, provider);
  return provider;
}

std::uint32_t parse_mode(const std::string& text, const std::filesystem::path& file) {
  char* end = nullptr;
  auto mode = std::strtoul(text.c_str(), &end, 8);
  if (text.empty() || *end != '\0' || mode > 0777)
    throw config_error(file.string() + ": socket_mode '" + text + "' is not an octal mode like \"0660\"");
  return static_cast<std::uint32_t>(mode);
}

}  // namespace

const provider_config* daemon_config::find_provider(const std::string& name) const {
  auto found = std::find_if(providers.begin(), providers.end(), [&](const auto& p) { return p.name == name; });
  return found == providers.end() ? nullptr : &*found;
}

std::filesystem::path default_socket_path() {
  if (::geteuid() == 0) return "/run/qjobd/qjobd.sock";
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime)
    return std::filesystem::path(runtime) / "qjobd.sock";
  return std::filesystem::temp_directory_path() / ("qjobd-" + std::to_string(::geteuid())) / "qjobd.sock";
}

std::filesystem::path default_state_dir() {
  if (::geteuid() == 0) return "/var/lib/qjobd";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::filesystem::path(state) / "qjobd";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local/state/qjobd";
  throw config_error("no state directory: set XDG_STATE_HOME or HOME, or pass --state-dir");
}

daemon_config load_config(const std::optional<std::filesystem::path>& file) {
  daemon_config config;
  if (!file) {
    config.providers.push_back(local_provider());
    resolve_defaults(config.providers.back());
    return config;
  }
  toml::table root;
  try {
    root = toml::parse_file(file->string());
  } catch (const toml::parse_error& e) {
    throw config_error(file->string() + ":" + std::to_string(e.source().begin.line) + ": " +
                       std::string(e.description()));
  }
  check_keys(root,
             {"socket", "socket_mode", "state_dir", "log_level", "admin_group", "default_provider",
              "max_body_bytes", "max_header_bytes", "max_batch_jobs", "max_waiting", "max_waiting_per_owner",
              "max_shots", "idle_timeout_seconds", "request_timeout_seconds", "max_connections",
              "max_connections_per_uid", "max_line_bytes", "max_name_bytes", "max_tags", "max_tag_bytes",
              "max_params_bytes", "max_gates", "max_circuit_depth", "max_circuits_per_job",
              "max_wait_seconds", "drain_timeout_seconds", "retention_days", "poll_initial_ms", "poll_max_ms", "poll_list_threshold",
              "poll_page_size", "providers"},
             *file, "");
  if (auto socket = get_or<std::string>(root, "socket", "", *file); !socket.empty()) config.socket = socket;
  if (auto dir = get_or<std::string>(root, "state_dir", "", *file); !dir.empty()) config.state_dir = dir;
  config.socket_mode = parse_mode(get_or<std::string>(root, "socket_mode", "0660", *file), *file);
  config.log_level = get_or<std::string>(root, "log_level", config.log_level, *file);
  config.admin_group = get_or<std::string>(root, "admin_group", "", *file);
  config.default_provider = get_or<std::string>(root, "default_provider", config.default_provider, *file);
  config.max_body_bytes = static_cast<std::uint64_t>(
      positive(root, "max_body_bytes", static_cast<std::int64_t>(config.max_body_bytes), *file));
  config.max_header_bytes =
      static_cast<std::uint32_t>(positive(root, "max_header_bytes", config.max_header_bytes, *file));
  config.max_batch_jobs = static_cast<std::size_t>(
      positive(root, "max_batch_jobs", static_cast<std::int64_t>(config.max_batch_jobs), *file));
  config.max_waiting = static_cast<std::size_t>(
      positive(root, "max_waiting", static_cast<std::int64_t>(config.max_waiting), *file));
  config.max_waiting_per_owner = static_cast<std::size_t>(
      positive(root, "max_waiting_per_owner", static_cast<std::int64_t>(config.max_waiting_per_owner), *file));
  config.max_shots = positive(root, "max_shots", config.max_shots, *file);
  config.idle_timeout = std::chrono::seconds(positive(root, "idle_timeout_seconds", 60, *file));
  config.request_timeout = std::chrono::seconds(at_least_one(root, "request_timeout_seconds", 30, *file));
  read_limit(root, "max_connections", config.max_connections, *file);
  read_limit(root, "max_connections_per_uid", config.max_connections_per_uid, *file);
  read_limit(root, "max_line_bytes", config.max_line_bytes, *file);
  read_limit(root, "max_name_bytes", config.max_name_bytes, *file);
  read_limit(root, "max_tags", config.max_tags, *file);
  read_limit(root, "max_tag_bytes", config.max_tag_bytes, *file);
  read_limit(root, "max_params_bytes", config.max_params_bytes, *file);
  read_limit(root, "max_gates", config.max_gates, *file);
  read_limit(root, "max_circuit_depth", config.max_circuit_depth, *file);
  read_limit(root, "max_circuits_per_job", config.max_circuits_per_job, *file);
  if (config.max_gates > 100'000'000 || config.max_circuit_depth > 100'000'000 ||
      config.max_circuits_per_job > 1'000'000)
    throw config_error(file->string() +
                       ": max_gates and max_circuit_depth must be at most 100000000, max_circuits_per_job at "
                       "most 1000000");
  config.max_wait = std::chrono::seconds(positive(root, "max_wait_seconds", 600, *file));
  config.drain_timeout = std::chrono::seconds(positive(root, "drain_timeout_seconds", 10, *file));
  config.retention_days = get_or<double>(root, "retention_days", config.retention_days, *file);
  if (config.retention_days < 0)
    throw config_error(where(*root.get("retention_days"), *file) + ": retention_days must be >= 0 (0 keeps every job)");
  config.poll.initial = millis(root, "poll_initial_ms", config.poll.initial, *file);
  config.poll.max = millis(root, "poll_max_ms", config.poll.max, *file);
  config.poll.list_threshold = static_cast<std::size_t>(
      positive(root, "poll_list_threshold", static_cast<std::int64_t>(config.poll.list_threshold), *file));
  config.poll.page_size = static_cast<std::size_t>(
      positive(root, "poll_page_size", static_cast<std::int64_t>(config.poll.page_size), *file));
  if (config.poll.initial.count() == 0 || config.poll.max < config.poll.initial || config.poll.page_size == 0)
    throw config_error(file->string() +
                       ": poll_initial_ms must be at least 1, poll_max_ms at least poll_initial_ms, and "
                       "poll_page_size at least 1");

  if (const auto* providers = root.get("providers")) {
    const auto* list = providers->as_array();
    if (!list) throw config_error(where(*providers, *file) + ": 'providers' must be an array of tables ([[providers]])");
    for (const auto& entry : *list) {
      const auto* table = entry.as_table();
      if (!table) throw config_error(where(entry, *file) + ": each [[providers]] entry must be a table");
      auto provider = read_provider(*table, *file);
      if (config.find_provider(provider.name))
        throw config_error(where(entry, *file) + ": provider '" + provider.name + "' is configured twice");
      config.providers.push_back(std::move(provider));
    }
  } else {
    config.providers.push_back(local_provider());
  }
  for (auto& provider : config.providers) resolve_defaults(provider);
  if (!config.find_provider(config.default_provider))
    throw config_error(file->string() + ": default_provider '" + config.default_provider +
                       "' names no [[providers]] entry");
  static const std::set<std::string, std::less<>> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!levels.contains(config.log_level))
    throw config_error(file->string() + ": log_level '" + config.log_level +
                       "' is not one of trace, debug, info, warn, error, critical, off");
  return config;
}

}  // namespace qjob::daemon
