#include "analysis/measurement_schedule.h"

#include <algorithm>

namespace devflow::analysis {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

const api::Measurement* LastMeasurement(const api::MetricResult* result) {
  if (result == nullptr || result->measurements.empty()) return nullptr;
  return &result->measurements.back();
}

// The wait after a finished measurement before the next one (Argo: 10s after an Error, and
// when the metric has no interval).
std::chrono::nanoseconds RetryInterval(const MetricSettings& s, const api::Measurement& last) {
  if (last.phase == api::analysis_phase::kError || !s.interval) return kErrorRetryInterval;
  return *s.interval;
}

bool CountReached(const MetricSettings& s, const api::MetricResult& result) {
  return s.count && result.count >= *s.count;
}

api::TimePoint After(api::TimePoint t, std::chrono::nanoseconds d) {
  return t + duration_cast<microseconds>(d);
}

}  // namespace

const api::MetricResult* FindMetricResult(const api::AnalysisRunStatus& status,
                                          std::string_view metric_name) {
  for (const api::MetricResult& r : status.metric_results) {
    if (r.name == metric_name) return &r;
  }
  return nullptr;
}

std::vector<MeasurementTask> ScheduleMeasurements(const api::AnalysisRun& run,
                                                  const std::vector<MetricSettings>& settings,
                                                  bool terminating, api::TimePoint now) {
  std::vector<MeasurementTask> tasks;
  for (size_t i = 0; i < run.spec.metrics.size() && i < settings.size(); ++i) {
    const api::Metric& metric = run.spec.metrics[i];
    const MetricSettings& s = settings[i];
    const api::MetricResult* result = FindMetricResult(run.status, metric.name);
    if (result != nullptr && api::IsCompletedPhase(result->phase)) continue;
    const api::Measurement* last = LastMeasurement(result);
    if (last != nullptr && !last->finished_at) {
      if (terminating) {
        tasks.push_back({metric.name, MeasurementAction::kTerminate, *last});
      } else if (!last->resume_at || now >= last->resume_at->value) {
        tasks.push_back({metric.name, MeasurementAction::kResume, *last});
      }
      continue;
    }
    if (terminating) continue;
    if (last == nullptr) {
      if (s.initial_delay) {
        if (!run.status.started_at) continue;
        if (now < After(run.status.started_at->value, *s.initial_delay)) continue;
      }
      tasks.push_back({metric.name, MeasurementAction::kMeasure, std::nullopt});
      continue;
    }
    if (CountReached(s, *result)) continue;
    if (now >= After(last->finished_at->value, RetryInterval(s, *last))) {
      tasks.push_back({metric.name, MeasurementAction::kMeasure, std::nullopt});
    }
  }
  return tasks;
}

std::optional<api::TimePoint> NextMeasurementTime(const api::AnalysisRun& run,
                                                  const std::vector<MetricSettings>& settings,
                                                  api::TimePoint now) {
  std::optional<api::TimePoint> next;
  auto consider = [&next](api::TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (size_t i = 0; i < run.spec.metrics.size() && i < settings.size(); ++i) {
    const api::Metric& metric = run.spec.metrics[i];
    const MetricSettings& s = settings[i];
    const api::MetricResult* result = FindMetricResult(run.status, metric.name);
    if (result != nullptr && api::IsCompletedPhase(result->phase)) continue;
    const api::Measurement* last = LastMeasurement(result);
    if (last == nullptr) {
      if (s.initial_delay) {
        consider(
            After(run.status.started_at ? run.status.started_at->value : now, *s.initial_delay));
      }
      continue;
    }
    if (!last->finished_at) {
      if (last->resume_at) consider(last->resume_at->value);
      continue;
    }
    if (CountReached(s, *result)) continue;
    if (last->phase != api::analysis_phase::kError && !s.interval) continue;
    consider(After(last->finished_at->value, RetryInterval(s, *last)));
  }
  return next;
}

}  // namespace devflow::analysis
