#include "commands.hpp"

#include "help_examples.hpp"
#include "http_client.hpp"
#include "job_spec.hpp"
#include "render.hpp"
#include "socket_path.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace qjob::cli {

namespace json = boost::json;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_job_failed = 1;
constexpr int exit_error = 2;
constexpr int exit_interrupted = 130;  // as a shell reports a process ended by SIGINT

// How long one `?wait=` request holds; the read timeout adds a margin so that the
// daemon's own "not final yet" answer always arrives before we give up.
constexpr int wait_seconds = 30;
constexpr std::chrono::seconds wait_timeout{wait_seconds + 15};
constexpr std::chrono::seconds request_timeout{30};
// Batches of many thousand jobs are answered only once all rows are committed.
constexpr std::chrono::seconds submit_timeout{120};
constexpr std::chrono::milliseconds batch_poll_interval{500};
// When stdout is not a terminal, a progress line every half second would flood a log.
constexpr std::chrono::seconds plain_progress_interval{5};
// A daemon that answers "not final" at once instead of holding the request would
// otherwise be polled in a tight loop.
constexpr std::chrono::seconds min_wait_round{1};
constexpr std::int64_t list_all_page_size = 500;

/// Everything parsed from the command line.
struct options {
    std::string socket;
    bool json = false;

    std::string file;
    job_overrides overrides;
    bool wait = false;

    std::string id;
    bool history = false;
    bool no_wait = false;

    std::string status;
    std::string provider;
    std::string target;
    std::string batch;
    std::string name;
    std::string tag;
    std::int64_t limit = 50;
    bool all = false;
    std::string after;  // watch: the event id to resume after
    std::string format = "ndjson";  // results: ndjson or csv
};

int report(std::string const& message) {
    std::cerr << "qjobctl: " << message << '\n';
    return exit_error;
}

int report(failure const& f) {
    return report(f.message);
}

/// A 2xx answer of the daemon, parsed.
cli_result<json::value> parse_ok(cli_result<http_reply> reply) {
    if (!reply) {
        return reply.error();
    }
    if (reply->status / 100 != 2) {
        return failure{describe_api_error(reply->status, reply->body)};
    }
    boost::system::error_code ec;
    json::value body = json::parse(reply->body, ec);
    if (ec) {
        return failure{"qjobd sent a reply that is not JSON (" + ec.message() + ")"};
    }
    return body;
}

cli_result<json::object> parse_ok_object(cli_result<http_reply> reply) {
    auto body = parse_ok(std::move(reply));
    if (!body) {
        return body.error();
    }
    if (!body->is_object()) {
        return failure{"qjobd sent a reply that is not a JSON object"};
    }
    return std::move(body->as_object());
}

cli_result<std::string> read_source(std::string const& file) {
    if (file == "-") {
        return {boost::system::in_place_value, std::istreambuf_iterator<char>{std::cin},
                std::istreambuf_iterator<char>{}};
    }
    std::ifstream in{file, std::ios::binary};
    if (!in) {
        return failure{"cannot read " + file + ": " + std::strerror(errno)};
    }
    std::ostringstream content;
    content << in.rdbuf();
    return {boost::system::in_place_value, content.str()};
}

std::string source_name(std::string const& file) {
    return file == "-" ? std::string{"stdin"} : file;
}

std::string job_path(std::string const& id) {
    return "/v1/jobs/" + percent_encode(id);
}

bool job_failed(json::object const& job) {
    std::string const status = cell_text(job, "status");
    return status == "failed" || status == "cancelled";
}

/// Tells why job `id` has no result: its error, or that it was cancelled.
int report_unsuccessful(http_client& client, std::string const& id) {
    auto job = parse_ok_object(client.get(job_path(id), request_timeout));
    if (!job) {
        return report(job.error());
    }
    std::string const status = cell_text(*job, "status");
    if (auto const* error = job->if_contains("error"); error != nullptr && error->is_object()) {
        std::cerr << "qjobctl: job " << id << " " << status << ": " << cell_text(error->get_object(), "code") << ": "
                  << cell_text(error->get_object(), "message") << '\n';
    } else {
        std::cerr << "qjobctl: job " << id << " " << (status == "cancelled" ? "was cancelled" : status) << '\n';
    }
    return exit_job_failed;
}

/// Fetches and prints the result of job `id`, holding until it is final unless
/// `no_wait`, as pyqpanda3's QCloudJob.result() does.
int print_result(http_client& client, std::string const& id, bool no_wait, bool as_json) {
    std::string const target = job_path(id) + "/result" + (no_wait ? "" : "?wait=" + std::to_string(wait_seconds));
    for (;;) {
        auto const started = std::chrono::steady_clock::now();
        auto reply = client.get(target, no_wait ? request_timeout : wait_timeout);
        if (!reply) {
            return report(reply.error());
        }
        if (reply->status == 409) {
            std::string const code = api_error_code(reply->body);
            if (code == "job_failed" || code == "job_cancelled") {
                return report_unsuccessful(client, id);
            }
            if (code == "not_final") {
                if (!no_wait) {
                    if (std::chrono::steady_clock::now() - started < min_wait_round) {
                        std::this_thread::sleep_for(min_wait_round);
                    }
                    continue;
                }
                auto job = parse_ok_object(client.get(job_path(id), request_timeout));
                if (!job) {
                    return report(job.error());
                }
                std::cerr << "qjobctl: job " << id << " is still " << cell_text(*job, "status") << '\n';
                return exit_job_failed;
            }
        }
        auto result = parse_ok_object(std::move(reply));
        if (!result) {
            return report(result.error());
        }
        std::cout << (as_json ? pretty_json(*result) : render_results(*result));
        return exit_ok;
    }
}

// Set by SIGINT while a batch is followed: qjobctl stops following, the batch runs on.
volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_interrupt(int) { interrupted = 1; }

/// Lets Ctrl-C end the wait instead of the process, for as long as it lives.
class interrupt_guard {
public:
    interrupt_guard() {
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        ::sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &previous_);
        interrupted = 0;
    }
    interrupt_guard(interrupt_guard const&) = delete;
    interrupt_guard& operator=(interrupt_guard const&) = delete;
    ~interrupt_guard() { ::sigaction(SIGINT, &previous_, nullptr); }

private:
    struct sigaction previous_ {};
};

std::int64_t done_jobs(json::object const& batch) {
    auto const* counts = batch.if_contains("counts");
    std::int64_t done = 0;
    if (counts != nullptr && counts->is_object()) {
        for (char const* state : {"succeeded", "failed", "cancelled"}) {
            if (auto const* n = counts->get_object().if_contains(state); n != nullptr && n->is_int64()) {
                done += n->get_int64();
            }
        }
    }
    return done;
}

/// Polls batch `id` until none of its jobs is waiting or executing, showing the
/// counts, the rate and the time left: a bar rewritten in place on a terminal,
/// else a line now and then. Ctrl-C stops following and says how to come back;
/// the batch runs on.
int follow_batch(http_client& client, std::string const& id, bool as_json) {
    bool const tty = ::isatty(STDOUT_FILENO) == 1;
    interrupt_guard guard;
    std::string last_line;
    auto last_print = std::chrono::steady_clock::time_point{};
    auto const started = std::chrono::steady_clock::now();
    std::optional<std::int64_t> done_at_start;
    for (;;) {
        auto batch = parse_ok_object(client.get("/v1/batches/" + percent_encode(id), request_timeout));
        if (!batch) {
            if (tty && !last_line.empty()) {
                std::cout << '\n';
            }
            return report(batch.error());
        }
        bool const final = batch_is_final(*batch);
        if (!as_json) {
            auto const now = std::chrono::steady_clock::now();
            auto const done = done_jobs(*batch);
            if (!done_at_start) done_at_start = done;
            double const elapsed = std::chrono::duration<double>(now - started).count();
            std::optional<double> rate;
            if (elapsed >= 1 && done > *done_at_start) rate = static_cast<double>(done - *done_at_start) / elapsed;
            std::string const line = render_batch_progress(*batch, tty ? 30 : 0, rate);
            if (tty) {
                // Carriage return, then erase what a longer previous line left behind.
                std::cout << '\r' << line << "\x1b[K" << (final ? "\n" : "") << std::flush;
            } else if (final || (line != last_line && now - last_print >= plain_progress_interval)) {
                std::cout << line << '\n' << std::flush;
                last_print = now;
            }
            last_line = line;
        }
        if (final) {
            if (as_json) {
                std::cout << pretty_json(*batch);
            }
            return batch_has_failures(*batch) ? exit_job_failed : exit_ok;
        }
        for (auto waited = std::chrono::milliseconds(0); waited < batch_poll_interval && !interrupted;
             waited += std::chrono::milliseconds(50)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (interrupted) {
            if (tty && !last_line.empty()) {
                std::cout << '\n';
            }
            std::cerr << "qjobctl: stopped following; batch " << id
                      << " runs on. Follow it again with: qjobctl batch status " << id << " --wait\n";
            return exit_interrupted;
        }
    }
}

int submit(http_client& client, options const& opts) {
    auto content = read_source(opts.file);
    if (!content) {
        return report(content.error());
    }
    auto job = read_job(*content, source_name(opts.file));
    if (!job) {
        return report(job.error());
    }
    auto request = apply_overrides(std::move(*job), opts.overrides);
    if (!request) {
        return report(request.error());
    }
    auto created =
        parse_ok_object(client.post("/v1/jobs", json::serialize(*request), "application/json", submit_timeout));
    if (!created) {
        return report(created.error());
    }
    std::string const id = cell_text(*created, "id");
    if (opts.json && !opts.wait) {
        std::cout << pretty_json(*created);
        return exit_ok;
    }
    if (!opts.json) {
        // The id alone on stdout, so that `id=$(qjobctl submit f)` works; the rest is for people.
        std::cout << id << '\n' << std::flush;
        std::string summary = "submitted to " + cell_text(*created, "provider") + "/" +
                              cell_text(*created, "target") + ", " + cell_text(*created, "shots") + " shots: " +
                              cell_text(*created, "status");
        if (created->contains("queue_position")) {
            summary += " (queue position " + cell_text(*created, "queue_position") + ")";
        }
        std::cerr << summary << '\n';
    }
    return opts.wait ? print_result(client, id, false, opts.json) : exit_ok;
}

int submit_batch(http_client& client, options const& opts) {
    // Read and sent line by line, never whole: a batch file may hold a million jobs.
    std::ifstream file;
    if (opts.file != "-") {
        file.open(opts.file, std::ios::binary);
        if (!file) {
            return report(failure{"cannot read " + opts.file + ": " + std::strerror(errno)});
        }
    }
    std::istream& in = opts.file == "-" ? std::cin : file;
    std::string const source = source_name(opts.file);
    std::size_t line_number = 0;
    std::size_t jobs = 0;
    auto next_piece = [&]() -> cli_result<std::string> {
        constexpr std::size_t piece_bytes = 64 << 10;
        std::string piece;
        std::string line;
        while (piece.size() < piece_bytes && std::getline(in, line)) {
            ++line_number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            auto converted = batch_line(line, source + ":" + std::to_string(line_number));
            if (!converted) {
                return converted.error();
            }
            piece += *converted;
            ++jobs;
        }
        if (piece.empty() && jobs == 0) {
            return failure{source + ": no jobs, expected one job object per line"};
        }
        return {boost::system::in_place_value, std::move(piece)};
    };
    auto created = parse_ok_object(
        client.post_streamed("/v1/batches", "application/x-ndjson", next_piece, submit_timeout));
    if (!created) {
        return report(created.error());
    }
    std::string const id = cell_text(*created, "batch_id");
    if (opts.json && !opts.wait) {
        std::cout << pretty_json(*created);
        return exit_ok;
    }
    if (!opts.json) {
        std::cout << id << '\n' << std::flush;
        std::cerr << "submitted " << cell_text(*created, "count") << " jobs\n";
    }
    return opts.wait ? follow_batch(client, id, opts.json) : exit_ok;
}

int batch_status(http_client& client, options const& opts) {
    if (opts.wait) {
        return follow_batch(client, opts.id, opts.json);
    }
    auto batch = parse_ok_object(client.get("/v1/batches/" + percent_encode(opts.id), request_timeout));
    if (!batch) {
        return report(batch.error());
    }
    std::cout << (opts.json ? pretty_json(*batch)
                            : "batch " + cell_text(*batch, "batch_id") + ": " + render_batch_progress(*batch) + "\n");
    return batch_has_failures(*batch) ? exit_job_failed : exit_ok;
}

int batch_cancel(http_client& client, options const& opts) {
    auto answer =
        parse_ok_object(client.post("/v1/batches/" + percent_encode(opts.id) + "/cancel", "", "application/json",
                                    request_timeout));
    if (!answer) {
        return report(answer.error());
    }
    std::cout << (opts.json ? pretty_json(*answer)
                            : "cancel requested for " + cell_text(*answer, "cancel_requested") + " jobs of batch " +
                                  cell_text(*answer, "batch_id") + "\n");
    return exit_ok;
}

int status(http_client& client, options const& opts) {
    auto job = parse_ok_object(
        client.get(job_path(opts.id) + (opts.history ? "?history=1" : ""), request_timeout));
    if (!job) {
        return report(job.error());
    }
    std::cout << (opts.json ? pretty_json(*job) : render_job(*job));
    return job_failed(*job) ? exit_job_failed : exit_ok;
}

int query(http_client& client, options const& opts) {
    auto job = parse_ok_object(client.get(job_path(opts.id) + "?history=1", request_timeout));
    if (!job) {
        return report(job.error());
    }
    if (!opts.json) {
        std::cout << render_provider_view(*job);
        return exit_ok;
    }
    json::object view;
    for (const char* key : {"id", "status", "provider", "target", "provider_job_id", "provider_status", "usage", "error",
                            "submitted_at", "started_at", "finished_at", "history"}) {
        if (auto const* value = job->if_contains(key)) {
            view[key] = *value;
        }
    }
    std::cout << pretty_json(view);
    return exit_ok;
}

int list(http_client& client, options const& opts, bool limit_given) {
    std::string query;
    auto add = [&query](char const* key, std::string const& value) {
        if (!value.empty()) {
            query += (query.empty() ? "?" : "&") + std::string{key} + "=" + percent_encode(value);
        }
    };
    add("status", opts.status);
    add("provider", opts.provider);
    add("target", opts.target);
    add("batch", opts.batch);
    add("name", opts.name);
    add("tag", opts.tag);
    add("limit", std::to_string(opts.all && !limit_given ? list_all_page_size : opts.limit));

    json::array jobs;
    std::string cursor;
    bool more = false;
    do {
        std::string target = "/v1/jobs" + query;
        if (!cursor.empty()) {
            target += "&cursor=" + percent_encode(cursor);
        }
        auto page = parse_ok_object(client.get(target, request_timeout));
        if (!page) {
            return report(page.error());
        }
        if (auto* page_jobs = page->if_contains("jobs"); page_jobs != nullptr && page_jobs->is_array()) {
            for (auto& job : page_jobs->as_array()) {
                jobs.push_back(std::move(job));
            }
        }
        auto const* next = page->if_contains("next_cursor");
        more = next != nullptr && next->is_string() && !next->get_string().empty();
        cursor = more ? std::string{next->get_string()} : std::string{};
    } while (more && opts.all);

    std::cout << (opts.json ? pretty_json(jobs) : render_job_list(jobs));
    if (more) {
        std::cerr << "(more jobs: --all lists every page)\n";
    }
    return exit_ok;
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string{text};
    }
    std::string quoted = "\"";
    for (char c : text) {
        quoted += c;
        if (c == '"') quoted += '"';
    }
    return quoted + "\"";
}

std::string text_field(json::object const& object, std::string_view key) {
    auto const* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string{value->get_string()} : std::string{};
}

/// The CSV rows of one job: an outcome a row for a succeeded job, one row with
/// the state (and the error) for the others.
void print_csv_rows(std::string const& id, std::string const& status, json::object const* result,
                    std::string const& error) {
    auto const* circuits = result != nullptr ? result->if_contains("results") : nullptr;
    if (circuits == nullptr || !circuits->is_array()) {
        std::cout << csv_field(id) << ',' << status << ",,,,," << csv_field(error) << '\n';
        return;
    }
    for (std::size_t i = 0; i < circuits->get_array().size(); ++i) {
        auto const& circuit = circuits->get_array()[i];
        if (!circuit.is_object()) continue;
        auto const* counts = circuit.get_object().if_contains("counts");
        auto const* probabilities = circuit.get_object().if_contains("probabilities");
        std::map<std::string, std::pair<std::string, std::string>> outcomes;  // outcome -> count, probability
        if (counts != nullptr && counts->is_object()) {
            for (auto const& [bits, count] : counts->get_object()) outcomes[std::string{bits}].first = json::serialize(count);
        }
        if (probabilities != nullptr && probabilities->is_object()) {
            for (auto const& [bits, p] : probabilities->get_object()) outcomes[std::string{bits}].second = json::serialize(p);
        }
        for (auto const& [bits, values] : outcomes) {
            std::cout << csv_field(id) << ',' << status << ',' << i << ',' << bits << ',' << values.first << ','
                      << values.second << ",\n";
        }
    }
}

/// Every job's results of a batch, oldest job first: one JSON object a line
/// (`{"id", "status", "results"}`, or `"error"` for a job that did not succeed),
/// or CSV with a row per outcome. Exits 1 when a job did not succeed.
int export_results(http_client& client, options const& opts) {
    if (opts.format != "ndjson" && opts.format != "csv") {
        return report("--format takes ndjson or csv, not '" + opts.format + "'");
    }
    struct listed_job {
        std::string id;
        std::string status;
        std::string error;
    };
    std::vector<listed_job> jobs;
    std::string cursor;
    for (;;) {
        std::string target = "/v1/jobs?batch=" + percent_encode(opts.batch) + "&limit=" + std::to_string(list_all_page_size);
        if (!cursor.empty()) target += "&cursor=" + percent_encode(cursor);
        auto page = parse_ok_object(client.get(target, request_timeout));
        if (!page) return report(page.error());
        if (auto* page_jobs = page->if_contains("jobs"); page_jobs != nullptr && page_jobs->is_array()) {
            for (auto const& item : page_jobs->get_array()) {
                if (!item.is_object()) continue;
                auto const& job = item.get_object();
                listed_job entry{text_field(job, "id"), text_field(job, "status"), ""};
                if (auto const* error = job.if_contains("error"); error != nullptr && error->is_object()) {
                    entry.error = text_field(error->get_object(), "code") + ": " + text_field(error->get_object(), "message");
                }
                jobs.push_back(std::move(entry));
            }
        }
        auto const* next = page->if_contains("next_cursor");
        if (next == nullptr || !next->is_string() || next->get_string().empty()) break;
        cursor = std::string{next->get_string()};
    }
    if (jobs.empty()) {
        return report("batch '" + opts.batch + "' not found (not_found)");
    }
    std::reverse(jobs.begin(), jobs.end());  // listed newest first
    if (opts.format == "csv") {
        std::cout << "job_id,status,circuit,outcome,count,probability,error\n";
    }
    bool all_succeeded = true;
    for (auto const& job : jobs) {
        std::optional<json::object> result;
        if (job.status == "succeeded") {
            auto got = parse_ok_object(client.get(job_path(job.id) + "/result", request_timeout));
            if (!got) return report(got.error());
            result = std::move(*got);
        } else {
            all_succeeded = false;
        }
        if (opts.format == "csv") {
            print_csv_rows(job.id, job.status, result ? &*result : nullptr, job.error);
            continue;
        }
        json::object line{{"id", job.id}, {"status", job.status}};
        if (result) {
            line["results"] = std::move((*result)["results"]);
        } else if (!job.error.empty()) {
            line["error"] = job.error;
        }
        std::cout << json::serialize(line) << '\n';
    }
    std::cout << std::flush;
    return all_succeeded ? exit_ok : exit_job_failed;
}

int cancel(http_client& client, options const& opts) {
    auto job = parse_ok_object(client.post(job_path(opts.id) + "/cancel", "", "application/json", request_timeout));
    if (!job) {
        return report(job.error());
    }
    std::cout << (opts.json ? pretty_json(*job)
                            : "cancel requested for job " + cell_text(*job, "id") + " (" + cell_text(*job, "status") +
                                  ")\n");
    return exit_ok;
}

bool is_final_word(std::string_view status) {
    return status == "succeeded" || status == "failed" || status == "cancelled";
}

/// Prints the event stream, one line per state change (`--json`: each event's
/// data with its id, one JSON object a line). Following one job, it ends once
/// the job is final; otherwise when interrupted or when qjobd goes.
int watch(http_client& client, options const& opts) {
    std::string target = "/v1/events";
    if (!opts.id.empty()) {
        target += "?job=" + percent_encode(opts.id);
    } else if (!opts.batch.empty()) {
        target += "?batch=" + percent_encode(opts.batch);
    }
    std::string pending;
    bool job_final = false;
    auto print_events = [&](std::string_view data) {
        pending.append(data);
        for (std::size_t end; (end = pending.find("\n\n")) != std::string::npos;) {
            const std::string event = pending.substr(0, end);
            pending.erase(0, end + 2);
            std::string id;
            std::string payload;
            for (std::size_t line = 0; line < event.size();) {
                const auto next = std::min(event.find('\n', line), event.size());
                const std::string_view text(event.data() + line, next - line);
                if (text.starts_with("id: ")) id = text.substr(4);
                if (text.starts_with("data: ")) payload = text.substr(6);
                line = next + 1;
            }
            if (payload.empty()) continue;  // a keep-alive comment
            boost::system::error_code ec;
            auto parsed = json::parse(payload, ec);
            if (ec || !parsed.is_object()) continue;
            auto& fields = parsed.as_object();
            auto text_of = [&fields](std::string_view key) {
                const auto* value = fields.if_contains(key);
                return value && value->is_string() ? std::string(value->get_string()) : std::string();
            };
            const std::string status = text_of("status");
            if (opts.json) {
                fields["id"] = std::strtoll(id.c_str(), nullptr, 10);
                std::cout << json::serialize(fields) << std::endl;
            } else {
                std::cout << text_of("at") << "  " << text_of("job_id") << "  " << status;
                const auto word = text_of("provider_status");
                if (!word.empty() && word != status) {
                    std::cout << " (" << word << ")";
                }
                std::cout << std::endl;
            }
            if (!opts.id.empty() && is_final_word(status)) job_final = true;
        }
        return !job_final;
    };
    auto reply = client.stream(target, opts.after, print_events, std::chrono::seconds(60));
    if (!reply) {
        return report(reply.error());
    }
    if (reply->status != 200) {
        return report(describe_api_error(reply->status, reply->body));
    }
    return exit_ok;
}

int show(http_client& client, char const* path, bool as_json, std::string (*render)(json::object const&)) {
    auto answer = parse_ok_object(client.get(path, request_timeout));
    if (!answer) {
        return report(answer.error());
    }
    std::cout << (as_json ? pretty_json(*answer) : render(*answer));
    return exit_ok;
}

}  // namespace

int run_qjobctl(int argc, char** argv) {
    options opts;
    CLI::App app{"qjobctl: submit quantum jobs to qjobd and follow them", "qjobctl"};
    app.require_subcommand(1);
    // Lets the global options follow the command, as in `qjobctl status ID --json`.
    app.fallthrough();
    app.add_option("--socket", opts.socket,
                   "qjobd's socket (default: $XDG_RUNTIME_DIR/qjobd.sock if it exists, else /run/qjobd/qjobd.sock)")
        ->envname("QJOBD_SOCKET");
    app.add_flag("--json", opts.json,
                 "print the daemon's JSON answer instead of text (list: a JSON array of the jobs)");

    auto* submit_cmd = app.add_subcommand("submit", "submit one job and print its id");
    submit_cmd
        ->add_option("FILE", opts.file,
                     "a job object (JSON with an \"input\" key), a bare circuit (JSON object or array) or QASM "
                     "text; - reads stdin")
        ->required();
    submit_cmd->add_option("--id", opts.overrides.id, "the job id (a retry with the same id and content is safe)");
    submit_cmd->add_option("--name", opts.overrides.name, "the job name");
    submit_cmd->add_option("--provider", opts.overrides.provider, "the provider (default: the daemon's)");
    submit_cmd->add_option("--target", opts.overrides.target, "the provider's target (default: its default)");
    submit_cmd->add_option("--shots", opts.overrides.shots, "shots (default 1000)")->check(CLI::PositiveNumber);
    submit_cmd->add_option("--priority", opts.overrides.priority, "0-9, higher first (default 5)")
        ->check(CLI::Range(0, 9));
    submit_cmd->add_option("--tag", opts.overrides.tags, "a tag (repeatable; replaces the file's tags)")
        ->allow_extra_args(false);
    submit_cmd->add_option("--seed", opts.overrides.seed, "the simulator seed (params.seed)");
    submit_cmd->add_option("--format", opts.overrides.input_format, "the input format (ionq.circuit.v0 or qasm2)");
    submit_cmd->add_flag("--wait", opts.wait, "wait until the job is final and print its result");

    auto* batch_cmd = app.add_subcommand("batch", "submit an NDJSON file of jobs as one batch, or see a batch");
    batch_cmd->require_subcommand(0, 1);
    batch_cmd->add_option("FILE", opts.file, "one job object per line; - reads stdin");
    batch_cmd->add_flag("--wait", opts.wait, "show progress until every job is final");
    auto* batch_status_cmd = batch_cmd->add_subcommand("status", "counts of the batch's jobs per state");
    batch_status_cmd->add_option("ID", opts.id, "the batch id")->required();
    batch_status_cmd->add_flag("--wait", opts.wait, "show progress until every job is final");
    auto* batch_cancel_cmd = batch_cmd->add_subcommand("cancel", "cancel every job of the batch that is not final");
    batch_cancel_cmd->add_option("ID", opts.id, "the batch id")->required();

    auto* status_cmd = app.add_subcommand("status", "show a job");
    status_cmd->add_option("ID", opts.id, "the job id")->required();
    status_cmd->add_flag("--history", opts.history, "add every state change with its time");

    auto* query_cmd = app.add_subcommand(
        "query", "show what the provider last said of a job: its id there, its own status word, usage, errors");
    query_cmd->add_option("ID", opts.id, "the job id")->required();

    auto* list_cmd = app.add_subcommand("list", "list jobs, newest first");
    list_cmd->add_option("--status", opts.status, "waiting, executing, succeeded, failed or cancelled");
    list_cmd->add_option("--provider", opts.provider, "only this provider's jobs");
    list_cmd->add_option("--target", opts.target, "only this target's jobs");
    list_cmd->add_option("--batch", opts.batch, "only this batch's jobs");
    list_cmd->add_option("--name", opts.name, "only jobs of this name");
    list_cmd->add_option("--tag", opts.tag, "only jobs with this tag");
    auto* limit_opt = list_cmd->add_option("--limit", opts.limit, "jobs per page (default 50)")
                          ->check(CLI::PositiveNumber);
    list_cmd->add_flag("--all", opts.all, "follow every page");

    auto* result_cmd = app.add_subcommand("result", "wait until a job is final and print its result");
    result_cmd->add_option("ID", opts.id, "the job id")->required();
    result_cmd->add_flag("--no-wait", opts.no_wait, "do not wait: a job that is not final is an error");

    auto* cancel_cmd = app.add_subcommand("cancel", "ask to cancel a job");
    cancel_cmd->add_option("ID", opts.id, "the job id")->required();

    auto* results_cmd = app.add_subcommand("results", "export the results of every job of a batch");
    results_cmd->add_option("--batch", opts.batch, "the batch id")->required();
    results_cmd->add_option("--format", opts.format, "ndjson (a job a line, the default) or csv (an outcome a row)");

    auto* watch_cmd = app.add_subcommand(
        "watch", "print state changes as they happen: every job's from now on, or one job's or batch's from the start");
    auto* watch_job = watch_cmd->add_option("--job", opts.id, "follow this job until it is final");
    watch_cmd->add_option("--batch", opts.batch, "follow this batch's jobs")->excludes(watch_job);
    watch_cmd->add_option("--after", opts.after, "resume after this event id (the last one printed with --json)");

    auto* targets_cmd = app.add_subcommand("targets", "list providers and their targets (* marks defaults)");
    auto* health_cmd = app.add_subcommand("health", "show whether qjobd is alive and ready");
    add_help_examples(app);

    try {
        app.parse(argc, argv);
    } catch (CLI::CallForHelp const& e) {
        return app.exit(e);
    } catch (CLI::CallForAllHelp const& e) {
        return app.exit(e);
    } catch (CLI::ParseError const& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        return report(std::string{e.what()} + " (see qjobctl --help)");
    }

    if (batch_cmd->parsed() && batch_cmd->get_subcommands().empty() && opts.file.empty()) {
        return report("batch needs a FILE, or: batch status ID, batch cancel ID (see qjobctl batch --help)");
    }
    if (opts.socket.empty()) {
        opts.socket = default_socket_path(std::getenv("XDG_RUNTIME_DIR"));
    }
    http_client client{opts.socket};

    if (submit_cmd->parsed()) {
        return submit(client, opts);
    }
    if (batch_status_cmd->parsed()) {
        return batch_status(client, opts);
    }
    if (batch_cancel_cmd->parsed()) {
        return batch_cancel(client, opts);
    }
    if (batch_cmd->parsed()) {
        return submit_batch(client, opts);
    }
    if (status_cmd->parsed()) {
        return status(client, opts);
    }
    if (query_cmd->parsed()) {
        return query(client, opts);
    }
    if (list_cmd->parsed()) {
        return list(client, opts, limit_opt->count() > 0);
    }
    if (result_cmd->parsed()) {
        return print_result(client, opts.id, opts.no_wait, opts.json);
    }
    if (cancel_cmd->parsed()) {
        return cancel(client, opts);
    }
    if (results_cmd->parsed()) {
        return export_results(client, opts);
    }
    if (watch_cmd->parsed()) {
        return watch(client, opts);
    }
    if (targets_cmd->parsed()) {
        return show(client, "/v1/targets", opts.json, render_targets);
    }
    if (health_cmd->parsed()) {
        return show(client, "/v1/health", opts.json, render_health);
    }
    return report("no command given (see qjobctl --help)");
}

}  // namespace qjob::cli
