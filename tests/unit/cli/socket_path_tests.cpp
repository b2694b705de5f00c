#include "socket_path.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

BOOST_AUTO_TEST_SUITE(socket_path_tests)

BOOST_AUTO_TEST_CASE(without_a_runtime_dir_the_system_socket_is_used) {
    BOOST_TEST(qjob::cli::default_socket_path(nullptr) == "/run/qjobd/qjobd.sock");
    BOOST_TEST(qjob::cli::default_socket_path("") == "/run/qjobd/qjobd.sock");
}

BOOST_AUTO_TEST_CASE(the_user_socket_is_used_only_when_it_exists) {
    auto const dir = std::filesystem::temp_directory_path() / ("qjob-cli-runtime-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    BOOST_TEST(qjob::cli::default_socket_path(dir.c_str()) == "/run/qjobd/qjobd.sock");
    std::ofstream{dir / "qjobd.sock"}.put('\n');
    BOOST_TEST(qjob::cli::default_socket_path(dir.c_str()) == (dir / "qjobd.sock").string());
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
