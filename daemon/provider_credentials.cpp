#include "provider_credentials.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qjob::daemon {

namespace {

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::filesystem::path key_path(const std::string& name) {
  std::filesystem::path path(name);
  if (path.is_relative()) {
    if (const char* credentials = std::getenv("CREDENTIALS_DIRECTORY"); credentials && *credentials)
      return std::filesystem::path(credentials) / path;
  }
  return path;
}

}  // namespace

std::string load_api_key(const provider_config& provider) {
  const std::string whose = "provider '" + provider.name + "'";
  if (!provider.api_key_env.empty()) {
    const char* value = std::getenv(provider.api_key_env.c_str());
    auto key = trimmed(value ? value : "");
    if (key.empty())
      throw config_error(whose + ": api_key_env names $" + provider.api_key_env + ", which is unset or empty");
    return key;
  }
  const auto path = key_path(provider.api_key_file);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config_error(whose + ": cannot read api_key_file " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto key = trimmed(text.str());
  if (key.empty()) throw config_error(whose + ": api_key_file " + path.string() + " is empty");
  return key;
}

}  // namespace qjob::daemon
