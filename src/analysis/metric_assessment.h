// The phase of one metric from its counters (spec §5.2 step 4; Argo's assessMetricStatus), the
// first matching rule winning:
//   1. the result is already completed: unchanged;
//   2. no measurements: Successful when the run is terminating, else Pending;
//   3. the last measurement is in flight: Running;
//   4. a limit is exceeded (CheckLimits): its phase;
//   5. consecutiveSuccessLimit > 0 and consecutiveSuccess >= it: Successful;
//   6. the effective count is reached: Successful; but when consecutiveSuccessLimit > 0 (not
//      reached, by rule 5) the metric is Inconclusive while failureLimit applies (>= 0), else
//      Failed;
//   7. the run is terminating: Successful;
//   8. Running.
// Rule 7 applies to every metric still measuring, bounded or not, as in Argo's code (the spec's
// text names only unbounded metrics: a bounded one would otherwise stay Running forever in a
// completed run).
#pragma once

#include <optional>
#include <string>

#include "analysis/metric_settings.h"
#include "api/analysis.h"

namespace devflow::analysis {

// A limit a metric's counters exceed: the phase it forces and the reason Argo prints, e.g.
// {"Failed", "failed (2) > failureLimit (1)"}.
struct LimitBreach {
  std::string phase;
  std::string reason;
  friend bool operator==(const LimitBreach&, const LimitBreach&) = default;
};

// The worst limit `result` exceeds, checking in this order with the later overriding:
//   failed > failureLimit (only when failureLimit >= 0)            Failed
//     "failed (x) > failureLimit (y)"
//   inconclusive > inconclusiveLimit                                Inconclusive
//     "inconclusive (x) > inconclusiveLimit (y)"
//   consecutiveError > consecutiveErrorLimit                        Error
//     "consecutiveErrors (x) > consecutiveErrorLimit (y)"
// so Error beats Inconclusive, which beats Failed. nullopt when none is exceeded.
std::optional<LimitBreach> CheckLimits(const MetricSettings& settings,
                                       const api::MetricResult& result);

// The metric's phase by the rules above (an analysis_phase).
std::string AssessMetric(const MetricSettings& settings, const api::MetricResult& result,
                         bool terminating);

}  // namespace devflow::analysis
