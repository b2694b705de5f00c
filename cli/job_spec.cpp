#include "job_spec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <utility>

namespace qjob::cli {

namespace json = boost::json;

namespace {

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

char const* kind_name(json::kind kind) {
    switch (kind) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "a boolean";
    default:
        return "a number";
    }
}

// A parsed JSON document as a job: whole jobs pass, bare inputs are wrapped.
cli_result<json::object> job_from_json(json::value document, std::string_view where) {
    if (auto* object = document.if_object(); object != nullptr && object->contains("input")) {
        return std::move(*object);
    }
    if (document.is_object() || document.is_array() || document.is_string()) {
        return json::object{{"input", std::move(document)}};
    }
    return failure{std::string{where} + ": " + kind_name(document.kind()) +
                   " is neither a job object nor a circuit"};
}

}  // namespace

cli_result<json::object> read_job(std::string_view content, std::string_view source) {
    if (is_blank(content)) {
        return failure{std::string{source} + ": empty file, expected a job object, a circuit or QASM text"};
    }
    boost::system::error_code ec;
    json::value document = json::parse(content, ec);
    if (ec) {
        // Not JSON at all: the one text format a job takes is OpenQASM 2.
        return json::object{{"input", json::string{content}}};
    }
    return job_from_json(std::move(document), source);
}

cli_result<json::object> apply_overrides(json::object job, job_overrides const& overrides) {
    auto set_string = [&job](char const* key, std::optional<std::string> const& value) {
        if (value) {
            job[key] = *value;
        }
    };
    set_string("id", overrides.id);
    set_string("name", overrides.name);
    set_string("provider", overrides.provider);
    set_string("target", overrides.target);
    set_string("input_format", overrides.input_format);
    if (overrides.shots) {
        job["shots"] = *overrides.shots;
    }
    if (overrides.priority) {
        job["priority"] = *overrides.priority;
    }
    if (!overrides.tags.empty()) {
        json::array tags;
        for (auto const& tag : overrides.tags) {
            tags.emplace_back(tag);
        }
        job["tags"] = std::move(tags);
    }
    if (overrides.seed) {
        json::value& params = job["params"];
        if (params.is_null()) {
            params = json::object{};
        }
        if (!params.is_object()) {
            return failure{"--seed: the job's \"params\" is not an object"};
        }
        params.as_object()["seed"] = *overrides.seed;
    }
    return job;
}

cli_result<std::string> batch_line(std::string_view line, std::string_view where) {
    boost::system::error_code ec;
    json::value document = json::parse(line, ec);
    if (ec) {
        return failure{std::string{where} + ": not JSON (" + ec.message() + "); each line must be one job object"};
    }
    auto job = job_from_json(std::move(document), where);
    if (!job) {
        return job.error();
    }
    std::string text = json::serialize(*job);
    text += '\n';
    return {boost::system::in_place_value, std::move(text)};
}

cli_result<std::string> read_batch(std::string_view content, std::string_view source) {
    std::string body;
    std::size_t line_number = 0;
    std::size_t jobs = 0;
    while (!content.empty()) {
        auto const end = content.find('\n');
        std::string_view const line = content.substr(0, end);
        content = end == std::string_view::npos ? std::string_view{} : content.substr(end + 1);
        ++line_number;
        if (is_blank(line)) {
            continue;
        }
        auto converted = batch_line(line, std::string{source} + ":" + std::to_string(line_number));
        if (!converted) {
            return converted.error();
        }
        body += *converted;
        ++jobs;
    }
    if (jobs == 0) {
        return failure{std::string{source} + ": no jobs, expected one job object per line"};
    }
    // Tagged: a failure is constructible from a string too, so the plain return is ambiguous.
    return {boost::system::in_place_value, std::move(body)};
}

}  // namespace qjob::cli
