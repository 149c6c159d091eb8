// Small helpers shared by every validator in src/api.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "api/field_error.h"

namespace devflow::api {

// Appends FieldError{path, message} to *errors; an empty message adds nothing, so a check that
// returns "" for valid input can be passed straight through.
void AddFieldError(FieldErrors* errors, const FieldPath& path, std::string message);

// `s` as a JSON string literal ("web", "a\"b"), for quoting user input in messages: quotes and
// control characters in the input stay visible and unambiguous.
std::string Quoted(std::string_view s);

// "" when `value` is one of `allowed`, else "must be A, B or C, got \"x\"".
std::string CheckOneOf(std::string_view value, std::initializer_list<std::string_view> allowed);

}  // namespace devflow::api
