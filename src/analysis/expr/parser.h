// The parser of the condition language: tokens to an AST with expr-lang's grammar.
//
// Precedence, lowest first (as in expr-lang's parser/operator):
//   a ? b : c  (right-associative; `a ?: b` means `a ? a : b`)
//   or ||   and &&
//   == != < > <= >= in matches contains startsWith endsWith (and `not in`, `not matches`, ...)
//   ..   + -   unary not !   * / %   unary - +   ** ^ (right-associative)   ??
// followed by postfix member access `a.b`, `a?.b`, index `a[i]`, slice `a[i:j]`. Comparisons
// chain: `1 < x < 3` means `1 < x && x < 3`. Mixing `??` with another operator at the same
// level without parentheses is an error, as in expr. Predicates (all, any, none, one, filter,
// map, count, sum, find, findIndex, findLast, findLastIndex) take a closure `{...}` (or a bare
// expression) in which `#` is the element, `#index` its index and `.f` means `#.f`.
//
// Not supported (syntax errors): the pipe `|`, `let`, `if {} else {}`, `;` sequences, method
// calls `a.f()`, and functions outside the builtin table (builtins.h), including expr's rarely
// used reduce, sortBy, groupBy, toJSON, fromJSON, date and bitwise functions.
#pragma once

#include <optional>
#include <string_view>

#include "analysis/expr/ast.h"
#include "analysis/expr/syntax.h"

namespace devflow::expr {

struct ParseResult {
  NodePtr root;                      // the AST; null when `error` is set
  std::optional<SyntaxError> error;  // the first problem in the source, by position
};

// Parses `source`. Never fails other than through `error`: input longer than kMaxSourceBytes,
// nested deeper than kMaxNestingDepth or larger than kMaxNodes is reported as a syntax error.
ParseResult Parse(std::string_view source);

}  // namespace devflow::expr
