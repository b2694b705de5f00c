#pragma once

#include <string>

namespace qjob::cli {

/// Where qjobd listens when neither `--socket` nor `QJOBD_SOCKET` says: the
/// per-user daemon's `$XDG_RUNTIME_DIR/qjobd.sock` when `xdg_runtime_dir` is set
/// and that socket exists, else the system daemon's `/run/qjobd/qjobd.sock`.
/// `xdg_runtime_dir` may be null (unset).
std::string default_socket_path(char const* xdg_runtime_dir);

}  // namespace qjob::cli
