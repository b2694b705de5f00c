#pragma once

#include "config.hpp"

#include <string>

namespace qjob::daemon {

/// The API key of a remote provider, from the file named by `api_key_file`
/// (systemd's LoadCredential= puts it under $CREDENTIALS_DIRECTORY; a relative
/// name is looked up there) or the variable named by `api_key_env`. Surrounding
/// whitespace (a trailing newline) is dropped. Throws config_error naming the
/// file or variable, never the key.
std::string load_api_key(const provider_config& provider);

}  // namespace qjob::daemon
