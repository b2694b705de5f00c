#include "storage_actor.hpp"

#include "queued_runs.hpp"

#include "storage/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace qjob::actors {

namespace {

bool is_write(const storage_message& message) {
  return std::holds_alternative<insert_jobs>(message) || std::holds_alternative<record_run>(message);
}

bool is_batch_write(const storage_message& message) {
  return std::holds_alternative<insert_staged>(message) || std::holds_alternative<publish_batch>(message) ||
         std::holds_alternative<discard_batch>(message);
}

// Jobs of discarded batches deleted per transaction: small enough that a
// request waiting behind it is not held up long.
constexpr std::size_t discard_chunk_jobs = 2000;

constexpr const char* transactions_help =
    "Write transactions of the job store, by outcome (one serves every write waiting for it).";

std::shared_ptr<spdlog::logger> storage_log() {
  auto log = spdlog::get("storage");
  return log ? log : spdlog::default_logger()->clone("storage");
}

}  // namespace

storage_actor::storage_actor(net::any_io_executor executor, storage::job_store store,
                             std::shared_ptr<metrics::registry> metrics)
    : executor_(executor),
      mailbox_(std::make_shared<concurrent_mailbox<storage_message>>(executor, storage_mailbox_capacity)),
      store_(std::move(store)), log_(storage_log()), metrics_(metrics::registry_or_own(std::move(metrics))),
      commit_seconds_(metrics_->histograms("qjob_db_commit_duration_seconds",
                                           "Time of one write transaction of the job store, BEGIN to durable COMMIT.",
                                           {}, metrics::disk_seconds_buckets())
                          .with({})),
      committed_(metrics_->counters("qjob_db_transactions_total", transactions_help, {"outcome"}).with({"committed"})),
      failed_(metrics_->counters("qjob_db_transactions_total", transactions_help, {"outcome"}).with({"failed"})),
      writes_(metrics_->counters("qjob_db_writes_total",
                                 "Write requests (job inserts, run updates) served by committed transactions.")
                  .with({})) {}

net::awaitable<void> storage_actor::run() {
  std::vector<storage_message> batch;
  while (!closing_) {
    if (discard_pending_) {
      // Background work: requests first, a chunk of deletion when none waits.
      take_waiting(batch);
      if (batch.empty()) {
        delete_discarded_chunk();
        // Lets close() (posted here) run between chunks.
        co_await net::post(executor_, net::use_awaitable);
        continue;
      }
    } else {
      receiving_ = true;
      auto [ec, first] = co_await mailbox_->async_receive(net::as_tuple(net::use_awaitable));
      receiving_ = false;
      if (ec == net::error::operation_aborted && closing_) break;  // woken by close()
      if (ec) co_return;
      batch.push_back(std::move(first));
      take_waiting(batch);
    }
    serve(batch);
    batch.clear();
  }
  // Closing: serve everything still buffered, then refuse what comes after. A
  // request sent in between the last look and close() stays unanswered until the
  // mailbox is destroyed, when its promise wakes the requester with nullopt.
  for (take_waiting(batch); !batch.empty(); take_waiting(batch)) {
    serve(batch);
    batch.clear();
  }
  mailbox_->close();
}

void storage_actor::close() {
  // On the storage thread, between two turns of run(). Only a waiting receive is
  // cancelled: the mailbox is then empty, so no sender's wait is cut short.
  net::post(executor_, [this] {
    closing_ = true;
    if (receiving_) mailbox_->cancel();
  });
}

void storage_actor::take_waiting(std::vector<storage_message>& batch) {
  // Group commit: take everything already waiting, so one fsync serves them all.
  while (mailbox_->try_receive([&](boost::system::error_code, storage_message message) {
    batch.push_back(std::move(message));
  })) {
  }
}

void storage_actor::serve(std::vector<storage_message>& batch) {
  std::vector<storage_message*> writes;
  for (auto& message : batch)
    if (is_write(message)) writes.push_back(&message);
  if (!writes.empty()) commit_writes(writes);
  // In arrival order: a batch's chunks, then its publish or discard.
  for (auto& message : batch)
    if (is_batch_write(message)) serve_batch_write(message);
  // Reads after the commit, so a read sent after a write sees it.
  for (auto& message : batch)
    if (!is_write(message) && !is_batch_write(message)) serve_read(message);
}

void storage_actor::serve_batch_write(storage_message& message) {
  try {
    const auto began = std::chrono::steady_clock::now();
    if (auto* chunk = std::get_if<insert_staged>(&message)) {
      staged_reply reply;
      {
        storage::job_store::transaction txn(store_);
        if (chunk->first) store_.stage_batch(chunk->batch_id, chunk->owner, chunk->rows.front().created_at);
        queued_runs queued;
        for (std::size_t i = 0; i < chunk->rows.size(); ++i) {
          const auto outcome = store_.insert_job(chunk->rows[i]);
          if (outcome == storage::insert_outcome::inserted) queued.add(chunk->rows[i]);
          if (outcome == storage::insert_outcome::repeated) reply.repeated = i;
          if (outcome == storage::insert_outcome::conflict) reply.conflict = i;
          if (reply.repeated || reply.conflict) break;
        }
        // A refused chunk goes with the transaction's rollback, the batch's staging too when first.
        if (reply.repeated || reply.conflict) {
          reply.rows = std::move(chunk->rows);
          chunk->reply.set(std::move(reply));
          return;
        }
        txn.commit();
        reply.queued = queued.take();
      }
      writes_.inc(chunk->rows.size());
      reply.rows = std::move(chunk->rows);
      chunk->reply.set(std::move(reply));
    } else if (auto* publish = std::get_if<publish_batch>(&message)) {
      bool published = false;
      {
        storage::job_store::transaction txn(store_);
        published = store_.publish_batch(publish->batch_id);
        txn.commit();
      }
      write_ack ack;
      if (!published) ack.error = "batch " + publish->batch_id + " is not staged";
      publish->reply.set(std::move(ack));
    } else {
      auto& discard = std::get<discard_batch>(message);
      {
        storage::job_store::transaction txn(store_);
        store_.discard_batch(discard.batch_id);
        txn.commit();
      }
      discard_pending_ = true;
      discard.reply.set(write_ack{});
    }
    commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
    committed_.inc();
  } catch (const storage::storage_error& e) {
    failed_.inc();
    log_->error("write failed: {}", e.what());
    const write_ack ack{e.what(), e.disk_full()};
    std::visit(
        [&](auto& request) {
          using request_type = std::decay_t<decltype(request)>;
          if constexpr (std::is_same_v<request_type, insert_staged>) {
            staged_reply reply;
            reply.ack = ack;
            reply.rows = std::move(request.rows);
            request.reply.set(std::move(reply));
          } else if constexpr (std::is_same_v<request_type, publish_batch> ||
                               std::is_same_v<request_type, discard_batch>) {
            request.reply.set(ack);
          }
        },
        message);
  }
}

void storage_actor::delete_discarded_chunk() {
  try {
    const auto deleted = store_.delete_discarded(discard_chunk_jobs);
    discard_pending_ = deleted > 0;
  } catch (const storage::storage_error& e) {
    // Left for the next discard or start: the jobs stay invisible meanwhile.
    log_->error("deleting discarded batches failed: {}", e.what());
    discard_pending_ = false;
  }
}

void storage_actor::commit_writes(std::vector<storage_message*>& writes) {
  try {
    const auto began = std::chrono::steady_clock::now();
    storage::job_store::transaction txn(store_);
    for (auto* message : writes) apply_write(*message);
    txn.commit();
    commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
    committed_.inc();
    writes_.inc(writes.size());
  } catch (const storage::storage_error& e) {
    failed_.inc();
    if (writes.size() > 1) {
      // One bad write must not fail the others grouped with it: retry each alone.
      for (auto* message : writes) {
        std::vector<storage_message*> single{message};
        commit_writes(single);
      }
      return;
    }
    staged_inserts_.clear();
    log_->error("write failed: {}", e.what());
    answer_write(*writes.front(), write_ack{e.what(), e.disk_full()});
    return;
  }
  for (auto* message : writes) answer_write(*message, write_ack{});
  staged_inserts_.clear();
}

void storage_actor::apply_write(storage_message& message) {
  if (auto* insert = std::get_if<insert_jobs>(&message)) {
    // All or nothing: look for a conflicting id before inserting any row, in the
    // store and among the request's own earlier rows (a repeated id).
    std::unordered_map<std::string_view, std::string_view> earlier;
    for (std::size_t i = 0; i < insert->rows.size(); ++i) {
      const auto& row = insert->rows[i];
      auto [repeated, first_time] = earlier.try_emplace(row.id, row.fingerprint);
      auto existing = first_time ? store_.find_fingerprint(row.id) : std::optional<std::string>(repeated->second);
      if (existing && *existing != row.fingerprint) {
        insert_reply reply;
        reply.conflict = i;
        insert->reply.set(std::move(reply));
        return;
      }
    }
    auto& inserted = staged_inserts_[insert];
    inserted.clear();
    for (auto& row : insert->rows)
      inserted.push_back(store_.insert_job(row) == storage::insert_outcome::inserted);
    return;
  }
  auto& record = std::get<record_run>(message);
  if (record.result_json) record.run.output_uri = store_.write_result(record.job_id, *record.result_json);
  store_.update_run(record.job_id, record.run, record.is_transition, record.at);
}

void storage_actor::answer_write(storage_message& message, const write_ack& ack) {
  if (auto* insert = std::get_if<insert_jobs>(&message)) {
    insert_reply reply;
    reply.ack = ack;
    if (ack.ok()) {
      reply.inserted = std::move(staged_inserts_[insert]);
      reply.rows = std::move(insert->rows);
    }
    insert->reply.set(std::move(reply));  // no-op when a conflict was already answered
    return;
  }
  std::get<record_run>(message).reply.set(ack);
}

void storage_actor::serve_read(storage_message& message) {
  try {
    std::visit(
        [&](auto& request) {
          using request_type = std::decay_t<decltype(request)>;
          if constexpr (std::is_same_v<request_type, get_job>) {
            job_view view;
            view.job = store_.get_job(request.id, request.with_input);
            if (view.job && request.with_history) view.history = store_.history(request.id);
            request.reply.set(std::move(view));
          } else if constexpr (std::is_same_v<request_type, list_jobs>) {
            request.reply.set(store_.list_jobs(request.filter, request.limit, request.cursor));
          } else if constexpr (std::is_same_v<request_type, count_batch>) {
            request.reply.set(store_.count_batch(request.batch_id, request.owner));
          } else if constexpr (std::is_same_v<request_type, list_batch_unfinished>) {
            std::vector<std::int64_t> seqs;
            for (auto status : {storage::job_status::waiting, storage::job_status::executing}) {
              storage::job_filter filter;
              filter.owner = request.owner;
              filter.batch_id = request.batch_id;
              filter.status = status;
              std::optional<std::int64_t> cursor;
              do {
                auto page = store_.list_jobs(filter, 1000, cursor);
                for (const auto& job : page.jobs) seqs.push_back(job.seq);
                cursor = page.next;
              } while (cursor);
            }
            request.reply.set(std::move(seqs));
          } else if constexpr (std::is_same_v<request_type, load_jobs>) {
            request.reply.set(store_.get_jobs(request.seqs));
          } else if constexpr (std::is_same_v<request_type, load_unfinished>) {
            request.reply.set(store_.load_unfinished(request.after, request.limit));
          } else if constexpr (std::is_same_v<request_type, read_result>) {
            request.reply.set(store_.read_result(request.job_id));
          } else if constexpr (std::is_same_v<request_type, count_by_status>) {
            request.reply.set(store_.count_by_status());
          } else if constexpr (std::is_same_v<request_type, read_events>) {
            read_events::events answer;
            if (request.after < 0) {
              answer.end = store_.latest_event();
            } else {
              answer.rows = store_.events_after(request.after, request.filter, request.limit);
              answer.end = answer.rows.empty() ? request.after : answer.rows.back().seq;
            }
            request.reply.set(std::move(answer));
          } else if constexpr (std::is_same_v<request_type, purge_finished>) {
            request.reply.set(store_.purge_finished_before(request.cutoff, request.limit));
          }
        },
        message);
  } catch (const storage::storage_error& e) {
    // The request's promise is dropped unanswered: its requester sees nullopt.
    log_->error("read failed: {}", e.what());
  }
}

}  // namespace qjob::actors
