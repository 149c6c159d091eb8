// What the operators of the condition language do to values, following expr-lang's runtime:
//
//   int op int -> int for + - * %; any float makes + - * a float; `/` and `**` always give a
//   float (so 7 / 2 == 3.5, and x / 0 is +Inf, -Inf or NaN as in Go); `%` needs two ints.
//   Strings concatenate with +. Times and durations: time ± duration, time - time, duration
//   ± duration, duration * int.
//   == compares numbers by value (1 == 1.0), lists and maps element by element, and values of
//   different types as unequal; < > <= >= order numbers, strings (bytewise), times and
//   durations, and are false when a NaN is involved.
//
// Where Go would silently wrap (int64 overflow) or C++ would be undefined, these return an
// error instead. Every error is InvalidArgument with a message in expr's style, e.g.
// "invalid operation: string + int", "integer divide by zero".
#pragma once

#include "analysis/expr/ast.h"
#include "analysis/expr/limits.h"
#include "analysis/expr/value.h"
#include "common/result.h"

namespace devflow::expr {

// `a == b`. Spends a step per element compared; fails only when the budget runs out.
Result<bool> Equal(const Value& a, const Value& b, Budget& budget);

// `a < b`, `a > b`, `a <= b`, `a >= b`. REQUIRES: op is one of those four.
Result<bool> Compare(BinaryOp op, const Value& a, const Value& b);

// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`, `a ** b`. REQUIRES: op is one of those.
// Spends steps for the length of a concatenated string.
Result<Value> Arithmetic(BinaryOp op, const Value& a, const Value& b, Budget& budget);

// `a .. b`: the ints from a to b inclusive (empty when b < a). Fails for non-ints and for more
// than kMaxRangeSize elements.
Result<Value> MakeRange(const Value& a, const Value& b, Budget& budget);

// `needle in haystack`: membership in a list (by ==), key presence in a map, false for nil.
Result<bool> In(const Value& needle, const Value& haystack, Budget& budget);

// `a contains b`, `a startsWith b`, `a endsWith b` on strings. REQUIRES: op is one of those.
Result<bool> StringTest(BinaryOp op, const Value& a, const Value& b);

// Unary `-x`, `+x` (numbers) and `not x` (bools).
Result<Value> ApplyUnary(UnaryOp op, const Value& v);

// The integer a number stands for as an index (Go's int(x): floats truncate). Fails for other
// types and for floats that are NaN, infinite or out of int64's range; `what` names the use in
// the message ("index", "slice bound").
Result<int64_t> ToIndex(const Value& v, std::string_view what);

}  // namespace devflow::expr
