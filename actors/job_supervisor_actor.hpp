#pragma once

#include "job_actor.hpp"
#include "job_supervisor_protocol.hpp"
#include "queued_runs.hpp"
#include "runtime/supervisor.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace qjob::actors {

/// Gives jobs their actors and routes messages to them by seq. Runs on the I/O
/// thread.
///
/// A job waiting in the scheduler's queue has no actor (it costs the scheduler
/// 8 bytes); it gets one, like a virtual actor, when a message comes for it (a
/// slot granted, a cancel): its row is read from the store and the messages that
/// came meanwhile are delivered in order. An actor lives until its job is final,
/// or parks while its job is watched at a remote provider (the poller's words
/// then come here first). Jobs found at start-up possibly at their provider get
/// an actor at once, and their slot back; those whose provider is not configured
/// are stranded (no actor, not queued) until a reload brings it back.
///
/// A remote provider's grants are paced: at most its `max_submitting` jobs
/// granted a slot have an actor until they are at the provider (parked) or
/// final; the rest keep their slot and wait here as a seq. A hundred thousand
/// jobs admitted at once would otherwise all hold an actor and a request body
/// while the provider's request rate sends them one by one.
///
/// The poller's words on parked jobs are paced too: at most
/// max_word_activations of those jobs are activated at once, the other words
/// wait in order.
///
/// It also counts the jobs not yet final, per owner, for the API's backpressure.
/// On close it closes every job actor's mailbox, so each ends where it is and
/// resumes at the next start.
class job_supervisor_actor {
public:
  /// `services.supervisor` is filled in with this actor's ref.
  job_supervisor_actor(net::any_io_executor executor, supervisor& tasks, job_services services);

  job_supervisor_ref ref() const { return job_supervisor_ref(mailbox_); }
  net::awaitable<void> run();
  void close() { mailbox_->close(); }

private:
  net::awaitable<void> queue(std::vector<queued_run> runs);
  net::awaitable<void> resume(resume_jobs& page);
  /// A reload configured `provider` (again): its stranded jobs are activated to
  /// resume as at start-up.
  void resume_stranded(const std::string& provider);
  /// Hands `message` to the job's actor, or activates one for it.
  net::awaitable<void> deliver(std::int64_t seq, job_message message);
  /// Keeps `message` for the job's actor, activated once its row has been read.
  /// A poller's word `may_wait` for a place among max_word_activations.
  void hold_for_activation(std::int64_t seq, job_message message, bool may_wait = false);
  /// Asks for the rows of the deferred words that fit in max_word_activations.
  void open_deferred_words();
  /// Grants of a remote provider wait in its submission window.
  net::awaitable<void> admit(jobs_admitted& admitted);
  /// Activates the waiting grants that fit in their providers' windows.
  void open_windows();
  /// A granted job of a window gets its actor: the grant joins what is held for it.
  void open_grant(std::int64_t seq);
  /// The actor started for a window's grant has parked, ended, or given its
  /// slot back to try again later (it waits for its next grant outside the window).
  void close_grant(std::int64_t seq);
  /// The job's actor (or its activation) has ended: it no longer counts in a
  /// submission window or among the words' activations.
  void leave_paced_places(std::int64_t seq);
  /// Returns a slot of `provider` granted to a job that will not use it.
  void give_back(const std::string& provider);
  /// Starts the actors whose rows have been read; answers for jobs that have ended.
  net::awaitable<void> activate(jobs_loaded& loaded);
  void start(storage::job_row job, job_actor::start_reason reason, std::vector<job_message> first_messages);
  void ended(const job_ended& end);
  /// Reads the rows of the jobs waiting for activation (in the background; the
  /// answer comes back as jobs_loaded).
  void load_pending();
  /// Answers a message for a job that has ended or is gone.
  void refuse(job_message& message);
  void count_unfinished(std::uint32_t owner, std::size_t added);
  /// Gives freed memory back to the system once many actors have ended.
  void trim_after_burst();

  net::any_io_executor executor_;
  supervisor& tasks_;
  std::shared_ptr<mailbox<job_supervisor_message>> mailbox_;
  // Shared with every job actor, which reads it on this thread; only this actor changes it.
  std::shared_ptr<job_services> services_;
  struct live_job {
    job_ref ref;
    std::uint64_t incarnation = 0;
  };
  std::unordered_map<std::int64_t, live_job> live_;
  std::uint64_t next_incarnation_ = 1;
  std::size_t live_peak_ = 0;  // the most live actors since the last trim
  /// Jobs to activate, with the messages that came for them until their rows are read.
  struct activation {
    std::vector<job_message> messages;
    bool asked = false;  // its row is asked for; otherwise it is among the deferred words
    bool at_provider = false;  // stranded, its provider back: resumed as at start-up
  };
  std::unordered_map<std::int64_t, activation> activating_;
  std::vector<std::int64_t> to_load_;  // asked for, not yet read
  /// Parked jobs the poller spoke of, in order: at most max_word_activations of
  /// them have an actor at once. One list page can change a hundred thousand
  /// jobs; their words wait here as messages rather than as actors.
  std::deque<std::int64_t> deferred_words_;
  std::unordered_set<std::int64_t> word_activated_;  // activated for a word, not yet ended
  /// A remote provider's jobs granted a slot that wait for an actor, in grant
  /// order; a seq activated early (a cancel came) is skipped.
  struct submission_window {
    std::string provider;
    std::deque<std::int64_t> waiting;
    std::size_t open = 0;  // activated for their grant, not yet parked or ended
  };
  std::unordered_map<std::string, submission_window> windows_;
  struct windowed_grant {
    submission_window* window = nullptr;
    bool open = false;
  };
  std::unordered_map<std::int64_t, windowed_grant> windowed_;  // by seq, until open and then closed
  std::shared_ptr<metrics::registry> metrics_;
  metrics::gauge& actors_gauge_;  // live_.size(), published
  queued_runs resumed_;  // queued jobs of the start-up pages so far
  /// Jobs found at start-up at their provider (sent, or maybe sent) while it was
  /// not configured, by seq: the provider's name. They hold no slot and are not
  /// queued (sending them again could run them twice); a cancel ends them here.
  std::unordered_map<std::int64_t, std::string> stranded_;
  std::size_t unfinished_ = 0;
  std::unordered_map<std::uint32_t, std::size_t> unfinished_per_owner_;
};

}  // namespace qjob::actors
