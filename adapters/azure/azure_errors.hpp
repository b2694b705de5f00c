#pragma once

#include "http/http_client.hpp"
#include "remote/provider_api.hpp"

#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

/// Azure's failed exchanges classified for the provider actor, as IonQ's are:
/// - 408, 429, 5xx: transient, Retry-After honoured; but a 5xx or 408 to the
///   submission's final `PUT jobs/{id}` may come after the job was created, so
///   its outcome is unknown (a 429 is a refusal: transient);
/// - 409 to the final `PUT jobs/{id}`: a job with our id is already there,
///   from an earlier try whose answer was lost (the id is ours, a UUID), so
///   outcome_unknown: the caller looks it up by our id and adopts it;
/// - 401: credentials (the key or token was refused);
/// - 400, 403, 404, 409 and any other status: permanent, with Azure's own
///   `error.message` (data plane) or `<Code>` (Blob storage, whose messages can
///   echo request details, so only the code is quoted);
/// - no answer at all: transient, or outcome_unknown for the final PUT unless
///   the request surely never reached the server.
/// Messages never hold a key, a token or a SAS signature.
namespace qjob::azure {

/// Which exchange failed, for the message and for how a lost answer reads.
struct exchange {
  std::string what;           ///< "GET jobs/<id>", "PUT blob inputData", ...
  bool final_submit = false;  ///< the PUT that creates the job
};

/// A send() that produced no response.
remote::api_error transport_error(const boost::system::error_code& ec, const exchange& ex);

/// A response whose status is not 2xx.
remote::api_error status_error(const http::response& response, const exchange& ex);

/// A 2xx answer whose body cannot be read: transient, or outcome_unknown for
/// the final PUT (the job exists, we just cannot read its answer).
remote::api_error unreadable(std::string message, const exchange& ex);

/// A permanent error with `message` (a refusal before anything is sent).
remote::api_error refused(std::string message);

/// Azure's error text in `body`: "Code: message" from the data plane's
/// `{"error": {"code", "message"}}`, "Code" from Blob storage's
/// `<Error><Code>..</Code>`, or "" when the body is neither. Pure.
std::string describe_error_body(std::string_view body);

}  // namespace qjob::azure
