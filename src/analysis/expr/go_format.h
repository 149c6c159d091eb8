// Go's fmt "%v" rendering of values, which expr-lang's string() and Argo's measurement values
// use: 0.5 -> "0.5", 1e6 -> "1e+06", [1 "a"] -> "[1 a]", {"b":1,"a":2} -> "map[a:2 b:1]".
#pragma once

#include <string>

#include "analysis/expr/value.h"

namespace devflow::expr {

// Go's %v for a float64 (strconv.FormatFloat(f, 'g', -1, 64)): the shortest text that reads
// back as f, in exponent form when the decimal exponent is < -4 or >= 6 ("1e+06", "1e-05",
// "123456", "0.0001"), and "NaN", "+Inf", "-Inf".
std::string FormatGoFloat(double f);

// Go's fmt.Sprint(v): nil "<nil>"; strings unquoted; lists "[a b]"; maps "map[k:v]" with keys
// sorted; times "2024-05-01 10:00:00 +0000 UTC"; durations "1m30s". Lists and maps nested
// deeper than kMaxValueDepth are cut short with "...".
std::string FormatGoValue(const Value& v);

}  // namespace devflow::expr
