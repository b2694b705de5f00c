#include "azure/azure_targets.hpp"

#include <algorithm>

namespace qjob::azure {

const target_info* find_target(std::string_view name) {
  const auto found = std::find_if(targets.begin(), targets.end(), [&](const target_info& t) { return t.name == name; });
  return found == targets.end() ? nullptr : &*found;
}

}  // namespace qjob::azure
