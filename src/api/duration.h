// Durations as manifests write them.
//
// Argo Rollouts' metric fields (interval, initialDelay) are Go duration strings ("30s", "1m30s",
// "2h", "300ms"); pause.duration is an IntOrString where an integer or a numeric string means
// seconds. Manifests may hold "{{args.x}}" in these fields, so the typed objects keep the text
// and parse it when it is used (validation parses literal values up front).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/int_or_string.h"
#include "common/result.h"

namespace devflow::api {

// Parses a Go duration string (time.ParseDuration): a possibly signed sequence of decimal
// numbers, each with an optional fraction and a unit: "ns", "us" (or "µs"), "ms", "s", "m", "h".
// "0" alone is allowed. Returns InvalidArgument naming the allowed forms otherwise.
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

// Formats a duration the way Go's Duration.String() does: "1m30s", "2h0m0s", "300ms", "0s".
std::string FormatGoDuration(std::chrono::nanoseconds d);

// Resolves a canary pause duration: an integer or a numeric string is seconds, any other string
// a Go duration. Returns InvalidArgument for unparseable text and for negative values.
Result<std::chrono::nanoseconds> ParsePauseDuration(const IntOrString& duration);

// True when text contains a "{{ ... }}" placeholder resolved later from analysis args.
bool HasTemplatePlaceholder(std::string_view text);

}  // namespace devflow::api
