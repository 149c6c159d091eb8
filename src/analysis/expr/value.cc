#include "analysis/expr/value.h"

#include <cstdlib>
#include <iostream>

#include "analysis/expr/limits.h"
#include "analysis/expr/time_text.h"

namespace devflow::expr {
namespace {

Status TooDeep() {
  return InvalidArgumentError("value nested deeper than " + std::to_string(kMaxValueDepth) +
                              " levels");
}

Result<Value> FromJsonAt(const json::Value& v, int depth) {
  if (depth > kMaxValueDepth) return TooDeep();
  switch (v.type()) {
    case json::Type::kNull:
      return Value();
    case json::Type::kBool:
      return Value(v.as_bool());
    case json::Type::kInt:
      return Value(v.as_int());
    case json::Type::kDouble:
      return Value(v.as_double());
    case json::Type::kString:
      return Value(v.as_string());
    case json::Type::kArray: {
      List list;
      list.reserve(v.as_array().size());
      for (const json::Value& item : v.as_array()) {
        DEVFLOW_ASSIGN_OR_RETURN(Value converted, FromJsonAt(item, depth + 1));
        list.push_back(std::move(converted));
      }
      return Value(std::move(list));
    }
    case json::Type::kObject: {
      Map map;
      for (const json::Member& member : v.as_object()) {
        DEVFLOW_ASSIGN_OR_RETURN(Value converted, FromJsonAt(member.value, depth + 1));
        map.Set(member.key, std::move(converted));
      }
      return Value(std::move(map));
    }
  }
  return Value();
}

Result<json::Value> ToJsonAt(const Value& v, int depth) {
  if (depth > kMaxValueDepth) return TooDeep();
  switch (v.kind()) {
    case Value::Kind::kNil:
      return json::Value();
    case Value::Kind::kBool:
      return json::Value(v.as_bool());
    case Value::Kind::kInt:
      return json::Value(v.as_int());
    case Value::Kind::kFloat:
      return json::Value(v.as_float());
    case Value::Kind::kString:
      return json::Value(v.as_string());
    case Value::Kind::kList: {
      json::Array array;
      array.reserve(v.as_list().size());
      for (const Value& item : v.as_list()) {
        DEVFLOW_ASSIGN_OR_RETURN(json::Value converted, ToJsonAt(item, depth + 1));
        array.push_back(std::move(converted));
      }
      return json::Value(std::move(array));
    }
    case Value::Kind::kMap: {
      json::Object object;
      for (const auto& [key, item] : v.as_map()) {
        DEVFLOW_ASSIGN_OR_RETURN(json::Value converted, ToJsonAt(item, depth + 1));
        object.Set(key, std::move(converted));
      }
      return json::Value(std::move(object));
    }
    case Value::Kind::kTime:
      return json::Value(FormatRfc3339(v.as_time()));
    case Value::Kind::kDuration:
      return json::Value(static_cast<int64_t>(v.as_duration().count()));
  }
  return json::Value();
}

}  // namespace

void Value::WrongKind() {
  std::cerr << "devflow: expr::Value accessed as the wrong kind\n";
  std::abort();
}

Value::Value(List list) : v_(std::make_shared<const List>(std::move(list))) {}
Value::Value(Map map) : v_(std::make_shared<const Map>(std::move(map))) {}

const Value* Map::Find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Map::Set(std::string key, Value value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

std::string_view GoTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      return "<nil>";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "[]interface {}";
    case Value::Kind::kMap:
      return "map[string]interface {}";
    case Value::Kind::kTime:
      return "time.Time";
    case Value::Kind::kDuration:
      return "time.Duration";
  }
  return "unknown";
}

Result<Value> FromJson(const json::Value& v) { return FromJsonAt(v, 0); }

Result<json::Value> ToJson(const Value& v) { return ToJsonAt(v, 0); }

}  // namespace devflow::expr
