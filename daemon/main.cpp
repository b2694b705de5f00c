// qjobd: the quantum job daemon. Arguments and configuration here; everything
// else in run_daemon().
#include "config.hpp"
#include "daemon.hpp"
#include "logging.hpp"

#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <optional>

int main(int argc, char** argv) {
  CLI::App app{"qjobd: runs quantum jobs on the configured providers, driven through a Unix socket"};
  std::optional<std::string> config_file, socket, state_dir, log_level;
  app.add_option("--config", config_file, "TOML configuration file (every key: etc/qjobd.toml)");
  app.add_option("--socket", socket, "control socket path (overrides the configuration)");
  app.add_option("--state-dir", state_dir, "state directory: job database and results (overrides the configuration)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  app.set_version_flag("--version", "qjobd 0.1.0");
  CLI11_PARSE(app, argc, argv);

  // The file, then the command line over it: at start and at each SIGHUP.
  auto load = [&] {
    auto config = qjob::daemon::load_config(config_file ? std::optional<std::filesystem::path>(*config_file)
                                                        : std::nullopt);
    if (socket) config.socket = *socket;
    if (state_dir) config.state_dir = *state_dir;
    if (log_level) config.log_level = *log_level;
    if (config.socket.empty()) config.socket = qjob::daemon::default_socket_path();
    if (config.state_dir.empty()) config.state_dir = qjob::daemon::default_state_dir();
    return config;
  };
  try {
    auto config = load();
    qjob::daemon::setup_logging(config.log_level);
    return qjob::daemon::run_daemon(config, load);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qjobd: %s\n", e.what());
    return 1;
  }
}
