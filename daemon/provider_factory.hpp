#pragma once

#include "config.hpp"

#include "job_supervisor_protocol.hpp"
#include "local_provider_actor.hpp"
#include "remote/provider_api.hpp"
#include "remote_provider_protocol.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

/// How a `[[providers]]` entry becomes what the actors run on: the settings of
/// its actor and, for a remote provider, its API with its credentials loaded.
/// Used at start-up and again at each reload.
namespace qjob::daemon {

/// A remote provider's API (HTTP clients to its address, its key or Entra
/// credentials read now). Throws config_error naming the provider and the
/// key, file or variable at fault, never a secret.
std::shared_ptr<remote::provider_api> make_remote_api(boost::asio::any_io_executor executor,
                                                      const provider_config& provider);

/// The remote provider actor's settings for `provider`.
actors::remote_provider_settings remote_settings(const provider_config& provider);

/// How job actors reach a remote provider: its actor, their own retry delays,
/// whether it cancels.
actors::remote_provider_link remote_link(const provider_config& provider, actors::remote_provider_ref ref,
                                         const remote::capabilities& abilities);

/// The embedded simulator's settings for `provider`.
actors::local_provider_settings local_settings(const provider_config& provider);

}  // namespace qjob::daemon
