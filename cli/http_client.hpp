#pragma once

#include "failure.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace qjob::cli {

/// One answer of the daemon: the HTTP status, its content type and the raw body.
struct http_reply {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

/// A synchronous HTTP/1.1 client for qjobd's Unix socket, as a CLI needs it: one
/// keep-alive connection, opened on the first request and reused by the next ones.
///
/// Every call blocks the calling thread until the answer is complete or its
/// timeout expires (the timeout covers connecting, writing and reading). Failures
/// to connect, a lost connection and a timeout are returned as a `failure` whose
/// message names the socket; HTTP error statuses are not failures here, they come
/// back as replies. Not thread-safe: one client per thread.
class http_client {
public:
    /// A client for the daemon listening on `socket_path`; does not connect yet.
    explicit http_client(std::string socket_path);

    /// `GET target` (path and query); the reply, or why there is none.
    cli_result<http_reply> get(std::string_view target, std::chrono::seconds timeout);

    /// `POST target` with `body` of `content_type`; the reply, or why there is none.
    cli_result<http_reply> post(std::string_view target, std::string body, std::string_view content_type,
                                std::chrono::seconds timeout);

    /// `POST target` with a body of `content_type` made piece by piece by
    /// `next_piece` as it is sent (chunked transfer encoding), so that a large
    /// file is never held whole. An empty piece ends the body. A failure from
    /// `next_piece` abandons the request: the connection closes mid-body (the
    /// daemon keeps nothing of it) and the failure is returned. Each write and
    /// the answer must make progress within `timeout`. Uses a connection of its own.
    cli_result<http_reply> post_streamed(std::string_view target, std::string_view content_type,
                                         std::function<cli_result<std::string>()> const& next_piece,
                                         std::chrono::seconds timeout);

    /// `GET target` answered as a stream (Server-Sent Events): `on_data` gets each
    /// piece of the body as it arrives, until the daemon ends the stream or
    /// `on_data` returns false. An answer other than 200 comes back whole, as from
    /// get(). Nothing from the daemon for `idle` is a lost connection (it writes
    /// at least every 15 s). Uses a connection of its own.
    cli_result<http_reply> stream(std::string_view target, std::string_view last_event_id,
                                  std::function<bool(std::string_view)> const& on_data,
                                  std::chrono::seconds idle);

    /// The socket this client talks to, for messages.
    std::string const& socket_path() const { return socket_path_; }

private:
    using stream_type = boost::beast::basic_stream<boost::asio::local::stream_protocol>;
    using request_type = boost::beast::http::request<boost::beast::http::string_body>;

    cli_result<http_reply> send(request_type& request, std::chrono::seconds timeout);
    boost::system::error_code exchange(request_type& request, http_reply& reply, std::chrono::seconds timeout);
    boost::system::error_code connect(std::chrono::seconds timeout);
    void close();

    std::string socket_path_;
    boost::asio::io_context io_;
    std::optional<stream_type> stream_;
    boost::beast::flat_buffer buffer_;
};

/// `value` percent-encoded for a URL path segment or query value: everything but RFC 3986's
/// unreserved characters is escaped.
std::string percent_encode(std::string_view value);

}  // namespace qjob::cli
