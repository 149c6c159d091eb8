#include "analysis/expr/ast.h"

namespace devflow::expr {

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "||";
    case BinaryOp::kAnd:
      return "&&";
    case BinaryOp::kEqual:
      return "==";
    case BinaryOp::kNotEqual:
      return "!=";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kMatches:
      return "matches";
    case BinaryOp::kContains:
      return "contains";
    case BinaryOp::kStartsWith:
      return "startsWith";
    case BinaryOp::kEndsWith:
      return "endsWith";
    case BinaryOp::kRange:
      return "..";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
    case BinaryOp::kPower:
      return "**";
    case BinaryOp::kCoalesce:
      return "??";
  }
  return "?";
}

}  // namespace devflow::expr
