#include "analysis/expr/time_text.h"

#include <cstdint>
#include <cstdio>

namespace devflow::expr {
namespace {

constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;

// Go's strconv.Quote for the ASCII range, enough for error messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Appends v / 10^prec's fractional digits (".5"), without trailing zeros; returns v / 10^prec.
uint64_t AppendFraction(uint64_t v, int prec, std::string& suffix) {
  std::string digits;
  bool printed = false;
  for (int i = 0; i < prec; i++) {
    int digit = static_cast<int>(v % 10);
    printed = printed || digit != 0;
    if (printed) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  if (printed) suffix.insert(0, "." + digits);
  return v;
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
  int64_t nanos;
};

Civil ToCivil(TimePoint t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto rest = t - day;
  int64_t ns = rest.count();
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<unsigned>(ymd.month());
  c.day = static_cast<unsigned>(ymd.day());
  c.hour = static_cast<unsigned>(ns / 3'600'000'000'000);
  c.minute = static_cast<unsigned>(ns / 60'000'000'000 % 60);
  c.second = static_cast<unsigned>(ns / 1'000'000'000 % 60);
  c.nanos = ns % 1'000'000'000;
  return c;
}

std::string FormatCivil(TimePoint t, char separator) {
  Civil c = ToCivil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u%c%02u:%02u:%02u", static_cast<long long>(c.year),
                c.month, c.day, separator, c.hour, c.minute, c.second);
  std::string out = buf;
  std::string fraction;
  AppendFraction(static_cast<uint64_t>(c.nanos), 9, fraction);
  return out + fraction;
}

}  // namespace

Result<Duration> ParseGoDuration(std::string_view text) {
  const std::string_view orig = text;
  auto invalid = [&] { return InvalidArgumentError("time: invalid duration " + Quote(orig)); };
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration(0);
  if (text.empty()) return invalid();
  uint64_t total = 0;
  while (!text.empty()) {
    if (!(text[0] == '.' || IsDigit(text[0]))) return invalid();
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < text.size() && IsDigit(text[i]); i++) {
      if (whole > kMaxMagnitude / 10) return invalid();
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
      if (whole > kMaxMagnitude) return invalid();
    }
    bool has_whole = i > 0;
    text.remove_prefix(i);
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      bool overflow = false;
      for (i = 0; i < text.size() && IsDigit(text[i]); i++) {
        if (overflow) continue;
        if (fraction > (kMaxMagnitude - 1) / 10) {
          overflow = true;
          continue;
        }
        fraction = fraction * 10 + static_cast<uint64_t>(text[i] - '0');
        scale *= 10;
      }
      has_fraction = i > 0;
      text.remove_prefix(i);
    }
    if (!has_whole && !has_fraction) return invalid();
    for (i = 0; i < text.size() && text[i] != '.' && !IsDigit(text[i]); i++) {
    }
    if (i == 0) return InvalidArgumentError("time: missing unit in duration " + Quote(orig));
    std::string_view unit_text = text.substr(0, i);
    text.remove_prefix(i);
    uint64_t unit = UnitNanos(unit_text);
    if (unit == 0) {
      return InvalidArgumentError("time: unknown unit " + Quote(unit_text) + " in duration " +
                                  Quote(orig));
    }
    if (whole > kMaxMagnitude / unit) return invalid();
    uint64_t v = whole * unit;
    if (fraction > 0) {
      v += static_cast<uint64_t>(static_cast<double>(fraction) *
                                 (static_cast<double>(unit) / scale));
      if (v > kMaxMagnitude) return invalid();
    }
    total += v;
    if (total > kMaxMagnitude) return invalid();
  }
  if (negative) return Duration(static_cast<int64_t>(0 - total));
  if (total > kMaxMagnitude - 1) return invalid();
  return Duration(static_cast<int64_t>(total));
}

std::string FormatGoDuration(Duration d) {
  int64_t count = d.count();
  bool negative = count < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  std::string out;
  if (u < 1'000'000'000) {
    if (u == 0) return "0s";
    std::string suffix;
    if (u < 1'000) {
      suffix = "ns";
    } else if (u < 1'000'000) {
      suffix = "\xC2\xB5s";
      u = AppendFraction(u, 3, suffix);
    } else {
      suffix = "ms";
      u = AppendFraction(u, 6, suffix);
    }
    out = std::to_string(u) + suffix;
  } else {
    std::string seconds = "s";
    u = AppendFraction(u, 9, seconds);
    out = std::to_string(u % 60) + seconds;
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

std::string FormatRfc3339(TimePoint t) { return FormatCivil(t, 'T') + "Z"; }

std::string FormatGoTime(TimePoint t) { return FormatCivil(t, ' ') + " +0000 UTC"; }

}  // namespace devflow::expr
