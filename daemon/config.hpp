#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace qjob::daemon {

/// A `[[providers]]` entry. Keys that only some provider types read stay at their
/// defaults for the others.
struct provider_config {
  std::string name;
  std::string type;  // "local", "ionq", "qcloud" or "azure"
  std::size_t max_in_flight = 0;  // 0: the type's default (local: workers; remote: 100)
  double requests_per_second = 10;
  // local
  unsigned workers = 0;  // 0: one per CPU
  unsigned simulator_threads = 0;  // 0: one per CPU
  /// Largest circuit accepted, in qubits. Local: 1-34, default 26. Remote: 0
  /// (the default) means each target's own qubit count; otherwise the smaller.
  std::uint32_t max_qubits = 26;
  // remote (ionq)
  std::string base_url;     // "" : the type's public endpoint
  std::string api_key_file;  // one of the two names where the key is; never the key itself
  std::string api_key_env;
  std::chrono::milliseconds request_timeout{30'000};
  /// Jobs granted a slot that are being sent at once; the others wait for a
  /// place without an actor (see the job supervisor).
  std::size_t max_submitting = 1'024;
  unsigned max_attempts = 6;
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30'000};
  std::chrono::milliseconds retry_budget{120'000};
  unsigned breaker_threshold = 5;
  std::chrono::milliseconds breaker_cool_down{30'000};
  // azure: the workspace (base_url is its `endpoint`), and how we sign in:
  // the workspace key (api_key_file / api_key_env) or Entra client credentials.
  std::string subscription_id;
  std::string resource_group;
  std::string workspace;
  std::string api_version;        // "" : the adapter's
  std::string tenant_id;
  std::string client_id;
  std::string client_secret_file;  // one of the two names where the secret is, with tenant and client ids
  std::string client_secret_env;
  std::string authority;           // "" : Microsoft Entra's public authority

  bool is_remote() const noexcept { return type != "local"; }
};

/// How the poller watches jobs executing at remote providers.
struct poll_config {
  std::chrono::milliseconds initial{1'000};
  std::chrono::milliseconds max{60'000};
  std::size_t list_threshold = 20;
  std::size_t page_size = 100;
};

/// The daemon's configuration: compiled-in defaults (equal to etc/qjobd.toml),
/// then the file, then the command line.
struct daemon_config {
  std::filesystem::path socket;
  std::uint32_t socket_mode = 0660;
  std::filesystem::path state_dir;
  std::string log_level = "info";
  std::string admin_group;  // "" = only root sees every job
  std::string default_provider = "local";
  std::uint64_t max_body_bytes = 64ull << 20;
  std::uint32_t max_header_bytes = 16 << 10;
  std::size_t max_batch_jobs = 1'000'000;
  std::size_t max_waiting = 1'000'000;            // jobs not yet final, in all
  std::size_t max_waiting_per_owner = 1'000'000;  // jobs not yet final, of one user
  std::int64_t max_shots = 1'000'000;
  std::chrono::seconds idle_timeout{60};     // waiting for a request's first byte
  std::chrono::seconds request_timeout{30};  // reading one request's header and body, from its first byte; a streamed batch: each wait for more of it
  std::size_t max_connections = 512;          // open control connections, in all
  std::size_t max_connections_per_uid = 128;  // open control connections of one uid (root included)
  // What one submitted job may hold; each is named in the error that refuses it.
  std::uint64_t max_line_bytes = 1 << 20;  // one NDJSON line of POST /v1/batches
  std::size_t max_name_bytes = 256;
  std::size_t max_tags = 64;
  std::size_t max_tag_bytes = 128;
  std::size_t max_params_bytes = 64 << 10;  // `params`, serialised
  std::uint32_t max_gates = 1'000'000;  // operations per circuit, once expanded
  std::uint32_t max_circuit_depth = 1'000'000;
  std::uint32_t max_circuits_per_job = 1'000;
  std::chrono::seconds max_wait{600};
  std::chrono::seconds drain_timeout{10};
  double retention_days = 30;  // final jobs older than this are purged; 0 keeps them for ever
  poll_config poll;
  std::vector<provider_config> providers;

  const provider_config* find_provider(const std::string& name) const;
};

/// A configuration that cannot be used; the message names the file, the key and
/// the fix.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The default socket and state directory for the running user: root gets
/// /run/qjobd/qjobd.sock and /var/lib/qjobd, others $XDG_RUNTIME_DIR/qjobd.sock
/// and $XDG_STATE_HOME/qjobd (or ~/.local/state/qjobd).
std::filesystem::path default_socket_path();
std::filesystem::path default_state_dir();

/// Reads `file` (TOML) over the defaults; without a file, the defaults with the
/// `local` provider only. Throws config_error.
daemon_config load_config(const std::optional<std::filesystem::path>& file);

}  // namespace qjob::daemon
