// Text forms of times and durations, as Go's time package writes and reads them, so that
// `duration("5m")`, `string(duration("90s"))` and JSON output match expr-lang under Argo.
#pragma once

#include <string>
#include <string_view>

#include "analysis/expr/value.h"
#include "common/result.h"

namespace devflow::expr {

// Parses a Go duration ("300ms", "-1.5h", "2h45m", "1µs"; units ns, us, µs, ms, s, m, h; a
// bare "0" is allowed). On bad input returns InvalidArgument with Go's message, e.g.
// `time: invalid duration "abc"`, `time: missing unit in duration "5"`,
// `time: unknown unit "x" in duration "5x"`.
Result<Duration> ParseGoDuration(std::string_view text);

// Go's Duration.String(): "1h2m3.5s", "5m0s", "1.5µs", "0s".
std::string FormatGoDuration(Duration d);

// RFC 3339 with nanoseconds and trailing zeros dropped, in UTC: "2024-05-01T10:00:00.5Z".
std::string FormatRfc3339(TimePoint t);

// Go's Time.String() for a UTC time: "2024-05-01 10:00:00.5 +0000 UTC".
std::string FormatGoTime(TimePoint t);

}  // namespace devflow::expr
