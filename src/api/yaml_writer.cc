// The emitter reproduces the decisions of go-yaml v2 (the encoder kubectl uses through
// sigs.k8s.io/yaml) and of the libyaml emitter it ports: which scalar style a string may take,
// where a long line folds, and how nested collections are laid out. Only the block style is
// needed, since a JSON value has no anchors, tags or non-string keys.
//
// Every rule that decides whether a plain scalar is safe is the union of two readers' views:
// go-yaml's (what kubectl prints) and api::ReadManifests' (what devflow reads back). Where they
// differ the scalar is quoted, so the output always reads back unchanged.
#include "api/yaml_writer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

namespace devflow::api {
namespace {

constexpr int kIndent = 2;
// go-yaml's best_width: a scalar folds at a space once the line is longer than this.
constexpr int kFoldColumn = 80;
// libyaml writes a key in the "key: value" form only up to this many bytes.
constexpr size_t kMaxSimpleKeyBytes = 128;
constexpr char32_t kReplacement = 0xFFFD;

// One character of a string: its code point and its bytes. A byte that does not start a valid
// UTF-8 sequence is one character of its own, U+FFFD, with valid == false.
struct Char {
  char32_t code = 0;
  std::string_view bytes;
  bool valid = true;
};

using Text = std::vector<Char>;

// Decodes strictly (no overlong forms, surrogates or code points past U+10FFFF), as Go does.
Text Decode(std::string_view s) {
  Text text;
  text.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b0 = byte(i);
    size_t len = 0;
    char32_t code = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 < 0x80) {
      len = 1;
      code = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      code = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      code = b0 & 0x0F;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      code = b0 & 0x07;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char b = byte(i + k);
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
      code = (code << 6) | (b & 0x3F);
    }
    if (!ok) {
      text.push_back(Char{kReplacement, s.substr(i, 1), false});
      ++i;
      continue;
    }
    text.push_back(Char{code, s.substr(i, len), true});
    i += len;
  }
  return text;
}

bool IsBreak(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool IsBlank(char32_t c) { return c == ' ' || c == '\t' || IsBreak(c); }

// libyaml's notion of a character it may write unescaped. Characters outside the BMP are not
// among them, which is why kubectl prints emoji as "\U0001F600".
bool IsPrintable(char32_t c) {
  return c == '\n' || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

size_t CountWhile(std::string_view s, size_t from, bool (*pred)(char)) {
  size_t n = 0;
  while (from + n < s.size() && pred(s[from + n])) ++n;
  return n;
}

// Integers (decimal, 0x, 0o, 0b, legacy octal) and floats in YAML 1.1's syntax, underscores
// ignored, as both go-yaml and ReadManifests resolve them; numbers too large for int64 included.
bool IsNumberSyntax(std::string_view s) {
  std::string t;
  for (char c : s) {
    if (c != '_') t += c;
  }
  std::string_view b = t;
  if (!b.empty() && (b[0] == '+' || b[0] == '-')) b.remove_prefix(1);
  if (b.empty()) return false;
  auto all = [](std::string_view digits, auto pred) {
    if (digits.empty()) return false;
    for (char c : digits) {
      if (!pred(c)) return false;
    }
    return true;
  };
  if (b.size() > 2 && b[0] == '0') {
    char base = b[1];
    std::string_view digits = b.substr(2);
    if (base == 'x' || base == 'X') {
      return all(digits, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    }
    if (base == 'o' || base == 'O') return all(digits, [](char c) { return c >= '0' && c <= '7'; });
    if (base == 'b' || base == 'B') return all(digits, [](char c) { return c == '0' || c == '1'; });
  }
  // (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, which includes plain digit strings.
  size_t p = 0;
  size_t int_digits = CountWhile(b, p, IsDigit);
  p += int_digits;
  size_t frac_digits = 0;
  if (p < b.size() && b[p] == '.') {
    ++p;
    frac_digits = CountWhile(b, p, IsDigit);
    p += frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (p < b.size() && (b[p] == 'e' || b[p] == 'E')) {
    ++p;
    if (p < b.size() && (b[p] == '+' || b[p] == '-')) ++p;
    size_t exp_digits = CountWhile(b, p, IsDigit);
    if (exp_digits == 0) return false;
    p += exp_digits;
  }
  return p == b.size();
}

// Reads 1 or 2 digits at p into value; false when there is no digit.
bool ReadShortNumber(std::string_view s, size_t& p, int& value) {
  size_t n = std::min<size_t>(CountWhile(s, p, IsDigit), 2);
  if (n == 0) return false;
  value = 0;
  for (size_t k = 0; k < n; ++k) value = value * 10 + (s[p + k] - '0');
  p += n;
  return true;
}

// go-yaml types "YYYY-M-D", optionally followed by a time, as a timestamp (so kubectl quotes
// creationTimestamp). After a valid date and time this errs towards quoting: a string Go's
// time.Parse would reject there (a stray zone name) is quoted too, which reads back the same.
bool IsTimestamp(std::string_view s) {
  if (s.size() < 8 || CountWhile(s, 0, IsDigit) != 4 || s[4] != '-') return false;
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  size_t p = 5;
  int month = 0, day = 0;
  if (!ReadShortNumber(s, p, month) || p >= s.size() || s[p] != '-') return false;
  ++p;
  if (!ReadShortNumber(s, p, day)) return false;
  if (month < 1 || month > 12) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > days) return false;
  if (p == s.size()) return true;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
  ++p;
  int hour = 0, minute = 0, second = 0;
  if (!ReadShortNumber(s, p, hour) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!ReadShortNumber(s, p, minute) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!ReadShortNumber(s, p, second)) return false;
  return hour < 24 && minute < 60 && second < 60;
}

// go-yaml v2 quotes YAML 1.1 sexagesimal floats ("1:20") although it no longer decodes them:
// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
bool IsBase60Float(std::string_view s) {
  auto digit_or_underscore = [](char c) { return IsDigit(c) || c == '_'; };
  size_t p = 0;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
  if (p >= s.size() || !IsDigit(s[p])) return false;
  p += 1 + CountWhile(s, p + 1, digit_or_underscore);
  int groups = 0;
  while (p < s.size() && s[p] == ':') {
    ++p;
    if (p + 1 < s.size() && s[p] >= '0' && s[p] <= '5' && IsDigit(s[p + 1])) {
      p += 2;
    } else if (p < s.size() && IsDigit(s[p])) {
      p += 1;
    } else {
      return false;
    }
    ++groups;
  }
  if (groups == 0) return false;
  if (p < s.size() && s[p] == '.') p += 1 + CountWhile(s, p + 1, digit_or_underscore);
  return p == s.size();
}

// Whether `s`, written as a plain scalar, reads back as the string s.
bool PlainReadsAsString(std::string_view s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL", "<<"})) return false;
  if (IsOneOf(s, {"true",  "True",  "TRUE",  "yes", "Yes", "YES", "on",  "On",  "ON",  "y", "Y",
                  "false", "False", "FALSE", "no",  "No",  "NO",  "off", "Off", "OFF", "n", "N"})) {
    return false;
  }
  if (IsOneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                  ".nan", ".NaN", ".NAN"})) {
    return false;
  }
  return !IsNumberSyntax(s) && !IsTimestamp(s) && !IsBase60Float(s);
}

// Which styles the characters of a string allow (libyaml's scalar analysis, block context).
struct Traits {
  bool has_invalid = false;  // bytes that are not UTF-8
  bool multiline = false;    // holds a line break
  bool plain = true;
  bool single_quoted = true;
  bool literal = true;
};

Traits Analyze(const Text& text) {
  Traits traits;
  size_t n = text.size();
  if (n == 0) {
    traits.plain = false;
    traits.literal = false;
    return traits;
  }
  bool indicators = false;
  if (n >= 3) {
    std::string_view first3[] = {text[0].bytes, text[1].bytes, text[2].bytes};
    indicators = (first3[0] == "-" && first3[1] == "-" && first3[2] == "-") ||
                 (first3[0] == "." && first3[1] == "." && first3[2] == ".");
  }
  bool leading_space = false, leading_break = false, trailing_space = false;
  bool trailing_break = false, break_space = false, space_break = false, special = false;
  bool previous_space = false, previous_break = false, preceded_by_blank = true;
  for (size_t i = 0; i < n; ++i) {
    char32_t c = text[i].code;
    bool followed_by_blank = i + 1 == n || IsBlank(text[i + 1].code);
    if (i == 0) {
      if (c < 0x80 && std::string_view("#,[]{}&*!|>'\"%@`").find(static_cast<char>(c)) !=
                          std::string_view::npos) {
        indicators = true;
      }
      if ((c == '?' || c == ':' || c == '-') && followed_by_blank) indicators = true;
    } else {
      if (c == ':' && followed_by_blank) indicators = true;
      if (c == '#' && preceded_by_blank) indicators = true;
    }
    if (!text[i].valid) traits.has_invalid = true;
    if (!text[i].valid || !IsPrintable(c)) special = true;
    if (c == ' ') {
      leading_space |= i == 0;
      trailing_space |= i + 1 == n;
      break_space |= previous_break;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(c)) {
      traits.multiline = true;
      leading_break |= i == 0;
      trailing_break |= i + 1 == n;
      space_break |= previous_space;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_blank = IsBlank(c);
  }
  if (leading_space || leading_break || trailing_space || trailing_break || traits.multiline ||
      indicators) {
    traits.plain = false;
  }
  if (trailing_space) traits.literal = false;
  if (break_space) {
    traits.plain = false;
    traits.single_quoted = false;
  }
  if (space_break || special) {
    traits.plain = false;
    traits.single_quoted = false;
    traits.literal = false;
  }
  return traits;
}

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

// go-yaml asks for a literal block when the string holds "\n", for double quotes when a plain
// scalar would not read back as a string, for plain otherwise; libyaml then falls back from
// plain to single quotes and from single quotes or a block to double quotes as the characters
// require.
Style ChooseStyle(std::string_view s, const Traits& traits, bool simple_key) {
  if (traits.has_invalid) return Style::kDoubleQuoted;
  Style style = Style::kPlain;
  if (s.find('\n') != std::string_view::npos) {
    style = Style::kLiteral;
  } else if (!PlainReadsAsString(s)) {
    style = Style::kDoubleQuoted;
  }
  if (style == Style::kPlain && !traits.plain) style = Style::kSingleQuoted;
  if (style == Style::kSingleQuoted && !traits.single_quoted) style = Style::kDoubleQuoted;
  if (style == Style::kLiteral && (!traits.literal || simple_key)) style = Style::kDoubleQuoted;
  return style;
}

// Go's strconv.FormatFloat(d, 'g', -1, 64), except that a result without '.' or exponent gets
// ".0" so that it still reads back as a double.
std::string FormatDouble(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);  // shortest round-trip digits: "-1.25e+06"
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    int magnitude = exp < 0 ? -exp : exp;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (exp < 0) {
    out += "0." + std::string(-exp - 1, '0') + digits;
  } else if (digits.size() <= static_cast<size_t>(exp) + 1) {
    out += digits + std::string(exp + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
  }
  return out;
}

// Merge sort on top of std::merge: unlike std::sort and std::stable_sort it stays memory-safe
// even if a comparator is not a strict weak order, which go-yaml's was never shown to be.
void SortMembers(std::vector<const json::Member*>& members) {
  if (members.size() < 2) return;
  auto less = [](const json::Member* a, const json::Member* b) { return KeyLess(a->key, b->key); };
  std::vector<const json::Member*> buffer(members.size());
  for (size_t width = 1; width < members.size(); width *= 2) {
    for (size_t lo = 0; lo < members.size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, members.size());
      size_t hi = std::min(lo + 2 * width, members.size());
      std::merge(members.begin() + lo, members.begin() + mid, members.begin() + mid,
                 members.begin() + hi, buffer.begin() + lo, less);
    }
    members.swap(buffer);
  }
}

// Builds the document. column_ counts characters on the current line, which is what the fold
// column is measured in.
class Emitter {
 public:
  std::string Document(const json::Value& value) {
    if (IsNonEmptyObject(value)) {
      Mapping(value.as_object(), 0, false);
    } else if (IsNonEmptyArray(value)) {
      Sequence(value.as_array(), 0, false);
    } else {
      Scalar(value, kIndent);
    }
    if (column_ > 0) LineBreak();
    return std::move(out_);
  }

 private:
  static bool IsNonEmptyObject(const json::Value& v) {
    return v.is_object() && !v.as_object().empty();
  }
  static bool IsNonEmptyArray(const json::Value& v) {
    return v.is_array() && !v.as_array().empty();
  }

  void Ascii(std::string_view s) {
    out_ += s;
    column_ += static_cast<int>(s.size());
  }
  void Put(const Char& c) {
    out_ += c.bytes;
    ++column_;
  }
  void LineBreak() {
    out_ += '\n';
    column_ = 0;
  }
  // Writes a line break character of the string itself. U+2028/U+2029 are kept as they are:
  // YAML 1.1 reads them as line breaks and keeps them in the value.
  void Break(const Char& c) {
    if (c.code == '\n') {
      LineBreak();
    } else {
      out_ += c.bytes;
      column_ = 0;
    }
  }
  void PadTo(int indent) {
    while (column_ < indent) Ascii(" ");
  }
  // Moves to column `indent` of a fresh line (the current one if nothing is written on it).
  void NewLine(int indent) {
    if (column_ > 0) LineBreak();
    PadTo(indent);
  }

  // Non-empty mapping with its keys at column `indent`. With `inline_first` the first entry
  // continues the current line (after "- ", or ": " of an explicit key).
  void Mapping(const json::Object& object, int indent, bool inline_first) {
    std::vector<const json::Member*> members;
    for (const json::Member& m : object) members.push_back(&m);
    SortMembers(members);
    bool first = true;
    for (const json::Member* m : members) {
      if (!(first && inline_first)) NewLine(indent);
      first = false;
      Entry(m->key, m->value, indent);
    }
  }

  // Non-empty sequence with its dashes at column `indent`.
  void Sequence(const json::Array& array, int indent, bool inline_first) {
    bool first = true;
    for (const json::Value& item : array) {
      if (!(first && inline_first)) NewLine(indent);
      first = false;
      Ascii("-");
      CompactValue(item, indent + kIndent);
    }
  }

  void Entry(std::string_view key, const json::Value& value, int indent) {
    Text text = Decode(key);
    Traits traits = Analyze(text);
    size_t bytes = 0;
    for (const Char& c : text) bytes += c.valid ? c.bytes.size() : 3;
    if (!traits.multiline && bytes <= kMaxSimpleKeyBytes) {
      String(key, text, traits, indent + kIndent, /*simple_key=*/true);
      Ascii(":");
      if (IsNonEmptyObject(value)) {
        Mapping(value.as_object(), indent + kIndent, false);
      } else if (IsNonEmptyArray(value)) {
        // kubectl does not indent a sequence under its key.
        Sequence(value.as_array(), indent, false);
      } else {
        Ascii(" ");
        Scalar(value, indent + kIndent);
      }
      return;
    }
    Ascii("? ");
    String(key, text, traits, indent + kIndent, /*simple_key=*/false);
    NewLine(indent);
    Ascii(":");
    CompactValue(value, indent + kIndent);
  }

  // A value after "-" or the ":" of an explicit key: a collection starts on the same line.
  void CompactValue(const json::Value& value, int indent) {
    Ascii(" ");
    if (IsNonEmptyObject(value)) {
      Mapping(value.as_object(), indent, true);
    } else if (IsNonEmptyArray(value)) {
      Sequence(value.as_array(), indent, true);
    } else {
      Scalar(value, indent);
    }
  }

  // A scalar or an empty collection; `indent` is where its continuation lines go.
  void Scalar(const json::Value& value, int indent) {
    switch (value.type()) {
      case json::Type::kNull:
        Ascii("null");
        break;
      case json::Type::kBool:
        Ascii(value.as_bool() ? "true" : "false");
        break;
      case json::Type::kInt:
        Ascii(std::to_string(value.as_int()));
        break;
      case json::Type::kDouble:
        Ascii(FormatDouble(value.as_double()));
        break;
      case json::Type::kString: {
        Text text = Decode(value.as_string());
        String(value.as_string(), text, Analyze(text), indent, /*simple_key=*/false);
        break;
      }
      case json::Type::kArray:
        Ascii("[]");
        break;
      case json::Type::kObject:
        Ascii("{}");
        break;
    }
  }

  void String(std::string_view s, const Text& text, const Traits& traits, int indent,
              bool simple_key) {
    bool fold = !simple_key;
    switch (ChooseStyle(s, traits, simple_key)) {
      case Style::kPlain:
        Plain(text, indent, fold);
        break;
      case Style::kSingleQuoted:
        SingleQuoted(text, indent, fold);
        break;
      case Style::kDoubleQuoted:
        DoubleQuoted(text, indent, fold);
        break;
      case Style::kLiteral:
        Literal(text, indent);
        break;
    }
  }

  // Whether the space at text[i] is where a long line folds. A fold replaces one space between
  // two non-spaces with a line break, which YAML reads back as that one space.
  bool FoldsAt(const Text& text, size_t i, bool fold, bool after_space) const {
    return fold && !after_space && column_ > kFoldColumn && i != 0 && i + 1 != text.size();
  }

  void Plain(const Text& text, int indent, bool fold) {
    bool after_space = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i].code == ' ') {
        if (FoldsAt(text, i, fold, after_space) && text[i + 1].code != ' ') {
          NewLine(indent);
        } else {
          Put(text[i]);
        }
        after_space = true;
      } else {
        Put(text[i]);
        after_space = false;
      }
    }
  }

  void SingleQuoted(const Text& text, int indent, bool fold) {
    Ascii("'");
    bool after_space = false, after_break = false;
    for (size_t i = 0; i < text.size(); ++i) {
      const Char& c = text[i];
      if (c.code == ' ') {
        if (FoldsAt(text, i, fold, after_space) && text[i + 1].code != ' ') {
          NewLine(indent);
        } else {
          Put(c);
        }
        after_space = true;
      } else if (IsBreak(c.code)) {
        // Only U+2028 and U+2029 get here (a string holding "\n" asks for a literal block, which
        // falls back to double quotes); YAML keeps them, unlike "\n", which would fold to a space.
        Break(c);
        after_break = true;
      } else {
        if (after_break) PadTo(indent);
        Put(c);
        if (c.code == '\'') Ascii("'");
        after_space = false;
        after_break = false;
      }
    }
    if (after_break) PadTo(indent);
    Ascii("'");
  }

  // YAML's short escapes where one exists, else \xXX, \uXXXX or \UXXXXXXXX (upper-case hex).
  void Escape(const Char& c) {
    struct ShortEscape {
      char32_t code;
      const char* text;
    };
    static constexpr ShortEscape kShort[] = {
        {0x00, "\\0"},  {0x07, "\\a"}, {0x08, "\\b"}, {0x09, "\\t"},   {0x0A, "\\n"},
        {0x0B, "\\v"},  {0x0C, "\\f"}, {0x0D, "\\r"}, {0x1B, "\\e"},   {'"', "\\\""},
        {'\\', "\\\\"}, {0x85, "\\N"}, {0xA0, "\\_"}, {0x2028, "\\L"}, {0x2029, "\\P"},
    };
    for (const ShortEscape& e : kShort) {
      if (e.code == c.code) {
        Ascii(e.text);
        return;
      }
    }
    char buf[16];
    int width = c.code <= 0xFF ? 2 : c.code <= 0xFFFF ? 4 : 8;
    char letter = width == 2 ? 'x' : width == 4 ? 'u' : 'U';
    std::snprintf(buf, sizeof buf, "\\%c%0*X", letter, width, static_cast<unsigned>(c.code));
    Ascii(buf);
  }

  void DoubleQuoted(const Text& text, int indent, bool fold) {
    Ascii("\"");
    bool after_space = false;
    for (size_t i = 0; i < text.size(); ++i) {
      const Char& c = text[i];
      if (!c.valid || !IsPrintable(c.code) || IsBreak(c.code) || c.code == '"' || c.code == '\\') {
        Escape(c);
        after_space = false;
      } else if (c.code == ' ') {
        if (FoldsAt(text, i, fold, after_space)) {
          NewLine(indent);
          // Leading spaces of a continuation line would be dropped: escape the first one.
          if (text[i + 1].code == ' ') Ascii("\\");
        } else {
          Put(c);
        }
        after_space = true;
      } else {
        Put(c);
        after_space = false;
      }
    }
    Ascii("\"");
  }

  void Literal(const Text& text, int indent) {
    Ascii("|");
    // A first line starting with a space or empty would mislead indentation detection.
    if (text.front().code == ' ' || IsBreak(text.front().code)) Ascii(std::to_string(kIndent));
    size_t n = text.size();
    if (!IsBreak(text[n - 1].code)) {
      Ascii("-");
    } else if (n == 1 || IsBreak(text[n - 2].code)) {
      Ascii("+");
    }
    LineBreak();
    bool after_break = true;
    for (const Char& c : text) {
      if (IsBreak(c.code)) {
        Break(c);
        after_break = true;
      } else {
        if (after_break) PadTo(indent);
        Put(c);
        after_break = false;
      }
    }
  }

  std::string out_;
  int column_ = 0;
};

bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigitCode(char32_t c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string WriteYaml(const json::Value& value) { return Emitter().Document(value); }

bool KeyLess(std::string_view a, std::string_view b) {
  Text at = Decode(a), bt = Decode(b);
  auto is_letter = [](char32_t c) { return c >= 0x80 || IsAsciiLetter(c); };
  size_t n = std::min(at.size(), bt.size());
  for (size_t i = 0; i < n; ++i) {
    char32_t ac = at[i].code, bc = bt[i].code;
    if (ac == bc) continue;
    bool al = is_letter(ac), bl = is_letter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    // Compare the digit runs starting here by value. Go's int64 arithmetic wraps on overflow;
    // unsigned arithmetic reproduces that without undefined behaviour.
    uint64_t an = 0, bn = 0;
    if (ac == '0' || bc == '0') {
      // Inside a number with a non-zero digit before, a zero is not a leading zero.
      for (size_t j = i; j-- > 0 && IsDigitCode(at[j].code);) {
        if (at[j].code != '0') {
          an = bn = 1;
          break;
        }
      }
    }
    size_t ai = i, bi = i;
    for (; ai < at.size() && IsDigitCode(at[ai].code); ++ai) an = an * 10 + (at[ai].code - '0');
    for (; bi < bt.size() && IsDigitCode(bt[bi].code); ++bi) bn = bn * 10 + (bt[bi].code - '0');
    if (an != bn) return static_cast<int64_t>(an) < static_cast<int64_t>(bn);
    if (ai != bi) return ai < bi;
    return ac < bc;
  }
  return at.size() < bt.size();
}

}  // namespace devflow::api
