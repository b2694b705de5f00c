#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace qjob::fakes {

/// What a fault does to the request it hits.
enum class fault_kind {
  status,        ///< answer `status` (429, 5xx) with the spec's error body; the request has no effect
  slow,          ///< wait `delay`, then handle the request normally
  reset,         ///< read the request, then reset the connection without answering; no effect
  malformed,     ///< handle the request (a POST creates its job), answer its status with the JSON body cut short
  accept_502,    ///< handle the request (a POST creates its job), then answer 502
  accept_reset,  ///< handle the request (a POST creates its job), then reset without answering
  garbage,       ///< answer bytes that are not HTTP, then close; no effect
};

/// One injectable fault and which requests it hits.
struct fault_rule {
  fault_kind kind = fault_kind::status;
  std::string method;       ///< "GET", "POST", "PUT"; empty: any method
  std::string path_prefix;  ///< matched against the path after "/v0.4"; empty: any path
  unsigned status = 503;    ///< for fault_kind::status
  unsigned retry_after_s = 0;  ///< a Retry-After header (seconds) on status faults when non-zero
  std::chrono::milliseconds delay{0};  ///< for fault_kind::slow
  /// Hits at most this many more matching requests (then stays in the plan, spent);
  /// nullopt: no limit.
  std::optional<std::uint64_t> count;
  /// Each matching request is hit with this probability, drawn from the plan's seeded generator.
  double probability = 1.0;
};

/// An ordered list of fault rules: the first rule that matches a request and wins its draw applies.
struct fault_plan {
  std::vector<fault_rule> rules;
  std::uint64_t seed = 0;
};

/// Parses the `--faults` text: comma-separated items, each `METHOD:KIND[:key=value...]`
/// or `seed=N`. METHOD is any, get, post or put; KIND is an HTTP status (429, 500,
/// 502, 503, 504, ...), slow, reset, malformed, accept_502, accept_reset or garbage;
/// keys are count=N, p=PROBABILITY, retry_after=SECONDS, delay_ms=MS and path=PREFIX.
/// Example: "post:accept_502:count=2,get:429:retry_after=1:p=0.1,any:slow:delay_ms=200:p=0.05,seed=7".
/// Returns the plan, or a message naming the bad item.
std::variant<fault_plan, std::string> parse_fault_spec(std::string_view spec);

/// Short name of a fault kind ("reset", "status", ...), as recorded with each request.
std::string_view fault_name(fault_kind kind);

/// Decides, request by request, which rule of a plan applies. Not thread-safe.
class fault_injector {
public:
  explicit fault_injector(fault_plan plan = {});
  /// Replaces the plan and reseeds the generator.
  void reset(fault_plan plan);
  /// Appends a rule.
  void add(fault_rule rule) { plan_.rules.push_back(std::move(rule)); }
  /// The rule that hits a request of `method` on `path` (spending one of its count), or nullopt.
  std::optional<fault_rule> pick(std::string_view method, std::string_view path);

private:
  fault_plan plan_;
  std::mt19937_64 random_;
};

}  // namespace qjob::fakes
