#include "support/vcr_cassette.hpp"

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace qjob::test {
namespace {

/// A YAML node of the subset: a scalar (nullopt for null), a mapping or a sequence.
struct node {
  std::optional<std::string> scalar;
  std::vector<std::pair<std::string, node>> map;
  std::vector<node> seq;

  const node* find(std::string_view key) const {
    for (const auto& [k, v] : map)
      if (k == key) return &v;
    return nullptr;
  }
};

struct line {
  std::size_t indent;
  std::string text;  // without the indentation, right-trimmed
  std::size_t number;
};

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  return s;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class parser {
public:
  parser(std::string_view text, std::string_view name) : name_(name) {
    std::size_t number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string raw(text.substr(start, end - start));
      ++number;
      start = end + 1;
      const auto first = raw.find_first_not_of(' ');
      // Blank lines are kept: inside a quoted scalar they are line breaks.
      lines_.push_back({first == std::string::npos ? 0 : first, rtrim(first == std::string::npos ? "" : raw.substr(first)), number});
      if (end == text.size()) break;
    }
  }

  node document() {
    skip_blank();
    if (at_end()) return {};
    return block(lines_[pos_].indent);
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    const auto number = pos_ < lines_.size() ? lines_[pos_].number : lines_.size();
    throw std::runtime_error(std::string(name_) + ":" + std::to_string(number) + ": " + what);
  }

  bool at_end() const { return pos_ >= lines_.size(); }
  void skip_blank() {
    while (!at_end() && lines_[pos_].text.empty()) ++pos_;
  }
  static bool is_item(const line& l) { return l.text == "-" || l.text.starts_with("- "); }

  node block(std::size_t indent) {
    if (is_item(lines_[pos_])) return sequence(indent);
    return mapping(indent);
  }

  /// "key: rest" -> key and rest; nullopt when the text is not a mapping entry.
  static std::optional<std::pair<std::string, std::string>> entry(const std::string& text) {
    if (text.empty() || text[0] == '\'' || text[0] == '"') return std::nullopt;
    const auto colon = text.find(": ");
    if (colon != std::string::npos) return std::pair{text.substr(0, colon), text.substr(colon + 2)};
    if (text.back() == ':') return std::pair{text.substr(0, text.size() - 1), std::string()};
    return std::nullopt;
  }

  node mapping(std::size_t indent) {
    node out;
    for (;;) {
      skip_blank();
      if (at_end() || lines_[pos_].indent != indent || is_item(lines_[pos_])) break;
      const auto kv = entry(lines_[pos_].text);
      if (!kv) fail("expected 'key: value'");
      ++pos_;
      out.map.emplace_back(kv->first, value_after(indent, kv->second));
    }
    return out;
  }

  /// The value of a key at `indent` whose inline text is `rest`.
  node value_after(std::size_t indent, const std::string& rest) {
    if (!rest.empty()) return scalar_from(rest, indent);
    skip_blank();
    if (at_end()) return {};
    const auto& next = lines_[pos_];
    if (next.indent > indent || (next.indent == indent && is_item(next))) return block(next.indent);
    return {};
  }

  node sequence(std::size_t indent) {
    node out;
    for (;;) {
      skip_blank();
      if (at_end() || lines_[pos_].indent != indent || !is_item(lines_[pos_])) break;
      auto& current = lines_[pos_];
      std::string rest = current.text == "-" ? "" : current.text.substr(2);
      if (rest.empty()) {
        ++pos_;
        out.seq.push_back(value_after(indent, ""));
      } else if (entry(rest)) {
        // "- key: value" opens a mapping indented past the dash.
        current.indent = indent + 2;
        current.text = rest;
        out.seq.push_back(mapping(indent + 2));
      } else {
        ++pos_;
        out.seq.push_back(scalar_from(rest, indent));
      }
    }
    return out;
  }

  /// A scalar starting with `first`, continued by the lines indented past `indent`.
  node scalar_from(const std::string& first, std::size_t indent) {
    std::vector<std::string> parts{first};
    while (!at_end() && (lines_[pos_].text.empty() || lines_[pos_].indent > indent)) {
      // A blank line ends a plain scalar only if what follows is not indented.
      if (lines_[pos_].text.empty()) {
        std::size_t ahead = pos_;
        while (ahead < lines_.size() && lines_[ahead].text.empty()) ++ahead;
        if (ahead >= lines_.size() || lines_[ahead].indent <= indent) break;
      }
      parts.push_back(lines_[pos_].text);
      ++pos_;
    }
    node out;
    const char quote = first[0];
    if (quote == '\'' || quote == '"') {
      out.scalar = quoted(parts, quote);
    } else {
      const auto text = fold(parts, false);
      if (text != "null" && text != "~") out.scalar = text;
    }
    return out;
  }

  /// Joins the lines of a flow scalar: a break is a space, each blank line a
  /// newline; in double quotes a break after a backslash disappears.
  static std::string fold(const std::vector<std::string>& parts, bool double_quoted) {
    std::string out = parts[0];
    std::size_t blanks = 0;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].empty()) {
        ++blanks;
        continue;
      }
      if (blanks > 0) {
        out.append(blanks, '\n');
      } else if (double_quoted && !out.empty() && out.back() == '\\' && odd_backslashes(out)) {
        out.pop_back();
      } else {
        out += ' ';
      }
      blanks = 0;
      out += parts[i];
    }
    return out;
  }

  static bool odd_backslashes(const std::string& s) {
    std::size_t n = 0;
    for (auto it = s.rbegin(); it != s.rend() && *it == '\\'; ++it) ++n;
    return n % 2 == 1;
  }

  std::string quoted(const std::vector<std::string>& parts, char quote) const {
    const auto text = fold(parts, quote == '"');
    std::string out;
    std::size_t i = 1;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (quote == '\'') {
        if (c == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            out += '\'';
            ++i;
            continue;
          }
          return out;
        }
        out += c;
        continue;
      }
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (++i >= text.size()) break;
      switch (text[i]) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case '"': out += '"'; break;
        case '/': out += '/'; break;
        case '\\': out += '\\'; break;
        case ' ': out += ' '; break;
        case 'x':
        case 'u':
        case 'U': {
          const std::size_t digits = text[i] == 'x' ? 2 : text[i] == 'u' ? 4 : 8;
          std::uint32_t cp = 0;
          for (std::size_t k = 0; k < digits; ++k) {
            const int d = i + 1 + k < text.size() ? hex_digit(text[i + 1 + k]) : -1;
            if (d < 0) fail("bad escape in a double-quoted scalar");
            cp = cp * 16 + static_cast<std::uint32_t>(d);
          }
          i += digits;
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("unknown escape \\") + text[i]);
      }
    }
    fail("unterminated quoted scalar");
  }

  std::string_view name_;
  std::vector<line> lines_;
  std::size_t pos_ = 0;
};

std::string scalar_or(const node* n, std::string fallback = {}) {
  return n != nullptr && n->scalar ? *n->scalar : fallback;
}

recorded_headers headers_of(const node* n) {
  recorded_headers out;
  if (n == nullptr) return out;
  for (const auto& [name, values] : n->map) {
    if (!values.seq.empty()) out.emplace_back(name, scalar_or(&values.seq.front()));
    else out.emplace_back(name, scalar_or(&values));
  }
  return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string decode_recorded_body(std::string_view body) {
  if (body.size() < 3 || body[0] != 'b' || (body[1] != '\'' && body[1] != '"') || body.back() != body[1])
    return std::string(body);
  const auto inner = body.substr(2, body.size() - 3);
  std::string out;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] != '\\' || i + 1 >= inner.size()) {
      out += inner[i];
      continue;
    }
    const char e = inner[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'x':
        if (i + 2 < inner.size() && hex_digit(inner[i + 1]) >= 0 && hex_digit(inner[i + 2]) >= 0) {
          out += static_cast<char>(hex_digit(inner[i + 1]) * 16 + hex_digit(inner[i + 2]));
          i += 2;
          break;
        }
        [[fallthrough]];
      default:
        out += '\\';
        out += e;
    }
  }
  return out;
}

std::string_view header_value(const recorded_headers& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (field.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) same = lower(field[i]) == lower(name[i]);
    if (same) return value;
  }
  return {};
}

std::vector<interaction> parse_cassette(std::string_view text, std::string_view name) {
  parser p(text, name);
  const node root = p.document();
  const node* list = root.find("interactions");
  if (list == nullptr) throw std::runtime_error(std::string(name) + ": no 'interactions'");
  std::vector<interaction> out;
  for (const node& entry : list->seq) {
    interaction i;
    const node* request = entry.find("request");
    const node* response = entry.find("response");
    if (request == nullptr || response == nullptr)
      throw std::runtime_error(std::string(name) + ": an interaction without request or response");
    i.request.method = scalar_or(request->find("method"));
    i.request.uri = scalar_or(request->find("uri"));
    i.request.headers = headers_of(request->find("headers"));
    if (const node* body = request->find("body"); body != nullptr && body->scalar && *body->scalar != "None")
      i.request.body = decode_recorded_body(*body->scalar);
    const node* status = response->find("status");
    i.response.status = static_cast<unsigned>(std::stoul(scalar_or(status ? status->find("code") : nullptr, "0")));
    i.response.headers = headers_of(response->find("headers"));
    if (const node* body = response->find("body")) i.response.body = scalar_or(body->find("string"));
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<interaction> read_cassette(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_cassette(text.str(), path.filename().string());
}

}  // namespace qjob::test
