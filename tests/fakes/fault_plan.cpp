#include "fakes/fault_plan.hpp"

#include <algorithm>
#include <charconv>

namespace qjob::fakes {

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

std::string_view fault_name(fault_kind kind) {
  switch (kind) {
    case fault_kind::status: return "status";
    case fault_kind::slow: return "slow";
    case fault_kind::reset: return "reset";
    case fault_kind::malformed: return "malformed";
    case fault_kind::accept_502: return "accept_502";
    case fault_kind::accept_reset: return "accept_reset";
    case fault_kind::garbage: return "garbage";
  }
  return "unknown";
}

std::variant<fault_plan, std::string> parse_fault_spec(std::string_view spec) {
  fault_plan plan;
  if (spec.empty()) return plan;
  for (std::string_view item : split(spec, ',')) {
    const std::string quoted = "fault '" + std::string(item) + "'";
    if (item.starts_with("seed=")) {
      if (!parse_number(item.substr(5), plan.seed)) return quoted + ": seed must be an unsigned integer";
      continue;
    }
    const auto fields = split(item, ':');
    if (fields.size() < 2) return quoted + ": expected METHOD:KIND[:key=value...]";
    fault_rule rule;
    const std::string method = upper(fields[0]);
    if (method == "GET" || method == "POST" || method == "PUT" || method == "DELETE") {
      rule.method = method;
    } else if (method != "ANY") {
      return quoted + ": method must be any, get, post, put or delete";
    }
    const std::string_view kind = fields[1];
    unsigned status = 0;
    if (parse_number(kind, status)) {
      if (status < 400 || status > 599) return quoted + ": a status fault needs a 4xx or 5xx code";
      rule.kind = fault_kind::status;
      rule.status = status;
    } else if (kind == "slow") {
      rule.kind = fault_kind::slow;
      rule.delay = std::chrono::milliseconds(1000);
    } else if (kind == "reset") {
      rule.kind = fault_kind::reset;
    } else if (kind == "malformed") {
      rule.kind = fault_kind::malformed;
    } else if (kind == "accept_502") {
      rule.kind = fault_kind::accept_502;
    } else if (kind == "accept_reset") {
      rule.kind = fault_kind::accept_reset;
    } else if (kind == "garbage") {
      rule.kind = fault_kind::garbage;
    } else {
      return quoted + ": unknown kind '" + std::string(kind) + "'";
    }
    for (std::size_t i = 2; i < fields.size(); ++i) {
      const auto equals = fields[i].find('=');
      if (equals == std::string_view::npos) return quoted + ": expected key=value, got '" + std::string(fields[i]) + "'";
      const auto key = fields[i].substr(0, equals);
      const auto value = fields[i].substr(equals + 1);
      if (key == "count") {
        std::uint64_t count = 0;
        if (!parse_number(value, count)) return quoted + ": count must be an unsigned integer";
        rule.count = count;
      } else if (key == "p") {
        double probability = 0;
        if (!parse_number(value, probability) || probability < 0 || probability > 1)
          return quoted + ": p must be a probability between 0 and 1";
        rule.probability = probability;
      } else if (key == "retry_after") {
        if (!parse_number(value, rule.retry_after_s)) return quoted + ": retry_after must be whole seconds";
      } else if (key == "delay_ms") {
        std::int64_t ms = 0;
        if (!parse_number(value, ms) || ms < 0) return quoted + ": delay_ms must be milliseconds";
        rule.delay = std::chrono::milliseconds(ms);
      } else if (key == "path") {
        rule.path_prefix = std::string(value);
      } else {
        return quoted + ": unknown key '" + std::string(key) + "'";
      }
    }
    plan.rules.push_back(std::move(rule));
  }
  return plan;
}

fault_injector::fault_injector(fault_plan plan) { reset(std::move(plan)); }

void fault_injector::reset(fault_plan plan) {
  plan_ = std::move(plan);
  random_.seed(plan_.seed);
}

std::optional<fault_rule> fault_injector::pick(std::string_view method, std::string_view path) {
  for (auto& rule : plan_.rules) {
    if (!rule.method.empty() && rule.method != method) continue;
    if (!path.starts_with(rule.path_prefix)) continue;
    if (rule.count && *rule.count == 0) continue;
    if (rule.probability < 1.0) {
      const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
      if (draw >= rule.probability) continue;
    }
    if (rule.count) --*rule.count;
    return rule;
  }
  return std::nullopt;
}

}  // namespace qjob::fakes
