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

std::string load_secret(const provider_config& provider, const std::string& file, const std::string& env,
                        const std::string& what) {
  const std::string whose = "provider '" + provider.name + "'";
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    auto secret = trimmed(value ? value : "");
    if (secret.empty())
      throw config_error(whose + ": " + what + "_env names $" + env + ", which is unset or empty");
    return secret;
  }
  const auto path = key_path(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(whose + ": cannot read " + what + "_file " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto secret = trimmed(text.str());
  if (secret.empty()) throw config_error(whose + ": " + what + "_file " + path.string() + " is empty");
  return secret;
}

std::string load_api_key(const provider_config& provider) {
  return load_secret(provider, provider.api_key_file, provider.api_key_env, "api_key");
}

}  // namespace qjob::daemon
