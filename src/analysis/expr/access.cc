#include "analysis/expr/access.h"

#include <algorithm>
#include <string>

#include "analysis/expr/go_format.h"
#include "analysis/expr/operators.h"

namespace devflow::expr {
namespace {

Status CannotFetch(const Value& object, const Value& key) {
  return InvalidArgumentError("cannot fetch " + FormatGoValue(key) + " from " +
                              std::string(GoTypeName(object)));
}

// Resolves a possibly negative index against `length`.
Result<size_t> ElementIndex(const Value& key, size_t length) {
  DEVFLOW_ASSIGN_OR_RETURN(int64_t index, ToIndex(key, "index"));
  int64_t n = static_cast<int64_t>(length);
  int64_t resolved = index < 0 ? n + index : index;
  if (resolved < 0 || resolved >= n) {
    return InvalidArgumentError("index out of range: " + std::to_string(index) + " with length " +
                                std::to_string(length));
  }
  return static_cast<size_t>(resolved);
}

}  // namespace

Result<Value> Fetch(const Value& object, const Value& key, Budget& budget) {
  if (object.is_map()) {
    if (!key.is_string()) {
      return InvalidArgumentError("cannot use " + std::string(GoTypeName(key)) + " as a key of " +
                                  std::string(GoTypeName(object)));
    }
    DEVFLOW_RETURN_IF_ERROR(budget.Spend(static_cast<int64_t>(object.as_map().size())));
    const Value* found = object.as_map().Find(key.as_string());
    return found != nullptr ? *found : Value();
  }
  if (object.is_list()) {
    if (!key.is_number()) return CannotFetch(object, key);
    DEVFLOW_ASSIGN_OR_RETURN(size_t i, ElementIndex(key, object.as_list().size()));
    return object.as_list()[i];
  }
  if (object.is_string()) {
    if (!key.is_number()) return CannotFetch(object, key);
    DEVFLOW_ASSIGN_OR_RETURN(size_t i, ElementIndex(key, object.as_string().size()));
    return Value(static_cast<int64_t>(static_cast<unsigned char>(object.as_string()[i])));
  }
  return CannotFetch(object, key);
}

Result<Value> Slice(const Value& object, const Value* from, const Value* to, Budget& budget) {
  size_t length;
  if (object.is_list()) {
    length = object.as_list().size();
  } else if (object.is_string()) {
    length = object.as_string().size();
  } else {
    return InvalidArgumentError("cannot slice " + std::string(GoTypeName(object)));
  }
  const int64_t n = static_cast<int64_t>(length);
  auto bound = [&](const Value* v, int64_t fallback) -> Result<int64_t> {
    if (v == nullptr) return fallback;
    DEVFLOW_ASSIGN_OR_RETURN(int64_t b, ToIndex(*v, "slice bound"));
    if (b < 0) b = b < -n ? 0 : n + b;
    return std::min(b, n);
  };
  DEVFLOW_ASSIGN_OR_RETURN(int64_t a, bound(from, 0));
  DEVFLOW_ASSIGN_OR_RETURN(int64_t b, bound(to, n));
  a = std::min(a, b);
  if (object.is_string()) {
    DEVFLOW_RETURN_IF_ERROR(budget.SpendBytes(static_cast<size_t>(b - a)));
    return Value(object.as_string().substr(static_cast<size_t>(a), static_cast<size_t>(b - a)));
  }
  DEVFLOW_RETURN_IF_ERROR(budget.SpendElements(static_cast<size_t>(b - a)));
  const List& list = object.as_list();
  return Value(List(list.begin() + a, list.begin() + b));
}

}  // namespace devflow::expr
