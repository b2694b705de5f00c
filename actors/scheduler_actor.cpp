#include "scheduler_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <numeric>

namespace qjob::actors {

namespace {

constexpr std::int32_t clamp_priority(std::int32_t priority) { return std::clamp(priority, 0, 9); }

template <class Ring, class Key>
void erase_from_ring(Ring& ring, const Key& key) {
  ring.erase(std::find(ring.begin(), ring.end(), key));
}

/// Takes the ring's next key off its front; the caller puts it back at the end
/// unless its queue is now empty.
template <class Ring>
auto take_turn(Ring& ring) {
  auto key = std::move(ring.front());
  ring.pop_front();
  return key;
}

/// The number of pops a ring of queues takes until the queue `mine` has served
/// `own` of its own plus one more: every other queue takes a turn per round,
/// those before `mine` in the ring once more, each up to its size.
template <class Ring, class SizeOf>
std::size_t served_before(const Ring& ring, const typename Ring::value_type& mine, std::size_t own, SizeOf size_of) {
  std::size_t ahead = own;
  bool before = true;
  for (const auto& key : ring) {
    if (key == mine) {
      before = false;
      continue;
    }
    ahead += std::min(size_of(key), own + (before ? 1 : 0));
  }
  return ahead;
}

}  // namespace

scheduler_actor::scheduler_actor(net::any_io_executor executor,
                                 std::unordered_map<std::string, std::size_t> capacity,
                                 std::shared_ptr<metrics::registry> metrics)
    : mailbox_(std::make_shared<mailbox<scheduler_message>>(executor, scheduler_mailbox_capacity)),
      capacity_(std::move(capacity)),
      metrics_(metrics::registry_or_own(std::move(metrics))),
      waiting_jobs_(metrics_->gauges("qjob_scheduler_waiting_jobs", "Jobs queued here for a slot, by provider.",
                                     {"provider"})),
      running_jobs_(metrics_->gauges("qjob_scheduler_running_jobs",
                                     "Slots taken by jobs at or on their way to the provider, by provider.",
                                     {"provider"})),
      slots_(metrics_->gauges("qjob_scheduler_slots", "Slots of each provider (its max_in_flight).",
                              {"provider"})) {}

net::awaitable<void> scheduler_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    // The provider whose queue may now admit jobs, if any.
    const std::string* changed = nullptr;
    if (auto* request = std::get_if<enqueue_jobs>(&message)) {
      for (const auto& run : request->runs) enqueue(run);
      // Each provider named gets its turn to admit.
      for (const auto& run : request->runs) {
        auto admitted = dispatch(queue_of(run.place.provider));
        if (!admitted.empty()) co_await admit(run.place.provider, std::move(admitted));
      }
    } else if (auto* withdrawal = std::get_if<withdraw_job>(&message)) {
      withdraw(withdrawal->place, withdrawal->seq);
    } else if (auto* release = std::get_if<release_slot>(&message)) {
      auto& queue = queue_of(release->provider);
      if (queue.running > 0) --queue.running;
      changed = &release->provider;
    } else if (auto* claim = std::get_if<claim_slot>(&message)) {
      queue_of(claim->provider).running += claim->count;
    } else if (auto* change = std::get_if<set_capacity>(&message)) {
      capacity_[change->provider] = change->capacity;
      queue_of(change->provider).capacity = change->capacity;
      changed = &change->provider;
    } else {
      auto& query = std::get<get_queue_position>(message);
      query.reply.set(position(query.place, query.seq));
    }
    if (changed) {
      auto admitted = dispatch(queue_of(*changed));
      if (!admitted.empty()) co_await admit(*changed, std::move(admitted));
    }
    publish_depths();
  }
}

net::awaitable<void> scheduler_actor::admit(const std::string& provider, std::vector<std::int64_t> seqs) {
  jobs_admitted admitted{provider, std::move(seqs)};
  const bool sent = co_await supervisor_.send(std::move(admitted));
  // The supervisor has stopped (the daemon is stopping): the slots stay taken, as
  // nothing runs any more.
  (void)sent;
}

void scheduler_actor::publish_depths() {
  // A handful of providers: cheaper than tracking which queue each message touched.
  for (const auto& [provider, queue] : queues_) {
    const auto waiting = std::accumulate(queue.class_size.begin(), queue.class_size.end(), std::size_t{0});
    waiting_jobs_.with({provider}).set(static_cast<double>(waiting));
    running_jobs_.with({provider}).set(static_cast<double>(queue.running));
    slots_.with({provider}).set(static_cast<double>(queue.capacity));
  }
}

scheduler_actor::provider_queue& scheduler_actor::queue_of(const std::string& provider) {
  auto [it, created] = queues_.try_emplace(provider);
  if (created) {
    auto capacity = capacity_.find(provider);
    it->second.capacity = capacity == capacity_.end() ? 0 : capacity->second;
  }
  return it->second;
}

void scheduler_actor::enqueue(const queued_run& run) {
  if (run.seqs.empty()) return;
  const auto& place = run.place;
  const auto priority = clamp_priority(place.priority);
  auto& queue = queue_of(place.provider);
  auto& target = queue.targets[place.target];
  auto& cls = target.classes[priority];
  auto& owner = cls.owners[place.owner];
  auto& jobs = owner.batches[place.batch_id];
  std::size_t added = 0;
  for (const auto seq : run.seqs) {
    // In submission order but for rare races (a retry re-queues an older job);
    // a seq already here is not queued twice.
    if (jobs.empty() || jobs.back() < seq) {
      jobs.push_back(seq);
    } else {
      auto at = std::lower_bound(jobs.begin(), jobs.end(), seq);
      if (*at == seq) continue;
      jobs.insert(at, seq);
    }
    ++added;
  }
  if (added == 0) return;
  // A queue that was empty joins its ring at the back.
  if (jobs.size() == added) owner.batch_turns.push_back(place.batch_id);
  if (owner.size == 0) cls.owner_turns.push_back(place.owner);
  if (cls.size == 0) queue.target_turns[priority].push_back(place.target);
  owner.size += added;
  cls.size += added;
  queue.class_size[priority] += added;
}

void scheduler_actor::withdraw(const queue_place& place, std::int64_t seq) {
  auto provider = queues_.find(place.provider);
  if (provider == queues_.end()) return;
  auto& queue = provider->second;
  auto target = queue.targets.find(place.target);
  if (target == queue.targets.end()) return;
  const auto priority = clamp_priority(place.priority);
  auto& cls = target->second.classes[priority];
  auto owner = cls.owners.find(place.owner);
  if (owner == cls.owners.end()) return;
  auto batch = owner->second.batches.find(place.batch_id);
  if (batch == owner->second.batches.end()) return;
  auto& jobs = batch->second;
  auto at = std::lower_bound(jobs.begin(), jobs.end(), seq);
  if (at == jobs.end() || *at != seq) return;
  jobs.erase(at);
  --owner->second.size;
  --cls.size;
  --queue.class_size[priority];
  if (jobs.empty()) {
    erase_from_ring(owner->second.batch_turns, place.batch_id);
    owner->second.batches.erase(batch);
  }
  if (owner->second.size == 0) {
    erase_from_ring(cls.owner_turns, place.owner);
    cls.owners.erase(owner);
  }
  if (cls.size == 0) erase_from_ring(queue.target_turns[priority], place.target);
}

std::optional<std::int64_t> scheduler_actor::pop(provider_queue& queue) {
  for (int priority = 9; priority >= 0; --priority) {
    auto& target_ring = queue.target_turns[priority];
    if (target_ring.empty()) continue;
    auto target_name = take_turn(target_ring);
    auto& cls = queue.targets.at(target_name).classes[priority];
    const auto owner_id = take_turn(cls.owner_turns);
    auto& owner = cls.owners.at(owner_id);
    auto batch_id = take_turn(owner.batch_turns);
    auto& jobs = owner.batches.at(batch_id);
    const auto seq = jobs.front();
    jobs.pop_front();
    --owner.size;
    --cls.size;
    --queue.class_size[priority];
      // Each ring gets its key back at the end, unless its queue is now empty.
    if (jobs.empty())
      owner.batches.erase(batch_id);
    else
      owner.batch_turns.push_back(std::move(batch_id));
    if (owner.size == 0)
      cls.owners.erase(owner_id);
    else
      cls.owner_turns.push_back(owner_id);
    if (cls.size > 0) target_ring.push_back(std::move(target_name));
    return seq;
  }
  return std::nullopt;
}

std::vector<std::int64_t> scheduler_actor::dispatch(provider_queue& queue) {
  std::vector<std::int64_t> admitted;
  while (queue.running < queue.capacity) {
    auto seq = pop(queue);
    if (!seq) break;
    ++queue.running;
    admitted.push_back(*seq);
  }
  return admitted;
}

std::optional<std::int64_t> scheduler_actor::position(const queue_place& place, std::int64_t seq) const {
  auto provider = queues_.find(place.provider);
  if (provider == queues_.end()) return std::nullopt;
  const auto& queue = provider->second;
  auto target = queue.targets.find(place.target);
  if (target == queue.targets.end()) return std::nullopt;
  const auto priority = clamp_priority(place.priority);
  const auto& cls = target->second.classes[priority];
  auto owner = cls.owners.find(place.owner);
  if (owner == cls.owners.end()) return std::nullopt;
  auto batch = owner->second.batches.find(place.batch_id);
  if (batch == owner->second.batches.end()) return std::nullopt;
  const auto& jobs = batch->second;
  auto at = std::lower_bound(jobs.begin(), jobs.end(), seq);
  if (at == jobs.end() || *at != seq) return std::nullopt;

  // Replay the round-robins arithmetically, from the inside out: the job is pop
  // number n + 1 of its batch, so of its owner, of its class in its target, and
  // of the class over all targets; higher classes go first.
  const auto in_batch = static_cast<std::size_t>(at - jobs.begin());
  const auto& batches = owner->second.batches;
  const auto in_owner = served_before(owner->second.batch_turns, place.batch_id, in_batch,
                                      [&](const std::string& id) { return batches.at(id).size(); });
  const auto in_target = served_before(cls.owner_turns, place.owner, in_owner,
                                       [&](std::uint32_t id) { return cls.owners.at(id).size; });
  const auto in_class = served_before(queue.target_turns[priority], place.target, in_target, [&](const std::string& t) {
    return queue.targets.at(t).classes[priority].size;
  });
  std::size_t ahead = in_class;
  for (auto p = priority + 1; p < 10; ++p) ahead += queue.class_size[p];
  return static_cast<std::int64_t>(ahead) + 1;
}

}  // namespace qjob::actors
