// expr::Value: a value the condition language computes with.
//
// It is JSON's data model (nil, bool, int, float, string, list, map) plus the two time types of
// expr-lang (time.Time from now(), time.Duration from duration()). Integers and floats are
// distinct, as in Go: `7 / 2` is a float, `7 % 2` needs two ints. Lists and maps are immutable
// and shared, so copying a Value is cheap; maps keep their insertion order.
//
// Value is a plain value type: copyable, no pointers into anything but its own shared parts.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::expr {

// time.Time: nanoseconds since the Unix epoch, UTC.
using TimePoint = std::chrono::sys_time<std::chrono::nanoseconds>;
// time.Duration: nanoseconds.
using Duration = std::chrono::nanoseconds;

class Value;
class Map;
using List = std::vector<Value>;

class Value {
 public:
  enum class Kind { kNil, kBool, kInt, kFloat, kString, kList, kMap, kTime, kDuration };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(List list);
  Value(Map map);
  Value(TimePoint t) : v_(t) {}
  Value(Duration d) : v_(d) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_nil() const { return kind() == Kind::kNil; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_map() const { return kind() == Kind::kMap; }
  bool is_time() const { return kind() == Kind::kTime; }
  bool is_duration() const { return kind() == Kind::kDuration; }

  // REQUIRES: the matching is_*() is true; otherwise aborts (a bug, not an input error).
  bool as_bool() const { return Get<bool>(); }
  int64_t as_int() const { return Get<int64_t>(); }
  double as_float() const { return Get<double>(); }
  const std::string& as_string() const { return Get<std::string>(); }
  const List& as_list() const { return *Get<std::shared_ptr<const List>>(); }
  const Map& as_map() const { return *Get<std::shared_ptr<const Map>>(); }
  TimePoint as_time() const { return Get<TimePoint>(); }
  Duration as_duration() const { return Get<Duration>(); }
  // REQUIRES: is_number(). Integers convert to double.
  double number() const { return is_int() ? static_cast<double>(as_int()) : as_float(); }

 private:
  [[noreturn]] static void WrongKind();
  template <typename T>
  const T& Get() const {
    const T* held = std::get_if<T>(&v_);
    if (held == nullptr) WrongKind();
    return *held;
  }

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Map>, TimePoint, Duration>
      v_;
};

// A map from string keys to Values in insertion order; keys are unique.
class Map {
 public:
  // Returns the value at `key`, or nullptr when absent.
  const Value* Find(std::string_view key) const;
  // Sets `key`, keeping its position when present, appending otherwise.
  void Set(std::string key, Value value);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

// Go's name for the type of `v` as expr-lang reports it in errors: "<nil>", "bool", "int",
// "float64", "string", "[]interface {}", "map[string]interface {}", "time.Time",
// "time.Duration".
std::string_view GoTypeName(const Value& v);

// Converts a JSON document. Fails with InvalidArgument when nested deeper than kMaxValueDepth.
Result<Value> FromJson(const json::Value& v);

// Converts to JSON the way Go's encoding/json marshals expr results: a time becomes its
// RFC 3339 text with nanoseconds ("2024-05-01T10:00:00.5Z"), a duration its nanosecond count.
// Fails with InvalidArgument when nested deeper than kMaxValueDepth.
Result<json::Value> ToJson(const Value& v);

}  // namespace devflow::expr
