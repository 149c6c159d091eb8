#include "analysis/expr/evaluator.h"

#include <vector>

#include "analysis/expr/access.h"
#include "analysis/expr/builtins.h"
#include "analysis/expr/operators.h"
#include "analysis/expr/regex.h"

namespace devflow::expr {
namespace {

Status Error(std::string message) { return InvalidArgumentError(std::move(message)); }

std::string TypeOf(const Value& v) { return std::string(GoTypeName(v)); }

// Walks the AST. Recursion follows the tree, whose height the parser bounds.
class Evaluator {
 public:
  Evaluator(const Map& variables, TimePoint now, Budget& budget)
      : variables_(variables), now_(now), budget_(budget) {}

  Result<Value> Eval(const Node& node) {
    DEVFLOW_RETURN_IF_ERROR(budget_.Spend());
    switch (node.kind) {
      case Node::Kind::kNil:
        return Value();
      case Node::Kind::kBool:
        return Value(node.bool_value);
      case Node::Kind::kInt:
        return Value(node.int_value);
      case Node::Kind::kFloat:
        return Value(node.float_value);
      case Node::Kind::kString:
        return Value(node.text);
      case Node::Kind::kArray:
        return EvalArray(node);
      case Node::Kind::kMap:
        return EvalMap(node);
      case Node::Kind::kIdentifier: {
        const Value* v = variables_.Find(node.text);
        if (v == nullptr) return Error("unknown name " + node.text);
        return *v;
      }
      case Node::Kind::kPointer:
        return EvalPointer(node);
      case Node::Kind::kUnary: {
        DEVFLOW_ASSIGN_OR_RETURN(Value operand, Eval(*node.children[0]));
        return ApplyUnary(node.unary_op, operand);
      }
      case Node::Kind::kBinary:
        return EvalBinary(node);
      case Node::Kind::kMember:
      case Node::Kind::kChain: {
        DEVFLOW_ASSIGN_OR_RETURN(std::optional<Value> v, EvalChainLink(node));
        return v ? std::move(*v) : Value();
      }
      case Node::Kind::kSlice:
        return EvalSlice(node);
      case Node::Kind::kConditional: {
        DEVFLOW_ASSIGN_OR_RETURN(Value condition, Eval(*node.children[0]));
        if (!condition.is_bool()) {
          return Error("non-bool expression (type " + TypeOf(condition) + ") used as condition");
        }
        return Eval(*node.children[condition.as_bool() ? 1 : 2]);
      }
      case Node::Kind::kCall:
        return node.builtin->kind == CallKind::kFunction ? EvalFunction(node) : EvalPredicate(node);
      case Node::Kind::kPredicate:
        break;
    }
    return Error("internal error: unexpected node");
  }

 private:
  // The element a predicate's closure is looking at.
  struct Scope {
    const Value* element;
    int64_t index;
  };

  Result<Value> EvalArray(const Node& node) {
    List list;
    list.reserve(node.children.size());
    for (const NodePtr& child : node.children) {
      DEVFLOW_ASSIGN_OR_RETURN(Value v, Eval(*child));
      list.push_back(std::move(v));
    }
    return Value(std::move(list));
  }

  Result<Value> EvalMap(const Node& node) {
    Map map;
    for (size_t i = 0; i + 1 < node.children.size(); i += 2) {
      DEVFLOW_ASSIGN_OR_RETURN(Value key, Eval(*node.children[i]));
      if (!key.is_string()) return Error("map key must be a string, got " + TypeOf(key));
      DEVFLOW_ASSIGN_OR_RETURN(Value value, Eval(*node.children[i + 1]));
      DEVFLOW_RETURN_IF_ERROR(budget_.Spend(static_cast<int64_t>(map.size())));
      map.Set(key.as_string(), std::move(value));
    }
    return Value(std::move(map));
  }

  Result<Value> EvalPointer(const Node& node) {
    if (scopes_.empty()) return Error("'#' used outside a predicate");
    const Scope& scope = scopes_.back();
    if (node.text == "index") return Value(scope.index);
    return *scope.element;
  }

  // A member access, possibly inside a `?.` chain: nullopt means a `?.` met nil, which makes
  // the whole chain nil.
  Result<std::optional<Value>> EvalChainLink(const Node& node) {
    if (node.kind == Node::Kind::kChain) return EvalChainLink(*node.children[0]);
    if (node.kind != Node::Kind::kMember) {
      DEVFLOW_ASSIGN_OR_RETURN(Value v, Eval(node));
      return std::optional<Value>(std::move(v));
    }
    DEVFLOW_RETURN_IF_ERROR(budget_.Spend());
    const Node& base = *node.children[0];
    std::optional<Value> object;
    if (base.kind == Node::Kind::kMember) {
      DEVFLOW_ASSIGN_OR_RETURN(object, EvalChainLink(base));
      if (!object) return std::optional<Value>();
    } else {
      DEVFLOW_ASSIGN_OR_RETURN(Value v, Eval(base));
      object = std::move(v);
    }
    if (node.optional && object->is_nil()) return std::optional<Value>();
    DEVFLOW_ASSIGN_OR_RETURN(Value key, Eval(*node.children[1]));
    DEVFLOW_ASSIGN_OR_RETURN(Value v, Fetch(*object, key, budget_));
    return std::optional<Value>(std::move(v));
  }

  Result<Value> EvalSlice(const Node& node) {
    DEVFLOW_ASSIGN_OR_RETURN(Value object, Eval(*node.children[0]));
    std::optional<Value> from;
    std::optional<Value> to;
    if (node.children[1]) {
      DEVFLOW_ASSIGN_OR_RETURN(from, Eval(*node.children[1]));
    }
    if (node.children[2]) {
      DEVFLOW_ASSIGN_OR_RETURN(to, Eval(*node.children[2]));
    }
    return Slice(object, from ? &*from : nullptr, to ? &*to : nullptr, budget_);
  }

  Result<bool> EvalBool(const Node& node, std::string_view op) {
    DEVFLOW_ASSIGN_OR_RETURN(Value v, Eval(node));
    if (!v.is_bool()) {
      return Error("invalid operation: operand of " + std::string(op) + " must be bool, got " +
                   TypeOf(v));
    }
    return v.as_bool();
  }

  Result<Value> EvalBinary(const Node& node) {
    const Node& left_node = *node.children[0];
    const Node& right_node = *node.children[1];
    const BinaryOp op = node.binary_op;
    if (op == BinaryOp::kAnd || op == BinaryOp::kOr) {
      DEVFLOW_ASSIGN_OR_RETURN(bool left, EvalBool(left_node, BinaryOpName(op)));
      if (left == (op == BinaryOp::kOr)) return Value(left);
      DEVFLOW_ASSIGN_OR_RETURN(bool right, EvalBool(right_node, BinaryOpName(op)));
      return Value(right);
    }
    DEVFLOW_ASSIGN_OR_RETURN(Value left, Eval(left_node));
    if (op == BinaryOp::kCoalesce) {
      if (!left.is_nil()) return left;
      return Eval(right_node);
    }
    DEVFLOW_ASSIGN_OR_RETURN(Value right, Eval(right_node));
    switch (op) {
      case BinaryOp::kEqual:
      case BinaryOp::kNotEqual: {
        DEVFLOW_ASSIGN_OR_RETURN(bool equal, Equal(left, right, budget_));
        return Value(equal == (op == BinaryOp::kEqual));
      }
      case BinaryOp::kLess:
      case BinaryOp::kGreater:
      case BinaryOp::kLessEqual:
      case BinaryOp::kGreaterEqual: {
        DEVFLOW_ASSIGN_OR_RETURN(bool holds, Compare(op, left, right));
        return Value(holds);
      }
      case BinaryOp::kIn: {
        DEVFLOW_ASSIGN_OR_RETURN(bool found, In(left, right, budget_));
        return Value(found);
      }
      case BinaryOp::kMatches:
        return EvalMatches(node, left, right);
      case BinaryOp::kContains:
      case BinaryOp::kStartsWith:
      case BinaryOp::kEndsWith: {
        DEVFLOW_ASSIGN_OR_RETURN(bool holds, StringTest(op, left, right));
        return Value(holds);
      }
      case BinaryOp::kRange:
        return MakeRange(left, right, budget_);
      default:
        return Arithmetic(op, left, right, budget_);
    }
  }

  Result<Value> EvalMatches(const Node& node, const Value& text, const Value& pattern) {
    if (!text.is_string() || !pattern.is_string()) {
      return Error("invalid operation: " + TypeOf(text) + " matches " + TypeOf(pattern));
    }
    std::shared_ptr<const Regex> regex = node.regex;
    if (!regex) {
      DEVFLOW_RETURN_IF_ERROR(budget_.Spend(static_cast<int64_t>(pattern.as_string().size())));
      DEVFLOW_ASSIGN_OR_RETURN(regex, Regex::Compile(pattern.as_string()));
    }
    DEVFLOW_ASSIGN_OR_RETURN(bool found, regex->Search(text.as_string(), budget_));
    return Value(found);
  }

  Result<Value> EvalFunction(const Node& node) {
    std::vector<Value> args;
    args.reserve(node.children.size());
    for (const NodePtr& child : node.children) {
      DEVFLOW_ASSIGN_OR_RETURN(Value v, Eval(*child));
      args.push_back(std::move(v));
    }
    CallContext context{now_, &budget_};
    return node.builtin->call(args, context);
  }

  // Runs a predicate's closure on one element.
  Result<Value> EvalClosure(const Node& body, const Value& element, int64_t index) {
    scopes_.push_back({&element, index});
    Result<Value> result = Eval(body);
    scopes_.pop_back();
    return result;
  }

  Result<Value> EvalPredicate(const Node& node) {
    const std::string& name = node.text;
    DEVFLOW_ASSIGN_OR_RETURN(Value collection, Eval(*node.children[0]));
    if (!collection.is_list()) {
      return Error("builtin " + name + " takes only array (got " + TypeOf(collection) + ")");
    }
    const List& list = collection.as_list();
    const Node* body = node.children.size() > 1 ? node.children[1]->children[0].get() : nullptr;
    const int64_t n = static_cast<int64_t>(list.size());
    auto element = [&](int64_t i) -> const Value& { return list[static_cast<size_t>(i)]; };
    // Without a closure (count, sum) the element itself is the closure's result.
    auto apply = [&](int64_t i) -> Result<Value> {
      if (body == nullptr) return element(i);
      return EvalClosure(*body, element(i), i);
    };
    auto test = [&](int64_t i) -> Result<bool> {
      DEVFLOW_ASSIGN_OR_RETURN(Value v, apply(i));
      if (!v.is_bool()) {
        return Error("predicate of " + name + " must return bool, got " + TypeOf(v));
      }
      return v.as_bool();
    };
    switch (node.builtin->kind) {
      case CallKind::kAll:
      case CallKind::kAny:
      case CallKind::kNone: {
        // all stops at the first false; any and none at the first true.
        const bool stop_on = node.builtin->kind != CallKind::kAll;
        for (int64_t i = 0; i < n; i++) {
          DEVFLOW_ASSIGN_OR_RETURN(bool t, test(i));
          if (t == stop_on) return Value(node.builtin->kind == CallKind::kAny);
        }
        return Value(node.builtin->kind != CallKind::kAny);
      }
      case CallKind::kOne:
      case CallKind::kCount: {
        int64_t count = 0;
        for (int64_t i = 0; i < n; i++) {
          DEVFLOW_ASSIGN_OR_RETURN(bool t, test(i));
          if (t) count++;
        }
        if (node.builtin->kind == CallKind::kOne) return Value(count == 1);
        return Value(count);
      }
      case CallKind::kFilter:
      case CallKind::kMap: {
        List out;
        for (int64_t i = 0; i < n; i++) {
          DEVFLOW_RETURN_IF_ERROR(budget_.SpendElements(1));
          if (node.builtin->kind == CallKind::kMap) {
            DEVFLOW_ASSIGN_OR_RETURN(Value v, apply(i));
            out.push_back(std::move(v));
          } else {
            DEVFLOW_ASSIGN_OR_RETURN(bool t, test(i));
            if (t) out.push_back(element(i));
          }
        }
        return Value(std::move(out));
      }
      case CallKind::kSum: {
        Value total(int64_t{0});
        for (int64_t i = 0; i < n; i++) {
          DEVFLOW_ASSIGN_OR_RETURN(Value v, apply(i));
          if (!v.is_number()) return Error("invalid operation: sum of " + TypeOf(v));
          DEVFLOW_ASSIGN_OR_RETURN(total, Arithmetic(BinaryOp::kAdd, total, v, budget_));
        }
        return total;
      }
      case CallKind::kFind:
      case CallKind::kFindIndex:
      case CallKind::kFindLast:
      case CallKind::kFindLastIndex: {
        const bool backwards = node.builtin->kind == CallKind::kFindLast ||
                               node.builtin->kind == CallKind::kFindLastIndex;
        const bool wants_index = node.builtin->kind == CallKind::kFindIndex ||
                                 node.builtin->kind == CallKind::kFindLastIndex;
        for (int64_t k = 0; k < n; k++) {
          int64_t i = backwards ? n - 1 - k : k;
          DEVFLOW_ASSIGN_OR_RETURN(bool t, test(i));
          if (t) return wants_index ? Value(i) : element(i);
        }
        return wants_index ? Value(int64_t{-1}) : Value();
      }
      case CallKind::kFunction:
        break;
    }
    return Error("internal error: unknown predicate " + name);
  }

  const Map& variables_;
  TimePoint now_;
  Budget& budget_;
  std::vector<Scope> scopes_;
};

TimePoint NowOf(const EvalOptions& options) {
  if (options.now) return *options.now;
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Result<Value> Run(const Program& program, const Map& variables, const EvalOptions& options) {
  Budget budget(options.max_steps);
  Evaluator evaluator(variables, NowOf(options), budget);
  return evaluator.Eval(program.root());
}

}  // namespace

Result<Value> EvaluateValue(const Program& program, const json::Object& env,
                            const EvalOptions& options) {
  Map variables;
  for (const json::Member& member : env) {
    DEVFLOW_ASSIGN_OR_RETURN(Value v, FromJson(member.value));
    variables.Set(member.key, std::move(v));
  }
  return Run(program, variables, options);
}

Result<json::Value> Evaluate(const Program& program, const json::Object& env,
                             const EvalOptions& options) {
  DEVFLOW_ASSIGN_OR_RETURN(Value v, EvaluateValue(program, env, options));
  return ToJson(v);
}

Result<bool> EvaluateCondition(const Program& program, const json::Value& result,
                               const EvalOptions& options) {
  Map variables;
  DEVFLOW_ASSIGN_OR_RETURN(Value converted, FromJson(result));
  variables.Set("result", std::move(converted));
  DEVFLOW_ASSIGN_OR_RETURN(Value v, Run(program, variables, options));
  if (!v.is_bool()) return Error("expected bool, but got " + TypeOf(v));
  return v.as_bool();
}

Result<TimePoint> EvaluateTime(const Program& program, const EvalOptions& options) {
  DEVFLOW_ASSIGN_OR_RETURN(Value v, Run(program, Map(), options));
  if (!v.is_time()) return Error("expected time.Time, but got " + TypeOf(v));
  return v.as_time();
}

}  // namespace devflow::expr
