#include "analysis/expr/operators.h"

#include <cmath>
#include <optional>
#include <string>

#include "analysis/expr/go_format.h"

namespace devflow::expr {
namespace {

Status InvalidOperation(std::string_view op, const Value& a, const Value& b) {
  return InvalidArgumentError("invalid operation: " + std::string(GoTypeName(a)) + " " +
                              std::string(op) + " " + std::string(GoTypeName(b)));
}

Status Overflow(std::string_view op, const Value& a, const Value& b) {
  return InvalidArgumentError("integer overflow: " + FormatGoValue(a) + " " + std::string(op) +
                              " " + FormatGoValue(b));
}

// Both ints: the checked int result. Otherwise a float from the two numbers.
Result<Value> NumberArithmetic(BinaryOp op, const Value& a, const Value& b) {
  std::string_view name = BinaryOpName(op);
  if (op == BinaryOp::kDivide) return Value(a.number() / b.number());
  if (op == BinaryOp::kPower) return Value(std::pow(a.number(), b.number()));
  if (op == BinaryOp::kModulo) {
    if (!a.is_int() || !b.is_int()) return InvalidOperation(name, a, b);
    if (b.as_int() == 0) return InvalidArgumentError("integer divide by zero");
    if (b.as_int() == -1) return Value(int64_t{0});
    return Value(a.as_int() % b.as_int());
  }
  if (a.is_int() && b.is_int()) {
    int64_t out = 0;
    bool overflow = op == BinaryOp::kAdd ? __builtin_add_overflow(a.as_int(), b.as_int(), &out)
                    : op == BinaryOp::kSubtract
                        ? __builtin_sub_overflow(a.as_int(), b.as_int(), &out)
                        : __builtin_mul_overflow(a.as_int(), b.as_int(), &out);
    if (overflow) return Overflow(name, a, b);
    return Value(out);
  }
  double x = a.number(), y = b.number();
  return Value(op == BinaryOp::kAdd ? x + y : op == BinaryOp::kSubtract ? x - y : x * y);
}

Result<Value> DurationResult(int64_t a, int64_t b, BinaryOp op, const Value& va, const Value& vb) {
  int64_t out = 0;
  bool overflow = op == BinaryOp::kAdd        ? __builtin_add_overflow(a, b, &out)
                  : op == BinaryOp::kSubtract ? __builtin_sub_overflow(a, b, &out)
                                              : __builtin_mul_overflow(a, b, &out);
  if (overflow) return Overflow(BinaryOpName(op), va, vb);
  return Value(Duration(out));
}

Result<Value> TimeResult(int64_t t, int64_t d, const Value& va, const Value& vb, BinaryOp op) {
  int64_t out = 0;
  if (__builtin_add_overflow(t, d, &out)) {
    return InvalidArgumentError("time out of range: " + FormatGoValue(va) + " " +
                                std::string(BinaryOpName(op)) + " " + FormatGoValue(vb));
  }
  return Value(TimePoint(Duration(out)));
}

// Time and duration arithmetic; nullopt when the operands are not time types.
std::optional<Result<Value>> TimeArithmetic(BinaryOp op, const Value& a, const Value& b) {
  if (op == BinaryOp::kAdd) {
    if (a.is_time() && b.is_duration()) {
      return TimeResult(a.as_time().time_since_epoch().count(), b.as_duration().count(), a, b, op);
    }
    if (a.is_duration() && b.is_time()) {
      return TimeResult(b.as_time().time_since_epoch().count(), a.as_duration().count(), a, b, op);
    }
    if (a.is_duration() && b.is_duration()) {
      return DurationResult(a.as_duration().count(), b.as_duration().count(), op, a, b);
    }
  }
  if (op == BinaryOp::kSubtract) {
    if (a.is_time() && b.is_time()) {
      return DurationResult(a.as_time().time_since_epoch().count(),
                            b.as_time().time_since_epoch().count(), op, a, b);
    }
    if (a.is_time() && b.is_duration()) {
      if (b.as_duration().count() == INT64_MIN) return Overflow("-", a, b);
      return TimeResult(a.as_time().time_since_epoch().count(), -b.as_duration().count(), a, b, op);
    }
    if (a.is_duration() && b.is_duration()) {
      return DurationResult(a.as_duration().count(), b.as_duration().count(), op, a, b);
    }
  }
  if (op == BinaryOp::kMultiply) {
    const Value* d = a.is_duration() ? &a : b.is_duration() ? &b : nullptr;
    const Value* other = d == &a ? &b : &a;
    if (d != nullptr && (other->is_int() || other->is_duration())) {
      int64_t factor = other->is_int() ? other->as_int() : other->as_duration().count();
      return DurationResult(d->as_duration().count(), factor, op, a, b);
    }
    if (d != nullptr && other->is_float()) {
      return Result<Value>(
          Value(static_cast<double>(d->as_duration().count()) * other->as_float()));
    }
  }
  return std::nullopt;
}

Result<bool> EqualAt(const Value& a, const Value& b, Budget& budget, int depth) {
  DEVFLOW_RETURN_IF_ERROR(budget.Spend());
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.number() == b.number();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNil:
      return true;
    case Value::Kind::kBool:
      return a.as_bool() == b.as_bool();
    case Value::Kind::kString:
      return a.as_string() == b.as_string();
    case Value::Kind::kTime:
      return a.as_time() == b.as_time();
    case Value::Kind::kDuration:
      return a.as_duration() == b.as_duration();
    case Value::Kind::kList: {
      const List& x = a.as_list();
      const List& y = b.as_list();
      if (x.size() != y.size()) return false;
      if (depth >= kMaxValueDepth) return false;
      for (size_t i = 0; i < x.size(); i++) {
        DEVFLOW_ASSIGN_OR_RETURN(bool same, EqualAt(x[i], y[i], budget, depth + 1));
        if (!same) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      const Map& x = a.as_map();
      const Map& y = b.as_map();
      if (x.size() != y.size()) return false;
      if (depth >= kMaxValueDepth) return false;
      for (const auto& [key, value] : x) {
        const Value* other = y.Find(key);
        if (other == nullptr) return false;
        DEVFLOW_ASSIGN_OR_RETURN(bool same, EqualAt(value, *other, budget, depth + 1));
        if (!same) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Result<bool> Equal(const Value& a, const Value& b, Budget& budget) {
  return EqualAt(a, b, budget, 0);
}

Result<bool> Compare(BinaryOp op, const Value& a, const Value& b) {
  int order;  // -1, 0, 1; 2 when unordered (NaN)
  if (a.is_int() && b.is_int()) {
    order = a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  } else if (a.is_number() && b.is_number()) {
    double x = a.number(), y = b.number();
    order = x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
  } else if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else if (a.is_time() && b.is_time()) {
    order = a.as_time() < b.as_time() ? -1 : a.as_time() > b.as_time() ? 1 : 0;
  } else if (a.is_duration() && b.is_duration()) {
    order = a.as_duration() < b.as_duration() ? -1 : a.as_duration() > b.as_duration() ? 1 : 0;
  } else {
    return InvalidOperation(BinaryOpName(op), a, b);
  }
  if (order == 2) return false;
  switch (op) {
    case BinaryOp::kLess:
      return order < 0;
    case BinaryOp::kGreater:
      return order > 0;
    case BinaryOp::kLessEqual:
      return order <= 0;
    default:
      return order >= 0;
  }
}

Result<Value> Arithmetic(BinaryOp op, const Value& a, const Value& b, Budget& budget) {
  if (a.is_number() && b.is_number()) return NumberArithmetic(op, a, b);
  if (op == BinaryOp::kAdd && a.is_string() && b.is_string()) {
    DEVFLOW_RETURN_IF_ERROR(budget.SpendBytes(a.as_string().size() + b.as_string().size()));
    return Value(a.as_string() + b.as_string());
  }
  if (std::optional<Result<Value>> timed = TimeArithmetic(op, a, b)) return *timed;
  return InvalidOperation(BinaryOpName(op), a, b);
}

Result<Value> MakeRange(const Value& a, const Value& b, Budget& budget) {
  if (!a.is_int() || !b.is_int()) return InvalidOperation("..", a, b);
  int64_t lo = a.as_int(), hi = b.as_int();
  if (hi < lo) return Value(List());
  // hi - lo cannot overflow unsigned arithmetic; compare before building anything.
  uint64_t size = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (size == 0 || size > static_cast<uint64_t>(kMaxRangeSize)) {
    return InvalidArgumentError("range too large: " + std::to_string(lo) + ".." +
                                std::to_string(hi) + " would have more than " +
                                std::to_string(kMaxRangeSize) + " elements");
  }
  DEVFLOW_RETURN_IF_ERROR(budget.SpendElements(static_cast<size_t>(size)));
  List list;
  list.reserve(size);
  for (uint64_t i = 0; i < size; i++)
    list.emplace_back(static_cast<int64_t>(lo + static_cast<int64_t>(i)));
  return Value(std::move(list));
}

Result<bool> In(const Value& needle, const Value& haystack, Budget& budget) {
  if (haystack.is_nil()) return false;
  if (haystack.is_list()) {
    for (const Value& item : haystack.as_list()) {
      DEVFLOW_ASSIGN_OR_RETURN(bool same, Equal(item, needle, budget));
      if (same) return true;
    }
    return false;
  }
  if (haystack.is_map()) {
    if (!needle.is_string()) {
      return InvalidArgumentError("cannot use " + std::string(GoTypeName(needle)) +
                                  " as a key of " + std::string(GoTypeName(haystack)));
    }
    DEVFLOW_RETURN_IF_ERROR(budget.Spend(static_cast<int64_t>(haystack.as_map().size())));
    return haystack.as_map().Find(needle.as_string()) != nullptr;
  }
  return InvalidArgumentError("operator \"in\" not defined on " +
                              std::string(GoTypeName(haystack)));
}

Result<bool> StringTest(BinaryOp op, const Value& a, const Value& b) {
  if (!a.is_string() || !b.is_string()) return InvalidOperation(BinaryOpName(op), a, b);
  const std::string& s = a.as_string();
  const std::string& t = b.as_string();
  if (op == BinaryOp::kContains) return s.find(t) != std::string::npos;
  if (op == BinaryOp::kStartsWith) return s.starts_with(t);
  return s.ends_with(t);
}

Result<Value> ApplyUnary(UnaryOp op, const Value& v) {
  switch (op) {
    case UnaryOp::kNot:
      if (!v.is_bool()) {
        return InvalidArgumentError("invalid operation: not " + std::string(GoTypeName(v)));
      }
      return Value(!v.as_bool());
    case UnaryOp::kNegate:
      if (v.is_int()) {
        if (v.as_int() == INT64_MIN) {
          return InvalidArgumentError("integer overflow: -(" + std::to_string(v.as_int()) + ")");
        }
        return Value(-v.as_int());
      }
      if (v.is_float()) return Value(-v.as_float());
      return InvalidArgumentError("invalid operation: - " + std::string(GoTypeName(v)));
    case UnaryOp::kPlus:
      if (v.is_number()) return v;
      return InvalidArgumentError("invalid operation: + " + std::string(GoTypeName(v)));
  }
  return v;
}

Result<int64_t> ToIndex(const Value& v, std::string_view what) {
  if (v.is_int()) return v.as_int();
  if (v.is_float()) {
    double f = v.as_float();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
      return InvalidArgumentError("invalid " + std::string(what) + ": " + FormatGoFloat(f));
    }
    return static_cast<int64_t>(f);
  }
  return InvalidArgumentError("invalid " + std::string(what) + " of type " +
                              std::string(GoTypeName(v)));
}

}  // namespace devflow::expr
