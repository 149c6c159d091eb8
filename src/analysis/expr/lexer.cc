#include "analysis/expr/lexer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/expr/utf8.h"

namespace devflow::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsWordOperator(std::string_view word) {
  return word == "not" || word == "in" || word == "and" || word == "or" || word == "matches" ||
         word == "contains" || word == "startsWith" || word == "endsWith" || word == "let" ||
         word == "if" || word == "else";
}

// Symbols, longest first so that "**" wins over "*".
constexpr std::string_view kSymbols[] = {
    "?.", "??", "..", "**", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}",
    ",",  ":",  ".",  "?",  "+",  "-",  "*",  "/",  "%",  "^",  "<", ">", "!", "|", ";", "=",
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> Run() {
    while (true) {
      SkipSpaceAndComments();
      if (failed_) break;
      if (pos_ >= src_.size()) {
        Emit(TokenKind::kEnd, pos_, "");
        break;
      }
      LexToken();
      if (failed_) break;
    }
    return std::move(tokens_);
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  Token& Emit(TokenKind kind, size_t start, std::string text) {
    Token t;
    t.kind = kind;
    t.offset = static_cast<int>(start);
    t.length = static_cast<int>(pos_ - start);
    t.text = std::move(text);
    tokens_.push_back(std::move(t));
    return tokens_.back();
  }

  void Fail(size_t at, std::string message) {
    size_t saved = pos_;
    pos_ = at;
    Emit(TokenKind::kError, at, std::move(message));
    pos_ = saved;
    failed_ = true;
  }

  void SkipSpaceAndComments() {
    while (pos_ < src_.size()) {
      if (IsSpace(Peek())) {
        pos_++;
      } else if (Peek() == '/' && Peek(1) == '/') {
        while (pos_ < src_.size() && Peek() != '\n') pos_++;
      } else if (Peek() == '/' && Peek(1) == '*') {
        size_t end = src_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Fail(pos_, "unclosed comment");
        pos_ = end + 2;
      } else {
        return;
      }
    }
  }

  // Identifier characters: ASCII letters, digits, '_', '$', and any valid multi-byte UTF-8
  // rune (expr accepts Unicode letters). Returns the byte size of the character, 0 if none.
  int IdentifierCharSize(size_t at) const {
    char c = at < src_.size() ? src_[at] : '\0';
    if (IsAsciiLetter(c) || IsDigit(c) || c == '_' || c == '$') return 1;
    if (static_cast<unsigned char>(c) >= 0x80) {
      utf8::Decoded d = utf8::DecodeAt(src_, at);
      if (d.valid) return d.size;
    }
    return 0;
  }

  void LexToken() {
    const size_t start = pos_;
    const char c = Peek();
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return LexNumber();
    if (c == '\'' || c == '"') return LexString(c);
    if (c == '`') return LexRawString();
    if (c == '#') {
      pos_++;
      while (int n = IdentifierCharSize(pos_)) pos_ += static_cast<size_t>(n);
      Emit(TokenKind::kPointer, start, std::string(src_.substr(start + 1, pos_ - start - 1)));
      return;
    }
    if (IdentifierCharSize(pos_) > 0) {
      while (int n = IdentifierCharSize(pos_)) pos_ += static_cast<size_t>(n);
      std::string word(src_.substr(start, pos_ - start));
      TokenKind kind = IsWordOperator(word) ? TokenKind::kOperator : TokenKind::kIdentifier;
      Emit(kind, start, std::move(word));
      return;
    }
    for (std::string_view symbol : kSymbols) {
      if (src_.substr(pos_, symbol.size()) == symbol) {
        pos_ += symbol.size();
        Emit(TokenKind::kOperator, start, std::string(symbol));
        return;
      }
    }
    utf8::Decoded d = utf8::DecodeAt(src_, pos_);
    if (!d.valid) return Fail(start, "invalid UTF-8 byte in expression");
    if (d.rune < 0x20 || d.rune == 0x7F) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(d.rune));
      return Fail(start, std::string("unexpected control character ") + code);
    }
    Fail(start, "unexpected character '" + std::string(src_.substr(start, d.size)) + "'");
  }

  // Follows expr's scanner: digits with '_', an optional fraction (but "1..2" is a range), an
  // optional exponent, and no letter or digit right after.
  void LexNumber() {
    const size_t start = pos_;
    std::string_view digits = "0123456789_";
    bool prefixed = false;
    if (Peek() == '0') {
      char p = Peek(1);
      if (p == 'x' || p == 'X' || p == 'o' || p == 'O' || p == 'b' || p == 'B') {
        prefixed = true;
        pos_ += 2;
        digits = (p == 'x' || p == 'X')   ? "0123456789abcdefABCDEF_"
                 : (p == 'o' || p == 'O') ? "01234567_"
                                          : "01_";
      }
    }
    auto accept_run = [&] {
      while (pos_ < src_.size() && digits.find(Peek()) != std::string_view::npos) pos_++;
    };
    accept_run();
    if (Peek() == '.' && Peek(1) != '.') {
      pos_++;
      accept_run();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      pos_++;
      if (Peek() == '+' || Peek() == '-') pos_++;
      accept_run();
    }
    std::string_view word = src_.substr(start, pos_ - start);
    if (IdentifierCharSize(pos_) > 0) {
      pos_ += static_cast<size_t>(IdentifierCharSize(pos_));
      return Fail(start, "invalid number '" + std::string(src_.substr(start, pos_ - start)) + "'");
    }
    std::string clean;
    for (char ch : word) {
      if (ch != '_') clean += ch;
    }
    if (prefixed) return EmitPrefixedInt(start, clean, word);
    if (clean.find_first_of(".eE") != std::string::npos) {
      errno = 0;
      char* end = nullptr;
      double value = std::strtod(clean.c_str(), &end);
      if (end != clean.c_str() + clean.size() || std::isinf(value)) {
        return Fail(start, "invalid float literal '" + std::string(word) + "'");
      }
      Emit(TokenKind::kFloat, start, std::string(word)).float_value = value;
      return;
    }
    int64_t value = 0;
    for (char ch : clean) {
      int d = ch - '0';
      if (value > (INT64_MAX - d) / 10) {
        return Fail(start, "integer literal '" + std::string(word) + "' is too large");
      }
      value = value * 10 + d;
    }
    Emit(TokenKind::kInt, start, std::string(word)).int_value = value;
  }

  void EmitPrefixedInt(size_t start, const std::string& clean, std::string_view word) {
    char kind = static_cast<char>(clean[1] | 0x20);
    int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
    std::string_view body = std::string_view(clean).substr(2);
    if (body.empty() || (body.find_first_of(".eE") != std::string_view::npos && base != 16)) {
      return Fail(start, "invalid number '" + std::string(word) + "'");
    }
    int64_t value = 0;
    for (char ch : body) {
      if (!IsHexDigit(ch) || HexValue(ch) >= base) {
        return Fail(start, "invalid number '" + std::string(word) + "'");
      }
      int d = HexValue(ch);
      if (value > (INT64_MAX - d) / base) {
        return Fail(start, "integer literal '" + std::string(word) + "' is too large");
      }
      value = value * base + d;
    }
    Emit(TokenKind::kInt, start, std::string(word)).int_value = value;
  }

  // Reads `count` digits of `base` at pos_; -1 if they are not there.
  int64_t ReadDigits(int count, int base) {
    int64_t value = 0;
    for (int i = 0; i < count; i++) {
      char ch = Peek();
      if (!IsHexDigit(ch) || HexValue(ch) >= base) return -1;
      value = value * base + HexValue(ch);
      pos_++;
    }
    return value;
  }

  // Decodes the escape after a backslash into `out`; false when it is not a valid escape.
  bool LexEscape(char quote, std::string& out) {
    char e = Peek();
    pos_++;
    switch (e) {
      case 'a':
        out += '\a';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'v':
        out += '\v';
        return true;
      case '\\':
        out += '\\';
        return true;
      default:
        break;
    }
    if (e == quote) {
      out += quote;
      return true;
    }
    int64_t value = -1;
    if (e >= '0' && e <= '7') {
      pos_--;
      value = ReadDigits(3, 8);
      if (value > 255) value = -1;
      if (value >= 0) out += static_cast<char>(value);
      return value >= 0;
    }
    if (e == 'x') {
      value = ReadDigits(2, 16);
      if (value >= 0) out += static_cast<char>(value);
      return value >= 0;
    }
    if (e == 'u' && Peek() == '{') {
      pos_++;
      size_t digits_start = pos_;
      value = 0;
      while (IsHexDigit(Peek()) && pos_ - digits_start < 6)
        value = value * 16 + HexValue(src_[pos_++]);
      if (pos_ == digits_start || Peek() != '}') return false;
      pos_++;
    } else if (e == 'u') {
      value = ReadDigits(4, 16);
    } else if (e == 'U') {
      value = ReadDigits(8, 16);
    } else {
      return false;
    }
    if (value < 0 || value > utf8::kMaxRune || (value >= 0xD800 && value <= 0xDFFF)) {
      return false;
    }
    utf8::Append(static_cast<char32_t>(value), out);
    return true;
  }

  void LexString(char quote) {
    const size_t start = pos_;
    pos_++;
    std::string value;
    while (true) {
      if (pos_ >= src_.size() || Peek() == '\n') {
        return Fail(start, "string literal not terminated");
      }
      char ch = Peek();
      if (ch == quote) break;
      if (ch == '\\') {
        size_t backslash = pos_;
        pos_++;
        if (pos_ >= src_.size()) return Fail(start, "string literal not terminated");
        if (!LexEscape(quote, value)) {
          size_t end = std::min(pos_, backslash + 2);
          return Fail(backslash, "invalid escape sequence '" +
                                     std::string(src_.substr(backslash, end - backslash)) +
                                     "' in string");
        }
        continue;
      }
      value += ch;
      pos_++;
    }
    pos_++;
    Emit(TokenKind::kString, start, std::move(value));
  }

  // `raw` strings: no escapes; a doubled backtick stands for one.
  void LexRawString() {
    const size_t start = pos_;
    pos_++;
    std::string value;
    while (true) {
      if (pos_ >= src_.size()) return Fail(start, "string literal not terminated");
      if (Peek() == '`') {
        if (Peek(1) != '`') break;
        pos_++;
      }
      value += src_[pos_++];
    }
    pos_++;
    Emit(TokenKind::kString, start, std::move(value));
  }

  std::string_view src_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Lex(std::string_view source) { return Lexer(source).Run(); }

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of expression";
    case TokenKind::kError:
      return "error";
    case TokenKind::kInt:
    case TokenKind::kFloat:
      return "number " + token.text;
    case TokenKind::kString: {
      std::string shown = token.text.size() > 20 ? token.text.substr(0, 20) + "..." : token.text;
      return "string \"" + shown + "\"";
    }
    case TokenKind::kPointer:
      return "'#" + token.text + "'";
    case TokenKind::kIdentifier:
    case TokenKind::kOperator:
      return "'" + token.text + "'";
  }
  return "token";
}

}  // namespace devflow::expr
