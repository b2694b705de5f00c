#include "temp_state_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace qjob::storage::test {

temp_state_dir::temp_state_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "qjob-storage-test-XXXXXX").string();
  // mkdtemp picks a name no other test process can also pick.
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temp directory for a test");
  root_ = pattern;
  state_ = root_ / "state";
}

temp_state_dir::~temp_state_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

}  // namespace qjob::storage::test
