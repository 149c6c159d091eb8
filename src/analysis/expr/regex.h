// Regex: Go's regular expression syntax (RE2), matched in linear time.
//
// Argo evaluates `matches` with Go's regexp package, whose syntax differs from ECMAScript's and
// which never backtracks. This engine accepts the RE2 syntax conditions use and matches with a
// Thompson NFA (a Pike VM without captures), so a hostile pattern or text cannot make matching
// exponential, and no recursion depends on the text.
//
// Supported: literals and escapes (\t \n \x41 \x{263a} \0 octal, \Q...\E, escaped punctuation),
// `.`, classes `[a-z]` `[^...]` with \d \w \s \D \W \S and [:alpha:]-style names, anchors ^ $ \A
// \z, \b \B, groups `(...)` `(?:...)` `(?P<n>...)` `(?<n>...)`, flags `(?i)` `(?m)` `(?s)`
// `(?U)` (also scoped, `(?i:...)`), alternation, and * + ? {n} {n,} {n,m} (each optionally
// lazy; laziness does not change whether a text matches).
// Not supported (an error, never a silent mismatch): Unicode classes \pL \p{Greek}. Case
// folding under (?i) covers ASCII letters only. Like Go, backreferences and lookaround are
// errors.
//
// A compiled Regex is immutable and may be shared between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/expr/limits.h"
#include "analysis/expr/regex_syntax.h"
#include "common/result.h"

namespace devflow::expr {

class Regex {
 public:
  // Compiles `pattern`. On a syntax error returns InvalidArgument with Go's wording, e.g.
  // "error parsing regexp: missing closing ): `(ab`"; patterns that expand to more than 20000
  // NFA states (such as `(a{1000}){1000}`) fail with "error parsing regexp: expression too
  // large".
  static Result<std::shared_ptr<const Regex>> Compile(std::string_view pattern);

  // Whether `text` contains a match (Go's regexp.MatchString: unanchored unless the pattern
  // anchors). Invalid UTF-8 in `text` reads as U+FFFD per byte, as in Go. Spends one budget
  // step per NFA state per text position; returns the budget's error when it runs out.
  Result<bool> Search(std::string_view text, Budget& budget) const;

  // One instruction of the compiled NFA (public only for the compiler in regex.cc).
  struct Inst {
    enum class Op { kRunes, kAny, kAnyNotNewline, kSplit, kJump, kMatch, kAssert };
    Op op = Op::kMatch;
    int x = 0;        // kSplit, kJump: the next instruction (kSplit: the preferred one)
    int y = 0;        // kSplit: the other instruction
    int ranges = -1;  // kRunes: index into classes_
    Assertion assertion = Assertion::kBeginText;  // kAssert
  };

 private:
  Regex() = default;

  std::vector<Inst> program_;
  std::vector<std::vector<RuneRange>> classes_;  // sorted, non-overlapping ranges
};

}  // namespace devflow::expr
