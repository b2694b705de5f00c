#include "daemon.hpp"

#include "api.hpp"
#include "control_server.hpp"
#include "logging.hpp"
#include "provider_factory.hpp"
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

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <pthread.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>

namespace qjob::daemon {

namespace {

using namespace std::chrono_literals;

constexpr auto status_interval = 5s;

/// Everything the daemon runs, in construction order: the supervisor first, so
/// that it outlives every coroutine it spawned on the actors below.
class daemon_runtime {
public:
  daemon_runtime(daemon_config config, config_loader load_config, net::io_context& io, net::io_context& storage_io,
                 storage::job_store store)
      : config_(std::move(config)), load_config_(std::move(load_config)), io_(io), log_(spdlog::default_logger()),
        metrics_(std::make_shared<metrics::registry>()),
        tasks_(io.get_executor(), log_, [this] { request_stop("an essential actor failed"); }),
        catalog_(config_), storage_(storage_io.get_executor(), std::move(store), metrics_),
        scheduler_(io.get_executor(), capacities(config_), metrics_), hub_(io.get_executor()) {
    actors::job_services services;
    services.storage = storage_.ref();
    services.scheduler = scheduler_.ref();
    services.hub = hub_.ref();
    services.log = named_logger("job");
    services.metrics = metrics_;
    std::map<std::string, actors::remote_provider_ref> remote_refs;
    std::map<std::string, actors::polled_provider> polled;
    for (const auto& provider : config_.providers) {
      if (provider.is_remote()) {
        auto& entry = add_remote(provider, make_remote_api(io.get_executor(), provider));
        const auto ref = entry.actor->ref();
        const auto abilities = entry.actor->abilities();
        remote_refs.emplace(provider.name, ref);
        polled.emplace(provider.name, actors::polled_provider{ref, abilities.list});
        services.remote_providers.emplace(provider.name, remote_link(provider, ref, abilities));
      } else {
        services.providers.emplace(provider.name, add_local(provider).actor->ref());
      }
    }
    poller_ = std::make_unique<actors::poller_actor>(io.get_executor(), std::move(polled), poll_settings(config_));
    services.poller = poller_->ref();
    jobs_ = std::make_unique<actors::job_supervisor_actor>(io.get_executor(), tasks_, std::move(services));
    scheduler_.admit_to(jobs_->ref());
    api_ = std::make_unique<api>(config_, catalog_,
                                 api_services{storage_.ref(), jobs_->ref(), scheduler_.ref(), hub_.ref(),
                                              std::move(remote_refs), metrics_});
    server_ = std::make_unique<control_server>(io.get_executor(), config_, *api_, tasks_);
  }

  /// Starts the actors and the socket; the rest happens in start_up().
  void start(net::io_context& storage_io) {
    using actors::on_failure;
    tasks_.spawn_elsewhere("storage", storage_.run(), on_failure::stop_daemon, storage_io.get_executor());
    tasks_.spawn("scheduler", scheduler_.run(), on_failure::stop_daemon);
    tasks_.spawn("hub", hub_.run(), on_failure::stop_daemon);
    for (auto& [name, provider] : local_providers_) spawn_provider(name, provider);
    for (auto& [name, provider] : remote_providers_) spawn_provider(name, provider);
    tasks_.spawn("poller", poller_->run(), on_failure::stop_daemon);
    tasks_.spawn("job supervisor", jobs_->run(), on_failure::stop_daemon);
    server_->listen();
    tasks_.spawn("start-up", start_up(), on_failure::stop_daemon);
    tasks_.spawn("signals", watch_signals(), on_failure::contain);
  }

  int exit_code() const noexcept { return exit_code_; }

private:
  /// A provider's actor; it lives as long as the daemon, even once a reload
  /// took the provider out of the configuration (its jobs may still ask it).
  struct remote_entry {
    std::string type;
    std::unique_ptr<actors::remote_provider_actor> actor;
    bool spawned = false;
  };
  struct local_entry {
    actors::local_provider_settings settings;
    std::unique_ptr<actors::local_provider_actor> actor;
    bool spawned = false;
  };

  remote_entry& add_remote(const provider_config& provider, std::shared_ptr<remote::provider_api> api) {
    named_logger("provider." + provider.name);  // before the actor takes it, so that set_log_level reaches it
    auto settings = remote_settings(provider);
    settings.metrics = metrics_;
    auto actor = std::make_unique<actors::remote_provider_actor>(io_.get_executor(), std::move(api),
                                                                 std::move(settings));
    return remote_providers_[provider.name] = remote_entry{provider.type, std::move(actor), false};
  }

  local_entry& add_local(const provider_config& provider) {
    const auto settings = local_settings(provider);
    auto actor = std::make_unique<actors::local_provider_actor>(io_.get_executor(), settings);
    return local_providers_[provider.name] = local_entry{settings, std::move(actor), false};
  }

  template <class Entry>
  void spawn_provider(const std::string& name, Entry& entry) {
    if (entry.spawned) return;
    entry.spawned = true;
    tasks_.spawn("provider " + name, entry.actor->run(), actors::on_failure::stop_daemon);
  }

  actors::poller_settings poll_settings(const daemon_config& config) const {
    actors::poller_settings poll;
    poll.metrics = metrics_;
    poll.poll_initial_ms = config.poll.initial;
    poll.poll_max_ms = config.poll.max;
    poll.list_threshold = config.poll.list_threshold;
    poll.page_size = config.poll.page_size;
    return poll;
  }

  static std::unordered_map<std::string, std::size_t> capacities(const daemon_config& config) {
    std::unordered_map<std::string, std::size_t> capacity;
    for (const auto& provider : config.providers) capacity[provider.name] = provider.max_in_flight;
    return capacity;
  }

  /// Resumes every unfinished job in submission order, then opens for business.
  net::awaitable<void> start_up() {
    // In pages, so that a million waiting jobs are never all in memory as rows.
    constexpr std::size_t page_size = 20'000;
    std::size_t resumed = 0;
    std::int64_t after = 0;
    for (bool last = false; !last;) {
      auto [reply, answer] = actors::make_promise<std::vector<storage::job_row>>(co_await net::this_coro::executor);
      actors::load_unfinished load{after, page_size, std::move(reply)};
      co_await storage_.ref().send(std::move(load));
      auto page = co_await answer.get();
      if (!page) throw std::runtime_error("could not read the unfinished jobs from the job store");
      last = page->size() < page_size;
      resumed += page->size();
      if (!page->empty()) after = page->back().seq;
      actors::resume_jobs resume{std::move(*page), last};
      co_await jobs_->ref().send(std::move(resume));
    }
    tasks_.spawn("control server", server_->run(), actors::on_failure::stop_daemon);
    api_->set_ready();
    log_->info("qjobd ready: {} unfinished job(s) resumed, {} provider(s)", resumed, config_.providers.size());
    ::sd_notifyf(0, "READY=1\nSTATUS=serving; %zu job(s) resumed at start", resumed);
    tasks_.spawn("retention", retention(), actors::on_failure::contain);
    tasks_.spawn("status", report_status(), actors::on_failure::contain);
    co_await watchdog();
  }

  /// Purges final jobs that finished more than retention_days ago, a few hundred
  /// per transaction so that the API's commits interleave with the purge.
  net::awaitable<void> retention() {
    constexpr std::size_t per_transaction = 500;
    const auto executor = co_await net::this_coro::executor;
    net::steady_timer timer(executor);
    while (!stopping_) {
      // Read each round: a reload may change retention_days.
      const double days = config_.retention_days;
      const auto keep = std::chrono::microseconds(static_cast<std::int64_t>(days * 86'400e6));
      std::size_t purged = 0;
      while (days > 0) {
        auto [reply, answer] = actors::make_promise<std::size_t>(executor);
        actors::purge_finished purge{actors::now_micros() - keep.count(), per_transaction, std::move(reply)};
        const bool sent = co_await storage_.ref().send(std::move(purge));
        if (!sent) co_return;
        auto count = co_await answer.get();
        if (!count) break;  // the store failed and logged why: tried again at the next look
        purged += *count;
        if (*count < per_transaction) break;
      }
      if (purged > 0) log_->info("retention: {} job(s) that finished over {} day(s) ago purged", purged, days);
      // Looked at ten times per retention period: at most hourly, at least every 100 ms.
      const auto every = days > 0 ? std::clamp<std::chrono::microseconds>(keep / 10, 100ms, 1h)
                                  : std::chrono::microseconds(1h);
      timer.expires_after(every);
      auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
    }
  }

  /// Tells systemd what the daemon is doing (`systemctl status` shows it), every
  /// few seconds while it serves.
  net::awaitable<void> report_status() {
    if (std::getenv("NOTIFY_SOCKET") == nullptr) co_return;
    const auto executor = co_await net::this_coro::executor;
    net::steady_timer timer(executor);
    while (!stopping_) {
      auto [reply, answer] = actors::make_promise<actors::backlog>(executor);
      actors::get_backlog ask{0, std::move(reply)};
      const bool sent = co_await jobs_->ref().send(std::move(ask));
      if (!sent) co_return;
      auto backlog = co_await answer.get();
      if (!backlog) co_return;
      const auto status = fmt::format("STATUS=serving; {} job(s) not final, {} connection(s), {} provider(s)",
                                      backlog->total, api_->open_connections(), config_.providers.size());
      ::sd_notify(0, status.c_str());
      timer.expires_after(status_interval);
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

  /// SIGTERM and SIGINT drain; SIGHUP reloads the configuration and credentials.
  net::awaitable<void> watch_signals() {
    net::signal_set signals(co_await net::this_coro::executor, SIGTERM, SIGINT, SIGHUP);
    for (;;) {
      auto signal = co_await signals.async_wait(net::use_awaitable);
      if (signal != SIGHUP) {
        log_->info("signal {} received: draining", signal);
        co_await drain();
        co_return;
      }
      if (stopping_) continue;
      ::sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
      co_await reload();
      ::sd_notify(0, "READY=1\nSTATUS=serving");
    }
  }

  /// What a reload does, worked out before anything changes, so that a reload
  /// that cannot be done leaves the running configuration as it was.
  struct reload_plan {
    daemon_config config;
    std::map<std::string, std::shared_ptr<remote::provider_api>> apis;  // every remote provider of `config`
  };

  /// SIGHUP: reads the configuration file again, with the credentials it names.
  /// Providers are added, changed (address, key, limits) or removed without a job
  /// restarting: a removed provider's jobs stay and wait, saying why, until a
  /// later reload brings it back. The socket and the state directory stay until
  /// the next start. Anything wrong keeps the running configuration, and is logged.
  net::awaitable<void> reload() {
    std::optional<reload_plan> plan;
    try {
      plan = plan_reload();
    } catch (const std::exception& e) {
      log_->error("reload refused, the running configuration stays: {}", e.what());
      co_return;
    }
    co_await apply_reload(std::move(*plan));
  }

  reload_plan plan_reload() {
    reload_plan plan{load_config_(), {}};
    auto& next = plan.config;
    const auto keep = [this](auto& value, const auto& running, std::string_view key) {
      if (value == running) return;
      log_->warn("reload: '{}' changes only at the next start", key);
      value = running;
    };
    keep(next.socket, config_.socket, "socket");
    keep(next.socket_mode, config_.socket_mode, "socket_mode");
    keep(next.state_dir, config_.state_dir, "state_dir");
    for (const auto& provider : next.providers) {
      const auto* was_remote = find_entry(remote_providers_, provider.name);
      const auto* was_local = find_entry(local_providers_, provider.name);
      const std::string was_type = was_remote ? was_remote->type : (was_local ? "local" : provider.type);
      if (was_type != provider.type)
        throw config_error("provider '" + provider.name + "' would change type from " + was_type + " to " +
                           provider.type + ": its jobs belong to the " + was_type +
                           " provider; give the new one another name");
      if (was_local && local_settings(provider) != was_local->settings)
        log_->warn("reload: provider '{}': workers, simulator_threads and max_qubits of an embedded simulator "
                   "change only at the next start",
                   provider.name);
      if (provider.is_remote()) plan.apis.emplace(provider.name, make_remote_api(io_.get_executor(), provider));
    }
    return plan;
  }

  net::awaitable<void> apply_reload(reload_plan plan) {
    std::vector<std::string> added, removed;
    for (const auto& provider : plan.config.providers)
      if (!config_.find_provider(provider.name)) added.push_back(provider.name);
    for (const auto& provider : config_.providers)
      if (!plan.config.find_provider(provider.name)) removed.push_back(provider.name);

    config_ = std::move(plan.config);
    catalog_ = target_catalog(config_);
    set_log_level(config_.log_level);

    actors::update_providers for_jobs;
    actors::reconfigure_poller for_poller{poll_settings(config_), {}};
    for (const auto& provider : config_.providers) {
      if (!provider.is_remote()) {
        if (!local_providers_.contains(provider.name)) {
          auto& entry = add_local(provider);
          spawn_provider(provider.name, entry);
          for_jobs.providers.emplace(provider.name, entry.actor->ref());
        }
        continue;
      }
      auto api = std::move(plan.apis.at(provider.name));
      auto found = remote_providers_.find(provider.name);
      if (found == remote_providers_.end()) {
        auto& entry = add_remote(provider, std::move(api));
        spawn_provider(provider.name, entry);
        const auto ref = entry.actor->ref();
        api_->add_remote_provider(provider.name, ref);
        for_poller.providers.emplace(provider.name, actors::polled_provider{ref, entry.actor->abilities().list});
      } else {
        actors::reconfigure_provider change{std::move(api), remote_settings(provider)};
        co_await found->second.actor->ref().send(std::move(change));
      }
      const auto& actor = *remote_providers_.at(provider.name).actor;
      for_jobs.remote_providers.emplace(provider.name, remote_link(provider, actor.ref(), actor.abilities()));
    }
    for (const auto& name : removed) {
      auto found = remote_providers_.find(name);
      if (found == remote_providers_.end()) continue;
      actors::remote_provider_settings settings;
      settings.name = name;
      actors::reconfigure_provider retire{nullptr, std::move(settings)};
      co_await found->second.actor->ref().send(std::move(retire));
    }
    // The poller first: a job resumed at a provider the reload brings back is
    // watched there at once.
    co_await poller_->ref().send(std::move(for_poller));
    co_await jobs_->ref().send(std::move(for_jobs));
    // Every provider ever configured: a removed one gets no slot, so its jobs wait.
    auto slots = capacities(config_);
    for (const auto& [name, entry] : local_providers_) slots.try_emplace(name, 0);
    for (const auto& [name, entry] : remote_providers_) slots.try_emplace(name, 0);
    for (auto& [name, capacity] : slots) {
      actors::set_capacity change{name, capacity};
      co_await scheduler_.ref().send(std::move(change));
    }
    std::string changes;
    if (!added.empty()) changes += fmt::format(", added {}", fmt::join(added, ", "));
    if (!removed.empty()) changes += fmt::format(", removed {}", fmt::join(removed, ", "));
    log_->info("configuration reloaded: {} provider(s){}; credentials read again", config_.providers.size(), changes);
  }

  template <class Entries>
  static const typename Entries::mapped_type* find_entry(const Entries& entries, const std::string& name) {
    auto found = entries.find(name);
    return found == entries.end() ? nullptr : &found->second;
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
    for (auto& [name, provider] : local_providers_) provider.actor->close();
    poller_->close();
    for (auto& [name, provider] : remote_providers_) provider.actor->close();
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

  // Replaced in place by a reload; the API and the control server read it here.
  daemon_config config_;
  config_loader load_config_;
  net::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<metrics::registry> metrics_;  // before the actors that update it
  actors::supervisor tasks_;  // declared before the actors its tasks use
  target_catalog catalog_;
  actors::storage_actor storage_;
  actors::scheduler_actor scheduler_;
  actors::hub_actor hub_;
  std::map<std::string, local_entry> local_providers_;
  std::map<std::string, remote_entry> remote_providers_;
  std::unique_ptr<actors::poller_actor> poller_;
  std::unique_ptr<actors::job_supervisor_actor> jobs_;
  std::unique_ptr<api> api_;
  std::unique_ptr<control_server> server_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace

int run_daemon(const daemon_config& config, config_loader load_config) {
  // The actors' loggers, registered before they take them, so that a reload's log_level reaches them.
  for (const char* name : {"storage", "poller", "http", "job", "control"}) named_logger(name);
  net::io_context io(1);
  net::io_context storage_io(1);
  auto store = storage::job_store::open(config.state_dir);
  auto storage_work = net::make_work_guard(storage_io);
  std::thread storage_thread([&storage_io] {
    // Named so that `top -H` and the benches tell the store's thread from the event loop.
    ::pthread_setname_np(::pthread_self(), "qjobd-store");
    storage_io.run();
  });
  int code = 0;
  {
    daemon_runtime runtime(config, std::move(load_config), io, storage_io, std::move(store));
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
