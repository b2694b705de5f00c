#include "qasm2_lexer.hpp"

#include <cctype>
#include <cstdlib>

namespace qjob::formats::qasm {
namespace {

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::vector<token> tokenize(std::string_view program) {
  std::vector<token> tokens;
  std::uint32_t line = 1;
  std::size_t i = 0;
  const std::size_t n = program.size();
  while (i < n) {
    const char c = program[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && program[i + 1] == '/') {
      while (i < n && program[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && program[i + 1] == '*') {
      const std::uint32_t start = line;
      i += 2;
      while (i + 1 < n && !(program[i] == '*' && program[i + 1] == '/')) {
        if (program[i] == '\n') ++line;
        ++i;
      }
      if (i + 1 >= n) throw failure{start, "unterminated comment"};
      i += 2;
      continue;
    }
    token t;
    t.line = line;
    if (is_identifier_start(c)) {
      const std::size_t start = i;
      while (i < n && is_identifier_char(program[i])) ++i;
      t.kind = token_kind::identifier;
      t.text = std::string(program.substr(start, i - start));
    } else if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(program[i + 1]))) {
      const std::size_t start = i;
      bool integer = true;
      while (i < n && is_digit(program[i])) ++i;
      if (i < n && program[i] == '.') {
        integer = false;
        ++i;
        while (i < n && is_digit(program[i])) ++i;
      }
      if (i < n && (program[i] == 'e' || program[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < n && (program[j] == '+' || program[j] == '-')) ++j;
        if (j < n && is_digit(program[j])) {
          integer = false;
          i = j;
          while (i < n && is_digit(program[i])) ++i;
        }
      }
      t.kind = token_kind::number;
      t.text = std::string(program.substr(start, i - start));
      t.number = std::strtod(t.text.c_str(), nullptr);
      t.integer = integer;
    } else if (c == '"') {
      const std::size_t start = ++i;
      while (i < n && program[i] != '"' && program[i] != '\n') ++i;
      if (i >= n || program[i] != '"') throw failure{line, "unterminated string"};
      t.kind = token_kind::string;
      t.text = std::string(program.substr(start, i - start));
      ++i;
    } else if (c == '-' && i + 1 < n && program[i + 1] == '>') {
      t.kind = token_kind::symbol;
      t.text = "->";
      i += 2;
    } else if (c == '=' && i + 1 < n && program[i + 1] == '=') {
      t.kind = token_kind::symbol;
      t.text = "==";
      i += 2;
    } else if (std::string_view(";,()[]{}+-*/^").find(c) != std::string_view::npos) {
      t.kind = token_kind::symbol;
      t.text = std::string(1, c);
      ++i;
    } else {
      throw failure{line, std::string("unexpected character '") + c + "'"};
    }
    tokens.push_back(std::move(t));
  }
  token end;
  end.line = line;
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace qjob::formats::qasm
