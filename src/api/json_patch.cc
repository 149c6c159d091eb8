#include "api/json_patch.h"

#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace devflow::api {
namespace {

using Tokens = std::vector<std::string>;

// Longest rendering of a value quoted in a "test failed" message; whole objects would drown it.
constexpr size_t kMaxQuotedValue = 80;

std::string Quote(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, out);
  return out;
}

// "an integer", "a string": for "/a is ..." messages.
std::string Describe(json::Type type) {
  switch (type) {
    case json::Type::kNull:
      return "null";
    case json::Type::kBool:
      return "a boolean";
    case json::Type::kInt:
      return "an integer";
    case json::Type::kDouble:
      return "a number";
    case json::Type::kString:
      return "a string";
    case json::Type::kArray:
      return "an array";
    case json::Type::kObject:
      return "an object";
  }
  return "a value";
}

std::string Excerpt(const json::Value& value) {
  std::string text = json::Write(value);
  if (text.size() > kMaxQuotedValue) {
    text.resize(kMaxQuotedValue);
    text += "...";
  }
  return text;
}

Result<Tokens> ParsePointer(std::string_view pointer, std::string_view what) {
  Tokens tokens;
  if (pointer.empty()) {
    return tokens;
  }
  if (pointer[0] != '/') {
    return InvalidArgumentError(std::string(what) + " " + Quote(pointer) +
                                " is not a JSON pointer: it must be empty or start with \"/\"");
  }
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] != '~') {
      token += pointer[i];
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      return InvalidArgumentError(std::string(what) + " " + Quote(pointer) +
                                  " is not a JSON pointer: \"~\" must be followed by 0 or 1");
    }
  }
  return tokens;
}

// Renders the first `count` tokens back into a pointer, for messages.
std::string Render(const Tokens& tokens, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += '/';
    for (char c : tokens[i]) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
  }
  return out;
}

bool IsPrefix(const Tokens& prefix, const Tokens& tokens) {
  if (prefix.size() > tokens.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != tokens[i]) {
      return false;
    }
  }
  return true;
}

// RFC 6901 array indexes: decimal digits, no leading zero, "-" handled by the caller.
Result<size_t> ParseIndex(const std::string& token) {
  // 18 digits always fit size_t; no document has that many elements anyway.
  bool digits = !token.empty() && token.size() <= 18;
  for (char c : token) {
    digits = digits && c >= '0' && c <= '9';
  }
  if (!digits || (token.size() > 1 && token[0] == '0')) {
    return InvalidArgumentError(Quote(token) + " is not an array index");
  }
  return static_cast<size_t>(std::stoull(token));
}

// Returns the value named by the first `count` tokens; `what` ("path" or "from") names the
// pointer in messages.
Result<json::Value*> Resolve(json::Value& doc, const Tokens& tokens, size_t count,
                             std::string_view what) {
  json::Value* current = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    json::Value* next = nullptr;
    if (current->is_object()) {
      next = current->Find(token);
    } else if (current->is_array()) {
      if (token != "-") {
        DEVFLOW_ASSIGN_OR_RETURN(size_t index, ParseIndex(token));
        if (index < current->as_array().size()) {
          next = &current->as_array()[index];
        }
      }
    } else {
      return InvalidArgumentError(std::string(what) + " does not exist: " + Render(tokens, i) +
                                  " is " + Describe(current->type()) + ", not an object or array");
    }
    if (next == nullptr) {
      std::string message = std::string(what) + " does not exist";
      if (i + 1 < tokens.size()) {
        message += " (nothing at " + Render(tokens, i + 1) + ")";
      }
      return InvalidArgumentError(std::move(message));
    }
    current = next;
  }
  return current;
}

// The parent container of the location `tokens` names. REQUIRES: !tokens.empty().
Result<json::Value*> ResolveParent(json::Value& doc, const Tokens& tokens, std::string_view what) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value * parent, Resolve(doc, tokens, tokens.size() - 1, what));
  if (!parent->is_object() && !parent->is_array()) {
    return InvalidArgumentError(std::string(what) +
                                " does not exist: " + Render(tokens, tokens.size() - 1) + " is " +
                                Describe(parent->type()) + ", not an object or array");
  }
  return parent;
}

Status Add(json::Value& doc, const Tokens& path, json::Value value) {
  if (path.empty()) {
    doc = std::move(value);
    return Status::Ok();
  }
  DEVFLOW_ASSIGN_OR_RETURN(json::Value * parent, ResolveParent(doc, path, "path"));
  const std::string& last = path.back();
  if (parent->is_object()) {
    parent->as_object().Set(last, std::move(value));
    return Status::Ok();
  }
  json::Array& array = parent->as_array();
  if (last == "-") {
    array.push_back(std::move(value));
    return Status::Ok();
  }
  DEVFLOW_ASSIGN_OR_RETURN(size_t index, ParseIndex(last));
  if (index > array.size()) {
    return InvalidArgumentError("index " + last + " is out of range: the array has " +
                                std::to_string(array.size()) + " elements");
  }
  array.insert(array.begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
  return Status::Ok();
}

Status Remove(json::Value& doc, const Tokens& path, std::string_view what) {
  if (path.empty()) {
    return InvalidArgumentError("cannot remove the whole document");
  }
  DEVFLOW_ASSIGN_OR_RETURN(json::Value * parent, ResolveParent(doc, path, what));
  const std::string& last = path.back();
  if (parent->is_object()) {
    if (!parent->as_object().Erase(last)) {
      return InvalidArgumentError(std::string(what) + " does not exist");
    }
    return Status::Ok();
  }
  json::Array& array = parent->as_array();
  if (last == "-") {
    return InvalidArgumentError("\"-\" names no element (it is the slot past the end)");
  }
  DEVFLOW_ASSIGN_OR_RETURN(size_t index, ParseIndex(last));
  if (index >= array.size()) {
    return InvalidArgumentError(std::string(what) + " does not exist");
  }
  array.erase(array.begin() + static_cast<std::ptrdiff_t>(index));
  return Status::Ok();
}

bool IntEqualsDouble(int64_t i, double d) {
  // 2^63 is exact in a double; anything at or beyond it cannot equal an int64.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  return std::isfinite(d) && d == std::trunc(d) && d >= -kTwoTo63 && d < kTwoTo63 &&
         static_cast<int64_t>(d) == i;
}

// RFC 6902 section 4.6 equality: numbers by value, objects regardless of member order.
bool JsonEqual(const json::Value& a, const json::Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) {
      return a.as_int() == b.as_int();
    }
    if (a.is_double() && b.is_double()) {
      return a.as_double() == b.as_double();
    }
    return a.is_int() ? IntEqualsDouble(a.as_int(), b.as_double())
                      : IntEqualsDouble(b.as_int(), a.as_double());
  }
  if (a.type() != b.type()) {
    return false;
  }
  if (a.is_array()) {
    const json::Array& x = a.as_array();
    const json::Array& y = b.as_array();
    if (x.size() != y.size()) {
      return false;
    }
    for (size_t i = 0; i < x.size(); ++i) {
      if (!JsonEqual(x[i], y[i])) {
        return false;
      }
    }
    return true;
  }
  if (a.is_object()) {
    const json::Object& x = a.as_object();
    const json::Object& y = b.as_object();
    if (x.size() != y.size()) {
      return false;
    }
    for (const json::Member& member : x) {
      const json::Value* other = y.Find(member.key);
      if (other == nullptr || !JsonEqual(member.value, *other)) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

enum class Op { kAdd, kRemove, kReplace, kMove, kCopy, kTest };

bool ParseOp(std::string_view name, Op& op) {
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"add", Op::kAdd},   {"remove", Op::kRemove}, {"replace", Op::kReplace},
      {"move", Op::kMove}, {"copy", Op::kCopy},     {"test", Op::kTest},
  };
  for (const auto& [known, value] : kOps) {
    if (name == known) {
      op = value;
      return true;
    }
  }
  return false;
}

// Reads a string member of the operation.
Result<std::string> StringMember(const json::Value& operation, std::string_view key) {
  const json::Value* value = operation.Find(key);
  if (value == nullptr) {
    return InvalidArgumentError("missing " + Quote(key));
  }
  if (!value->is_string()) {
    return InvalidArgumentError(Quote(key) + " must be a string, got " +
                                std::string(json::TypeName(value->type())));
  }
  return value->as_string();
}

Result<json::Value> ValueMember(const json::Value& operation) {
  const json::Value* value = operation.Find("value");
  if (value == nullptr) {
    return InvalidArgumentError("missing \"value\"");
  }
  return *value;
}

// Applies one operation to `doc`. `from`, `path` are already parsed; messages carry no prefix.
Status ApplyOperation(json::Value& doc, Op op, const json::Value& operation, const Tokens& path,
                      const Tokens& from) {
  switch (op) {
    case Op::kAdd: {
      DEVFLOW_ASSIGN_OR_RETURN(json::Value value, ValueMember(operation));
      return Add(doc, path, std::move(value));
    }
    case Op::kRemove:
      return Remove(doc, path, "path");
    case Op::kReplace: {
      DEVFLOW_ASSIGN_OR_RETURN(json::Value value, ValueMember(operation));
      DEVFLOW_ASSIGN_OR_RETURN(json::Value * target, Resolve(doc, path, path.size(), "path"));
      *target = std::move(value);
      return Status::Ok();
    }
    case Op::kMove: {
      DEVFLOW_ASSIGN_OR_RETURN(json::Value * source, Resolve(doc, from, from.size(), "from"));
      if (from == path) {
        return Status::Ok();
      }
      if (IsPrefix(from, path)) {
        return InvalidArgumentError("cannot move a value into itself");
      }
      json::Value value = std::move(*source);
      DEVFLOW_RETURN_IF_ERROR(Remove(doc, from, "from"));
      return Add(doc, path, std::move(value));
    }
    case Op::kCopy: {
      DEVFLOW_ASSIGN_OR_RETURN(json::Value * source, Resolve(doc, from, from.size(), "from"));
      return Add(doc, path, *source);
    }
    case Op::kTest: {
      DEVFLOW_ASSIGN_OR_RETURN(json::Value want, ValueMember(operation));
      DEVFLOW_ASSIGN_OR_RETURN(json::Value * target, Resolve(doc, path, path.size(), "path"));
      if (!JsonEqual(*target, want)) {
        return InvalidArgumentError("test failed: value is " + Excerpt(*target) + ", want " +
                                    Excerpt(want));
      }
      return Status::Ok();
    }
  }
  return InternalError("unhandled JSON patch op");
}

// Parses and applies operations[index]; errors come back prefixed with the operation.
Status ApplyAt(json::Value& doc, const json::Value& operation, size_t index) {
  std::string where = "operations[" + std::to_string(index) + "]";
  if (!operation.is_object()) {
    return InvalidArgumentError(where + ": must be an object, got " +
                                std::string(json::TypeName(operation.type())));
  }
  Result<std::string> name = StringMember(operation, "op");
  if (!name.ok()) {
    return InvalidArgumentError(where + ": " + name.error().message());
  }
  Op op;
  if (!ParseOp(*name, op)) {
    return InvalidArgumentError(where + " (" + *name + "): unknown op " + Quote(*name) +
                                ", want add, remove, replace, move, copy or test");
  }
  Result<std::string> path_text = StringMember(operation, "path");
  if (!path_text.ok()) {
    return InvalidArgumentError(where + " (" + *name + "): " + path_text.error().message());
  }
  // An empty pointer (the whole document) would vanish from the message.
  auto shown = [](const std::string& pointer) { return pointer.empty() ? "\"\"" : pointer; };
  std::string from_text;
  if (op == Op::kMove || op == Op::kCopy) {
    Result<std::string> text = StringMember(operation, "from");
    if (!text.ok()) {
      return InvalidArgumentError(where + " (" + *name + " " + shown(*path_text) +
                                  "): " + text.error().message());
    }
    from_text = *text;
    where += " (" + *name + " from " + shown(from_text) + " to " + shown(*path_text) + ")";
  } else {
    where += " (" + *name + " " + shown(*path_text) + ")";
  }
  Status status = [&]() -> Status {
    DEVFLOW_ASSIGN_OR_RETURN(Tokens path, ParsePointer(*path_text, "path"));
    DEVFLOW_ASSIGN_OR_RETURN(Tokens from, ParsePointer(from_text, "from"));
    return ApplyOperation(doc, op, operation, path, from);
  }();
  if (!status.ok()) {
    return InvalidArgumentError(where + ": " + status.message());
  }
  return Status::Ok();
}

}  // namespace

Result<json::Value> ApplyJsonPatch(const json::Value& target, const json::Value& operations) {
  if (!operations.is_array()) {
    return InvalidArgumentError("operations: must be an array, got " +
                                std::string(json::TypeName(operations.type())));
  }
  json::Value doc = target;
  const json::Array& list = operations.as_array();
  for (size_t i = 0; i < list.size(); ++i) {
    DEVFLOW_RETURN_IF_ERROR(ApplyAt(doc, list[i], i));
  }
  return doc;
}

}  // namespace devflow::api
