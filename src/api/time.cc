#include "api/time.h"

#include <cstdio>

#include "api/codec_engine.h"

namespace devflow::api {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Status BadTime(std::string_view text) {
  return InvalidArgumentError("must be an RFC 3339 time like \"2026-11-23T03:16:00Z\", got \"" +
                              std::string(text) + "\"");
}

}  // namespace

Result<TimePoint> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, sec)) {
    return BadTime(s);
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return BadTime(s);
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return BadTime(s);
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om)) {
      return BadTime(s);
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return BadTime(s);
  }
  if (pos != s.size()) return BadTime(s);
  sys_days days{ymd};
  TimePoint t = time_point_cast<microseconds>(days + hours{h} + minutes{mi} + seconds{sec}) +
                microseconds{micros} - minutes{offset_minutes};
  return t;
}

std::string FormatRfc3339(TimePoint t, bool micros) {
  using namespace std::chrono;
  sys_days days = floor<std::chrono::days>(t);
  year_month_day ymd{days};
  auto since_midnight = t - days;
  auto h = duration_cast<hours>(since_midnight);
  auto m = duration_cast<minutes>(since_midnight - h);
  auto s = duration_cast<seconds>(since_midnight - h - m);
  auto us = duration_cast<microseconds>(since_midnight - h - m - s);
  char buf[40];
  if (micros) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                  int(s.count()), static_cast<long long>(us.count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                  int(s.count()));
  }
  return buf;
}

namespace {

template <class T>
void DecodeTime(const json::Value& in, T& out, DecodeContext& ctx) {
  if (!in.is_string()) return TypeError(ctx, "an RFC 3339 time string", in);
  auto parsed = ParseRfc3339(in.as_string());
  if (!parsed.ok()) return ctx.Error(parsed.error().message());
  out.value = *parsed;
}

}  // namespace

void DecodeValue(const json::Value& in, Time& out, DecodeContext& ctx) { DecodeTime(in, out, ctx); }
void DecodeValue(const json::Value& in, MicroTime& out, DecodeContext& ctx) {
  DecodeTime(in, out, ctx);
}
json::Value EncodeValue(const Time& t) {
  if (t.value == TimePoint{}) return json::Value();
  return json::Value(FormatRfc3339(t.value));
}
json::Value EncodeValue(const MicroTime& t) {
  if (t.value == TimePoint{}) return json::Value();
  return json::Value(FormatRfc3339(t.value, true));
}

}  // namespace devflow::api
