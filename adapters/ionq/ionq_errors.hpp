#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// IonQ's HTTP failures: what they mean for a job, and what to tell the user.
namespace qjob::ionq {

/// What the provider does with a failed exchange (issue 3):
/// - transient: retry with backoff, honouring Retry-After (408, 429, 500,
///   502, 503, 504, 520-529, any other 5xx, and answers whose body cannot be
///   read: see below);
/// - permanent: fail the job with IonQ's message (400, 403, 404, 413, any
///   other 4xx, and the unexpected 1xx/3xx);
/// - credentials: 401; the provider becomes unhealthy and its jobs stay waiting.
///
/// The status code decides. The "malformed body" rule of the issue is for answers
/// whose status says success (2xx) but whose JSON cannot be read (a proxy's
/// page, a cut body): the parse functions of ionq_status/ionq_results report
/// those, and callers treat every such parse error as transient.
enum class failure_kind : std::uint8_t { transient, permanent, credentials };

/// "transient", "permanent", "credentials".
std::string_view to_string(failure_kind kind);

/// Classifies a non-2xx HTTP status. Pure; safe on any thread.
failure_kind classify_status(unsigned status);

/// What IonQ said in an error body: `{error, message, statusCode[, validation]}`,
/// also the older `{code, message}` and `{error: {type, message}}` shapes.
struct error_body {
  std::string error;    // short type: "Bad Request", "Unauthorized Error", ...
  std::string message;  // IonQ's helpful text
  std::optional<unsigned> status_code;
  std::string validation_keys;  // "a, b" from validation.keys, "" if none
};

/// Reads an error body; nullopt when `body` is none of the shapes above.
/// Pure; safe on any thread.
std::optional<error_body> parse_error_body(std::string_view body);

/// A classified failure with the one-line message for our job's `error`
/// ("IonQ answered 400 Bad Request: \"shots\" was invalid. (keys: shots)").
/// A body that is not IonQ's error JSON is not quoted (it may be a proxy's
/// HTML page); the status alone is named.
struct http_failure {
  unsigned status = 0;
  failure_kind kind = failure_kind::transient;
  std::string message;
  bool body_understood = false;
};

/// Classifies `status` and reads `body`. Pure; safe on any thread.
http_failure describe_failure(unsigned status, std::string_view body);

}  // namespace qjob::ionq
