#include "common/json_reader.h"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace devflow::json {
namespace {

class Parser {
 public:
  Parser(std::string_view text, SourceMap* positions, ReadOptions options)
      : text_(text), positions_(positions), options_(options) {}

  Result<Value> ParseDocument() {
    SkipWhitespace();
    Value v;
    if (!ParseValue(v, FieldPath(), 0)) return Fail();
    SkipWhitespace();
    if (pos_ != text_.size()) {
      SetError("unexpected data after the JSON value");
      return Fail();
    }
    return v;
  }

 private:
  Mark Here() const { return Mark{line_, static_cast<int>(pos_ - line_start_) + 1}; }

  void SetError(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what);
      error_mark_ = Here();
    }
  }
  Status Fail() const {
    return InvalidArgumentError("line " + std::to_string(error_mark_.line) + ", column " +
                                std::to_string(error_mark_.column) + ": " + error_);
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  void Record(const FieldPath& path, Mark key, Mark value, bool simple_text) {
    if (positions_ != nullptr) {
      positions_->Record(path, SourcePosition{key, value, simple_text, simple_text ? 1 : 0});
    }
  }

  bool ParseValue(Value& out, const FieldPath& path, int depth, Mark key_mark = {}) {
    if (depth > options_.max_depth) {
      SetError("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
      return false;
    }
    if (pos_ >= text_.size()) {
      SetError("unexpected end of input, expected a value");
      return false;
    }
    Mark start = Here();
    if (key_mark.line == 0) key_mark = start;
    char c = text_[pos_];
    bool ok;
    bool plain = false;
    switch (c) {
      case '{':
        ok = ParseObject(out, path, depth);
        break;
      case '[':
        ok = ParseArray(out, path, depth);
        break;
      case '"': {
        std::string s;
        size_t before = pos_;
        ok = ParseString(s);
        // Offsets into the value map to columns only when nothing was escaped.
        plain = ok && pos_ - before == s.size() + 2;
        if (ok) out = Value(std::move(s));
        break;
      }
      case 't':
        ok = ParseLiteral("true", Value(true), out);
        break;
      case 'f':
        ok = ParseLiteral("false", Value(false), out);
        break;
      case 'n':
        ok = ParseLiteral("null", Value(nullptr), out);
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          ok = ParseNumber(out);
        } else {
          SetError(std::string("unexpected character '") + c + "'");
          ok = false;
        }
    }
    if (ok) Record(path, key_mark, start, plain);
    return ok;
  }

  bool ParseLiteral(std::string_view word, Value literal, Value& out) {
    if (text_.substr(pos_, word.size()) != word) {
      SetError("invalid literal, expected '" + std::string(word) + "'");
      return false;
    }
    pos_ += word.size();
    out = std::move(literal);
    return true;
  }

  bool ParseNumber(Value& out) {
    size_t start = pos_;
    bool is_integer = true;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        ++pos_;
        ++n;
      }
      return n;
    };
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      SetError("invalid number");
      return false;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_integer = false;
      ++pos_;
      if (digits() == 0) {
        SetError("invalid number: expected digits after '.'");
        return false;
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) {
        SetError("invalid number: expected digits in the exponent");
        return false;
      }
    }
    std::string literal(text_.substr(start, pos_ - start));
    if (is_integer) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(literal.c_str(), &end, 10);
      if (errno == 0 && end == literal.c_str() + literal.size()) {
        out = Value(static_cast<int64_t>(v));
        return true;
      }
    }
    out = Value(std::strtod(literal.c_str(), nullptr));
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
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

  bool ParseHex4(uint32_t& cp) {
    if (pos_ + 4 > text_.size()) {
      SetError("truncated \\u escape");
      return false;
    }
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        SetError("invalid hex digit in \\u escape");
        return false;
      }
    }
    return true;
  }

  bool ParseString(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) {
        SetError("unterminated string");
        return false;
      }
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        SetError("control character in string (escape it)");
        return false;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) {
        SetError("unterminated escape");
        return false;
      }
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!ParseHex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) == "\\u") {
              pos_ += 2;
              if (!ParseHex4(low)) return false;
            }
            if (low < 0xDC00 || low > 0xDFFF) {
              cp = 0xFFFD;  // unpaired surrogate: the replacement character, as Go does
            } else {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          SetError(std::string("invalid escape '\\") + e + "'");
          return false;
      }
    }
  }

  bool ParseArray(Value& out, const FieldPath& path, int depth) {
    ++pos_;
    Array items;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out = Value(std::move(items));
      return true;
    }
    while (true) {
      SkipWhitespace();
      Value item;
      FieldPath item_path = positions_ ? path.Index(items.size()) : FieldPath();
      if (!ParseValue(item, item_path, depth + 1)) return false;
      items.push_back(std::move(item));
      SkipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        out = Value(std::move(items));
        return true;
      }
      SetError("expected ',' or ']' in array");
      return false;
    }
  }

  bool ParseObject(Value& out, const FieldPath& path, int depth) {
    ++pos_;
    Object members;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out = Value(std::move(members));
      return true;
    }
    while (true) {
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        SetError("expected a string key in object");
        return false;
      }
      Mark key_mark = Here();
      std::string key;
      if (!ParseString(key)) return false;
      SkipWhitespace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        SetError("expected ':' after object key");
        return false;
      }
      ++pos_;
      SkipWhitespace();
      Value v;
      FieldPath member_path = positions_ ? path.Child(key) : FieldPath();
      if (!ParseValue(v, member_path, depth + 1, key_mark)) return false;
      members.Set(std::move(key), std::move(v));
      SkipWhitespace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        out = Value(std::move(members));
        return true;
      }
      SetError("expected ',' or '}' in object");
      return false;
    }
  }

  std::string_view text_;
  SourceMap* positions_;
  ReadOptions options_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  std::string error_;
  Mark error_mark_;
};

}  // namespace

Result<Value> Parse(std::string_view text, SourceMap* positions, ReadOptions options) {
  return Parser(text, positions, options).ParseDocument();
}

}  // namespace devflow::json
