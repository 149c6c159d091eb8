// The syntax tree of a parsed condition. Nodes are immutable once the parser has built them and
// are shared between copies of a Program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace devflow::expr {

class Regex;
struct Builtin;

enum class UnaryOp { kNot, kNegate, kPlus };

enum class BinaryOp {
  kOr,
  kAnd,
  kEqual,
  kNotEqual,
  kLess,
  kGreater,
  kLessEqual,
  kGreaterEqual,
  kIn,
  kMatches,
  kContains,
  kStartsWith,
  kEndsWith,
  kRange,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kPower,
  kCoalesce,
};

// The operator as written in messages: "&&", "<=", "in", "..", "**", "??".
std::string_view BinaryOpName(BinaryOp op);

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  enum class Kind {
    kNil,
    kBool,         // bool_value
    kInt,          // int_value
    kFloat,        // float_value
    kString,       // text
    kArray,        // children: the elements
    kMap,          // children: key0, value0, key1, value1, ... (keys are expressions)
    kIdentifier,   // text: the variable name
    kPointer,      // text: "" for `#` (the current element), "index" for `#index`
    kUnary,        // unary_op; children: operand
    kBinary,       // binary_op; children: left, right; regex: precompiled literal pattern
    kMember,       // children: object, key (`a.b` has key "b"); optional for `?.`
    kSlice,        // children: object, from, to (from and to may be null)
    kChain,        // children: a member chain containing `?.`; a nil there makes it nil
    kConditional,  // children: condition, then, else
    kCall,         // builtin; children: the arguments, a predicate as kPredicate
    kPredicate,    // children: the body, evaluated once per element
  };

  Kind kind = Kind::kNil;
  int offset = 0;  // byte offset in the source of the token that made the node
  int height = 1;  // 1 + the greatest height of the children

  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string text;
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kOr;
  bool optional = false;
  const Builtin* builtin = nullptr;
  std::shared_ptr<const Regex> regex;
  std::vector<NodePtr> children;
};

}  // namespace devflow::expr
