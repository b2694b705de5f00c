#pragma once

#include <string>
#include <utility>

namespace qjob::ionq::detail {

/// Thrown from deep inside the readers of IonQ answers up to the public functions,
/// which turn it into an error value; it never leaves adapters/ionq.
struct malformed {
  std::string what;
};

[[noreturn]] inline void fail(std::string what) { throw malformed{std::move(what)}; }

}  // namespace qjob::ionq::detail
