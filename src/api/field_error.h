// FieldError: one problem with one field of a manifest, found while decoding or validating.
#pragma once

#include <string>
#include <vector>

#include "common/field_path.h"

namespace devflow::api {

struct FieldError {
  FieldPath path;       // spec.strategy.canary.steps[2].setWeight
  std::string message;  // "must be 0..100, got 120": what is wrong and what is allowed
  // When >= 0: a byte offset inside the field's string value that the error is about (the
  // position of a syntax error in a successCondition), so the linter can point at the column.
  int value_offset = -1;
  // True when the error is about the member's key rather than its value (a malformed label key),
  // so the linter points at the key.
  bool about_key = false;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

// Renders "path: message" (or just the message at the root).
std::string ToString(const FieldError& error);

}  // namespace devflow::api
