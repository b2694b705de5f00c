#include "peer_identity.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace qjob::daemon {

namespace {

bool in_group(uid_t uid, gid_t primary, const std::string& group_name) {
  if (group_name.empty()) return false;
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(group_name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return false;
  const gid_t wanted = found->gr_gid;
  if (primary == wanted) return true;
  passwd user{};
  passwd* user_found = nullptr;
  std::vector<char> user_buffer(16384);
  if (::getpwuid_r(uid, &user, user_buffer.data(), user_buffer.size(), &user_found) != 0 || !user_found)
    return false;
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (::getgrouplist(user_found->pw_name, primary, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(user_found->pw_name, primary, groups.data(), &count) < 0) return false;
  }
  groups.resize(static_cast<std::size_t>(count));
  return std::find(groups.begin(), groups.end(), wanted) != groups.end();
}

}  // namespace

peer_identity identify_peer(int socket_fd, const std::string& admin_group) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
    throw std::system_error(errno, std::generic_category(), "reading the peer's credentials (SO_PEERCRED)");
  peer_identity peer{credentials.uid, credentials.gid, credentials.pid, false};
  peer.admin = peer.uid == 0 || in_group(peer.uid, peer.gid, admin_group);
  return peer;
}

}  // namespace qjob::daemon
