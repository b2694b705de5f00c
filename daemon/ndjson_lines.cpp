#include "ndjson_lines.hpp"

namespace qjob::daemon {

net::awaitable<std::optional<ndjson_line>> ndjson_text_lines::next() {
  if (rest_.empty()) co_return std::nullopt;
  ++number_;
  const auto end = rest_.find('\n');
  const auto text = rest_.substr(0, end);
  rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
  if (text.size() > max_line_bytes_) {
    fail_line(number_, text.size(), true);
    co_return std::nullopt;
  }
  co_return ndjson_line{text, number_};
}

}  // namespace qjob::daemon
