#include "api/duration.h"

#include <cmath>
#include <cstdint>

namespace devflow::api {
namespace {

Status BadDuration(std::string_view text) {
  return InvalidArgumentError(
      "must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"" +
      std::string(text) + "\"");
}

}  // namespace

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return BadDuration(text);
  long double total = 0;
  while (!s.empty()) {
    // The number: digits, optionally a fraction.
    size_t i = 0;
    long double number = 0;
    bool any_digit = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      number = number * 10 + (s[i] - '0');
      any_digit = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        number += (s[i] - '0') * scale;
        scale /= 10;
        any_digit = true;
        ++i;
      }
    }
    if (!any_digit) return BadDuration(text);
    // The unit.
    size_t unit_start = i;
    while (i < s.size() && !(s[i] >= '0' && s[i] <= '9') && s[i] != '.') ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    long double ns_per_unit;
    if (unit == "ns") {
      ns_per_unit = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      ns_per_unit = 1e3L;
    } else if (unit == "ms") {
      ns_per_unit = 1e6L;
    } else if (unit == "s") {
      ns_per_unit = 1e9L;
    } else if (unit == "m") {
      ns_per_unit = 60e9L;
    } else if (unit == "h") {
      ns_per_unit = 3600e9L;
    } else {
      return BadDuration(text);
    }
    total += number * ns_per_unit;
    if (total > static_cast<long double>(INT64_MAX)) return BadDuration(text);
    s.remove_prefix(i);
  }
  auto ns = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  auto fraction = [](uint64_t value, int digits) {
    std::string f = std::to_string(value);
    f.insert(0, static_cast<size_t>(digits) - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    return f.empty() ? std::string() : "." + f;
  };
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1000000) return sign + std::to_string(u / 1000) + fraction(u % 1000, 3) + "\xC2\xB5s";
  if (u < 1000000000) {
    return sign + std::to_string(u / 1000000) + fraction(u % 1000000, 6) + "ms";
  }
  uint64_t seconds = u / 1000000000;
  std::string sec_part = std::to_string(seconds % 60) + fraction(u % 1000000000, 9) + "s";
  uint64_t minutes = seconds / 60;
  if (minutes == 0) return sign + sec_part;
  std::string min_part = std::to_string(minutes % 60) + "m";
  uint64_t hours = minutes / 60;
  if (hours == 0) return sign + min_part + sec_part;
  return sign + std::to_string(hours) + "h" + min_part + sec_part;
}

Result<std::chrono::nanoseconds> ParsePauseDuration(const IntOrString& duration) {
  if (duration.is_int()) {
    if (duration.int_value() < 0) {
      return InvalidArgumentError("must be at least 0 seconds, got " +
                                  std::to_string(duration.int_value()));
    }
    return std::chrono::nanoseconds(std::chrono::seconds(duration.int_value()));
  }
  const std::string& s = duration.string_value();
  bool numeric = !s.empty();
  for (char c : s) numeric = numeric && c >= '0' && c <= '9';
  if (numeric && s.size() <= 12) {
    return std::chrono::nanoseconds(std::chrono::seconds(std::stoll(s)));
  }
  auto parsed = ParseGoDuration(s);
  if (!parsed.ok()) {
    return InvalidArgumentError(
        "must be a number of seconds or a duration like \"30s\", \"5m\", \"1h\", got \"" + s +
        "\"");
  }
  if (parsed->count() < 0) return InvalidArgumentError("must not be negative, got \"" + s + "\"");
  return *parsed;
}

bool HasTemplatePlaceholder(std::string_view text) {
  size_t open = text.find("{{");
  return open != std::string_view::npos && text.find("}}", open + 2) != std::string_view::npos;
}

}  // namespace devflow::api
