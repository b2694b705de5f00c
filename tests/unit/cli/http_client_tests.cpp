#include "http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace http = boost::beast::http;
using stream_protocol = net::local::stream_protocol;

namespace {

std::string temp_socket_path(char const* tag) {
    static std::atomic<int> counter{0};
    return (std::filesystem::temp_directory_path() /
            ("qjob-cli-" + std::string{tag} + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             ".sock"))
        .string();
}

/// A daemon stand-in on a Unix socket, serving on its own thread: it echoes each
/// request's method, target, Host and body, and after `requests_per_connection`
/// answers closes the connection without saying so, as a daemon dropping an idle
/// keep-alive connection does.
class echo_server {
public:
    echo_server(std::string path, int connections, int requests_per_connection)
        : path_(std::move(path)), acceptor_(io_, stream_protocol::endpoint{path_}) {
        thread_ = std::thread{[this, connections, requests_per_connection] {
            for (int c = 0; c < connections; ++c) {
                stream_protocol::socket socket{io_};
                acceptor_.accept(socket);
                ++accepted;
                boost::beast::flat_buffer buffer;
                for (int r = 0; r < requests_per_connection; ++r) {
                    http::request<http::string_body> request;
                    boost::system::error_code ec;
                    http::read(socket, buffer, request, ec);
                    if (ec) {
                        break;
                    }
                    http::response<http::string_body> response{http::status::created, 11};
                    response.set(http::field::content_type, "application/json");
                    response.body() = std::string{request.method_string()} + " " + std::string{request.target()} +
                                      " " + std::string{request[http::field::host]} + " " + request.body();
                    response.keep_alive(true);
                    response.prepare_payload();
                    http::write(socket, response, ec);
                }
            }
        }};
    }

    ~echo_server() {
        thread_.join();
        std::filesystem::remove(path_);
    }

    echo_server(echo_server const&) = delete;
    echo_server& operator=(echo_server const&) = delete;

    std::atomic<int> accepted{0};

private:
    std::string path_;
    net::io_context io_;
    stream_protocol::acceptor acceptor_;
    std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http_client_tests)

BOOST_AUTO_TEST_CASE(requests_share_one_keep_alive_connection, *boost::unit_test::timeout(10)) {
    std::string const path = temp_socket_path("keepalive");
    echo_server server{path, 1, 2};
    qjob::cli::http_client client{path};

    auto first = client.get("/v1/jobs/a", std::chrono::seconds{5});
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(first->status == 201u);
    BOOST_TEST(first->content_type == "application/json");
    BOOST_TEST(first->body == "GET /v1/jobs/a localhost ");

    auto second = client.post("/v1/jobs", R"({"input":"x"})", "application/json", std::chrono::seconds{5});
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST(second->body == R"(POST /v1/jobs localhost {"input":"x"})");
    BOOST_TEST(server.accepted == 1);
}

BOOST_AUTO_TEST_CASE(a_connection_the_daemon_closed_is_reopened_for_the_next_get, *boost::unit_test::timeout(10)) {
    std::string const path = temp_socket_path("reopen");
    echo_server server{path, 2, 1};
    qjob::cli::http_client client{path};

    BOOST_TEST_REQUIRE(client.get("/one", std::chrono::seconds{5}).has_value());
    auto second = client.get("/two", std::chrono::seconds{5});
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST(second->body == "GET /two localhost ");
    BOOST_TEST(server.accepted == 2);
}

BOOST_AUTO_TEST_CASE(a_missing_socket_is_a_failure_naming_it) {
    std::string const path = temp_socket_path("missing");
    qjob::cli::http_client client{path};
    auto reply = client.get("/v1/health", std::chrono::seconds{1});
    BOOST_TEST_REQUIRE(!reply.has_value());
    BOOST_TEST(reply.error().message ==
               "cannot connect to " + path + ": No such file or directory (is qjobd running?)");
}

BOOST_AUTO_TEST_CASE(query_values_are_percent_encoded) {
    BOOST_TEST(qjob::cli::percent_encode("abc-1.2_~") == "abc-1.2_~");
    BOOST_TEST(qjob::cli::percent_encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
}

BOOST_AUTO_TEST_SUITE_END()
