#include "daemon.hpp"

#include "api.hpp"
#include "control_server.hpp"
#include "provider_credentials.hpp"
#include "target_catalog.hpp"

#include "hub_actor.hpp"
#include "job_supervisor_actor.hpp"
#include "local_provider_actor.hpp"
#include "poller_actor.hpp"
#include "remote_provider_actor.hpp"
#include "runtime/promise.hpp"
#include "runtime/supervisor.hpp"
#include "clock.hpp"
#include "scheduler_actor.hpp"
#include "storage_actor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

#include "http/beast_http_client.hpp"
#include "azure/azure_api.hpp"
#include "ionq/ionq_api.hpp"
#include "qcloud/qcloud_api.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace qjob::daemon {

namespace {

using namespace std::chrono_literals;

/// Everything the daemon runs, in construction order: the supervisor first, so
/// that it outlives every coroutine it spawned on the actors below.
class daemon_runtime {
public:
  daemon_runtime(const daemon_config& config, net::io_context& io, net::io_context& storage_io,
                 storage::job_store store)
      : config_(config), io_(io), log_(spdlog::default_logger()), metrics_(std::make_shared<metrics::registry>()),
        tasks_(io.get_executor(), log_, [this] { request_stop("an essential actor failed"); }),
        catalog_(config), storage_(storage_io.get_executor(), std::move(store), metrics_),
        scheduler_(io.get_executor(), capacities(config), metrics_), hub_(io.get_executor()) {
    actors::job_services services;
    services.storage = storage_.ref();
    services.scheduler = scheduler_.ref();
    services.hub = hub_.ref();
    services.log = spdlog::default_logger()->clone("job");
    services.metrics = metrics_;
    std::map<std::string, actors::remote_provider_ref> remote_refs;
    std::map<std::string, actors::polled_provider> polled;
    for (const auto& provider : config.providers) {
      if (provider.is_remote()) {
        remote_providers_.push_back(make_remote_provider(io.get_executor(), provider, metrics_));
        const auto ref = remote_providers_.back()->ref();
        const auto abilities = remote_providers_.back()->abilities();
        remote_refs.emplace(provider.name, ref);
        polled.emplace(provider.name, actors::polled_provider{ref, abilities.list});
        services.remote_providers.emplace(
            provider.name,
            actors::remote_provider_link{ref, provider.backoff_initial, provider.backoff_max, abilities.cancel});
        continue;
      }
      auto actor = std::make_unique<actors::local_provider_actor>(
          io.get_executor(),
          actors::local_provider_settings{provider.workers, provider.simulator_threads, provider.max_qubits});
      services.providers.emplace(provider.name, actor->ref());
      local_providers_.push_back(std::move(actor));
    }
    actors::poller_settings poll;
    poll.poll_initial_ms = config.poll.initial;
    poll.poll_max_ms = config.poll.max;
    poll.list_threshold = config.poll.list_threshold;
    poll.page_size = config.poll.page_size;
    poll.metrics = metrics_;
    poller_ = std::make_unique<actors::poller_actor>(io.get_executor(), std::move(polled), poll);
    services.poller = poller_->ref();
    jobs_ = std::make_unique<actors::job_supervisor_actor>(io.get_executor(), tasks_, std::move(services));
    api_ = std::make_unique<api>(config, catalog_,
                                 api_services{storage_.ref(), jobs_->ref(), scheduler_.ref(), hub_.ref(),
                                              std::move(remote_refs), metrics_});
    server_ = std::make_unique<control_server>(io.get_executor(), config, *api_, tasks_);
  }

  /// Starts the actors and the socket; the rest happens in start_up().
  void start(net::io_context& storage_io) {
    using actors::on_failure;
    tasks_.spawn_elsewhere("storage", storage_.run(), on_failure::stop_daemon, storage_io.get_executor());
    tasks_.spawn("scheduler", scheduler_.run(), on_failure::stop_daemon);
    tasks_.spawn("hub", hub_.run(), on_failure::stop_daemon);
    for (auto& provider : local_providers_) tasks_.spawn("provider local", provider->run(), on_failure::stop_daemon);
    for (auto& provider : remote_providers_) tasks_.spawn("remote provider", provider->run(), on_failure::stop_daemon);
    tasks_.spawn("poller", poller_->run(), on_failure::stop_daemon);
    tasks_.spawn("job supervisor", jobs_->run(), on_failure::stop_daemon);
    server_->listen();
    tasks_.spawn("start-up", start_up(), on_failure::stop_daemon);
    tasks_.spawn("signals", watch_signals(), on_failure::contain);
  }

  int exit_code() const noexcept { return exit_code_; }

private:
  /// A remote provider's actor: its key loaded, its HTTP client to base_url.
  static std::unique_ptr<actors::remote_provider_actor> make_remote_provider(
      net::any_io_executor executor, const provider_config& provider, std::shared_ptr<metrics::registry> metrics) {
    auto url = boost::urls::parse_uri(provider.base_url);
    if (!url)
      throw config_error("provider '" + provider.name + "': base_url '" + provider.base_url + "' is not a URL");
    qjob::http::client_options http_options;
    http_options.default_timeout = provider.request_timeout;
    actors::remote_provider_settings settings;
    settings.name = provider.name;
    settings.requests_per_second = provider.requests_per_second;
    settings.max_attempts = provider.max_attempts;
    settings.backoff_initial = provider.backoff_initial;
    settings.backoff_max = provider.backoff_max;
    settings.retry_budget = provider.retry_budget;
    // A POST we gave up on after request_timeout is taken to be settled at the
    // provider one request_timeout later.
    settings.reconcile_settle = provider.request_timeout;
    settings.breaker_threshold = provider.breaker_threshold;
    settings.breaker_cool_down = provider.breaker_cool_down;
    settings.metrics = std::move(metrics);
    std::unique_ptr<remote::provider_api> api;
    if (provider.type == "azure") {
      // The adapter makes a client per origin (workspace, storage, authority).
      api = make_azure_api(executor, provider, http_options);
      return std::make_unique<actors::remote_provider_actor>(executor, std::move(api), std::move(settings));
    }
    std::unique_ptr<qjob::http::http_client> client;
    try {
      client = std::make_unique<qjob::http::beast_http_client>(executor, provider.base_url, http_options);
    } catch (const std::exception& e) {
      throw config_error("provider '" + provider.name + "': base_url '" + provider.base_url + "': " + e.what());
    }
    if (provider.type == "qcloud") {
      api = std::make_unique<qcloud::qcloud_api>(std::move(client), load_api_key(provider));
    } else {
      ionq::client_options client_options;
      client_options.base_path = std::string(url->path());
      while (!client_options.base_path.empty() && client_options.base_path.back() == '/')
        client_options.base_path.pop_back();
      api = std::make_unique<ionq::ionq_api>(std::move(client), load_api_key(provider), std::move(client_options));
    }
    return std::make_unique<actors::remote_provider_actor>(executor, std::move(api), std::move(settings));
  }

  /// Azure Quantum's adapter: the workspace, its credentials, and HTTP clients
  /// made on demand for the workspace, the storage accounts and the authority.
  static std::unique_ptr<remote::provider_api> make_azure_api(net::any_io_executor executor,
                                                              const provider_config& provider,
                                                              const qjob::http::client_options& http_options) {
    azure::azure_options options;
    options.endpoint = provider.base_url;
    options.subscription_id = provider.subscription_id;
    options.resource_group = provider.resource_group;
    options.workspace = provider.workspace;
    if (!provider.api_version.empty()) options.api_version = provider.api_version;
    options.timeout = provider.request_timeout;
    if (!provider.api_key_file.empty() || !provider.api_key_env.empty()) {
      options.api_key = load_api_key(provider);
    } else {
      azure::entra_credentials entra;
      entra.tenant_id = provider.tenant_id;
      entra.client_id = provider.client_id;
      entra.client_secret = load_secret(provider, provider.client_secret_file, provider.client_secret_env,
                                        "client_secret");
      if (!provider.authority.empty()) entra.authority = provider.authority;
      options.entra = std::move(entra);
    }
    auto factory = [executor, http_options](std::string_view origin) -> std::unique_ptr<qjob::http::http_client> {
      return std::make_unique<qjob::http::beast_http_client>(executor, origin, http_options);
    };
    try {
      return std::make_unique<azure::azure_api>(std::move(options), std::move(factory));
    } catch (const std::invalid_argument& e) {
      throw config_error("provider '" + provider.name + "': " + e.what());
    }
  }

  static std::unordered_map<std::string, std::size_t> capacities(const daemon_config& config) {
    std::unordered_map<std::string, std::size_t> capacity;
    for (const auto& provider : config.providers) capacity[provider.name] = provider.max_in_flight;
    return capacity;
  }

  /// Resumes every unfinished job in submission order, then opens for business.
  net::awaitable<void> start_up() {
    auto [reply, answer] = actors::make_promise<std::vector<storage::job_row>>(co_await net::this_coro::executor);
    actors::load_unfinished load{std::move(reply)};
    co_await storage_.ref().send(std::move(load));
    auto unfinished = co_await answer.get();
    if (!unfinished) throw std::runtime_error("could not read the unfinished jobs from the job store");
    const auto resumed = unfinished->size();
    if (!unfinished->empty()) {
      actors::start_jobs start{std::move(*unfinished)};
      co_await jobs_->ref().send(std::move(start));
    }
    tasks_.spawn("control server", server_->run(), actors::on_failure::stop_daemon);
    api_->set_ready();
    log_->info("qjobd ready: {} unfinished job(s) resumed, {} provider(s)", resumed, config_.providers.size());
    ::sd_notifyf(0, "READY=1\nSTATUS=serving; %zu job(s) resumed at start", resumed);
    tasks_.spawn("retention", retention(), actors::on_failure::contain);
    co_await watchdog();
  }

  /// Purges final jobs that finished more than retention_days ago, a few hundred
  /// per transaction so that the API's commits interleave with the purge.
  net::awaitable<void> retention() {
    if (config_.retention_days <= 0) co_return;
    constexpr std::size_t per_transaction = 500;
    const auto keep = std::chrono::microseconds(static_cast<std::int64_t>(config_.retention_days * 86'400e6));
    // Looked at ten times per retention period: at most hourly, at least every 100 ms.
    const auto every = std::clamp<std::chrono::microseconds>(keep / 10, 100ms, 1h);
    const auto executor = co_await net::this_coro::executor;
    net::steady_timer timer(executor);
    while (!stopping_) {
      std::size_t purged = 0;
      for (;;) {
        auto [reply, answer] = actors::make_promise<std::size_t>(executor);
        actors::purge_finished purge{actors::now_micros() - keep.count(), per_transaction, std::move(reply)};
        const bool sent = co_await storage_.ref().send(std::move(purge));
        if (!sent) co_return;
        auto count = co_await answer.get();
        if (!count) break;  // the store failed and logged why: tried again at the next look
        purged += *count;
        if (*count < per_transaction) break;
      }
      if (purged > 0)
        log_->info("retention: {} job(s) that finished over {} day(s) ago purged", purged, config_.retention_days);
      timer.expires_after(every);
      auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
    }
  }

  /// Pings systemd's watchdog from the event loop itself, so a stuck loop is restarted.
  net::awaitable<void> watchdog() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0) co_return;
    net::steady_timer timer(co_await net::this_coro::executor);
    while (!stopping_) {
      ::sd_notify(0, "WATCHDOG=1");
      timer.expires_after(std::chrono::microseconds(usec / 2));
      co_await timer.async_wait(net::use_awaitable);
    }
  }

  net::awaitable<void> watch_signals() {
    net::signal_set signals(co_await net::this_coro::executor, SIGTERM, SIGINT);
    auto signal = co_await signals.async_wait(net::use_awaitable);
    log_->info("signal {} received: draining", signal);
    co_await drain();
  }

  void request_stop(std::string why) {
    if (stopping_) return;
    log_->error("stopping: {}", why);
    exit_code_ = 1;
    tasks_.spawn("drain", drain(), actors::on_failure::contain);
  }

  /// SIGTERM: stop accepting, let every commit in flight finish, close the actors
  /// from the edge inwards (storage last), and exit within drain_timeout.
  net::awaitable<void> drain() {
    if (stopping_) co_return;
    stopping_ = true;
    // drain() runs inside a supervised task, which the emit() below cancels too:
    // without this its next co_await threw, so the deadline and io_.stop() were
    // never reached and qjobd only exited once every other task happened to end.
    co_await net::this_coro::throw_if_cancelled(false);
    ::sd_notify(0, "STOPPING=1\nSTATUS=draining");
    api_->start_draining();
    server_->close();
    jobs_->close();  // each job actor stops where it is and resumes at the next start
    net::steady_timer grace(co_await net::this_coro::executor, 100ms);
    co_await grace.async_wait(net::as_tuple(net::use_awaitable));
    scheduler_.close();
    for (auto& provider : local_providers_) provider->close();
    poller_->close();
    for (auto& provider : remote_providers_) provider->close();
    hub_.close();
    // Connections, waits, retry timers. Terminal, not total: the branches of an
    // awaitable `||` (a ?wait= request) are co_spawned, and co_spawn lets only
    // terminal cancellation through, so a held request kept qjobd alive.
    tasks_.emit(net::cancellation_type::terminal);
    storage_.close();  // served last: what is buffered still commits
    net::steady_timer deadline(co_await net::this_coro::executor, config_.drain_timeout);
    // The drain coroutine itself is a child when it runs from the signal watcher.
    while (tasks_.running() > 1) {
      if (std::chrono::steady_clock::now() >= deadline.expiry()) {
        log_->warn("drain deadline passed with {} task(s) still running; stopping anyway", tasks_.running() - 1);
        tasks_.emit(net::cancellation_type::terminal);
        exit_code_ = 1;
        break;
      }
      net::steady_timer tick(co_await net::this_coro::executor, 20ms);
      co_await tick.async_wait(net::as_tuple(net::use_awaitable));
    }
    log_->info("drained; exiting");
    io_.stop();
  }

  const daemon_config& config_;
  net::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<metrics::registry> metrics_;  // before the actors that update it
  actors::supervisor tasks_;  // declared before the actors its tasks use
  target_catalog catalog_;
  actors::storage_actor storage_;
  actors::scheduler_actor scheduler_;
  actors::hub_actor hub_;
  std::vector<std::unique_ptr<actors::local_provider_actor>> local_providers_;
  std::vector<std::unique_ptr<actors::remote_provider_actor>> remote_providers_;
  std::unique_ptr<actors::poller_actor> poller_;
  std::unique_ptr<actors::job_supervisor_actor> jobs_;
  std::unique_ptr<api> api_;
  std::unique_ptr<control_server> server_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace

int run_daemon(const daemon_config& config) {
  net::io_context io(1);
  net::io_context storage_io(1);
  auto store = storage::job_store::open(config.state_dir);
  auto storage_work = net::make_work_guard(storage_io);
  std::thread storage_thread([&storage_io] { storage_io.run(); });
  int code = 0;
  {
    daemon_runtime runtime(config, io, storage_io, std::move(store));
    try {
      runtime.start(storage_io);
    } catch (...) {
      storage_work.reset();
      storage_io.stop();
      storage_thread.join();
      throw;
    }
    io.run();
    code = runtime.exit_code();
    storage_work.reset();
    storage_thread.join();
  }
  return code;
}

}  // namespace qjob::daemon
