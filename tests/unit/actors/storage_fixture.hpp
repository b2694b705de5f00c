#pragma once

#include "runtime/promise.hpp"
#include "runtime/supervisor.hpp"
#include "storage/job_store.hpp"
#include "storage_actor.hpp"
#include "storage_thread.hpp"
#include "temp_state_dir.hpp"
#include "test_log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace qjob::actors::test {

/// A job as a client would submit it: a Bell circuit on the local simulator.
inline storage::job_row make_job(const std::string& id, std::uint32_t owner = 1000) {
  storage::job_row row;
  row.id = id;
  row.name = "bell";
  row.provider = "local";
  row.target = "simulator";
  row.shots = 1000;
  row.input_format = "ionq.circuit.v0";
  row.input = R"({"qubits":2,"circuit":[{"gate":"h","target":0},{"gate":"cnot","control":0,"target":1}]})";
  row.params = R"({"seed":42})";
  row.tags = {"test"};
  row.owner = owner;
  row.fingerprint = "fp-" + id;
  row.created_at = 1'700'000'000'000'000;
  return row;
}

/// A storage actor over a real job store in a temp directory, on its own thread
/// (own io_context), supervised from the test's executor as the daemon does it.
class storage_fixture {
public:
  /// `prepare` sees the opened store before the actor owns it (for fault injection);
  /// `metrics` is handed to the actor.
  explicit storage_fixture(net::any_io_executor executor,
                           const std::function<void(storage::job_store&)>& prepare = {},
                           std::shared_ptr<metrics::registry> metrics = nullptr)
      : tasks_(executor, log_.logger(), [this] { failed_ = true; }) {
    auto store = storage::job_store::open(dir_.path());
    if (prepare) prepare(store);
    storage_.emplace(thread_.executor(), std::move(store), std::move(metrics));
    tasks_.spawn_elsewhere("storage", storage_->run(), on_failure::stop_daemon, thread_.executor());
  }

  storage_fixture(const storage_fixture&) = delete;
  storage_fixture& operator=(const storage_fixture&) = delete;

  /// Stops the actor if the test did not, and waits for its thread, so that the
  /// actor is never destroyed under its running coroutine.
  ~storage_fixture() {
    if (storage_) storage_->close();
    thread_.join();
  }

  storage_ref ref() const { return storage_->ref(); }
  storage_thread& thread() noexcept { return thread_; }
  const storage::test::temp_state_dir& dir() const noexcept { return dir_; }
  const captured_log& log() const noexcept { return log_; }

  /// Sends `message` built around a fresh promise and awaits the reply.
  template <class Reply, class Message>
  net::awaitable<std::optional<Reply>> ask(Message message) {
    auto [reply, answer] = make_promise<Reply>(co_await net::this_coro::executor);
    message.reply = std::move(reply);
    const bool sent = co_await ref().send(std::move(message));
    BOOST_REQUIRE(sent);
    co_return co_await answer.get();
  }

  net::awaitable<insert_reply> insert(std::vector<storage::job_row> rows) {
    insert_jobs request;
    request.rows = std::move(rows);
    auto reply = co_await ask<insert_reply>(std::move(request));
    BOOST_REQUIRE(reply.has_value());
    co_return std::move(*reply);
  }

  net::awaitable<job_view> get(std::string id, bool with_history = true) {
    get_job request;
    request.id = std::move(id);
    request.with_input = true;
    request.with_history = with_history;
    auto view = co_await ask<job_view>(std::move(request));
    BOOST_REQUIRE(view.has_value());
    co_return std::move(*view);
  }

  /// Asks the actor to stop (what is buffered is still served). Any thread.
  void close() { storage_->close(); }

  /// Closes the mailbox and waits until run() has returned (its completion is
  /// back on the test's executor).
  net::awaitable<void> stop() {
    storage_->close();
    co_await tasks_.wait_all();
    BOOST_TEST(!failed_, log_.text());
  }

  /// Ends the actor (after stop()) and gives the store back, closed, so the test
  /// can reopen the directory as a restarted daemon would.
  void destroy() { storage_.reset(); }

private:
  storage::test::temp_state_dir dir_;
  captured_log log_;
  bool failed_ = false;
  storage_thread thread_;
  supervisor tasks_;  // declared before the actor its task uses
  std::optional<storage_actor> storage_;
};

}  // namespace qjob::actors::test
