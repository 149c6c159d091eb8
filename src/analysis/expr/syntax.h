// Syntax checking for Argo Rollouts' condition language (successCondition, failureCondition),
// used by validation so that a condition that does not parse is an error at lint time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace devflow::expr {

struct SyntaxError {
  int offset = 0;       // byte offset in the source where the problem was found
  std::string message;  // what is wrong, e.g. "unexpected ')', expected an operand"
  friend bool operator==(const SyntaxError&, const SyntaxError&) = default;
};

// Returns nothing when `source` is a well-formed expression, else the first syntax error.
std::optional<SyntaxError> CheckSyntax(std::string_view source);

}  // namespace devflow::expr
