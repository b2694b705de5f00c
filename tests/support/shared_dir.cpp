#include "support/shared_dir.hpp"

#include <cstdlib>

namespace qjob::test {

std::optional<std::filesystem::path> shared_dir() {
  const char* configured = std::getenv("QJOB_SHARED_DIR");
  if (configured == nullptr || *configured == '\0') return std::nullopt;
  std::filesystem::path dir(configured);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return std::filesystem::canonical(dir, ec);
}

}  // namespace qjob::test
