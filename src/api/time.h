// Time: metav1.Time (RFC 3339, whole seconds, UTC on output) and MicroTime (microseconds, used
// by Lease and Event).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

class DecodeContext;

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

struct Time {
  TimePoint value{};
  friend bool operator==(const Time&, const Time&) = default;
  friend auto operator<=>(const Time&, const Time&) = default;
};

struct MicroTime {
  TimePoint value{};
  friend bool operator==(const MicroTime&, const MicroTime&) = default;
  friend auto operator<=>(const MicroTime&, const MicroTime&) = default;
};

// Parses RFC 3339 ("2026-11-23T03:16:00Z", "2026-11-23T03:16:00.123456+01:00").
// Returns InvalidArgument naming the expected form otherwise.
Result<TimePoint> ParseRfc3339(std::string_view text);
// "2026-11-23T03:16:00Z" (fraction dropped) or, with micros, "2026-11-23T03:16:00.123456Z".
std::string FormatRfc3339(TimePoint t, bool micros = false);

void DecodeValue(const json::Value& in, Time& out, DecodeContext& ctx);
void DecodeValue(const json::Value& in, MicroTime& out, DecodeContext& ctx);
json::Value EncodeValue(const Time& t);
json::Value EncodeValue(const MicroTime& t);

}  // namespace devflow::api
