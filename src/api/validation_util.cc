#include "api/validation_util.h"

#include "common/json_value.h"

namespace devflow::api {

void AddFieldError(FieldErrors* errors, const FieldPath& path, std::string message) {
  if (message.empty()) return;
  errors->push_back(FieldError{path, std::move(message)});
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, out);
  return out;
}

std::string CheckOneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
  std::string list;
  size_t i = 0;
  for (std::string_view a : allowed) {
    if (value == a) return {};
    if (i > 0) list += (i + 1 == allowed.size()) ? " or " : ", ";
    list += a;
    ++i;
  }
  return "must be " + list + ", got " + Quoted(value);
}

}  // namespace devflow::api
