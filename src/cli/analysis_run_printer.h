// The human summary `devflow get analysisrun NAME` prints without -o: what the run decided and
// why, metric by metric, with every kept measurement.
//
//   Name:       web-analysis
//   Namespace:  default
//   Phase:      Failed
//   Message:    Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)
//   Started:    2026-11-23T10:00:00Z
//   Completed:  2026-11-23T10:00:01Z
//
//   Metric: success-rate
//     Phase:   Failed
//     Message: ...                                  (only when set)
//     Counts:  successful 2, failed 1, inconclusive 0, error 0
//     Measurements (oldest first):
//       TIME                  PHASE       VALUE  MESSAGE
//       2026-11-23T10:00:00Z  Successful  0.99
//       2026-11-23T10:00:01Z  Failed      0.42
//
// Metrics come in the spec's order; a metric of the spec with no result yet is shown Pending with
// no measurement; a result naming a metric the spec lacks follows them. A dry-run metric says so
// after its phase. TIME is a measurement's startedAt ("-" when unset), and measurements are
// ordered by it (stable for equal times), so the newest is last; one still in flight shows phase
// Running. Values and messages are written on one line (runs of whitespace, newlines included,
// become one space); a value longer than 40 characters is cut to 37 and "..." (-o yaml shows it
// whole). Empty values and messages leave their column blank.
#pragma once

#include <string>

#include "api/analysis.h"

namespace devflow::cli {

// The summary above for `run`, ending with a newline. Pure.
std::string FormatAnalysisRun(const api::AnalysisRun& run);

}  // namespace devflow::cli
