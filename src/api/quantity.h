// Quantity: Kubernetes' resource.Quantity ("500m", "1Gi", "2.5", "1e3", "100Ki"), the type of
// container resource requests and limits.
//
// A Quantity holds the text it was parsed from (written back unchanged on encoding, so a manifest
// round-trips byte for byte) and its exact value as a decimal (sign, digits, power of ten). No
// floating point is involved: "0.5" == "500m", "1Gi" == "1024Mi" == "1073741824", and
// "0.1" + "0.2" style rounding never happens. Comparison (==, <=>) is by value only.
//
// Accepted text, as apimachinery's parser accepts it:
//   [+-] number [suffix]      number: "12", "1.5", "1.", ".5"
//   suffix: binary Ki Mi Gi Ti Pi Ei (powers of 1024); decimal n u m "" k M G T P E
//           (10^-9 .. 10^18); or an exponent e<int> / E<int> ("1e3", "2E-3").
// "1E" is 10^18 (exa); "1E3" is 1000. Whitespace is not allowed anywhere.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

class DecodeContext;

class Quantity {
 public:
  // Zero, with empty text (an absent quantity).
  Quantity() = default;

  // Parses `text`. Returns InvalidArgument naming the accepted forms when `text` is not a
  // quantity (e.g. "1.5.3", "10KB", "", "1 Gi").
  static Result<Quantity> Parse(std::string_view text);
  // For tests and constants. REQUIRES: `text` parses; aborts otherwise.
  static Quantity MustParse(std::string_view text);

  // The text as written ("500m"); "" for a default-constructed Quantity.
  const std::string& text() const { return text_; }
  // True when the manifest gave the quantity as a JSON number (cpu: 1), so encoding writes a
  // number back.
  bool from_json_number() const { return from_json_number_; }

  // The exact value as a plain decimal with no exponent and no suffix: "0.5", "1073741824",
  // "-0.000000001", "0". Equal values give equal strings, so this is the canonical form used
  // to compare pod templates.
  std::string DecimalString() const;

  // The value as a signed 64-bit count of milli-units, when it fits exactly (500m -> 500,
  // "1" -> 1000). nullopt when the value has sub-milli precision or is out of range.
  std::optional<int64_t> MilliValue() const;

  bool IsZero() const { return digits_.empty(); }
  bool IsNegative() const { return negative_; }

  friend bool operator==(const Quantity& a, const Quantity& b) { return Compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return Compare(a, b) <=> 0;
  }

 private:
  friend void DecodeValue(const json::Value& in, Quantity& out, DecodeContext& ctx);

  // -1, 0 or 1.
  static int Compare(const Quantity& a, const Quantity& b);

  std::string text_;
  bool from_json_number_ = false;
  // value = (negative_ ? -1 : 1) * digits_ * 10^exponent_; digits_ holds decimal digits with no
  // leading or trailing zeros, and is empty for zero (then negative_ is false, exponent_ 0).
  bool negative_ = false;
  std::string digits_;
  int64_t exponent_ = 0;
};

// Decodes a string ("500m") or a JSON number (1, 0.5). Invalid text is reported at the field
// path with the accepted forms; the field keeps its default.
void DecodeValue(const json::Value& in, Quantity& out, DecodeContext& ctx);
// Writes the original text: a string, or a number when it was read from one.
json::Value EncodeValue(const Quantity& q);

}  // namespace devflow::api
