#pragma once

#include <filesystem>
#include <optional>

namespace qjob::test {

/// The shared folder (provider payloads, qasmbench) beside the project, or nullopt
/// when this checkout has none; tests that need it then skip.
std::optional<std::filesystem::path> shared_dir();

}  // namespace qjob::test
