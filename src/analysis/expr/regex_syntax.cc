#include "analysis/expr/regex_syntax.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "analysis/expr/utf8.h"

namespace devflow::expr {
namespace {

using Range = RuneRange;
using Ranges = std::vector<RuneRange>;

constexpr int kMaxGroupDepth = 100;
constexpr int kMaxRepeat = 1000;

void Normalize(Ranges& ranges) {
  std::sort(ranges.begin(), ranges.end(), [](Range a, Range b) { return a.lo < b.lo; });
  Ranges merged;
  for (Range r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

// REQUIRES: `ranges` is normalized.
Ranges Negate(const Ranges& ranges) {
  Ranges out;
  char32_t next = 0;
  for (Range r : ranges) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= utf8::kMaxRune) out.push_back({next, utf8::kMaxRune});
  return out;
}

// Adds the other ASCII case of every letter in `ranges`.
void AddAsciiCases(Ranges& ranges) {
  Ranges extra;
  for (Range r : ranges) {
    char32_t lo = std::max<char32_t>(r.lo, 'a'), hi = std::min<char32_t>(r.hi, 'z');
    if (lo <= hi) extra.push_back({lo - 32, hi - 32});
    lo = std::max<char32_t>(r.lo, 'A');
    hi = std::min<char32_t>(r.hi, 'Z');
    if (lo <= hi) extra.push_back({lo + 32, hi + 32});
  }
  ranges.insert(ranges.end(), extra.begin(), extra.end());
}

// The Perl classes \d \s \w and the ASCII classes [:name:]; empty when unknown.
Ranges NamedClass(std::string_view name) {
  if (name == "d" || name == "digit") return {{'0', '9'}};
  if (name == "s") return {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
  if (name == "w" || name == "word") return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  if (name == "alnum") return {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
  if (name == "alpha") return {{'A', 'Z'}, {'a', 'z'}};
  if (name == "ascii") return {{0, 0x7F}};
  if (name == "blank") return {{'\t', '\t'}, {' ', ' '}};
  if (name == "cntrl") return {{0, 0x1F}, {0x7F, 0x7F}};
  if (name == "graph") return {{'!', '~'}};
  if (name == "lower") return {{'a', 'z'}};
  if (name == "print") return {{' ', '~'}};
  if (name == "punct") return {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
  if (name == "space") return {{'\t', '\r'}, {' ', ' '}};
  if (name == "upper") return {{'A', 'Z'}};
  if (name == "xdigit") return {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
  return {};
}

RegexNodePtr MakeNode(RegexNode::Kind kind) {
  auto node = std::make_unique<RegexNode>();
  node->kind = kind;
  return node;
}

struct Flags {
  bool fold = false;         // i
  bool multiline = false;    // m
  bool dot_newline = false;  // s
};

class PatternParser {
 public:
  explicit PatternParser(std::string_view pattern) : p_(pattern) {}

  Result<RegexNodePtr> Parse() {
    Flags flags;
    RegexNodePtr root = ParseAlternation(flags, 0);
    if (error_.empty() && pos_ < p_.size()) Fail("unexpected )", p_);
    if (!error_.empty()) return InvalidArgumentError("error parsing regexp: " + error_);
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= p_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : '\0'; }
  void Fail(std::string_view what, std::string_view where) {
    if (error_.empty()) error_ = std::string(what) + ": `" + std::string(where) + "`";
  }
  bool failed() const { return !error_.empty(); }
  RegexNodePtr FailNode(std::string_view what, std::string_view where) {
    Fail(what, where);
    return nullptr;
  }
  std::optional<char32_t> FailRune(std::string_view what, std::string_view where) {
    Fail(what, where);
    return std::nullopt;
  }

  RegexNodePtr Literal(char32_t rune, const Flags& flags) {
    RegexNodePtr node = MakeNode(RegexNode::Kind::kClass);
    node->ranges = {{rune, rune}};
    if (flags.fold) {
      AddAsciiCases(node->ranges);
      Normalize(node->ranges);
    }
    return node;
  }

  RegexNodePtr ParseAlternation(Flags& flags, int depth) {
    std::vector<RegexNodePtr> alternatives;
    alternatives.push_back(ParseConcat(flags, depth));
    while (!failed() && Peek() == '|' && !AtEnd()) {
      pos_++;
      alternatives.push_back(ParseConcat(flags, depth));
    }
    if (alternatives.size() == 1) return std::move(alternatives[0]);
    RegexNodePtr node = MakeNode(RegexNode::Kind::kAlternate);
    node->subs = std::move(alternatives);
    return node;
  }

  RegexNodePtr ParseConcat(Flags& flags, int depth) {
    RegexNodePtr node = MakeNode(RegexNode::Kind::kConcat);
    bool last_was_repeat = false;
    while (!failed() && !AtEnd() && Peek() != '|' && Peek() != ')') {
      size_t start = pos_;
      std::optional<std::pair<int, int>> repeat = ParseRepeatOperator();
      if (failed()) return nullptr;
      if (repeat) {
        std::string_view op = p_.substr(start, pos_ - start);
        if (node->subs.empty()) return FailNode("missing argument to repetition operator", op);
        if (last_was_repeat) {
          return FailNode("invalid nested repetition operator",
                          p_.substr(repeat_start_, pos_ - repeat_start_));
        }
        repeat_start_ = start;
        RegexNodePtr wrapped = MakeNode(RegexNode::Kind::kRepeat);
        wrapped->min = repeat->first;
        wrapped->max = repeat->second;
        wrapped->subs.push_back(std::move(node->subs.back()));
        node->subs.back() = std::move(wrapped);
        last_was_repeat = true;
        continue;
      }
      last_was_repeat = false;
      RegexNodePtr atom = ParseAtom(flags, depth);
      if (failed()) return nullptr;
      if (atom) node->subs.push_back(std::move(atom));
    }
    return node;
  }

  // Parses `*`, `+`, `?` or a valid `{n,m}`, each with an optional lazy `?`. Returns nothing
  // (consuming nothing) when the text there is not a repetition operator; `{` that does not
  // start a valid count is a literal, as in Go.
  std::optional<std::pair<int, int>> ParseRepeatOperator() {
    std::optional<std::pair<int, int>> result;
    char c = Peek();
    if (c == '*') {
      result = {0, -1};
      pos_++;
    } else if (c == '+') {
      result = {1, -1};
      pos_++;
    } else if (c == '?') {
      result = {0, 1};
      pos_++;
    } else if (c == '{') {
      size_t start = pos_;
      result = ParseCount();
      if (!result) {
        pos_ = start;
        return std::nullopt;
      }
      auto [min, max] = *result;
      if (min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min)) {
        Fail("invalid repeat count", p_.substr(start, pos_ - start));
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    if (Peek() == '?' && !AtEnd()) pos_++;
    return result;
  }

  std::optional<int> ParseInt() {
    size_t start = pos_;
    int64_t value = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      value = std::min<int64_t>(value * 10 + (Peek() - '0'), 1'000'000);
      pos_++;
    }
    if (pos_ == start) return std::nullopt;
    return static_cast<int>(value);
  }

  std::optional<std::pair<int, int>> ParseCount() {
    pos_++;  // '{'
    std::optional<int> min = ParseInt();
    if (!min) return std::nullopt;
    int max = *min;
    if (Peek() == ',') {
      pos_++;
      if (Peek() == '}') {
        max = -1;
      } else {
        std::optional<int> parsed = ParseInt();
        if (!parsed) return std::nullopt;
        max = *parsed;
      }
    }
    if (Peek() != '}' || AtEnd()) return std::nullopt;
    pos_++;
    return std::pair<int, int>{*min, max};
  }

  RegexNodePtr ParseAtom(Flags& flags, int depth) {
    char c = Peek();
    switch (c) {
      case '(':
        return ParseGroup(flags, depth);
      case '[':
        return ParseClass(flags);
      case '.':
        pos_++;
        return MakeNode(flags.dot_newline ? RegexNode::Kind::kAnyChar
                                          : RegexNode::Kind::kAnyNotNewline);
      case '^':
      case '$': {
        pos_++;
        RegexNodePtr node = MakeNode(RegexNode::Kind::kAssert);
        if (c == '^') {
          node->assertion = flags.multiline ? Assertion::kBeginLine : Assertion::kBeginText;
        } else {
          node->assertion = flags.multiline ? Assertion::kEndLine : Assertion::kEndText;
        }
        return node;
      }
      case '\\':
        return ParseEscapeAtom(flags);
      default:
        break;
    }
    utf8::Decoded d = utf8::DecodeAt(p_, pos_);
    if (!d.valid) return FailNode("invalid UTF-8", p_.substr(pos_));
    pos_ += static_cast<size_t>(d.size);
    return Literal(d.rune, flags);
  }

  RegexNodePtr ParseGroup(Flags& flags, int depth) {
    const size_t start = pos_;
    if (depth + 1 > kMaxGroupDepth) return FailNode("expression nests too deeply", p_);
    pos_++;
    Flags inner = flags;
    if (Peek() == '?') {
      std::string_view rest = p_.substr(pos_);
      if (rest.starts_with("?P<") ||
          (rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!"))) {
        pos_ += rest.starts_with("?P<") ? 3 : 2;
        size_t name_start = pos_;
        while (!AtEnd() && (std::isalnum(static_cast<unsigned char>(Peek())) || Peek() == '_')) {
          pos_++;
        }
        if (Peek() != '>' || pos_ == name_start) {
          return FailNode("invalid named capture", p_.substr(start, pos_ - start + 1));
        }
        pos_++;
      } else {
        pos_++;  // '?'
        bool negate = false;
        bool any = false;
        while (true) {
          char f = Peek();
          if (AtEnd()) return FailNode("missing closing )", p_);
          if (f == 'i' || f == 'm' || f == 's' || f == 'U') {
            if (f == 'i') inner.fold = !negate;
            if (f == 'm') inner.multiline = !negate;
            if (f == 's') inner.dot_newline = !negate;
            any = true;
            pos_++;
          } else if (f == '-' && !negate) {
            negate = true;
            any = false;
            pos_++;
          } else if (f == ')' && any) {
            pos_++;
            flags = inner;  // (?i) applies to the rest of the enclosing group
            return MakeNode(RegexNode::Kind::kEmpty);
          } else if (f == ':' && (any || !negate)) {
            pos_++;
            break;
          } else {
            return FailNode("invalid or unsupported Perl syntax",
                            p_.substr(start, pos_ - start + 1));
          }
        }
      }
    }
    RegexNodePtr body = ParseAlternation(inner, depth + 1);
    if (failed()) return nullptr;
    if (Peek() != ')' || AtEnd()) return FailNode("missing closing )", p_);
    pos_++;
    return body;
  }

  // One element of a class: a rune, or a class escape (\d) whose ranges go into `ranges`.
  // Returns the rune when the element is a single rune.
  std::optional<char32_t> ParseClassElement(Ranges& ranges) {
    if (Peek() == '\\') {
      size_t start = pos_;
      pos_++;
      if (AtEnd()) return FailRune("trailing backslash at end of expression", "");
      char e = Peek();
      if (e == 'd' || e == 's' || e == 'w' || e == 'D' || e == 'S' || e == 'W') {
        pos_++;
        Ranges named = NamedClass(std::string(1, static_cast<char>(std::tolower(e))));
        if (std::isupper(static_cast<unsigned char>(e))) named = Negate(named);
        ranges.insert(ranges.end(), named.begin(), named.end());
        return std::nullopt;
      }
      std::optional<char32_t> rune = ParseEscapedRune(start);
      return rune;
    }
    utf8::Decoded d = utf8::DecodeAt(p_, pos_);
    if (!d.valid) return FailRune("invalid UTF-8", p_.substr(pos_));
    pos_ += static_cast<size_t>(d.size);
    return d.rune;
  }

  RegexNodePtr ParseClass(const Flags& flags) {
    const size_t start = pos_;
    pos_++;
    bool negated = false;
    if (Peek() == '^' && !AtEnd()) {
      negated = true;
      pos_++;
    }
    Ranges ranges;
    bool first = true;
    while (true) {
      if (AtEnd()) return FailNode("missing closing ]", p_.substr(start));
      if (Peek() == ']' && !first) {
        pos_++;
        break;
      }
      first = false;
      if (Peek() == '[' && Peek(1) == ':') {
        size_t close = p_.find(":]", pos_ + 2);
        if (close != std::string_view::npos) {
          std::string_view name = p_.substr(pos_ + 2, close - pos_ - 2);
          bool negate_named = name.starts_with("^");
          if (negate_named) name.remove_prefix(1);
          Ranges named = NamedClass(name);
          if (named.empty() || name == "d" || name == "s" || name == "w") {
            return FailNode("invalid character class range", p_.substr(pos_, close + 2 - pos_));
          }
          if (negate_named) named = Negate(named);
          ranges.insert(ranges.end(), named.begin(), named.end());
          pos_ = close + 2;
          continue;
        }
      }
      const size_t element_start = pos_;
      std::optional<char32_t> lo = ParseClassElement(ranges);
      if (failed()) return nullptr;
      if (!lo) continue;
      char32_t hi = *lo;
      if (Peek() == '-' && Peek(1) != ']' && pos_ + 1 < p_.size()) {
        pos_++;
        Ranges ignored;
        std::optional<char32_t> upper = ParseClassElement(ignored);
        if (failed()) return nullptr;
        if (!upper || *upper < *lo) {
          return FailNode("invalid character class range",
                          p_.substr(element_start, pos_ - element_start));
        }
        hi = *upper;
      }
      ranges.push_back({*lo, hi});
    }
    if (flags.fold) AddAsciiCases(ranges);
    Normalize(ranges);
    RegexNodePtr node = MakeNode(RegexNode::Kind::kClass);
    node->ranges = negated ? Negate(ranges) : ranges;
    return node;
  }

  // After a backslash (at `start`, pos_ just past it): a rune escape. Fails on anything else.
  std::optional<char32_t> ParseEscapedRune(size_t start) {
    char e = Peek();
    pos_++;
    switch (e) {
      case 'a':
        return U'\a';
      case 'f':
        return U'\f';
      case 't':
        return U'\t';
      case 'n':
        return U'\n';
      case 'r':
        return U'\r';
      case 'v':
        return U'\v';
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      // Go: a lone \1..\7 would be a backreference, which is not supported.
      if (e != '0' && !(Peek() >= '0' && Peek() <= '7')) {
        return FailRune("invalid escape sequence", p_.substr(start, pos_ - start));
      }
      char32_t value = static_cast<char32_t>(e - '0');
      for (int i = 0; i < 2 && Peek() >= '0' && Peek() <= '7' && !AtEnd(); i++) {
        value = value * 8 + static_cast<char32_t>(Peek() - '0');
        pos_++;
      }
      return value;
    }
    if (e == 'x') {
      char32_t value = 0;
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      if (Peek() == '{') {
        pos_++;
        int digits = 0;
        while (!AtEnd() && hex(Peek()) >= 0) {
          value = value * 16 + static_cast<char32_t>(hex(Peek()));
          if (value > utf8::kMaxRune) break;
          pos_++;
          digits++;
        }
        if (digits == 0 || Peek() != '}' || AtEnd() || value > utf8::kMaxRune) {
          return FailRune("invalid escape sequence", p_.substr(start, pos_ - start));
        }
        pos_++;
        return value;
      }
      for (int i = 0; i < 2; i++) {
        if (AtEnd() || hex(Peek()) < 0) {
          return FailRune("invalid escape sequence", p_.substr(start, pos_ - start));
        }
        value = value * 16 + static_cast<char32_t>(hex(Peek()));
        pos_++;
      }
      return value;
    }
    unsigned char u = static_cast<unsigned char>(e);
    if (u < 0x80 && !std::isalnum(u)) return static_cast<char32_t>(u);
    if (e == 'p' || e == 'P') {
      return FailRune("invalid character class range (Unicode classes are not supported)",
                      p_.substr(start, std::min<size_t>(pos_ - start + 1, p_.size() - start)));
    }
    return FailRune("invalid escape sequence", p_.substr(start, pos_ - start));
  }

  RegexNodePtr ParseEscapeAtom(const Flags& flags) {
    const size_t start = pos_;
    pos_++;
    if (AtEnd()) return FailNode("trailing backslash at end of expression", "");
    char e = Peek();
    auto assertion = [&](Assertion a) {
      pos_++;
      RegexNodePtr node = MakeNode(RegexNode::Kind::kAssert);
      node->assertion = a;
      return node;
    };
    switch (e) {
      case 'A':
        return assertion(Assertion::kBeginText);
      case 'z':
        return assertion(Assertion::kEndText);
      case 'b':
        return assertion(Assertion::kWordBoundary);
      case 'B':
        return assertion(Assertion::kNoBoundary);
      case 'Q': {
        pos_++;
        size_t end = p_.find("\\E", pos_);
        std::string_view quoted =
            p_.substr(pos_, end == std::string_view::npos ? p_.size() - pos_ : end - pos_);
        pos_ = end == std::string_view::npos ? p_.size() : end + 2;
        RegexNodePtr node = MakeNode(RegexNode::Kind::kConcat);
        for (size_t i = 0; i < quoted.size();) {
          utf8::Decoded d = utf8::DecodeAt(quoted, i);
          node->subs.push_back(Literal(d.rune, flags));
          i += static_cast<size_t>(d.size);
        }
        return node;
      }
      default:
        break;
    }
    if (e == 'd' || e == 's' || e == 'w' || e == 'D' || e == 'S' || e == 'W') {
      pos_++;
      RegexNodePtr node = MakeNode(RegexNode::Kind::kClass);
      node->ranges = NamedClass(std::string(1, static_cast<char>(std::tolower(e))));
      if (std::isupper(static_cast<unsigned char>(e))) node->ranges = Negate(node->ranges);
      return node;
    }
    std::optional<char32_t> rune = ParseEscapedRune(start);
    if (!rune) return nullptr;
    return Literal(*rune, flags);
  }

  std::string_view p_;
  size_t pos_ = 0;
  size_t repeat_start_ = 0;
  std::string error_;
};

}  // namespace

bool RangesContain(const std::vector<RuneRange>& ranges, char32_t c) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                             [](char32_t v, RuneRange r) { return v < r.lo; });
  return it != ranges.begin() && c <= std::prev(it)->hi;
}

Result<RegexNodePtr> ParseRegex(std::string_view pattern) { return PatternParser(pattern).Parse(); }

}  // namespace devflow::expr
