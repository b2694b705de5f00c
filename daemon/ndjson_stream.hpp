#pragma once

#include "event_stream.hpp"
#include "ndjson_lines.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <string>

namespace qjob::daemon {

/// The lines of a request body read from the connection as they arrive, in
/// pieces of a fixed size, so that memory is bounded by max_line_bytes and not
/// by the body (Content-Length or chunked, as Beast's parser decodes it). The
/// header must have been read into `parser` already. Each read must make
/// progress within `inactivity`, or the lines end as timed_out: a large batch
/// may take as long as it needs while it keeps coming. I/O thread.
class ndjson_stream final : public ndjson_lines {
public:
  using body_parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  ndjson_stream(local_stream& stream, boost::beast::flat_buffer& buffer, body_parser& parser,
                std::uint64_t max_line_bytes, std::chrono::steady_clock::duration inactivity)
      : stream_(stream), buffer_(buffer), parser_(parser), max_line_bytes_(max_line_bytes), inactivity_(inactivity) {}

  net::awaitable<std::optional<ndjson_line>> next() override;

  /// True once the whole body has been read and every line taken: the
  /// connection may then serve another request.
  bool complete() const noexcept { return parser_.is_done() && start_ == data_.size(); }

private:
  /// Appends the next piece of the body to data_; false on a failure (set).
  net::awaitable<bool> read_more();

  local_stream& stream_;
  boost::beast::flat_buffer& buffer_;
  body_parser& parser_;
  std::uint64_t max_line_bytes_;
  std::chrono::steady_clock::duration inactivity_;
  // The unconsumed part of what was read: data_[start_, end) is the current
  // line so far, and up to scanned_ it holds no '\n'.
  std::string data_;
  std::size_t start_ = 0;
  std::size_t scanned_ = 0;
  std::size_t number_ = 0;
};

}  // namespace qjob::daemon
