// devflow::json::Value: an in-memory JSON document.
//
// Objects keep their members in insertion order (so a document re-encoded reads like the one
// received) and are looked up linearly: Kubernetes objects have few keys per level. Integers and
// floating-point numbers are distinct types, and so are the string "25" and the number 25,
// because Kubernetes gives them different meanings (IntOrString: "25" is a percentage).
//
// Value is a plain value type: copyable, comparable with ==, no pointers into other values.
// Hot paths (caches, the API server) keep typed objects, not Value trees.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace devflow::json {

class Value;
struct Member;

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

// Returns "null", "bool", "integer", "number", "string", "array" or "object".
std::string_view TypeName(Type type);

using Array = std::vector<Value>;

// An ordered map from string keys to Values; keys are unique.
class Object {
 public:
  // Special members are defined after Member, which must be complete for them (clang insists).
  Object();
  ~Object();
  Object(const Object&);
  Object(Object&&) noexcept;
  Object& operator=(const Object&);
  Object& operator=(Object&&) noexcept;
  Object(std::initializer_list<Member> members);

  // Returns the member's value, or nullptr when absent.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }
  // Sets key to value, keeping the key's position when it exists, appending otherwise.
  // Returns the stored value.
  Value& Set(std::string key, Value value);
  // Returns the value at key, inserting null first when absent.
  Value& operator[](std::string_view key);
  // Removes key; returns whether it was present.
  bool Erase(std::string_view key);

  bool empty() const;
  size_t size() const;
  // Members in insertion order.
  const Member* begin() const;
  const Member* end() const;
  Member* begin();
  Member* end();

  // Objects are equal when they hold the same keys with equal values, in any order.
  friend bool operator==(const Object& a, const Object& b);

 private:
  std::vector<Member> members_;
};

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // REQUIRES: the matching is_*() is true; otherwise aborts (a bug, not an input error).
  bool as_bool() const;
  int64_t as_int() const;
  // Integers convert to double.
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object member lookup; nullptr when this is not an object or the key is absent.
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Object member access; a null value becomes an empty object first.
  // REQUIRES: is_null() || is_object().
  Value& operator[](std::string_view key);

  // Integers and doubles compare by kind: 1 != 1.0, as the distinction matters to Kubernetes.
  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v_;
};

struct Member {
  std::string key;
  Value value;
  friend bool operator==(const Member& a, const Member& b) = default;
};

// Defined here, where Member is complete.
inline Object::Object() = default;
inline Object::~Object() = default;
inline Object::Object(const Object&) = default;
inline Object::Object(Object&&) noexcept = default;
inline Object& Object::operator=(const Object&) = default;
inline Object& Object::operator=(Object&&) noexcept = default;
inline bool Object::empty() const { return members_.empty(); }
inline size_t Object::size() const { return members_.size(); }
inline const Member* Object::begin() const { return members_.data(); }
inline const Member* Object::end() const { return members_.data() + members_.size(); }
inline Member* Object::begin() { return members_.data(); }
inline Member* Object::end() { return members_.data() + members_.size(); }

// The string at `path` (object member names, outermost first): StringAt(pod, {"metadata",
// "name"}). "" when a member is absent, something on the way is not an object, or the value is
// not a string: for reading fields a schema makes optional.
std::string StringAt(const Value& value, std::initializer_list<std::string_view> path);

// Writes compact JSON (no insignificant whitespace), members in their stored order.
std::string Write(const Value& value);
// Writes indented JSON (2 spaces), for humans.
std::string WritePretty(const Value& value);
// Appends the JSON string literal for s (quoted and escaped) to out.
void AppendQuoted(std::string_view s, std::string& out);

}  // namespace devflow::json
