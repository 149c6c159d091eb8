#include "api/int_or_string.h"

#include <cmath>
#include <cstdlib>

#include "api/codec_engine.h"

namespace devflow::api {

std::string IntOrString::ToString() const {
  return is_int() ? std::to_string(int_value()) : string_value();
}

namespace {

// Parses a non-negative decimal integer; false when s is not one or overflows int32.
bool ParseInt32(std::string_view s, int32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > INT32_MAX) return false;
  out = static_cast<int32_t>(v);
  return true;
}

}  // namespace

Result<int32_t> ParsePercent(const std::string& s) {
  int32_t pct;
  if (s.size() < 2 || s.back() != '%' ||
      !ParseInt32(std::string_view(s).substr(0, s.size() - 1), pct)) {
    return InvalidArgumentError("must be an integer or a percentage like \"25%\", got \"" + s +
                                "\"");
  }
  return pct;
}

Result<int32_t> ScaledValue(const IntOrString& v, int32_t total, bool round_up) {
  if (v.is_int()) {
    if (v.int_value() < INT32_MIN || v.int_value() > INT32_MAX) {
      return InvalidArgumentError("must fit in 32 bits, got " + std::to_string(v.int_value()));
    }
    return static_cast<int32_t>(v.int_value());
  }
  std::string_view s = v.string_value();
  if (!s.empty() && s.back() == '%') s.remove_suffix(1);
  int32_t pct;
  if (!ParseInt32(s, pct)) {
    return InvalidArgumentError("must be an integer or a percentage like \"25%\", got \"" +
                                v.string_value() + "\"");
  }
  double scaled = static_cast<double>(pct) * total / 100.0;
  return static_cast<int32_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

void DecodeValue(const json::Value& in, IntOrString& out, DecodeContext& ctx) {
  if (in.is_string()) {
    out = IntOrString(in.as_string());
    return;
  }
  int64_t i = 0;
  DecodeValue(in, i, ctx);
  out = IntOrString(i);
}

json::Value EncodeValue(const IntOrString& v) {
  if (v.is_int()) return json::Value(v.int_value());
  return json::Value(v.string_value());
}

}  // namespace devflow::api
