#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// A reader of the HTTP recordings ("cassettes") that vcrpy and azure-devtools
/// write: YAML with `interactions[]` of `request{method, uri, headers, body}`
/// and `response{status{code, message}, headers, body{string}}`. It reads the
/// YAML subset those files use (block mappings and sequences; plain, single-
/// and double-quoted scalars, folded over lines), not YAML in general.
namespace qjob::test {

using recorded_headers = std::vector<std::pair<std::string, std::string>>;

struct recorded_request {
  std::string method;
  std::string uri;
  recorded_headers headers;        ///< name and first value, as recorded
  std::optional<std::string> body;  ///< decoded (see decode_recorded_body); nullopt when null
};

struct recorded_response {
  unsigned status = 0;
  recorded_headers headers;
  std::string body;
};

struct interaction {
  recorded_request request;
  recorded_response response;
};

/// The interactions of the cassette at `path`, in order. Throws
/// std::runtime_error naming the file and line when it cannot be read.
std::vector<interaction> read_cassette(const std::filesystem::path& path);

/// The same, from the text of a cassette (`name` for errors).
std::vector<interaction> parse_cassette(std::string_view text, std::string_view name = "cassette");

/// A recorded request body as sent: vcrpy stores bytes as Python's repr
/// (`b'{"a": 1}'`, with \n, \', \xNN escapes); anything else is returned as is.
std::string decode_recorded_body(std::string_view body);

/// The first value of header `name` (ASCII case ignored), or "".
std::string_view header_value(const recorded_headers& headers, std::string_view name);

}  // namespace qjob::test
