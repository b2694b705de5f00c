#pragma once

#include "api_error.hpp"
#include "target_catalog.hpp"

#include "storage/job_row.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <variant>

namespace qjob::daemon {

/// What a submission is checked against.
struct submission_rules {
  const target_catalog* catalog = nullptr;
  std::int64_t max_shots = 1'000'000;
};

/// Turns a submitted job object into a job row ready to store: every field checked
/// (unknown fields refused, so a typo is not silently ignored), defaults applied,
/// the input parsed for its target, the id made when absent and the content
/// fingerprinted for idempotent retries. Errors name the field, prefixed with
/// `field_prefix` (e.g. "[3]." for the 4th job of a batch). Pure; I/O thread.
std::variant<storage::job_row, api_error> parse_job_request(const boost::json::value& body, std::uint32_t owner,
                                                            const submission_rules& rules,
                                                            const std::string& field_prefix = {});

/// A fresh random (version 4) UUID.
std::string make_uuid();

/// True for ids a client may choose: 1 to 128 of [A-Za-z0-9._-], not starting with '.'.
bool is_valid_job_id(std::string_view id);

}  // namespace qjob::daemon
