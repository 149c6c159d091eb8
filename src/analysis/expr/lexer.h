// Tokens of the condition language, following expr-lang's lexer: numbers (decimal, 0x, 0o, 0b,
// `_` separators, floats such as `.5` and `1e-3`), strings ('single', "double" with Go escapes,
// `raw`), identifiers, the word operators (not in and or matches contains startsWith endsWith,
// and the reserved let if else), symbols, `#`/`#name` inside predicates, and // and /* */
// comments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace devflow::expr {

enum class TokenKind {
  kEnd,         // end of the source
  kError,       // a lexical error; `text` is the message, lexing stopped here
  kIdentifier,  // `text` is the name (true, false and nil included)
  kInt,         // `int_value`
  kFloat,       // `float_value`
  kString,      // `text` is the decoded string
  kOperator,    // `text` is the spelling: "(", "?.", "**", "not", "startsWith", ...
  kPointer,     // `#` or `#name`; `text` is the name without '#', empty for `#`
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int offset = 0;  // byte offset of the token's first byte (of the error, for kError)
  int length = 0;  // bytes of source the token spans
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
};

// Splits `source` into tokens. The last token is kEnd, or kError at the first lexical problem
// (unterminated string, bad escape, bad number, unexpected character), with the tokens before
// it intact so that the parser reports whichever problem comes first in the source.
// REQUIRES: source.size() <= kMaxSourceBytes (offsets are ints).
std::vector<Token> Lex(std::string_view source);

// How a token is named in syntax errors: "')'", "'foo'", "number 12", "string \"abc\"",
// "end of expression".
std::string DescribeToken(const Token& token);

}  // namespace devflow::expr
