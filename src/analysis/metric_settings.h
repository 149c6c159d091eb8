// MetricSettings: a metric's timing and limits, read once per reconcile of an AnalysisRun.
//
// The run's metrics keep their fields as written (text durations, IntOrString counts and
// limits that may have held "{{args.x}}"). The AnalysisRun controller reads them here, after
// argument substitution, and every other rule of src/analysis works on the parsed values. A
// metric that cannot be read makes the whole run Error ("Analysis spec invalid: ..."), as
// Argo's analysisutil.ValidateMetrics does on every reconcile.
//
// Differences from Argo, on purpose: a count or limit that is not an integer ("abc", or an
// unresolved "{{args.n}}") is an error here, where Go's IntOrString.IntValue() silently reads 0;
// negative counts and durations are errors (api validation rejects them at admission too).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "api/analysis.h"
#include "common/result.h"

namespace devflow::analysis {

struct MetricSettings {
  // interval: time between measurements; unset when the field is empty.
  std::optional<std::chrono::nanoseconds> interval;
  // initialDelay: wait after status.startedAt before the first measurement; unset when empty
  // (which differs from "0s": a set delay waits for startedAt to be recorded).
  std::optional<std::chrono::nanoseconds> initial_delay;
  // The effective count (api::EffectiveCount): count when > 0, else 1 without an interval and
  // unset (unbounded: measure until the run terminates) with one.
  std::optional<int32_t> count;
  int32_t failure_limit = 0;              // failureLimit; -1 disables it
  int32_t inconclusive_limit = 0;         // inconclusiveLimit
  int32_t consecutive_error_limit = 4;    // consecutiveErrorLimit
  int32_t consecutive_success_limit = 0;  // consecutiveSuccessLimit; 0 disables it
  friend bool operator==(const MetricSettings&, const MetricSettings&) = default;
};

// Reads one metric. Returns InvalidArgument whose message starts with the field's name relative
// to the metric ("interval: must be a duration like ...", "count: must be an integer, got
// \"{{args.n}}\"") on: an unparsable or negative interval/initialDelay; a count or limit that is
// not an integer or out of range (count, inconclusiveLimit, consecutiveErrorLimit,
// consecutiveSuccessLimit >= 0; failureLimit >= -1); failureLimit -1 without
// consecutiveSuccessLimit > 0; count > 1 without an interval; a count > 0 below failureLimit +
// consecutiveSuccessLimit (below consecutiveSuccessLimit when failureLimit is -1) or below
// inconclusiveLimit; no provider, or more than one.
Result<MetricSettings> ParseMetricSettings(const api::Metric& metric);

// Reads every metric of a run, in order. Returns InvalidArgument "no metrics specified",
// "metrics[i].name: duplicate name \"x\"" (results are keyed by name), or ParseMetricSettings'
// error prefixed with "metrics[i].".
Result<std::vector<MetricSettings>> ParseRunMetrics(const std::vector<api::Metric>& metrics);

}  // namespace devflow::analysis
