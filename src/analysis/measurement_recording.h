// Recording what a provider answered into an AnalysisRun's status (spec §5.2 step 3; Argo's
// runMeasurements after the provider call).
//
// A provider's answer becomes a Measurement:
//   - an error Status: phase Error, message the status's message (an in-flight measurement
//     keeps its startedAt and metadata; a new one starts now);
//   - a Reading with no phase: the metric's conditions decide (measurement_outcome.h);
//   - a Reading with a phase: that phase and the reading's message (Running: still in flight,
//     with the reading's resumeAt);
//   - a Terminate task that comes back Successful or Inconclusive gets the message
//     "Metric Terminated";
//   - value is the reading's value; metadata is the in-flight measurement's, overwritten key by
//     key by the reading's; each non-empty secret is replaced by "*****" in the message;
//   - a completed measurement gets finishedAt = now (and no resumeAt).
// Recording it updates the MetricResult's counters (count = successful + failed + inconclusive;
// errors are counted apart; a success or failure resets consecutiveError; anything but a
// success resets consecutiveSuccess) and appends it, or replaces the in-flight one it
// continues. An in-flight measurement changes no counter.
#pragma once

#include <string>
#include <vector>

#include "analysis/measurement_outcome.h"
#include "analysis/measurement_schedule.h"
#include "analysis/metric_provider.h"
#include "api/analysis.h"
#include "api/time.h"
#include "common/result.h"

namespace devflow::analysis {

// The measurement that `reading` (the provider's answer to `task`) records, by the rules above.
api::Measurement ToMeasurement(const MeasurementTask& task, const Result<Reading>& reading,
                               const CompiledConditions& conditions,
                               const std::vector<std::string>& secrets, api::TimePoint now);

// Adds `measurement` to `result` by the rules above. `continues_in_flight` is true for Resume
// and Terminate tasks: the measurement replaces the last one (which must be in flight) instead
// of being appended.
void RecordMeasurement(const api::Measurement& measurement, bool continues_in_flight,
                       api::MetricResult* result);

}  // namespace devflow::analysis
