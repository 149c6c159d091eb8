#include "common/json_value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace devflow::json {
namespace {

[[noreturn]] void WrongType(Type want, Type got) {
  std::cerr << "devflow: json::Value holds " << TypeName(got) << ", not " << TypeName(want) << "\n";
  std::abort();
}

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "integer";
    case Type::kDouble:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
  }
  return "unknown";
}

Object::Object(std::initializer_list<Member> members) {
  for (const Member& m : members) Set(m.key, m.value);
}

const Value* Object::Find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value* Object::Find(std::string_view key) {
  for (Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

Value& Object::Set(std::string key, Value value) {
  if (Value* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members_.push_back(Member{std::move(key), std::move(value)});
  return members_.back().value;
}

Value& Object::operator[](std::string_view key) {
  if (Value* existing = Find(key)) return *existing;
  members_.push_back(Member{std::string(key), Value()});
  return members_.back().value;
}

bool Object::Erase(std::string_view key) {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].key == key) {
      members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

bool operator==(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (const Member& m : a) {
    const Value* other = b.Find(m.key);
    if (other == nullptr || !(*other == m.value)) return false;
  }
  return true;
}

bool Value::as_bool() const {
  if (!is_bool()) WrongType(Type::kBool, type());
  return std::get<bool>(v_);
}
int64_t Value::as_int() const {
  if (!is_int()) WrongType(Type::kInt, type());
  return std::get<int64_t>(v_);
}
double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  if (!is_double()) WrongType(Type::kDouble, type());
  return std::get<double>(v_);
}
const std::string& Value::as_string() const {
  if (!is_string()) WrongType(Type::kString, type());
  return std::get<std::string>(v_);
}
const Array& Value::as_array() const {
  if (!is_array()) WrongType(Type::kArray, type());
  return std::get<Array>(v_);
}
Array& Value::as_array() {
  if (!is_array()) WrongType(Type::kArray, type());
  return std::get<Array>(v_);
}
const Object& Value::as_object() const {
  if (!is_object()) WrongType(Type::kObject, type());
  return std::get<Object>(v_);
}
Object& Value::as_object() {
  if (!is_object()) WrongType(Type::kObject, type());
  return std::get<Object>(v_);
}

const Value* Value::Find(std::string_view key) const {
  return is_object() ? std::get<Object>(v_).Find(key) : nullptr;
}
Value* Value::Find(std::string_view key) {
  return is_object() ? std::get<Object>(v_).Find(key) : nullptr;
}
Value& Value::operator[](std::string_view key) {
  if (is_null()) v_ = Object();
  return as_object()[key];
}

void AppendQuoted(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

void AppendDouble(double d, std::string& out) {
  // JSON has no NaN or infinity; null is what Go's encoders and browsers agree on least badly.
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  // Shortest representation that reads back to the same double.
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  out += buf;
  // Keep a number that was floating-point recognisable as such on the way back.
  std::string_view written(buf);
  if (written.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void WriteValue(const Value& v, std::string& out, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.type()) {
    case Type::kNull:
      out += "null";
      break;
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Type::kInt:
      out += std::to_string(v.as_int());
      break;
    case Type::kDouble:
      AppendDouble(v.as_double(), out);
      break;
    case Type::kString:
      AppendQuoted(v.as_string(), out);
      break;
    case Type::kArray: {
      const Array& a = v.as_array();
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += ',';
        newline(depth + 1);
        WriteValue(a[i], out, indent, depth + 1);
      }
      if (!a.empty()) newline(depth);
      out += ']';
      break;
    }
    case Type::kObject: {
      const Object& o = v.as_object();
      out += '{';
      bool first = true;
      for (const Member& m : o) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        AppendQuoted(m.key, out);
        out += indent < 0 ? ":" : ": ";
        WriteValue(m.value, out, indent, depth + 1);
      }
      if (!o.empty()) newline(depth);
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string Write(const Value& value) {
  std::string out;
  WriteValue(value, out, -1, 0);
  return out;
}

std::string WritePretty(const Value& value) {
  std::string out;
  WriteValue(value, out, 2, 0);
  return out;
}

std::string StringAt(const Value& value, std::initializer_list<std::string_view> path) {
  const Value* at = &value;
  for (std::string_view key : path) {
    at = at->Find(key);
    if (at == nullptr) return "";
  }
  return at->is_string() ? at->as_string() : "";
}

}  // namespace devflow::json
