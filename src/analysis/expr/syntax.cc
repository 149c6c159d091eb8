#include "analysis/expr/syntax.h"

#include "analysis/expr/parser.h"

namespace devflow::expr {

std::optional<SyntaxError> CheckSyntax(std::string_view source) { return Parse(source).error; }

}  // namespace devflow::expr
