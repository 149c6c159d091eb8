#include "analysis/expr/parser.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "analysis/expr/builtins.h"
#include "analysis/expr/lexer.h"
#include "analysis/expr/limits.h"
#include "analysis/expr/regex.h"

namespace devflow::expr {
namespace {

struct OperatorInfo {
  std::string_view text;
  BinaryOp op;
  int precedence;
  bool right_associative;
};

constexpr int kComparisonPrecedence = 20;

constexpr OperatorInfo kBinaryOperators[] = {
    {"or", BinaryOp::kOr, 10, false},
    {"||", BinaryOp::kOr, 10, false},
    {"and", BinaryOp::kAnd, 15, false},
    {"&&", BinaryOp::kAnd, 15, false},
    {"==", BinaryOp::kEqual, 20, false},
    {"!=", BinaryOp::kNotEqual, 20, false},
    {"<", BinaryOp::kLess, 20, false},
    {">", BinaryOp::kGreater, 20, false},
    {"<=", BinaryOp::kLessEqual, 20, false},
    {">=", BinaryOp::kGreaterEqual, 20, false},
    {"in", BinaryOp::kIn, 20, false},
    {"matches", BinaryOp::kMatches, 20, false},
    {"contains", BinaryOp::kContains, 20, false},
    {"startsWith", BinaryOp::kStartsWith, 20, false},
    {"endsWith", BinaryOp::kEndsWith, 20, false},
    {"..", BinaryOp::kRange, 25, false},
    {"+", BinaryOp::kAdd, 30, false},
    {"-", BinaryOp::kSubtract, 30, false},
    {"*", BinaryOp::kMultiply, 60, false},
    {"/", BinaryOp::kDivide, 60, false},
    {"%", BinaryOp::kModulo, 60, false},
    {"**", BinaryOp::kPower, 100, true},
    {"^", BinaryOp::kPower, 100, true},
    {"??", BinaryOp::kCoalesce, 500, false},
};

const OperatorInfo* FindBinaryOperator(const Token& t) {
  if (t.kind != TokenKind::kOperator) return nullptr;
  for (const OperatorInfo& info : kBinaryOperators) {
    if (info.text == t.text) return &info;
  }
  return nullptr;
}

bool IsComparison(BinaryOp op) {
  return op == BinaryOp::kLess || op == BinaryOp::kGreater || op == BinaryOp::kLessEqual ||
         op == BinaryOp::kGreaterEqual;
}

bool IsNegatable(const Token& t) {
  return t.kind == TokenKind::kOperator &&
         (t.text == "in" || t.text == "matches" || t.text == "contains" || t.text == "startsWith" ||
          t.text == "endsWith");
}

bool IsWord(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

// expr-lang builtins that devflow does not implement: calling one is reported as unsupported
// rather than unknown, so that a condition written for Argo fails with an honest message.
bool IsUnsupportedExprBuiltin(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "bitand", "bitnand",  "bitnot",   "bitor",   "bitshl",     "bitshr",   "bitushr",
      "bitxor", "concat",   "date",     "flatten", "fromBase64", "fromJSON", "fromPairs",
      "get",    "groupBy",  "reduce",   "repeat",  "sort",       "sortBy",   "splitAfter",
      "take",   "timezone", "toBase64", "toJSON",  "toPairs",    "uniq"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

std::string ArityText(const Builtin& b) {
  if (b.min_args == b.max_args) return std::to_string(b.min_args);
  if (b.max_args < 0) return "at least " + std::to_string(b.min_args);
  if (b.max_args == b.min_args + 1) {
    return std::to_string(b.min_args) + " or " + std::to_string(b.max_args);
  }
  return std::to_string(b.min_args) + " to " + std::to_string(b.max_args);
}

class Parser {
 public:
  explicit Parser(std::string_view source) : tokens_(Lex(source)) {}

  ParseResult Run() {
    NodePtr root = ParseExpression(0);
    if (!failed() && Cur().kind != TokenKind::kEnd) {
      FailUnexpected(Cur(), "an operator or the end of the expression");
    }
    if (failed()) return {nullptr, error_};
    return {std::move(root), std::nullopt};
  }

 private:
  // Counts recursion through ParseExpression, which every nesting of the grammar passes.
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxNestingDepth) {
        parser_.Fail(parser_.Cur().offset, "expression nested too deeply (more than " +
                                               std::to_string(kMaxNestingDepth) + " levels)");
      }
    }
    ~DepthGuard() { parser_.depth_--; }

   private:
    Parser& parser_;
  };

  const Token& Cur() const { return tokens_[pos_]; }
  const Token& Ahead(size_t n) const { return tokens_[std::min(pos_ + n, tokens_.size() - 1)]; }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) pos_++;
  }
  static bool IsOp(const Token& t, std::string_view text) {
    return t.kind == TokenKind::kOperator && t.text == text;
  }
  bool failed() const { return error_.has_value(); }

  void Fail(int offset, std::string message) {
    if (!error_) error_ = SyntaxError{offset, std::move(message)};
  }

  // Reports `t` where `expected` was needed. A lexical error token reports its own message.
  void FailUnexpected(const Token& t, std::string_view expected) {
    if (t.kind == TokenKind::kError) return Fail(t.offset, t.text);
    if (t.kind == TokenKind::kEnd) {
      return Fail(t.offset, "unexpected end of expression, expected " + std::string(expected));
    }
    std::string message = "unexpected " + DescribeToken(t) + ", expected " + std::string(expected);
    if (IsOp(t, "=")) message += " (use '==' to compare)";
    if (IsOp(t, "|")) message = "the pipe operator '|' is not supported";
    if (IsOp(t, ";")) message = "';' sequences are not supported";
    if (IsOp(t, "let") || IsOp(t, "if") || IsOp(t, "else")) {
      message = "'" + t.text + "' is not supported; use 'condition ? a : b'";
    }
    Fail(t.offset, std::move(message));
  }

  bool Expect(std::string_view text) {
    if (IsOp(Cur(), text)) {
      Advance();
      return true;
    }
    FailUnexpected(Cur(), "'" + std::string(text) + "'");
    return false;
  }

  std::shared_ptr<Node> Make(Node::Kind kind, int offset, std::vector<NodePtr> children = {}) {
    if (++node_count_ > kMaxNodes) {
      Fail(offset, "expression too large (more than " + std::to_string(kMaxNodes) + " nodes)");
    }
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->offset = offset;
    for (const NodePtr& child : children) {
      if (child) node->height = std::max(node->height, child->height + 1);
    }
    if (node->height > kMaxNestingDepth) {
      Fail(offset, "expression nested too deeply (more than " + std::to_string(kMaxNestingDepth) +
                       " levels)");
    }
    node->children = std::move(children);
    return node;
  }

  NodePtr MakeBinary(BinaryOp op, int offset, NodePtr left, NodePtr right) {
    std::shared_ptr<Node> node = Make(Node::Kind::kBinary, offset, {left, right});
    node->binary_op = op;
    if (op == BinaryOp::kMatches && right && right->kind == Node::Kind::kString) {
      auto regex = Regex::Compile(right->text);
      if (!regex.ok()) {
        Fail(right->offset, regex.error().message());
      } else {
        node->regex = *regex;
      }
    }
    return node;
  }

  NodePtr ParseExpression(int precedence) {
    DepthGuard guard(*this);
    if (failed()) return nullptr;
    NodePtr left = ParsePrimary();
    std::optional<BinaryOp> previous;
    while (!failed()) {
      Token op_token = Cur();
      std::optional<int> not_offset;
      if (IsOp(op_token, "not")) {
        if (!IsNegatable(Ahead(1))) {
          FailUnexpected(Ahead(1),
                         "'in', 'matches', 'contains', 'startsWith' or 'endsWith' after 'not'");
          return nullptr;
        }
        if (kComparisonPrecedence < precedence) break;
        not_offset = op_token.offset;
        Advance();
        op_token = Cur();
      }
      const OperatorInfo* info = FindBinaryOperator(op_token);
      if (info == nullptr || info->precedence < precedence) break;
      Advance();
      if (previous == BinaryOp::kCoalesce && info->op != BinaryOp::kCoalesce) {
        Fail(op_token.offset, "operator '" + op_token.text +
                                  "' and '?\?' cannot be mixed; wrap either in parentheses");
        return nullptr;
      }
      if (IsComparison(info->op)) {
        left = ParseComparison(std::move(left), op_token, *info);
      } else {
        NodePtr right =
            ParseExpression(info->right_associative ? info->precedence : info->precedence + 1);
        if (failed()) return nullptr;
        left = MakeBinary(info->op, op_token.offset, std::move(left), std::move(right));
        if (not_offset) {
          std::shared_ptr<Node> negation = Make(Node::Kind::kUnary, *not_offset, {left});
          negation->unary_op = UnaryOp::kNot;
          left = negation;
        }
      }
      previous = info->op;
    }
    if (failed()) return nullptr;
    if (precedence == 0) left = ParseConditional(std::move(left));
    return left;
  }

  // `a < b <= c` is `a < b && b <= c`, as in expr.
  NodePtr ParseComparison(NodePtr left, Token op_token, const OperatorInfo& first) {
    NodePtr root;
    const OperatorInfo* info = &first;
    while (true) {
      NodePtr right = ParseExpression(kComparisonPrecedence + 1);
      if (failed()) return nullptr;
      NodePtr comparison = MakeBinary(info->op, op_token.offset, left, right);
      root = root ? MakeBinary(BinaryOp::kAnd, op_token.offset, root, comparison) : comparison;
      left = right;
      const OperatorInfo* next = FindBinaryOperator(Cur());
      if (next == nullptr || !IsComparison(next->op)) break;
      op_token = Cur();
      info = next;
      Advance();
    }
    return root;
  }

  NodePtr ParseConditional(NodePtr node) {
    while (!failed() && IsOp(Cur(), "?")) {
      int offset = Cur().offset;
      Advance();
      NodePtr then_node;
      NodePtr else_node;
      if (IsOp(Cur(), ":")) {
        Advance();
        then_node = node;
        else_node = ParseExpression(0);
      } else {
        then_node = ParseExpression(0);
        if (failed() || !Expect(":")) return nullptr;
        else_node = ParseExpression(0);
      }
      if (failed()) return nullptr;
      node = Make(Node::Kind::kConditional, offset, {node, then_node, else_node});
    }
    return node;
  }

  NodePtr ParsePrimary() {
    const Token t = Cur();
    if (t.kind == TokenKind::kOperator) {
      int unary_precedence = (t.text == "not" || t.text == "!") ? 50
                             : (t.text == "-" || t.text == "+") ? 90
                                                                : -1;
      if (unary_precedence > 0) {
        Advance();
        NodePtr operand = ParseExpression(unary_precedence);
        if (failed()) return nullptr;
        std::shared_ptr<Node> node = Make(Node::Kind::kUnary, t.offset, {operand});
        node->unary_op = t.text == "-"   ? UnaryOp::kNegate
                         : t.text == "+" ? UnaryOp::kPlus
                                         : UnaryOp::kNot;
        return ParsePostfix(node);
      }
      if (t.text == "(") {
        Advance();
        NodePtr inner = ParseExpression(0);
        if (failed() || !Expect(")")) return nullptr;
        return ParsePostfix(inner);
      }
      if (t.text == "." && predicate_depth_ > 0) {
        // `.field` inside a predicate is `#.field`; the '.' is left for ParsePostfix.
        return ParsePostfix(Make(Node::Kind::kPointer, t.offset));
      }
    }
    if (t.kind == TokenKind::kPointer) {
      if (predicate_depth_ == 0) {
        Fail(t.offset, "'#' is only valid inside a predicate closure, as in all(list, {# > 0})");
        return nullptr;
      }
      if (!t.text.empty() && t.text != "index") {
        Fail(t.offset, "unknown pointer '#" + t.text + "'; use '#' or '#index'");
        return nullptr;
      }
      Advance();
      std::shared_ptr<Node> node = Make(Node::Kind::kPointer, t.offset);
      node->text = t.text;
      return ParsePostfix(node);
    }
    return ParseSecondary();
  }

  NodePtr ParseSecondary() {
    const Token t = Cur();
    NodePtr node;
    switch (t.kind) {
      case TokenKind::kIdentifier: {
        Advance();
        if (t.text == "true" || t.text == "false") {
          std::shared_ptr<Node> literal = Make(Node::Kind::kBool, t.offset);
          literal->bool_value = t.text == "true";
          return literal;
        }
        if (t.text == "nil") return Make(Node::Kind::kNil, t.offset);
        if (IsOp(Cur(), "(")) {
          node = ParseCall(t);
        } else {
          std::shared_ptr<Node> identifier = Make(Node::Kind::kIdentifier, t.offset);
          identifier->text = t.text;
          node = identifier;
        }
        break;
      }
      case TokenKind::kInt: {
        Advance();
        std::shared_ptr<Node> literal = Make(Node::Kind::kInt, t.offset);
        literal->int_value = t.int_value;
        return literal;
      }
      case TokenKind::kFloat: {
        Advance();
        std::shared_ptr<Node> literal = Make(Node::Kind::kFloat, t.offset);
        literal->float_value = t.float_value;
        return literal;
      }
      case TokenKind::kString: {
        Advance();
        std::shared_ptr<Node> literal = Make(Node::Kind::kString, t.offset);
        literal->text = t.text;
        node = literal;
        break;
      }
      default:
        if (IsOp(t, "[")) {
          node = ParseArray();
        } else if (IsOp(t, "{")) {
          node = ParseMap();
        } else {
          FailUnexpected(t, "an operand");
          return nullptr;
        }
    }
    if (failed()) return nullptr;
    return ParsePostfix(node);
  }

  // Parses "(" arguments ")" after a function name, separated by commas, trailing comma allowed.
  bool ParseArguments(std::vector<NodePtr>& args) {
    Advance();  // '('
    while (!failed() && !IsOp(Cur(), ")")) {
      if (!args.empty()) {
        if (!IsOp(Cur(), ",")) {
          FailUnexpected(Cur(), "',' or ')'");
          return false;
        }
        Advance();
        if (IsOp(Cur(), ")")) break;
      }
      args.push_back(ParseExpression(0));
    }
    if (failed()) return false;
    Advance();  // ')'
    return true;
  }

  // all(list, {...}) and the other predicates: the list, then the closure (optional for count
  // and sum).
  bool ParsePredicateArguments(const Token& name, const Builtin& builtin,
                               std::vector<NodePtr>& args) {
    Advance();  // '('
    if (IsOp(Cur(), ")")) return FailArity(name, builtin, 0);
    args.push_back(ParseExpression(0));
    if (failed()) return false;
    bool closure_optional = builtin.min_args == 1;
    if (!(closure_optional && IsOp(Cur(), ")"))) {
      if (IsOp(Cur(), ")")) return FailArity(name, builtin, 1);
      if (!Expect(",")) return false;
      args.push_back(ParseClosure());
      if (failed()) return false;
    }
    if (IsOp(Cur(), ",")) Advance();
    return Expect(")");
  }

  bool FailArity(const Token& name, const Builtin& builtin, size_t got) {
    Fail(name.offset, "wrong number of arguments for " + name.text + ": expected " +
                          ArityText(builtin) + ", got " + std::to_string(got));
    return false;
  }

  NodePtr ParseCall(const Token& name) {
    const Builtin* builtin = FindBuiltin(name.text);
    if (builtin == nullptr) {
      Fail(name.offset, IsUnsupportedExprBuiltin(name.text)
                            ? "function '" + name.text + "' is not supported"
                            : "unknown function '" + name.text + "'");
      return nullptr;
    }
    std::vector<NodePtr> args;
    if (builtin->kind != CallKind::kFunction) {
      if (!ParsePredicateArguments(name, *builtin, args)) return nullptr;
    } else {
      if (!ParseArguments(args)) return nullptr;
      int count = static_cast<int>(args.size());
      if (count < builtin->min_args || (builtin->max_args >= 0 && count > builtin->max_args)) {
        FailArity(name, *builtin, args.size());
        return nullptr;
      }
    }
    std::shared_ptr<Node> node = Make(Node::Kind::kCall, name.offset, std::move(args));
    node->builtin = builtin;
    node->text = name.text;
    return node;
  }

  NodePtr ParseClosure() {
    const Token start = Cur();
    bool braces = IsOp(start, "{");
    if (braces) Advance();
    predicate_depth_++;
    NodePtr body = ParseExpression(0);
    predicate_depth_--;
    if (failed()) return nullptr;
    if (braces && !Expect("}")) return nullptr;
    return Make(Node::Kind::kPredicate, start.offset, {body});
  }

  NodePtr ParseArray() {
    int offset = Cur().offset;
    Advance();  // '['
    std::vector<NodePtr> elements;
    while (!failed() && !IsOp(Cur(), "]")) {
      if (!elements.empty()) {
        if (!IsOp(Cur(), ",")) {
          FailUnexpected(Cur(), "',' or ']'");
          return nullptr;
        }
        Advance();
        if (IsOp(Cur(), "]")) break;
      }
      elements.push_back(ParseExpression(0));
    }
    if (failed()) return nullptr;
    Advance();  // ']'
    return Make(Node::Kind::kArray, offset, std::move(elements));
  }

  // {key: value, ...}: a key is a string, number or identifier (taken as its text) or an
  // expression in parentheses.
  NodePtr ParseMap() {
    int offset = Cur().offset;
    Advance();  // '{'
    std::vector<NodePtr> children;
    while (!failed() && !IsOp(Cur(), "}")) {
      if (!children.empty()) {
        if (!IsOp(Cur(), ",")) {
          FailUnexpected(Cur(), "',' or '}'");
          return nullptr;
        }
        Advance();
        if (IsOp(Cur(), "}")) break;
      }
      const Token key_token = Cur();
      NodePtr key;
      if (key_token.kind == TokenKind::kString || key_token.kind == TokenKind::kIdentifier ||
          key_token.kind == TokenKind::kInt || key_token.kind == TokenKind::kFloat) {
        std::shared_ptr<Node> literal = Make(Node::Kind::kString, key_token.offset);
        literal->text = key_token.text;
        key = literal;
        Advance();
      } else if (IsOp(key_token, "(")) {
        key = ParseExpression(0);
      } else {
        FailUnexpected(key_token,
                       "a map key (a string, a number, a name or an expression in parentheses)");
        return nullptr;
      }
      if (failed() || !Expect(":")) return nullptr;
      NodePtr value = ParseExpression(0);
      children.push_back(std::move(key));
      children.push_back(std::move(value));
    }
    if (failed()) return nullptr;
    Advance();  // '}'
    return Make(Node::Kind::kMap, offset, std::move(children));
  }

  NodePtr ParsePostfix(NodePtr node) {
    while (!failed() && node) {
      const Token t = Cur();
      if (IsOp(t, ".") || IsOp(t, "?.")) {
        bool optional = t.text == "?.";
        Advance();
        if (optional && IsOp(Cur(), "[")) {
          node = ParseIndex(node, true);
          continue;
        }
        const Token property = Cur();
        if (property.kind != TokenKind::kIdentifier &&
            !(property.kind == TokenKind::kOperator && IsWord(property.text))) {
          FailUnexpected(property, "a field name after '" + t.text + "'");
          return nullptr;
        }
        Advance();
        if (IsOp(Cur(), "(")) {
          Fail(Cur().offset, "method calls are not supported: '" + property.text + "(...)'");
          return nullptr;
        }
        std::shared_ptr<Node> key = Make(Node::Kind::kString, property.offset);
        key->text = property.text;
        // One chain node spans a whole `a?.b.c` so that a nil at `a` makes all of it nil.
        bool in_chain = node->kind == Node::Kind::kChain;
        NodePtr base = in_chain ? node->children[0] : node;
        std::shared_ptr<Node> member = Make(Node::Kind::kMember, property.offset, {base, key});
        member->optional = optional;
        node = (in_chain || optional) ? Make(Node::Kind::kChain, property.offset, {member})
                                      : NodePtr(member);
      } else if (IsOp(t, "[")) {
        node = ParseIndex(node, false);
      } else {
        break;
      }
    }
    if (failed()) return nullptr;
    return node;
  }

  // After `[`: an index `a[i]` or a slice `a[i:j]`, `a[:j]`, `a[i:]`, `a[:]`.
  NodePtr ParseIndex(NodePtr object, bool optional) {
    int offset = Cur().offset;
    Advance();  // '['
    NodePtr from;
    if (!IsOp(Cur(), ":")) {
      from = ParseExpression(0);
      if (failed()) return nullptr;
    }
    if (IsOp(Cur(), ":")) {
      Advance();
      NodePtr to;
      if (!IsOp(Cur(), "]")) {
        to = ParseExpression(0);
        if (failed()) return nullptr;
      }
      if (!Expect("]")) return nullptr;
      return Make(Node::Kind::kSlice, offset, {object, from, to});
    }
    if (!Expect("]")) return nullptr;
    std::shared_ptr<Node> member = Make(Node::Kind::kMember, offset, {object, from});
    member->optional = optional;
    return optional ? Make(Node::Kind::kChain, offset, {member}) : NodePtr(member);
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int predicate_depth_ = 0;
  int node_count_ = 0;
  std::optional<SyntaxError> error_;
};

}  // namespace

ParseResult Parse(std::string_view source) {
  if (source.size() > kMaxSourceBytes) {
    return {nullptr, SyntaxError{static_cast<int>(kMaxSourceBytes),
                                 "expression too long (more than " +
                                     std::to_string(kMaxSourceBytes) + " bytes)"}};
  }
  return Parser(source).Run();
}

}  // namespace devflow::expr
