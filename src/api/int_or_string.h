// IntOrString: Kubernetes' intstr.IntOrString, for fields such as maxSurge ("25%" or 1),
// pause.duration (10 or "10s") and metric count (2 or "{{args.count}}").
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

class DecodeContext;

struct IntOrString {
  std::variant<int64_t, std::string> value = int64_t{0};

  IntOrString() = default;
  IntOrString(int64_t i) : value(i) {}                   // NOLINT: implicit by design
  IntOrString(int i) : value(int64_t{i}) {}              // NOLINT: keeps IntOrString(0) unambiguous
  IntOrString(std::string s) : value(std::move(s)) {}    // NOLINT
  IntOrString(const char* s) : value(std::string(s)) {}  // NOLINT

  bool is_int() const { return std::holds_alternative<int64_t>(value); }
  bool is_string() const { return !is_int(); }
  // REQUIRES: is_int() / is_string().
  int64_t int_value() const { return std::get<int64_t>(value); }
  const std::string& string_value() const { return std::get<std::string>(value); }

  // The text as a user would write it: "25%", "10s", or the integer's digits.
  std::string ToString() const;

  friend bool operator==(const IntOrString&, const IntOrString&) = default;
};

// Resolves an int-or-percent against `total`, the way Argo Rollouts' (deprecated apimachinery)
// GetValueFromIntOrPercent does: an integer is an absolute count; *any* string, with or without
// a trailing '%', is a percentage ("25%" and "25" both mean 25%), rounded up or down as asked.
// Returns InvalidArgument when the string is not a number (optionally followed by '%').
Result<int32_t> ScaledValue(const IntOrString& v, int32_t total, bool round_up);

// Parses an int-or-percent string strictly as Kubernetes does for Deployments: "N%" only.
// Returns the percentage, or InvalidArgument.
Result<int32_t> ParsePercent(const std::string& s);

void DecodeValue(const json::Value& in, IntOrString& out, DecodeContext& ctx);
json::Value EncodeValue(const IntOrString& v);

}  // namespace devflow::api
