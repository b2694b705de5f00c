#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qjob::daemon {

namespace net = boost::asio;

/// One line of an NDJSON body (without its '\n') and its number, from 1.
struct ndjson_line {
  std::string_view text;
  std::size_t number = 0;
};

/// Why the lines of a body stopped before its end.
enum class ndjson_failure {
  none,           ///< the body ended
  line_too_long,  ///< a line passed max_line_bytes: failed_line() and failed_line_bytes() say which
  disconnected,   ///< the client closed the connection mid-body
  timed_out,      ///< nothing arrived for the inactivity bound
  malformed,      ///< the body's framing (chunked encoding) is broken
};

/// Where the lines of an NDJSON batch come from, one at a time, so that a batch
/// is parsed and stored as it arrives and never held whole: the connection
/// (ndjson_stream) or a body already in memory (ndjson_text_lines). Every line
/// is at most max_line_bytes; a longer one ends the lines with line_too_long.
/// Used from one coroutine on the I/O thread.
class ndjson_lines {
public:
  virtual ~ndjson_lines() = default;

  /// The next line, blank ones included, valid until the next call; nullopt at
  /// the body's end or on a failure (failure() tells which). Cancellation ends
  /// a read in progress as disconnected.
  virtual net::awaitable<std::optional<ndjson_line>> next() = 0;

  /// Why next() returned nullopt: none at the body's end.
  ndjson_failure failure() const noexcept { return failure_; }
  /// The line that was too long, and its length (at least this when
  /// `failed_line_whole()` is false: the rest was never read).
  std::size_t failed_line() const noexcept { return failed_line_; }
  std::uint64_t failed_line_bytes() const noexcept { return failed_line_bytes_; }
  bool failed_line_whole() const noexcept { return failed_line_whole_; }

protected:
  void fail_line(std::size_t number, std::uint64_t bytes, bool whole) noexcept {
    failure_ = ndjson_failure::line_too_long;
    failed_line_ = number;
    failed_line_bytes_ = bytes;
    failed_line_whole_ = whole;
  }
  ndjson_failure failure_ = ndjson_failure::none;

private:
  std::size_t failed_line_ = 0;
  std::uint64_t failed_line_bytes_ = 0;
  bool failed_line_whole_ = true;
};

/// The lines of a body already in memory (`text` must outlive this).
class ndjson_text_lines final : public ndjson_lines {
public:
  ndjson_text_lines(std::string_view text, std::uint64_t max_line_bytes) : rest_(text), max_line_bytes_(max_line_bytes) {}
  net::awaitable<std::optional<ndjson_line>> next() override;

private:
  std::string_view rest_;
  std::uint64_t max_line_bytes_;
  std::size_t number_ = 0;
};

}  // namespace qjob::daemon
