#include "render.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>

namespace qjob::cli {

namespace json = boost::json;

namespace {

std::size_t display_width(std::string_view text) {
    // UTF-8 continuation bytes (10xxxxxx) take no column of their own.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string scalar_text(json::value const& value) {
    switch (value.kind()) {
    case json::kind::null:
        return "-";
    case json::kind::string:
        return std::string{value.get_string()};
    case json::kind::array: {
        std::string joined;
        for (auto const& item : value.get_array()) {
            if (!joined.empty()) {
                joined += ',';
            }
            joined += item.is_string() ? std::string{item.get_string()} : json::serialize(item);
        }
        return joined.empty() ? "-" : joined;
    }
    default:
        return json::serialize(value);
    }
}

std::string aligned_block(std::vector<std::pair<std::string, std::string>> const& lines) {
    std::size_t width = 0;
    for (auto const& [key, value] : lines) {
        width = std::max(width, display_width(key));
    }
    std::string out;
    for (auto const& [key, value] : lines) {
        out += key;
        out += ':';
        out.append(width - display_width(key) + 1, ' ');
        out += value;
        out += '\n';
    }
    return out;
}

std::optional<std::int64_t> as_integer(json::value const* value) {
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_int64()) {
        return value->get_int64();
    }
    if (value->is_uint64()) {
        return static_cast<std::int64_t>(value->get_uint64());
    }
    if (value->is_double()) {
        return static_cast<std::int64_t>(value->get_double());
    }
    return std::nullopt;
}

std::optional<double> as_number(json::value const* value) {
    if (value == nullptr || !value->is_number()) {
        return std::nullopt;
    }
    return value->to_number<double>();
}

std::string format_probability(double p) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", p);
    return text;
}

std::int64_t count_of(json::object const& counts, std::string_view state) {
    return as_integer(counts.if_contains(state)).value_or(0);
}

json::object const& counts_of(json::object const& batch) {
    static json::object const none;
    auto const* counts = batch.if_contains("counts");
    return counts != nullptr && counts->is_object() ? counts->get_object() : none;
}

std::string render_circuit(json::object const& circuit) {
    struct outcome {
        std::string bits;
        std::optional<std::int64_t> count;
        std::optional<double> probability;
    };
    std::map<std::string, outcome, std::less<>> by_bits;
    bool has_counts = false;
    if (auto const* counts = circuit.if_contains("counts"); counts != nullptr && counts->is_object()) {
        for (auto const& [bits, count] : counts->get_object()) {
            auto& entry = by_bits[std::string{bits}];
            entry.bits = bits;
            entry.count = as_integer(&count);
            has_counts = true;
        }
    }
    if (auto const* probabilities = circuit.if_contains("probabilities");
        probabilities != nullptr && probabilities->is_object()) {
        for (auto const& [bits, probability] : probabilities->get_object()) {
            auto& entry = by_bits[std::string{bits}];
            entry.bits = bits;
            entry.probability = as_number(&probability);
        }
    }

    std::vector<outcome> outcomes;
    outcomes.reserve(by_bits.size());
    for (auto& [bits, entry] : by_bits) {
        outcomes.push_back(std::move(entry));
    }
    std::stable_sort(outcomes.begin(), outcomes.end(), [](outcome const& a, outcome const& b) {
        if (a.count.value_or(-1) != b.count.value_or(-1)) {
            return a.count.value_or(-1) > b.count.value_or(-1);
        }
        return a.probability.value_or(-1.0) > b.probability.value_or(-1.0);
    });

    std::vector<column> columns{{"OUTCOME"}};
    if (has_counts) {
        columns.push_back({"COUNT", true});
    }
    columns.push_back({"PROBABILITY", true});
    std::vector<std::vector<std::string>> rows;
    for (auto const& entry : outcomes) {
        std::vector<std::string> row{entry.bits};
        if (has_counts) {
            row.push_back(entry.count ? std::to_string(*entry.count) : "-");
        }
        row.push_back(entry.probability ? format_probability(*entry.probability) : "-");
        rows.push_back(std::move(row));
    }
    return render_table(columns, rows);
}

void pretty_print(json::value const& value, std::string& out, std::size_t indent) {
    auto const newline = [&out](std::size_t depth) {
        out += '\n';
        out.append(depth * 2, ' ');
    };
    if (value.is_object() && !value.get_object().empty()) {
        out += '{';
        bool first = true;
        for (auto const& [key, item] : value.get_object()) {
            out += first ? "" : ",";
            first = false;
            newline(indent + 1);
            out += json::serialize(json::string{key});
            out += ": ";
            pretty_print(item, out, indent + 1);
        }
        newline(indent);
        out += '}';
    } else if (value.is_array() && !value.get_array().empty()) {
        out += '[';
        bool first = true;
        for (auto const& item : value.get_array()) {
            out += first ? "" : ",";
            first = false;
            newline(indent + 1);
            pretty_print(item, out, indent + 1);
        }
        newline(indent);
        out += ']';
    } else if (value.is_double()) {
        // Boost.JSON 1.81 writes 0.5 as "5E-1"; the shortest round-trip form reads better.
        char text[32];
        auto const [end, ec] = std::to_chars(std::begin(text), std::end(text), value.get_double());
        out.append(text, ec == std::errc{} ? end : text);
    } else {
        out += json::serialize(value);
    }
}

}  // namespace

std::string render_table(std::vector<column> const& columns, std::vector<std::vector<std::string>> const& rows) {
    std::vector<std::size_t> widths;
    for (auto const& c : columns) {
        widths.push_back(display_width(c.header));
    }
    for (auto const& row : rows) {
        for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    }

    std::string out;
    auto const emit = [&](auto const& cell_at) {
        std::string line;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            std::string_view const cell = cell_at(i);
            std::size_t const pad = widths[i] - display_width(cell);
            if (i > 0) {
                line += "  ";
            }
            if (columns[i].right_aligned) {
                line.append(pad, ' ');
                line += cell;
            } else {
                line += cell;
                line.append(pad, ' ');
            }
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };
    emit([&](std::size_t i) -> std::string_view { return columns[i].header; });
    for (auto const& row : rows) {
        emit([&](std::size_t i) -> std::string_view { return i < row.size() ? std::string_view{row[i]} : ""; });
    }
    return out;
}

std::string cell_text(json::object const& object, std::string_view key) {
    auto const* value = object.if_contains(key);
    return value == nullptr ? "-" : scalar_text(*value);
}

std::string render_job_list(json::array const& jobs) {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(jobs.size());
    for (auto const& item : jobs) {
        if (!item.is_object()) {
            continue;
        }
        auto const& job = item.get_object();
        rows.push_back({cell_text(job, "id"), cell_text(job, "name"), cell_text(job, "status"),
                        cell_text(job, "provider"), cell_text(job, "target"), cell_text(job, "shots"),
                        cell_text(job, "created_at")});
    }
    return render_table({{"ID"}, {"NAME"}, {"STATUS"}, {"PROVIDER"}, {"TARGET"}, {"SHOTS", true}, {"CREATED"}}, rows);
}

namespace {

/// The job's `history` (when it carries one) as a table of `keys`, after a
/// blank line; each key's column is headed by its name in capitals.
std::string history_table(json::object const& job, std::vector<std::string> const& keys) {
    auto const* history = job.if_contains("history");
    if (history == nullptr || !history->is_array()) {
        return {};
    }
    std::vector<column> columns;
    for (auto const& key : keys) {
        std::string title = key;
        for (auto& c : title) {
            c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        columns.push_back({title});
    }
    std::vector<std::vector<std::string>> rows;
    for (auto const& item : history->get_array()) {
        if (item.is_object()) {
            std::vector<std::string> row;
            for (auto const& key : keys) {
                row.push_back(cell_text(item.get_object(), key));
            }
            rows.push_back(std::move(row));
        }
    }
    return "\n" + render_table(columns, rows);
}

}  // namespace

std::string render_job(json::object const& job) {
    std::vector<std::pair<std::string, std::string>> lines;
    auto const add = [&](std::string label, std::string_view key) {
        if (job.contains(key)) {
            lines.emplace_back(std::move(label), cell_text(job, key));
        }
    };
    add("id", "id");
    add("name", "name");
    add("status", "status");
    if (job.contains("provider") || job.contains("target")) {
        lines.emplace_back("provider", cell_text(job, "provider") + "/" + cell_text(job, "target"));
    }
    add("provider status", "provider_status");
    add("provider job id", "provider_job_id");
    add("queue position", "queue_position");
    add("waiting because", "waiting_reason");
    add("shots", "shots");
    add("priority", "priority");
    add("format", "input_format");
    add("tags", "tags");
    if (auto const* batch = job.if_contains("batch_id"); batch != nullptr && !batch->is_null()) {
        add("batch", "batch_id");
    }
    add("created", "created_at");
    add("submitted", "submitted_at");
    add("started", "started_at");
    add("finished", "finished_at");
    add("attempts", "attempts");
    if (auto const* cancel = job.if_contains("cancel_requested"); cancel != nullptr && cancel->is_bool() &&
                                                                     cancel->get_bool()) {
        lines.emplace_back("cancel requested", "yes");
    }
    if (auto const* error = job.if_contains("error"); error != nullptr && error->is_object()) {
        lines.emplace_back("error",
                           cell_text(error->get_object(), "code") + ": " + cell_text(error->get_object(), "message"));
    }
    if (auto const* uri = job.if_contains("output_uri"); uri != nullptr && !uri->is_null()) {
        add("output", "output_uri");
    }
    return aligned_block(lines) + history_table(job, {"at", "status", "provider_status"});
}

std::string render_provider_view(json::object const& job) {
    std::vector<std::pair<std::string, std::string>> lines;
    lines.emplace_back("id", cell_text(job, "id"));
    lines.emplace_back("status", cell_text(job, "status"));
    lines.emplace_back("provider", cell_text(job, "provider") + "/" + cell_text(job, "target"));
    auto const provider_id = cell_text(job, "provider_job_id");
    lines.emplace_back("provider job id", provider_id.empty() ? "- (not at the provider)" : provider_id);
    lines.emplace_back("provider status", cell_text(job, "provider_status"));
    if (auto const* usage = job.if_contains("usage"); usage != nullptr && !usage->is_null()) {
        lines.emplace_back("usage", json::serialize(*usage));
    }
    if (auto const* error = job.if_contains("error"); error != nullptr && error->is_object()) {
        lines.emplace_back("error",
                           cell_text(error->get_object(), "code") + ": " + cell_text(error->get_object(), "message"));
    }
    return aligned_block(lines) + history_table(job, {"at", "provider_status", "status"});
}

std::string render_results(json::object const& result) {
    auto const* results = result.if_contains("results");
    if (results == nullptr || !results->is_array() || results->get_array().empty()) {
        return "no results\n";
    }
    auto const& circuits = results->get_array();
    std::string out;
    for (std::size_t i = 0; i < circuits.size(); ++i) {
        if (circuits.size() > 1) {
            out += i == 0 ? "" : "\n";
            out += "circuit " + std::to_string(i) + ":\n";
        }
        out += circuits[i].is_object() ? render_circuit(circuits[i].get_object()) : "no result\n";
    }
    return out;
}

std::string render_duration(double seconds) {
    auto const whole = static_cast<std::int64_t>(seconds + 0.5);
    char text[32];
    if (whole < 60) {
        std::snprintf(text, sizeof text, "%llds", static_cast<long long>(whole));
    } else if (whole < 3600) {
        std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(whole / 60),
                      static_cast<long long>(whole % 60));
    } else {
        std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(whole / 3600),
                      static_cast<long long>(whole % 3600 / 60));
    }
    return text;
}

std::string render_batch_progress(json::object const& batch, std::size_t bar_width,
                                  std::optional<double> jobs_per_second) {
    auto const& counts = counts_of(batch);
    std::int64_t const total = as_integer(batch.if_contains("total")).value_or(0);
    std::int64_t const done = count_of(counts, "succeeded") + count_of(counts, "failed") + count_of(counts, "cancelled");
    std::string line;
    if (bar_width > 0) {
        auto const filled = total > 0 ? static_cast<std::size_t>(done * static_cast<std::int64_t>(bar_width) / total) : 0;
        line = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] ";
    }
    line += std::to_string(done) + "/" + std::to_string(total) + " done";
    for (char const* state : {"waiting", "executing", "succeeded", "failed", "cancelled"}) {
        line += "  ";
        line += state;
        line += ' ';
        line += std::to_string(count_of(counts, state));
    }
    if (jobs_per_second && *jobs_per_second > 0) {
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.1f", *jobs_per_second);
        line += "  ";
        line += rate;
        line += " jobs/s";
        if (done < total) line += "  ETA " + render_duration(static_cast<double>(total - done) / *jobs_per_second);
    }
    return line;
}

bool batch_is_final(json::object const& batch) {
    auto const& counts = counts_of(batch);
    return count_of(counts, "waiting") == 0 && count_of(counts, "executing") == 0;
}

bool batch_has_failures(json::object const& batch) {
    auto const& counts = counts_of(batch);
    return count_of(counts, "failed") > 0 || count_of(counts, "cancelled") > 0;
}

std::string render_targets(json::object const& targets) {
    std::vector<std::vector<std::string>> rows;
    auto const* providers = targets.if_contains("providers");
    if (providers != nullptr && providers->is_array()) {
        for (auto const& item : providers->get_array()) {
            if (!item.is_object()) {
                continue;
            }
            auto const& provider = item.get_object();
            auto const is_default = [](json::object const& o) {
                auto const* flag = o.if_contains("default");
                return flag != nullptr && flag->is_bool() && flag->get_bool();
            };
            std::string const name = cell_text(provider, "name") + (is_default(provider) ? "*" : "");
            std::string health = "-";
            if (auto const* h = provider.if_contains("health"); h != nullptr && h->is_object()) {
                health = cell_text(h->get_object(), "status");
                if (auto const* message = h->get_object().if_contains("message");
                    message != nullptr && message->is_string() && !message->get_string().empty()) {
                    health += ": " + std::string{message->get_string()};
                }
            }
            std::string const type = cell_text(provider, "type");
            auto const* list = provider.if_contains("targets");
            if (list == nullptr || !list->is_array() || list->get_array().empty()) {
                rows.push_back({name, type, "-", "-", "-", "-", health});
                continue;
            }
            for (auto const& t : list->get_array()) {
                if (!t.is_object()) {
                    continue;
                }
                auto const& target = t.get_object();
                std::string cancel = cell_text(target, "cancel_while_executing");
                cancel = cancel == "true" ? "yes" : cancel == "false" ? "no" : cancel;
                rows.push_back({name, type, cell_text(target, "name") + (is_default(target) ? "*" : ""),
                                cell_text(target, "formats"), cell_text(target, "max_qubits"), cancel, health});
            }
        }
    }
    return render_table({{"PROVIDER"}, {"TYPE"}, {"TARGET"}, {"FORMATS"}, {"QUBITS", true}, {"CANCEL RUNNING"},
                         {"HEALTH"}},
                        rows);
}

std::string render_health(json::object const& health) {
    std::vector<std::pair<std::string, std::string>> lines;
    for (auto const& [key, value] : health) {
        lines.emplace_back(std::string{key}, value.is_object() ? json::serialize(value) : scalar_text(value));
    }
    return aligned_block(lines);
}

std::string describe_api_error(unsigned status, std::string_view body) {
    boost::system::error_code ec;
    json::value const document = json::parse(body, ec);
    if (!ec && document.is_object()) {
        if (auto const* error = document.get_object().if_contains("error"); error != nullptr && error->is_object()) {
            auto const& e = error->get_object();
            std::string line = cell_text(e, "code") + ": " + cell_text(e, "message");
            if (auto const* field = e.if_contains("field"); field != nullptr && field->is_string() &&
                                                            !field->get_string().empty()) {
                line += " (field " + std::string{field->get_string()} + ")";
            }
            return line;
        }
    }
    // Not our error shape (a proxy, a crash page): show where it starts, on one line.
    std::string line = "HTTP " + std::to_string(status);
    std::string_view first = body.substr(0, body.find('\n'));
    if (!first.empty()) {
        constexpr std::size_t max_excerpt = 200;
        line += ": ";
        line += first.substr(0, max_excerpt);
    }
    return line;
}

std::string api_error_code(std::string_view body) {
    boost::system::error_code ec;
    json::value const document = json::parse(body, ec);
    if (ec || !document.is_object()) {
        return {};
    }
    auto const* error = document.get_object().if_contains("error");
    if (error == nullptr || !error->is_object()) {
        return {};
    }
    auto const* code = error->get_object().if_contains("code");
    return code != nullptr && code->is_string() ? std::string{code->get_string()} : std::string{};
}

std::string pretty_json(json::value const& value) {
    std::string out;
    pretty_print(value, out, 0);
    out += '\n';
    return out;
}

}  // namespace qjob::cli
