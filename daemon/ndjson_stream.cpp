#include "ndjson_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

namespace qjob::daemon {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// What one read asks for: the body arrives in pieces of this size at most.
constexpr std::size_t read_piece_bytes = 64 << 10;

}  // namespace

net::awaitable<std::optional<ndjson_line>> ndjson_stream::next() {
  for (;;) {
    const auto newline = data_.find('\n', scanned_);
    if (newline != std::string::npos || (parser_.is_done() && start_ < data_.size())) {
      // A last line may end without '\n'.
      const auto end = newline != std::string::npos ? newline : data_.size();
      const std::string_view text = std::string_view(data_).substr(start_, end - start_);
      start_ = scanned_ = newline != std::string::npos ? newline + 1 : data_.size();
      ++number_;
      if (text.size() > max_line_bytes_) {
        fail_line(number_, text.size(), true);
        co_return std::nullopt;
      }
      co_return ndjson_line{text, number_};
    }
    if (parser_.is_done()) co_return std::nullopt;
    scanned_ = data_.size();
    if (data_.size() - start_ > max_line_bytes_) {
      // Not read to its end: memory stays bounded by the limit.
      fail_line(number_ + 1, data_.size() - start_, false);
      co_return std::nullopt;
    }
    // The lines taken are gone: only the current one is kept.
    data_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
    const bool more = co_await read_more();
    if (!more) co_return std::nullopt;
  }
}

net::awaitable<bool> ndjson_stream::read_more() {
  const auto had = data_.size();
  data_.resize(had + read_piece_bytes);
  auto& body = parser_.get().body();
  body.data = data_.data() + had;
  body.size = read_piece_bytes;
  stream_.expires_after(inactivity_);
  auto [ec, ignored] = co_await http::async_read_some(stream_, buffer_, parser_, net::as_tuple(net::use_awaitable));
  data_.resize(had + read_piece_bytes - body.size);
  body.data = nullptr;
  // The piece is full: not a failure, the next read goes on.
  if (ec == http::error::need_buffer) ec = {};
  if (!ec) co_return true;
  if (ec == beast::error::timeout)
    failure_ = ndjson_failure::timed_out;
  else if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::operation_aborted || ec == net::error::broken_pipe)
    failure_ = ndjson_failure::disconnected;
  else
    failure_ = ndjson_failure::malformed;
  co_return false;
}

}  // namespace qjob::daemon
