#include "api/quantity.h"

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "api/codec_engine.h"

namespace devflow::api {
namespace {

constexpr std::string_view kAcceptedForms =
    "a quantity: [+-]digits[.digits] with an optional suffix: Ki Mi Gi Ti Pi Ei (binary), "
    "n u m k M G T P E (decimal), or e<exponent> (e.g. \"500m\", \"1Gi\", \"2.5\", \"1e3\")";

// Exponents beyond this are rejected: no real resource needs them, and DecimalString would
// otherwise print arbitrarily many zeros.
constexpr int64_t kMaxExponent = 1000;

Status Invalid(std::string_view text) {
  std::string message = "must be ";
  message += kAcceptedForms;
  message += ", got \"";
  message += text;
  message += "\"";
  return InvalidArgumentError(std::move(message));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Multiplies the decimal digit string `digits` (most significant first) by a small factor.
void MultiplyDigits(std::string& digits, int factor) {
  int carry = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = (digits[i] - '0') * factor + carry;
    digits[i] = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  while (carry > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

// Suffix -> (power of ten, power of 1024). Returns false when not a known SI suffix.
bool SiSuffix(std::string_view s, int& pow10, int& pow1024) {
  pow10 = 0;
  pow1024 = 0;
  if (s.empty()) return true;
  if (s.size() == 2 && s[1] == 'i') {
    static constexpr std::string_view kBinary = "KMGTPE";
    size_t i = kBinary.find(s[0]);
    if (i == std::string_view::npos) return false;
    pow1024 = static_cast<int>(i) + 1;
    return true;
  }
  if (s.size() != 1) return false;
  switch (s[0]) {
    case 'n':
      pow10 = -9;
      return true;
    case 'u':
      pow10 = -6;
      return true;
    case 'm':
      pow10 = -3;
      return true;
    case 'k':
      pow10 = 3;
      return true;
    case 'M':
      pow10 = 6;
      return true;
    case 'G':
      pow10 = 9;
      return true;
    case 'T':
      pow10 = 12;
      return true;
    case 'P':
      pow10 = 15;
      return true;
    case 'E':
      pow10 = 18;
      return true;
    default:
      return false;
  }
}

// Parses "e<int>" / "E<int>" (optional sign). Returns false otherwise.
bool DecimalExponent(std::string_view s, int64_t& exponent) {
  if (s.size() < 2 || (s[0] != 'e' && s[0] != 'E')) return false;
  s.remove_prefix(1);
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 6) return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  exponent = negative ? -value : value;
  return true;
}

}  // namespace

Result<Quantity> Quantity::Parse(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  std::string digits;
  int64_t exponent = 0;
  size_t i = 0;
  while (i < rest.size() && IsDigit(rest[i])) digits += rest[i++];
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    while (i < rest.size() && IsDigit(rest[i])) {
      digits += rest[i++];
      --exponent;
    }
  }
  if (digits.empty()) return Invalid(text);
  std::string_view suffix = rest.substr(i);
  int pow10 = 0;
  int pow1024 = 0;
  int64_t explicit_exponent = 0;
  if (SiSuffix(suffix, pow10, pow1024)) {
    exponent += pow10;
  } else if (DecimalExponent(suffix, explicit_exponent)) {
    exponent += explicit_exponent;
  } else {
    return Invalid(text);
  }
  for (int k = 0; k < pow1024; ++k) MultiplyDigits(digits, 1024);

  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    digits.clear();
    exponent = 0;
    negative = false;
  } else {
    digits.erase(0, first);
    size_t last = digits.find_last_not_of('0');
    exponent += static_cast<int64_t>(digits.size() - 1 - last);
    digits.erase(last + 1);
  }
  if (exponent > kMaxExponent || exponent < -kMaxExponent) return Invalid(text);

  Quantity q;
  q.text_ = std::string(text);
  q.negative_ = negative;
  q.digits_ = std::move(digits);
  q.exponent_ = exponent;
  return q;
}

Quantity Quantity::MustParse(std::string_view text) {
  Result<Quantity> q = Parse(text);
  if (!q.ok()) {
    std::cerr << "devflow: Quantity::MustParse: " << q.error().ToString() << "\n";
    std::abort();
  }
  return *std::move(q);
}

int Quantity::Compare(const Quantity& a, const Quantity& b) {
  auto sign = [](const Quantity& q) { return q.digits_.empty() ? 0 : (q.negative_ ? -1 : 1); };
  int sa = sign(a);
  int sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  // Magnitudes: first by the position of the most significant digit, then digit by digit.
  int magnitude = 0;
  int64_t top_a = static_cast<int64_t>(a.digits_.size()) + a.exponent_;
  int64_t top_b = static_cast<int64_t>(b.digits_.size()) + b.exponent_;
  if (top_a != top_b) {
    magnitude = top_a < top_b ? -1 : 1;
  } else {
    int c = a.digits_.compare(b.digits_);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

std::string Quantity::DecimalString() const {
  if (digits_.empty()) return "0";
  std::string out = negative_ ? "-" : "";
  if (exponent_ >= 0) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_), '0');
    return out;
  }
  int64_t point = static_cast<int64_t>(digits_.size()) + exponent_;
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits_;
  } else {
    out += digits_.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits_.substr(static_cast<size_t>(point));
  }
  return out;
}

std::optional<int64_t> Quantity::MilliValue() const {
  if (digits_.empty()) return 0;
  int64_t scale = exponent_ + 3;
  if (scale < 0) return std::nullopt;
  if (static_cast<int64_t>(digits_.size()) + scale > 19) return std::nullopt;
  __int128 value = 0;
  for (char c : digits_) value = value * 10 + (c - '0');
  for (int64_t k = 0; k < scale; ++k) value *= 10;
  if (value > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(negative_ ? -value : value);
}

void DecodeValue(const json::Value& in, Quantity& out, DecodeContext& ctx) {
  std::string text;
  bool from_number = false;
  if (in.is_string()) {
    text = in.as_string();
  } else if (in.is_int()) {
    text = std::to_string(in.as_int());
    from_number = true;
  } else if (in.is_double()) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), in.as_double());
    if (ec != std::errc()) return TypeError(ctx, kAcceptedForms, in);
    text.assign(buffer, end);
    from_number = true;
  } else {
    return TypeError(ctx, kAcceptedForms, in);
  }
  Result<Quantity> parsed = Quantity::Parse(text);
  if (!parsed.ok()) {
    ctx.Error(parsed.error().message());
    return;
  }
  out = *std::move(parsed);
  out.from_json_number_ = from_number;
}

json::Value EncodeValue(const Quantity& q) {
  if (q.from_json_number()) {
    int64_t i = 0;
    const std::string& t = q.text();
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
    if (ec == std::errc() && end == t.data() + t.size()) return json::Value(i);
    double d = 0;
    auto [dend, dec] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (dec == std::errc() && dend == t.data() + t.size()) return json::Value(d);
  }
  if (q.text().empty()) return json::Value(q.DecimalString());
  return json::Value(q.text());
}

}  // namespace devflow::api
