#include "scheduler_actor.hpp"

#include "runtime/supervisor.hpp"
#include "support/coroutine_runner.hpp"
#include "test_log.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace qa = qjob::actors;
using qjob::actors::test::captured_log;
using qjob::test::run_coroutine;

namespace {

/// A job as the scheduler sees it: its place and seq.
struct fake_job {
  std::string id;
  std::int32_t priority = 5;
  std::uint32_t owner = 1000;
  std::string batch_id;
  std::string target = "simulator";
  std::int64_t seq = 0;
  std::string provider = "local";  // set when enqueued

  qa::queue_place place() const { return qa::queue_place{provider, target, priority, owner, batch_id}; }
};

/// A scheduler running under a supervisor on the test's executor, and fake jobs;
/// admissions land in a mailbox the test reads instead of the job supervisor's.
/// Declared in this order so the supervisor outlives the actor's coroutine.
class scheduler_fixture {
public:
  scheduler_fixture(net::any_io_executor executor, std::unordered_map<std::string, std::size_t> capacity)
      : executor_(executor), tasks_(executor, log_.logger(), [this] { failed_ = true; }),
        admissions_(std::make_shared<qa::mailbox<qa::job_supervisor_message>>(executor, 1024)),
        scheduler_(executor, std::move(capacity)) {
    scheduler_.admit_to(qa::job_supervisor_ref(admissions_));
    tasks_.spawn("scheduler", scheduler_.run(), qa::on_failure::stop_daemon);
  }

  /// Makes a fake job (not yet enqueued); seq increases with each call.
  fake_job& make(std::string id, std::int32_t priority = 5, std::uint32_t owner = 1000, std::string batch = {},
                 std::string target = "simulator") {
    auto& job = jobs_[id];
    job = fake_job{id, priority, owner, std::move(batch), std::move(target), ++next_seq_};
    by_seq_[job.seq] = id;
    return job;
  }

  /// Sends the job's enqueue_jobs (awaiting the send, as the job supervisor does).
  net::awaitable<void> enqueue(fake_job& job, std::string provider = "local") {
    job.provider = std::move(provider);
    qa::queued_run run{job.place(), {job.seq}};
    qa::enqueue_jobs request{{std::move(run)}};
    const bool sent = co_await scheduler_.ref().send(std::move(request));
    BOOST_TEST(sent);
  }

  net::awaitable<void> make_and_enqueue(std::string id, std::int32_t priority = 5, std::uint32_t owner = 1000,
                                        std::string batch = {}, std::string provider = "local",
                                        std::string target = "simulator") {
    co_await enqueue(make(std::move(id), priority, owner, std::move(batch), std::move(target)), std::move(provider));
  }

  qa::scheduler_ref scheduler() const { return scheduler_.ref(); }

  net::awaitable<void> release(std::string provider = "local") {
    qa::release_slot release{std::move(provider)};
    co_await scheduler_.ref().send(std::move(release));
  }

  net::awaitable<void> withdraw(const std::string& id) {
    const auto& job = jobs_[id];
    qa::withdraw_job withdrawal{job.place(), job.seq};
    co_await scheduler_.ref().send(std::move(withdrawal));
  }

  /// The scheduler's answer to get_queue_position. Being a round trip through the
  /// mailbox, it also means every message sent before has been handled.
  net::awaitable<std::optional<std::int64_t>> position(const std::string& id) {
    auto [reply, answer] = qa::make_promise<std::optional<std::int64_t>>(executor_);
    const auto found = jobs_.find(id);
    const fake_job unknown{id, 5, 1000, {}, "simulator", -1};
    const auto& job = found == jobs_.end() ? unknown : found->second;
    qa::get_queue_position query{job.place(), job.seq, std::move(reply)};
    co_await scheduler_.ref().send(std::move(query));
    auto value = co_await answer.get();
    BOOST_REQUIRE(value.has_value());
    co_return *value;
  }

  /// The ids of jobs admitted since the last call, in admission order.
  net::awaitable<std::vector<std::string>> granted() {
    co_await position("<sync>");
    std::vector<std::string> ids;
    while (admissions_->try_receive([&](boost::system::error_code, qa::job_supervisor_message message) {
      BOOST_REQUIRE(std::holds_alternative<qa::jobs_admitted>(message));
      for (const auto seq : std::get<qa::jobs_admitted>(message).seqs) {
        const auto& id = by_seq_.at(seq);
        BOOST_TEST(++grants_[id] == 1, "job " << id << " was granted more than one slot");
        ids.push_back(id);
      }
    })) {
    }
    co_return ids;
  }

  /// Releases one slot at a time until nothing more is granted; the grant order.
  net::awaitable<std::vector<std::string>> drain_one_by_one() {
    std::vector<std::string> order;
    for (;;) {
      co_await release();
      auto ids = co_await granted();
      BOOST_REQUIRE(ids.size() <= 1u);
      if (ids.empty()) co_return order;
      order.push_back(ids.front());
    }
  }

  /// Stops the scheduler and waits for its coroutine to end.
  net::awaitable<void> stop() {
    scheduler_.close();
    co_await tasks_.wait_all();
    BOOST_TEST(!failed_, log_.text());
  }

private:
  net::any_io_executor executor_;
  captured_log log_;
  bool failed_ = false;
  qa::supervisor tasks_;  // declared before the scheduler its task uses
  std::shared_ptr<qa::mailbox<qa::job_supervisor_message>> admissions_;
  qa::scheduler_actor scheduler_;
  std::map<std::string, fake_job> jobs_;
  std::map<std::int64_t, std::string> by_seq_;
  std::map<std::string, int> grants_;
  std::int64_t next_seq_ = 0;
};

using strings = std::vector<std::string>;

net::awaitable<void> capacity_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 2}});
  strings got;
  std::optional<std::int64_t> pos;
  for (const auto* id : {"a", "b", "c", "d"}) co_await f.make_and_enqueue(id);
  got = co_await f.granted();
  BOOST_TEST((got == strings{"a", "b"}));
  got = co_await f.granted();
  BOOST_TEST(got.empty());  // still two running
  co_await f.release();
  got = co_await f.granted();
  BOOST_TEST((got == strings{"c"}));
  co_await f.release();
  co_await f.release();
  got = co_await f.granted();
  BOOST_TEST((got == strings{"d"}));
  // One slot free now, and nothing waits: the next job goes at once, the one after waits.
  co_await f.make_and_enqueue("e");
  co_await f.make_and_enqueue("f");
  got = co_await f.granted();
  BOOST_TEST((got == strings{"e"}));
  co_await f.stop();
}

net::awaitable<void> claimed_slots_count_against_capacity_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"ionq", 2}});
  // Three jobs found at the provider at start-up take slots beyond the capacity
  // (the start-up claims a page's at once, a reload one by one).
  qa::claim_slot page{"ionq", 2};
  co_await f.scheduler().send(std::move(page));
  qa::claim_slot one{"ionq"};
  co_await f.scheduler().send(std::move(one));
  co_await f.make_and_enqueue("queued", 5, 1000, {}, "ionq");
  strings got = co_await f.granted();
  BOOST_TEST(got.empty());
  co_await f.release("ionq");
  got = co_await f.granted();
  BOOST_TEST(got.empty());  // two still running: the capacity is full
  co_await f.release("ionq");
  got = co_await f.granted();
  BOOST_TEST((got == strings{"queued"}));
  co_await f.stop();
}

net::awaitable<void> small_owner_is_not_stuck_behind_a_big_one_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  co_await f.make_and_enqueue("running", 5, 1);
  (void)co_await f.granted();
  // Owner 1 hands in 10,000 jobs first, owner 2 ten jobs after them.
  for (int i = 0; i < 10'000; ++i) {
    std::string id = "big-" + std::to_string(i);
    co_await f.make_and_enqueue(std::move(id), 5, 1, "sweep");
  }
  for (int i = 0; i < 10; ++i) {
    std::string id = "small-" + std::to_string(i);
    co_await f.make_and_enqueue(std::move(id), 5, 2);
  }
  const auto position = co_await f.position("small-9");
  BOOST_TEST(position.value_or(-1) == 20);
  std::vector<std::string> order;
  for (int grant = 0; grant < 40; ++grant) {
    co_await f.release();
    auto ids = co_await f.granted();
    BOOST_REQUIRE(ids.size() == 1u);
    order.push_back(ids.front());
  }
  // Turns alternate: the ten small jobs are all out within the first twenty grants.
  std::size_t last_small = 0;
  int small = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i].starts_with("small-")) {
      ++small;
      last_small = i;
    }
  }
  BOOST_TEST(small == 10);
  BOOST_TEST(last_small < 20u);
  BOOST_TEST(order.front() == "big-0");
  BOOST_TEST(order[1] == "small-0");
  co_await f.stop();
}

net::awaitable<void> extra_releases_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.release();  // more releases than grants must not raise the capacity
  co_await f.release();
  for (const auto* id : {"a", "b", "c"}) co_await f.make_and_enqueue(id);
  got = co_await f.granted();
  BOOST_TEST((got == strings{"a"}));
  co_await f.stop();
}

net::awaitable<void> priority_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker", 5);
  co_await f.make_and_enqueue("low", 0);
  co_await f.make_and_enqueue("mid", 5);
  co_await f.make_and_enqueue("high", 9);
  co_await f.make_and_enqueue("clamped", 42);  // out of range counts as 9
  got = co_await f.granted();
  BOOST_TEST((got == strings{"blocker"}));
  got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"high", "clamped", "mid", "low"}));
  co_await f.stop();
}

net::awaitable<void> owners_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker", 5, 1);
  for (const auto* id : {"a1", "a2", "a3", "a4"}) co_await f.make_and_enqueue(id, 5, 1);
  for (const auto* id : {"b1", "b2"}) co_await f.make_and_enqueue(id, 5, 2);
  co_await f.make_and_enqueue("c1", 5, 3);
  co_await f.granted();
  got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"a1", "b1", "c1", "a2", "b2", "a3", "a4"}));
  co_await f.stop();
}

net::awaitable<void> batches_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker", 5, 7);
  for (const auto* id : {"big1", "big2", "big3", "big4", "big5"}) co_await f.make_and_enqueue(id, 5, 1, "big");
  for (const auto* id : {"small1", "small2"}) co_await f.make_and_enqueue(id, 5, 1, "small");
  co_await f.make_and_enqueue("loose", 5, 1);  // outside any batch: a batch of its own
  co_await f.granted();
  got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"big1", "small1", "loose", "big2", "small2", "big3", "big4", "big5"}));
  co_await f.stop();
}

net::awaitable<void> fifo_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker");
  auto& first = f.make("first");
  auto& second = f.make("second");
  auto& third = f.make("third");
  // They arrive out of submission order (a rare race); seq decides.
  co_await f.enqueue(third);
  co_await f.enqueue(first);
  co_await f.enqueue(second);
  co_await f.granted();
  got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"first", "second", "third"}));
  co_await f.stop();
}

net::awaitable<void> withdraw_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker");
  for (const auto* id : {"a", "b", "c"}) co_await f.make_and_enqueue(id, 5, 1);
  co_await f.make_and_enqueue("only", 5, 2);
  co_await f.granted();
  co_await f.withdraw("b");
  co_await f.withdraw("only");  // its owner leaves the rotation
  co_await f.withdraw("never-enqueued");
  pos = co_await f.position("b");
  BOOST_TEST(!pos.has_value());
  pos = co_await f.position("c");
  BOOST_TEST(pos.value_or(-1) == 2);
  got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"a", "c"}));
  co_await f.stop();
}

net::awaitable<void> unknown_provider_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 4}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.enqueue(f.make("elsewhere"), "nowhere");
  co_await f.release("nowhere");
  co_await f.make_and_enqueue("here");
  got = co_await f.granted();
  BOOST_TEST((got == strings{"here"}));
  pos = co_await f.position("elsewhere");
  BOOST_TEST(pos.value_or(-1) == 1);
  co_await f.stop();
}

net::awaitable<void> not_waiting_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("running");
  co_await f.make_and_enqueue("waiting");
  co_await f.granted();
  pos = co_await f.position("running");
  BOOST_TEST(!pos.has_value());
  pos = co_await f.position("unknown");
  BOOST_TEST(!pos.has_value());
  pos = co_await f.position("waiting");
  BOOST_TEST(pos.value_or(-1) == 1);
  co_await f.stop();
}

net::awaitable<void> targets_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  co_await f.make_and_enqueue("blocker", 5, 1, {}, "local", "qpu.aria-1");
  co_await f.granted();
  // One owner's sweep for the QPU first, then a few simulator jobs of the same owner.
  for (const auto* id : {"qpu1", "qpu2", "qpu3", "qpu4"}) co_await f.make_and_enqueue(id, 5, 1, "sweep", "local", "qpu.aria-1");
  for (const auto* id : {"sim1", "sim2"}) co_await f.make_and_enqueue(id, 5, 1, "sweep", "local", "simulator");
  auto pos = co_await f.position("sim2");
  BOOST_TEST(pos.value_or(-1) == 4);
  // The provider's slots are shared, and its targets take turns.
  auto got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"qpu1", "sim1", "qpu2", "sim2", "qpu3", "qpu4"}));
  co_await f.stop();
}

net::awaitable<void> duplicate_enqueue_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  co_await f.make_and_enqueue("blocker");
  co_await f.granted();
  auto& twice = f.make("twice");
  co_await f.enqueue(twice);
  co_await f.enqueue(twice);
  co_await f.make_and_enqueue("after");
  auto pos = co_await f.position("after");
  BOOST_TEST(pos.value_or(-1) == 2);
  auto got = co_await f.drain_one_by_one();
  BOOST_TEST((got == strings{"twice", "after"}));
  co_await f.stop();
}

/// Asks every waiting job its position and checks that they name the order in
/// which releasing one slot at a time grants them: position k is the k-th grant.
/// Checked again midway, after some grants have turned the round-robin rings.
net::awaitable<void> positions_body() {
  auto executor = co_await net::this_coro::executor;
  scheduler_fixture f(executor, {{"local", 1}});
  strings got;
  std::optional<std::int64_t> pos;
  co_await f.make_and_enqueue("blocker", 9, 99);
  co_await f.granted();
  std::mt19937 random(20240601);
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    const auto priority = std::array{0, 2, 5, 5, 5, 9}[random() % 6];
    const auto owner = static_cast<std::uint32_t>(1000 + random() % 4);
    const auto batch = std::array{"", "", "x", "y", "z"}[random() % 5];
    const auto target = std::array{"simulator", "simulator", "qpu.aria-1"}[random() % 3];
    auto id = "job-" + std::to_string(i);
    ids.push_back(id);
    co_await f.make_and_enqueue(id, priority, owner, batch, "local", target);
    // Grant a few while jobs arrive, so the rings are not in insertion order.
    if (i % 37 == 36) {
      co_await f.release();
      got = co_await f.granted();
      BOOST_TEST(got.size() == 1u);
    }
  }
  for (int round = 0; round < 2; ++round) {
    std::map<std::int64_t, std::string> by_position;
    std::vector<std::string> waiting;
    for (const auto& id : ids) {
      auto position = co_await f.position(id);
      if (!position) continue;  // granted already
      waiting.push_back(id);
      const bool unique = by_position.emplace(*position, id).second;
      BOOST_TEST(unique, "two jobs at position " << *position);
    }
    BOOST_REQUIRE(!waiting.empty());
    BOOST_TEST(by_position.begin()->first == 1);
    BOOST_TEST(by_position.rbegin()->first == static_cast<std::int64_t>(waiting.size()));
    const auto grants = round == 0 ? waiting.size() / 2 : waiting.size();
    for (std::size_t k = 1; k <= grants; ++k) {
      co_await f.release();
      auto granted = co_await f.granted();
      BOOST_REQUIRE(granted.size() == 1u);
      BOOST_TEST(granted.front() == by_position[static_cast<std::int64_t>(k)],
                 "grant " << k << " went to " << granted.front() << ", position " << k << " was "
                          << by_position[static_cast<std::int64_t>(k)]);
    }
    // Drop a few jobs midway, so positions are checked after withdrawals too.
    if (round == 0)
      for (std::size_t k = grants + 1; k <= waiting.size(); k += 7) co_await f.withdraw(by_position[k]);
  }
  co_await f.stop();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scheduler_actor_tests, *boost::unit_test::timeout(30))

BOOST_AUTO_TEST_CASE(grants_never_exceed_capacity_until_a_slot_is_released) { run_coroutine(capacity_body()); }

BOOST_AUTO_TEST_CASE(ten_jobs_of_one_owner_are_not_stuck_behind_ten_thousand_of_another) {
  run_coroutine(small_owner_is_not_stuck_behind_a_big_one_body());
}

BOOST_AUTO_TEST_CASE(claimed_slots_count_against_the_capacity) {
  run_coroutine(claimed_slots_count_against_capacity_body());
}

BOOST_AUTO_TEST_CASE(releasing_more_slots_than_granted_does_not_raise_capacity) {
  run_coroutine(extra_releases_body());
}

BOOST_AUTO_TEST_CASE(higher_priority_is_granted_first) { run_coroutine(priority_body()); }

BOOST_AUTO_TEST_CASE(owners_take_turns_within_a_priority) { run_coroutine(owners_body()); }

BOOST_AUTO_TEST_CASE(a_small_batch_is_not_stuck_behind_a_big_one_of_the_same_owner) {
  run_coroutine(batches_body());
}

BOOST_AUTO_TEST_CASE(jobs_of_one_batch_leave_in_submission_order) { run_coroutine(fifo_body()); }

BOOST_AUTO_TEST_CASE(withdrawn_job_is_never_granted) { run_coroutine(withdraw_body()); }

BOOST_AUTO_TEST_CASE(unknown_provider_gets_no_slots) { run_coroutine(unknown_provider_body()); }

BOOST_AUTO_TEST_CASE(position_is_nullopt_when_not_waiting) { run_coroutine(not_waiting_body()); }

BOOST_AUTO_TEST_CASE(queue_positions_equal_the_grant_order) { run_coroutine(positions_body()); }

BOOST_AUTO_TEST_CASE(a_providers_targets_take_turns_for_its_slots) { run_coroutine(targets_body()); }

BOOST_AUTO_TEST_CASE(a_job_queued_twice_waits_once) { run_coroutine(duplicate_enqueue_body()); }

BOOST_AUTO_TEST_SUITE_END()
