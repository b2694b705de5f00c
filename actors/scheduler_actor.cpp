#include "scheduler_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace qjob::actors {

namespace {

constexpr std::int32_t clamp_priority(std::int32_t priority) { return std::clamp(priority, 0, 9); }

template <class Queue>
auto position_of_seq(Queue& jobs, std::int64_t seq) {
  return std::lower_bound(jobs.begin(), jobs.end(), seq, [](const auto& job, std::int64_t s) { return job.seq < s; });
}

template <class Ring, class Key>
void erase_from_ring(Ring& ring, const Key& key) {
  ring.erase(std::find(ring.begin(), ring.end(), key));
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
    if (auto* request = std::get_if<enqueue_job>(&message)) {
      enqueue(*request);
    } else if (auto* withdrawal = std::get_if<withdraw_job>(&message)) {
      withdraw(withdrawal->job_id);
    } else if (auto* release = std::get_if<release_slot>(&message)) {
      auto& queue = queue_of(release->provider);
      if (queue.running > 0) --queue.running;
      dispatch(queue);
    } else if (auto* claim = std::get_if<claim_slot>(&message)) {
      ++queue_of(claim->provider).running;
    } else if (auto* change = std::get_if<set_capacity>(&message)) {
      capacity_[change->provider] = change->capacity;
      auto& queue = queue_of(change->provider);
      queue.capacity = change->capacity;
      dispatch(queue);
    } else {
      auto& query = std::get<get_queue_position>(message);
      query.reply.set(position(query.job_id));
    }
    publish_depths();
  }
}

void scheduler_actor::publish_depths() {
  // A handful of providers: cheaper than tracking which queue each message touched.
  for (const auto& [provider, queue] : queues_) {
    std::size_t waiting = 0;
    for (const auto& cls : queue.classes) waiting += cls.size;
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

void scheduler_actor::enqueue(enqueue_job& request) {
  if (waiting_.contains(request.job_id)) return;
  const auto priority = clamp_priority(request.priority);
  auto& queue = queue_of(request.provider);
  auto& cls = queue.classes[priority];
  auto [owner_it, new_owner] = cls.owners.try_emplace(request.owner);
  if (new_owner) cls.turns.push_back(request.owner);
  auto& owner = owner_it->second;
  auto [batch_it, new_batch] = owner.batches.try_emplace(request.batch_id);
  if (new_batch) owner.turns.push_back(request.batch_id);
  auto& jobs = batch_it->second;
  // Jobs arrive in submission order but for rare races; keep each queue sorted by seq.
  auto at = jobs.empty() || jobs.back().seq < request.seq ? jobs.end() : position_of_seq(jobs, request.seq);
  jobs.insert(at, waiting_job{request.seq, request.job_id, std::move(request.job)});
  ++owner.size;
  ++cls.size;
  waiting_.emplace(request.job_id,
                   location{request.provider, priority, request.owner, request.batch_id, request.seq});
  dispatch(queue);
}

void scheduler_actor::withdraw(const std::string& job_id) {
  auto found = waiting_.find(job_id);
  if (found == waiting_.end()) return;
  const auto loc = std::move(found->second);
  waiting_.erase(found);
  auto& cls = queue_of(loc.provider).classes[loc.priority];
  auto& owner = cls.owners.at(loc.owner);
  auto& jobs = owner.batches.at(loc.batch_id);
  jobs.erase(position_of_seq(jobs, loc.seq));
  --owner.size;
  --cls.size;
  if (jobs.empty()) {
    owner.batches.erase(loc.batch_id);
    erase_from_ring(owner.turns, loc.batch_id);
  }
  if (owner.size == 0) {
    cls.owners.erase(loc.owner);
    erase_from_ring(cls.turns, loc.owner);
  }
}

std::optional<scheduler_actor::waiting_job> scheduler_actor::pop(provider_queue& queue) {
  for (auto cls = queue.classes.rbegin(); cls != queue.classes.rend(); ++cls) {
    if (cls->size == 0) continue;
    const auto owner_id = cls->turns.front();
    cls->turns.pop_front();
    auto& owner = cls->owners.at(owner_id);
    auto batch_id = std::move(owner.turns.front());
    owner.turns.pop_front();
    auto& jobs = owner.batches.at(batch_id);
    auto job = std::move(jobs.front());
    jobs.pop_front();
    --owner.size;
    --cls->size;
    if (jobs.empty())
      owner.batches.erase(batch_id);
    else
      owner.turns.push_back(std::move(batch_id));
    if (owner.size == 0)
      cls->owners.erase(owner_id);
    else
      cls->turns.push_back(owner_id);
    waiting_.erase(job.job_id);
    return job;
  }
  return std::nullopt;
}

void scheduler_actor::dispatch(provider_queue& queue) {
  while (queue.running < queue.capacity) {
    auto job = pop(queue);
    if (!job) return;
    // A job whose actor has gone (daemon stopping) does not take the slot.
    if (job->job.try_send(slot_granted{})) ++queue.running;
  }
}

std::optional<std::int64_t> scheduler_actor::position(const std::string& job_id) const {
  auto found = waiting_.find(job_id);
  if (found == waiting_.end()) return std::nullopt;
  const auto& loc = found->second;
  const auto& queue = queues_.at(loc.provider);
  std::int64_t ahead = 0;
  for (auto p = loc.priority + 1; p < 10; ++p) ahead += static_cast<std::int64_t>(queue.classes[p].size);

  // Within the class, replay the round-robin arithmetically: the job is pop number
  // k + 1 of its owner, and every other owner gets k or k + 1 turns before it,
  // depending on whether its turn comes before the job's owner's.
  const auto& cls = queue.classes[loc.priority];
  const auto& owner = cls.owners.at(loc.owner);
  const auto& jobs = owner.batches.at(loc.batch_id);
  const auto index = static_cast<std::size_t>(position_of_seq(jobs, loc.seq) - jobs.begin());
  std::size_t k = 0;
  bool before = true;
  for (const auto& batch_id : owner.turns) {
    if (batch_id == loc.batch_id) {
      before = false;
      k += index;
      continue;
    }
    k += std::min(owner.batches.at(batch_id).size(), index + (before ? 1 : 0));
  }
  ahead += static_cast<std::int64_t>(k);
  before = true;
  for (auto owner_id : cls.turns) {
    if (owner_id == loc.owner) {
      before = false;
      continue;
    }
    ahead += static_cast<std::int64_t>(std::min(cls.owners.at(owner_id).size, k + (before ? 1 : 0)));
  }
  return ahead + 1;
}

}  // namespace qjob::actors
