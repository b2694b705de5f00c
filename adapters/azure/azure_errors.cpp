#include "azure/azure_errors.hpp"

#include "http/retry_after.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace qjob::azure {

namespace {

using remote::make_error;

std::string xml_element(std::string_view body, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const auto start = body.find(open);
  if (start == std::string_view::npos) return {};
  const auto end = body.find(close, start + open.size());
  if (end == std::string_view::npos) return {};
  return std::string(body.substr(start + open.size(), end - start - open.size()));
}

}  // namespace

std::string describe_error_body(std::string_view body) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(body, ec);
  if (!ec && value.is_object()) {
    const auto* error = value.get_object().if_contains("error");
    if (error != nullptr && error->is_object()) {
      const auto& o = error->get_object();
      std::string code, message;
      if (const auto* c = o.if_contains("code"); c != nullptr && c->is_string()) code = c->get_string();
      if (const auto* m = o.if_contains("message"); m != nullptr && m->is_string()) message = m->get_string();
      if (code.empty()) return message;
      return message.empty() ? code : code + ": " + message;
    }
    return {};
  }
  // Blob storage's own error; its <Message> can quote the string-to-sign.
  auto code = xml_element(body, "Code");
  if (code.size() > 80) code.clear();
  return code;
}

remote::api_error transport_error(const boost::system::error_code& ec, const exchange& ex) {
  if (ec == http::errc::invalid_request)
    return make_error(remote::error_kind::permanent, "Azure request " + ex.what + " not sent: " + ec.message());
  const auto kind = ex.final_submit && !http::never_reached_server(ec) ? remote::error_kind::outcome_unknown
                                                                       : remote::error_kind::transient;
  return make_error(kind, "no answer from Azure Quantum to " + ex.what + ": " + ec.message());
}

remote::api_error status_error(const http::response& response, const exchange& ex) {
  const auto status = response.status;
  std::string message = "Azure Quantum answered " + std::to_string(status) + " to " + ex.what;
  if (auto said = describe_error_body(response.body); !said.empty()) message += ": " + said;
  remote::api_error error = make_error(remote::error_kind::permanent, std::move(message), status);
  if (status == 401) {
    error.kind = remote::error_kind::credentials;
  } else if (status == 429) {
    error.kind = remote::error_kind::transient;
  } else if (status == 408 || status >= 500) {
    error.kind = ex.final_submit ? remote::error_kind::outcome_unknown : remote::error_kind::transient;
  } else if (status == 409 && ex.final_submit) {
    error.kind = remote::error_kind::outcome_unknown;
  }
  if (auto header = response.headers.find("Retry-After"))
    error.retry_after = http::parse_retry_after(*header, std::chrono::system_clock::now());
  return error;
}

remote::api_error unreadable(std::string message, const exchange& ex) {
  return make_error(ex.final_submit ? remote::error_kind::outcome_unknown : remote::error_kind::transient,
                    "Azure's answer to " + ex.what + ": " + message);
}

remote::api_error refused(std::string message) { return make_error(remote::error_kind::permanent, std::move(message)); }

}  // namespace qjob::azure
