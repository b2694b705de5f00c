#include "ionq/ionq_errors.hpp"

#include <boost/json.hpp>

#include <vector>

namespace qjob::ionq {
namespace {

namespace json = boost::json;

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<unsigned> status_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 100 && v->get_int64() < 1000) return static_cast<unsigned>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() >= 100 && v->get_uint64() < 1000) return static_cast<unsigned>(v->get_uint64());
  return std::nullopt;
}

}  // namespace

std::string_view to_string(failure_kind kind) {
  switch (kind) {
    case failure_kind::transient: return "transient";
    case failure_kind::permanent: return "permanent";
    case failure_kind::credentials: return "credentials";
  }
  return "transient";
}

failure_kind classify_status(unsigned status) {
  if (status == 401) return failure_kind::credentials;
  // 408 is a timeout and 429 a rate limit: both pass.
  if (status == 408 || status == 429) return failure_kind::transient;
  if (status >= 400 && status < 500) return failure_kind::permanent;
  // 500, 502-504 and Cloudflare's 520-529 are named by the issue; a server
  // error we have not met is treated alike, since the circuit breaker bounds it.
  if (status >= 500 && status < 600) return failure_kind::transient;
  return failure_kind::permanent;
}

std::optional<error_body> parse_error_body(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  error_body out;
  if (const json::value* e = o.if_contains("error"); e != nullptr && e->is_object()) {
    // {"error": {"type", "message"}}
    out.error = string_member(e->get_object(), "type");
    out.message = string_member(e->get_object(), "message");
  } else {
    out.error = string_member(o, "error");
    out.message = string_member(o, "message");
  }
  out.status_code = status_member(o, "statusCode");
  if (!out.status_code) out.status_code = status_member(o, "code");
  if (const json::value* validation = o.if_contains("validation"); validation != nullptr && validation->is_object()) {
    if (const json::value* keys = validation->get_object().if_contains("keys"); keys != nullptr && keys->is_array()) {
      for (const json::value& key : keys->get_array()) {
        if (!key.is_string()) continue;
        if (!out.validation_keys.empty()) out.validation_keys += ", ";
        out.validation_keys += key.get_string();
      }
    }
  }
  if (out.error.empty() && out.message.empty()) return std::nullopt;
  return out;
}

http_failure describe_failure(unsigned status, std::string_view body) {
  http_failure out;
  out.status = status;
  out.kind = classify_status(status);
  out.message = "IonQ answered " + std::to_string(status);
  const std::optional<error_body> parsed = parse_error_body(body);
  if (!parsed) {
    out.message += body.empty() ? " with no body" : " with a body that is not an IonQ error";
    return out;
  }
  out.body_understood = true;
  if (!parsed->error.empty()) out.message += " " + parsed->error;
  if (!parsed->message.empty()) out.message += ": " + parsed->message;
  if (!parsed->validation_keys.empty()) out.message += " (keys: " + parsed->validation_keys + ")";
  return out;
}

}  // namespace qjob::ionq
