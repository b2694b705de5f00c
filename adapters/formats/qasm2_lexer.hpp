#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qjob::formats::qasm {

/// A rejected program: the 1-based line and what is wrong there. Thrown by the
/// lexer and the parser and caught at the parser's entry point; never escapes it.
struct failure {
  std::uint32_t line = 0;
  std::string what;
};

/// What the lexer recognises; keywords are identifiers, told apart by the parser.
enum class token_kind : std::uint8_t { identifier, number, string, symbol, end };

/// One token. `text` is the identifier, the string without quotes, or the symbol
/// (";", "->", "==", ...); `number` holds a number's value and `integer` whether it
/// was written without a point or exponent.
struct token {
  token_kind kind = token_kind::end;
  std::string text;
  double number = 0.0;
  bool integer = false;
  std::uint32_t line = 1;
};

/// Splits an OpenQASM 2.0 program into tokens, dropping `//` and `/* */`
/// comments; the last token is `end`. Pure. Throws `failure` on a character or
/// string that cannot start a token.
std::vector<token> tokenize(std::string_view program);

}  // namespace qjob::formats::qasm
