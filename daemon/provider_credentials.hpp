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

/// A secret named by a file (`file`, as api_key_file) or a variable (`env`);
/// `what` names it in errors ("api_key", "client_secret"). Throws config_error
/// naming the file or variable, never the secret.
std::string load_secret(const provider_config& provider, const std::string& file, const std::string& env,
                        const std::string& what);

}  // namespace qjob::daemon
