#pragma once

#include "api.hpp"
#include "peer_identity.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>

#include <chrono>

namespace qjob::daemon {

/// A connection of the control socket.
using local_stream = boost::beast::basic_stream<net::local::stream_protocol, net::any_io_executor>;

/// Serves `GET /v1/events` on a connection: the api's checks (an error is
/// answered as any other), then the events as Server-Sent Events in a chunked
/// answer. New events are looked for every 250 ms; a comment goes out after 15 s
/// without one, so that a client that went away is noticed and idle proxies keep
/// the stream open. Ends when the client goes, a write stalls past
/// `write_timeout`, or the daemon drains.
net::awaitable<void> serve_event_stream(local_stream& stream, const http_request& request, const peer_identity& peer,
                                        api& handlers, std::chrono::seconds write_timeout);

}  // namespace qjob::daemon
