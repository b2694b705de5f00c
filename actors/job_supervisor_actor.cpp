#include "job_supervisor_actor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace qjob::actors {

job_supervisor_actor::job_supervisor_actor(net::any_io_executor executor, supervisor& tasks,
                                           job_services services)
    : executor_(executor), tasks_(tasks),
      mailbox_(std::make_shared<mailbox<job_supervisor_message>>(executor, job_supervisor_mailbox_capacity)) {
  services.supervisor = ref();
  services_ = std::make_shared<job_services>(std::move(services));
}

net::awaitable<void> job_supervisor_actor::run() {
  for (;;) {
    auto [ec, message] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
    if (ec) break;
    if (auto* request = std::get_if<start_jobs>(&message)) {
      for (auto& job : request->jobs) start(std::move(job));
    } else if (auto* cancel = std::get_if<cancel_job>(&message)) {
      auto found = jobs_.find(cancel->job_id);
      // No live actor: the job is final (the caller has checked that it exists). An
      // actor that ends meanwhile drops the request, and the caller re-reads the job.
      if (found == jobs_.end())
        cancel->reply.set(cancel_reply{cancel_outcome::already_final, "the job has ended"});
      else
      {
        request_cancel forwarded{std::move(cancel->reply)};
        co_await found->second.ref.send(std::move(forwarded));
      }
    } else if (auto* update = std::get_if<update_providers>(&message)) {
      // Updated in place: job actors hold the services, and look providers up by name.
      for (auto& [name, provider] : update->providers) services_->providers.insert_or_assign(name, std::move(provider));
      for (auto& [name, link] : update->remote_providers)
        services_->remote_providers.insert_or_assign(name, std::move(link));
    } else if (auto* query = std::get_if<get_backlog>(&message)) {
      backlog answer;
      answer.total = jobs_.size();
      if (auto owner = per_owner_.find(query->owner); owner != per_owner_.end()) answer.of_owner = owner->second;
      query->reply.set(answer);
    } else {
      ended(std::get<job_ended>(message).job_id);
    }
  }
  for (auto& [id, job] : jobs_) job.ref.close();
  jobs_.clear();
  per_owner_.clear();
}

void job_supervisor_actor::ended(const std::string& job_id) {
  auto found = jobs_.find(job_id);
  if (found == jobs_.end()) return;
  auto owner = per_owner_.find(found->second.owner);
  if (owner != per_owner_.end() && --owner->second == 0) per_owner_.erase(owner);
  jobs_.erase(found);
}

void job_supervisor_actor::start(storage::job_row job) {
  if (jobs_.contains(job.id)) return;
  const auto owner = job.owner;
  auto actor = std::make_unique<job_actor>(executor_, std::move(job), services_);
  auto id = actor->id();
  jobs_.emplace(id, live_job{actor->ref(), owner});
  ++per_owner_[owner];
  tasks_.spawn("job " + id, job_actor::run(std::move(actor)), on_failure::contain);
}

}  // namespace qjob::actors
