#include "socket_path.hpp"

#include <filesystem>
#include <system_error>

namespace qjob::cli {

std::string default_socket_path(char const* xdg_runtime_dir) {
    if (xdg_runtime_dir != nullptr && *xdg_runtime_dir != '\0') {
        std::filesystem::path user_socket = std::filesystem::path{xdg_runtime_dir} / "qjobd.sock";
        std::error_code ec;
        if (std::filesystem::exists(user_socket, ec)) {
            return user_socket.string();
        }
    }
    return "/run/qjobd/qjobd.sock";
}

}  // namespace qjob::cli
