#include "hub_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace qjob::actors {

namespace {
// Sweep abandoned waits after this many new ones, so a stream of short waits on
// jobs that never end cannot grow the table without bound.
constexpr std::size_t prune_interval = 1024;
}  // namespace

hub_actor::hub_actor(net::any_io_executor executor)
    : mailbox_(std::make_shared<mailbox<hub_message>>(executor, hub_mailbox_capacity)) {}

net::awaitable<void> hub_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    if (auto* change = std::get_if<job_transitioned>(&message)) {
      if (!storage::is_final(change->status)) continue;
      auto found = waiters_.find(change->job_id);
      if (found == waiters_.end()) continue;
      for (auto& waiter : found->second) waiter.set(change->status);
      waiters_.erase(found);
    } else {
      auto& watch = std::get<watch_final>(message);
      waiters_[watch.job_id].push_back(std::move(watch.reply));
      if (++watches_since_prune_ >= prune_interval) prune();
    }
  }
}

void hub_actor::prune() {
  watches_since_prune_ = 0;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    std::erase_if(it->second, [](const auto& waiter) { return !waiter.wanted(); });
    it = it->second.empty() ? waiters_.erase(it) : std::next(it);
  }
}

}  // namespace qjob::actors
