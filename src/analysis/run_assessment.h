// The phase of an AnalysisRun from its metrics (spec §5.2 step 5 and §5.3; Argo's
// assessRunStatus and the phase update of reconcileAnalysisRun).
//
// Given a run whose latest measurements are recorded, AssessRun:
//   - sets status.startedAt on the first pass;
//   - assesses every metric with a result (metric_assessment.h); a metric whose phase changes
//     takes its last measurement's message, and one that completes emits an event
//     Metric<Phase> "Metric '<m>' Completed. Result: <Phase>" (Warning for Failed/Error);
//   - counts the metrics of the spec by final phase into runSummary (non-dry-run) and
//     dryRunSummary (dry-run; always written); `count` counts every metric of the spec;
//   - decides the run's phase:
//       terminating (see IsTerminating): the worst phase of the completed non-dry-run metrics,
//         or Successful when none completed (dry-run metrics count as Successful);
//       else Running while a metric is incomplete or has no result yet;
//       else the worst phase (dry-run metrics count as Successful), by the order
//         Successful < Running < Pending < Inconclusive < Error < Failed;
//   - the message goes with the worst metric (the first of equally bad ones) that exceeded a
//     limit: Metric "<m>" assessed <Phase> due to <reason>, plus
//     `: "Error Message: <its message>"` when its message is not empty; otherwise "Run
//     Terminated" when spec.terminate, else empty. Running has no message. A dry-run metric
//     that exceeded a limit gets the message "Metric assessed <Phase> due to <reason>" instead;
//   - when the phase changes, writes phase and message; when it becomes completed, sets
//     completedAt (if unset) and emits AnalysisRun<Phase> "Analysis Completed. Result: <Phase>"
//     (Warning for Failed/Error).
// Metric events come first, in spec order, then the run's.
//
// Difference from Argo, on purpose: runSummary counts a metric by its phase; Argo counts a
// metric made Inconclusive or Failed by an unreached consecutiveSuccessLimit as Successful.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_rules.h"
#include "analysis/metric_settings.h"
#include "api/analysis.h"
#include "api/time.h"

namespace devflow::analysis {

// An event on the AnalysisRun, as Argo records it.
struct AnalysisEvent {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  friend bool operator==(const AnalysisEvent&, const AnalysisEvent&) = default;
};

// The event announcing that the run completed with `phase`: AnalysisRun<Phase>, "Analysis
// Completed. Result: <Phase>", a Warning for Failed and Error.
AnalysisEvent RunCompletedEvent(std::string_view phase);

// True when `candidate` is worse than `current` in the order above (unknown phases rank as
// Successful).
bool IsWorsePhase(std::string_view current, std::string_view candidate);

// True when the run stops measuring: spec.terminate is set, or a non-dry-run metric result
// (metricResults[].dryRun false) is Failed, Error or Inconclusive.
bool IsTerminating(const api::AnalysisRun& run);

struct RunAssessment {
  api::AnalysisRunStatus status;
  std::vector<AnalysisEvent> events;
  friend bool operator==(const RunAssessment&, const RunAssessment&) = default;
};

// Assesses `run` by the rules above; whether it is terminating is decided from run.status as
// given (before this pass's metric phases change), as Argo does.
// REQUIRES: settings[i] was read from run.spec.metrics[i]; rules from run.spec.
RunAssessment AssessRun(const api::AnalysisRun& run, const std::vector<MetricSettings>& settings,
                        const MetricRules& rules, api::TimePoint now);

}  // namespace devflow::analysis
