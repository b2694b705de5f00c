#include "remote/provider_api.hpp"

#include <stdexcept>

namespace qjob::remote {

std::string_view to_string(error_kind kind) {
  switch (kind) {
    case error_kind::transient: return "transient";
    case error_kind::permanent: return "permanent";
    case error_kind::credentials: return "credentials";
    case error_kind::outcome_unknown: return "outcome_unknown";
  }
  return "transient";
}

void throw_exception_from_error(const api_error& error, const boost::source_location&) {
  throw std::runtime_error(std::string(to_string(error.kind)) + ": " + error.message);
}

}  // namespace qjob::remote
