#include "http_client.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>
#include <utility>

namespace qjob::cli {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// Results of large multi-circuit jobs can be big; Beast's default of 8 MB is too small.
constexpr std::uint64_t reply_body_limit = std::uint64_t{1} << 30;

// The daemon closing an idle keep-alive connection shows up as one of these on the
// next request; such a request never reached it and may be sent again.
bool is_stale_connection(error_code const& ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe;
}

}  // namespace

http_client::http_client(std::string socket_path) : socket_path_(std::move(socket_path)) {}

cli_result<http_reply> http_client::get(std::string_view target, std::chrono::seconds timeout) {
    request_type request{http::verb::get, target, 11};
    return send(request, timeout);
}

cli_result<http_reply> http_client::post(std::string_view target, std::string body, std::string_view content_type,
                                         std::chrono::seconds timeout) {
    request_type request{http::verb::post, target, 11};
    request.set(http::field::content_type, content_type);
    request.body() = std::move(body);
    return send(request, timeout);
}

cli_result<http_reply> http_client::send(request_type& request, std::chrono::seconds timeout) {
    request.set(http::field::host, "localhost");
    request.set(http::field::user_agent, "qjobctl");
    request.set(http::field::accept, "application/json");
    request.keep_alive(true);
    request.prepare_payload();

    bool const reused = stream_.has_value();
    if (!reused) {
        if (error_code ec = connect(timeout)) {
            close();
            std::string hint = ec == net::error::access_denied ? " (check the socket's permissions)"
                                                                : " (is qjobd running?)";
            return failure{"cannot connect to " + socket_path_ + ": " + ec.message() + hint};
        }
    }

    http_reply reply;
    error_code ec = exchange(request, reply, timeout);
    // Only a GET is retried: a POST that the daemon may have read must not be sent twice.
    if (ec && reused && request.method() == http::verb::get && is_stale_connection(ec)) {
        close();
        ec = connect(timeout);
        if (!ec) {
            ec = exchange(request, reply, timeout);
        }
    }
    if (ec) {
        close();
        if (ec == beast::error::timeout) {
            return failure{"no answer from qjobd on " + socket_path_ + " within " + std::to_string(timeout.count()) +
                           " s"};
        }
        return failure{"lost the connection to qjobd on " + socket_path_ + ": " + ec.message()};
    }
    return reply;
}

cli_result<http_reply> http_client::stream(std::string_view target, std::string_view last_event_id,
                                           std::function<bool(std::string_view)> const& on_data,
                                           std::chrono::seconds idle) {
    close();
    if (error_code ec = connect(idle)) {
        close();
        return failure{"cannot connect to " + socket_path_ + ": " + ec.message() + " (is qjobd running?)"};
    }
    request_type request{http::verb::get, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::user_agent, "qjobctl");
    request.set(http::field::accept, "text/event-stream");
    if (!last_event_id.empty()) request.set("Last-Event-ID", last_event_id);
    error_code result;
    stream_->expires_after(idle);
    http::async_write(*stream_, request, [&result](error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();

    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);  // a stream has no end to limit
    http_reply reply;
    if (!result) {
        stream_->expires_after(idle);
        http::async_read_header(*stream_, buffer_, parser, [&result](error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
    }
    if (!result && parser.get().result_int() != 200) {
        // An error answer: read it whole.
        http::async_read(*stream_, buffer_, parser, [&result](error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
    }
    if (result) {
        close();
        return failure{"lost the connection to qjobd on " + socket_path_ + ": " + result.message()};
    }
    reply.status = parser.get().result_int();
    reply.content_type = std::string{parser.get()[http::field::content_type]};
    if (reply.status != 200) {
        reply.body = std::move(parser.get().body());
        close();
        return reply;
    }
    while (!parser.is_done()) {
        stream_->expires_after(idle);
        http::async_read_some(*stream_, buffer_, parser, [&result](error_code ec, std::size_t) { result = ec; });
        io_.restart();
        io_.run();
        if (result) break;
        auto& body = parser.get().body();
        if (!body.empty()) {
            const bool more = on_data(body);
            body.clear();
            if (!more) break;
        }
    }
    close();
    if (result && result != http::error::end_of_stream) {
        if (result == beast::error::timeout)
            return failure{"qjobd on " + socket_path_ + " sent nothing for " + std::to_string(idle.count()) + " s"};
        return failure{"lost the connection to qjobd on " + socket_path_ + ": " + result.message()};
    }
    return reply;
}

cli_result<http_reply> http_client::post_streamed(std::string_view target, std::string_view content_type,
                                                  std::function<cli_result<std::string>()> const& next_piece,
                                                  std::chrono::seconds timeout) {
    close();
    if (error_code ec = connect(timeout)) {
        close();
        return failure{"cannot connect to " + socket_path_ + ": " + ec.message() + " (is qjobd running?)"};
    }
    http::request<http::empty_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::user_agent, "qjobctl");
    request.set(http::field::accept, "application/json");
    request.set(http::field::content_type, content_type);
    request.chunked(true);
    http::request_serializer<http::empty_body> header{request};
    error_code result;
    auto run = [&] {
        io_.restart();
        io_.run();
    };
    stream_->expires_after(timeout);
    http::async_write_header(*stream_, header, [&result](error_code ec, std::size_t) { result = ec; });
    run();
    while (!result) {
        auto piece = next_piece();
        if (!piece) {
            close();
            return piece.error();
        }
        stream_->expires_after(timeout);
        if (piece->empty()) {
            net::async_write(*stream_, http::make_chunk_last(), [&result](error_code ec, std::size_t) { result = ec; });
            run();
            break;
        }
        net::async_write(*stream_, http::make_chunk(net::buffer(*piece)),
                         [&result](error_code ec, std::size_t) { result = ec; });
        run();
    }
    // A daemon that refuses the batch early answers and closes while we still
    // write: its answer is waiting all the same.
    if (result && result != net::error::broken_pipe && result != net::error::connection_reset) {
        close();
        return failure{"lost the connection to qjobd on " + socket_path_ + ": " + result.message()};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(reply_body_limit);
    stream_->expires_after(timeout);
    http::async_read(*stream_, buffer_, parser, [&result](error_code ec, std::size_t) { result = ec; });
    run();
    close();
    if (result) {
        if (result == beast::error::timeout) {
            return failure{"no answer from qjobd on " + socket_path_ + " within " + std::to_string(timeout.count()) +
                           " s"};
        }
        return failure{"lost the connection to qjobd on " + socket_path_ + ": " + result.message()};
    }
    http_reply reply;
    reply.status = parser.get().result_int();
    reply.content_type = std::string{parser.get()[http::field::content_type]};
    reply.body = std::move(parser.get().body());
    return reply;
}

error_code http_client::connect(std::chrono::seconds timeout) {
    stream_.emplace(io_);
    buffer_.clear();
    stream_->expires_after(timeout);
    error_code result;
    stream_->async_connect(net::local::stream_protocol::endpoint{socket_path_},
                           [&result](error_code ec) { result = ec; });
    io_.restart();
    io_.run();
    return result;
}

// Synchronous in effect: the asynchronous operations are used only because Beast's
// stream timeouts apply to them, and the private io_context runs until they finish.
error_code http_client::exchange(request_type& request, http_reply& reply, std::chrono::seconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(reply_body_limit);
    error_code result;

    stream_->expires_after(timeout);
    http::async_write(*stream_, request, [&result](error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();
    if (result) {
        return result;
    }

    http::async_read(*stream_, buffer_, parser, [&result](error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();
    if (result) {
        return result;
    }

    auto& response = parser.get();
    reply.status = response.result_int();
    reply.content_type = std::string{response[http::field::content_type]};
    reply.body = std::move(response.body());
    if (!response.keep_alive()) {
        close();
    }
    return {};
}

void http_client::close() {
    if (stream_) {
        error_code ignored;
        stream_->socket().shutdown(net::local::stream_protocol::socket::shutdown_both, ignored);
        stream_->close();
        stream_.reset();
    }
    buffer_.clear();
}

std::string percent_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        auto const u = static_cast<unsigned char>(c);
        bool const unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                                u == '-' || u == '.' || u == '_' || u == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0F];
        }
    }
    return out;
}

}  // namespace qjob::cli
