// When an AnalysisRun's metrics are measured (spec §5.2 steps 2 and 7; Argo's
// generateMetricTasks and calculateNextReconcileTime).
//
// Per metric, in spec order, skipping metrics whose result is already completed:
//   - the last measurement is in flight (no finishedAt): Terminate it when the run is
//     terminating; else Resume it once now >= its resumeAt (at once without one);
//   - the run is terminating: nothing new;
//   - never measured: Measure, once now >= status.startedAt + initialDelay (a metric with an
//     initialDelay waits for startedAt to be recorded);
//   - the effective count is reached: nothing;
//   - else Measure once now >= lastFinishedAt + interval, where the interval is 10s after an
//     Error measurement (and when the metric has none).
// The run is looked at again at the earliest of those due times: startedAt (or now) +
// initialDelay for never-measured metrics, resumeAt of in-flight ones, lastFinishedAt +
// interval (10s after an Error) for the others; a metric with no interval whose last
// measurement succeeded asks for nothing, nor does an in-flight one without resumeAt.
//
// Due times are inclusive (Argo measures strictly after them): a controller woken at the time
// returned by NextMeasurementTime finds the measurement due, so simulated clocks converge.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "analysis/metric_settings.h"
#include "api/analysis.h"
#include "api/time.h"

namespace devflow::analysis {

// The retry interval after an Error measurement (Argo's DefaultErrorRetryInterval).
inline constexpr std::chrono::seconds kErrorRetryInterval{10};

enum class MeasurementAction {
  kMeasure,    // take a new measurement (MetricProvider::Measure)
  kResume,     // poll the in-flight measurement (MetricProvider::Resume)
  kTerminate,  // stop the in-flight measurement, the run is terminating (MetricProvider::Terminate)
};

// One provider call to make for a metric.
struct MeasurementTask {
  std::string metric_name;
  MeasurementAction action = MeasurementAction::kMeasure;
  // kResume / kTerminate: the metric's last measurement, still in flight.
  std::optional<api::Measurement> in_flight;
  friend bool operator==(const MeasurementTask&, const MeasurementTask&) = default;
};

// The tasks for `now`, in the order of run.spec.metrics.
// REQUIRES: settings[i] was read from run.spec.metrics[i] (ParseRunMetrics).
std::vector<MeasurementTask> ScheduleMeasurements(const api::AnalysisRun& run,
                                                  const std::vector<MetricSettings>& settings,
                                                  bool terminating, api::TimePoint now);

// The earliest time a metric of `run` needs a task, or nullopt when none will (every metric is
// completed, reached its count, or waits on nothing time-based). May be <= now.
// REQUIRES: as ScheduleMeasurements.
std::optional<api::TimePoint> NextMeasurementTime(const api::AnalysisRun& run,
                                                  const std::vector<MetricSettings>& settings,
                                                  api::TimePoint now);

// The result of `metric_name` in run.status.metricResults, or null.
const api::MetricResult* FindMetricResult(const api::AnalysisRunStatus& status,
                                          std::string_view metric_name);

}  // namespace devflow::analysis
