#include "event_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include <string>
#include <variant>

namespace qjob::daemon {

namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t events_per_read = 500;
constexpr auto look_every = 250ms;
constexpr auto heartbeat_every = 15s;

}  // namespace

net::awaitable<void> serve_event_stream(local_stream& stream, const http_request& request, const peer_identity& peer,
                                        api& handlers, std::chrono::seconds write_timeout) {
  auto opened = co_await handlers.open_events(request, peer);
  if (auto* refused = std::get_if<http_response>(&opened)) {
    refused->keep_alive(false);
    refused->prepare_payload();
    stream.expires_after(write_timeout);
    co_await http::async_write(stream, *refused, net::as_tuple(net::use_awaitable));
    co_return;
  }
  auto& query = std::get<event_query>(opened);

  http::response<http::empty_body> head{http::status::ok, 11};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  head.keep_alive(false);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  stream.expires_after(write_timeout);
  auto [head_error, head_bytes] =
      co_await http::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
  if (head_error) co_return;

  net::steady_timer pause(co_await net::this_coro::executor);
  auto last_write = std::chrono::steady_clock::now();
  while (!handlers.draining()) {
    auto events = co_await handlers.next_events(query, events_per_read);
    if (!events) break;
    std::string text;
    for (const auto& event : *events) text += api::event_text(event);
    if (text.empty() && std::chrono::steady_clock::now() - last_write >= heartbeat_every) text = ": keep-alive\n\n";
    if (!text.empty()) {
      stream.expires_after(write_timeout);
      auto [write_error, written] =
          co_await net::async_write(stream, http::make_chunk(net::buffer(text)), net::as_tuple(net::use_awaitable));
      if (write_error) co_return;  // the client went away
      last_write = std::chrono::steady_clock::now();
    }
    if (events->size() == events_per_read) continue;  // more are waiting
    pause.expires_after(look_every);
    auto [wait_error] = co_await pause.async_wait(net::as_tuple(net::use_awaitable));
    if (wait_error) break;  // cancelled: the daemon drains
  }
  stream.expires_after(write_timeout);
  co_await net::async_write(stream, http::make_chunk_last(), net::as_tuple(net::use_awaitable));
}

}  // namespace qjob::daemon
