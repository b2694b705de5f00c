#pragma once

#include <sys/types.h>

#include <string>

namespace qjob::daemon {

/// Who is on the other end of a control connection, from SO_PEERCRED.
struct peer_identity {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  bool admin = false;  // root or a member of the configured admin group: sees every job
};

/// Reads the peer's credentials of a connected Unix socket; `admin_group` ("" for
/// none) grants admin rights to its members. Throws std::system_error.
peer_identity identify_peer(int socket_fd, const std::string& admin_group);

}  // namespace qjob::daemon
