// The syntax of Go (RE2) regular expressions: a pattern parsed into a tree that regex.cc
// compiles into an NFA. See regex.h for what is supported.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace devflow::expr {

// An inclusive range of code points.
struct RuneRange {
  char32_t lo;
  char32_t hi;
};

// Empty-width assertions: ^ $ (per (?m)), \A \z, \b \B.
enum class Assertion { kBeginLine, kEndLine, kBeginText, kEndText, kWordBoundary, kNoBoundary };

struct RegexNode {
  enum class Kind {
    kEmpty,          // matches the empty string
    kClass,          // one rune in `ranges` (a literal is a one-rune class)
    kAnyChar,        // any rune: `.` under (?s)
    kAnyNotNewline,  // any rune but '\n': `.`
    kAssert,         // `assertion`
    kConcat,         // `subs` in sequence
    kAlternate,      // one of `subs`
    kRepeat,         // subs[0] repeated min..max times (max -1: unbounded)
  };
  Kind kind = Kind::kEmpty;
  std::vector<RuneRange> ranges;  // sorted, non-overlapping; case folding already applied
  Assertion assertion = Assertion::kBeginText;
  int min = 0;
  int max = -1;
  std::vector<std::unique_ptr<RegexNode>> subs;
};
using RegexNodePtr = std::unique_ptr<RegexNode>;

// Parses `pattern`. On a syntax error returns InvalidArgument with Go's wording:
// "error parsing regexp: <what>: `<where>`". Group nesting is limited to 100 levels and
// repeat counts to 1000, as in Go.
Result<RegexNodePtr> ParseRegex(std::string_view pattern);

// Whether `c` is in `ranges`. REQUIRES: `ranges` sorted and non-overlapping.
bool RangesContain(const std::vector<RuneRange>& ranges, char32_t c);

}  // namespace devflow::expr
