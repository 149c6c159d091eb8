#include "analysis/analysis_run_update.h"

#include "analysis/measurement_recording.h"
#include "analysis/metric_rules.h"
#include "analysis/metric_settings.h"
#include "analysis/status_time.h"

namespace devflow::analysis {
namespace {

namespace phase = api::analysis_phase;

struct RunSpec {
  std::vector<MetricSettings> settings;
  MetricRules rules;
};

Result<RunSpec> ReadSpec(const api::AnalysisRun& run) {
  RunSpec spec;
  DEVFLOW_ASSIGN_OR_RETURN(spec.settings, ParseRunMetrics(run.spec.metrics));
  DEVFLOW_ASSIGN_OR_RETURN(spec.rules, ResolveMetricRules(run.spec.metrics, run.spec.dry_run,
                                                          run.spec.measurement_retention));
  return spec;
}

AnalysisRunUpdate InvalidSpec(const api::AnalysisRun& run, const Status& error,
                              api::TimePoint now) {
  AnalysisRunUpdate update;
  update.status = run.status;
  update.status.phase = phase::kError;
  update.status.message = "Analysis spec invalid: " + error.message();
  if (!update.status.completed_at) update.status.completed_at = StatusTime(now);
  update.events.push_back(RunCompletedEvent(phase::kError));
  return update;
}

const api::Metric* FindMetric(const api::AnalysisRun& run, const std::string& name) {
  for (const api::Metric& m : run.spec.metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

api::MetricResult& ResultFor(const std::string& name, bool dry_run,
                             api::AnalysisRunStatus* status) {
  for (api::MetricResult& r : status->metric_results) {
    if (r.name == name) return r;
  }
  api::MetricResult created;
  created.name = name;
  created.phase = phase::kRunning;
  created.dry_run = dry_run;
  status->metric_results.push_back(std::move(created));
  return status->metric_results.back();
}

std::vector<MeasurementTrim> TrimMeasurements(const MetricRules& rules,
                                              api::AnalysisRunStatus* status) {
  std::vector<MeasurementTrim> trims;
  for (api::MetricResult& r : status->metric_results) {
    const size_t keep = static_cast<size_t>(rules.RetentionLimit(r.name));
    if (r.measurements.size() <= keep) continue;
    r.measurements.erase(r.measurements.begin(),
                         r.measurements.end() - static_cast<std::ptrdiff_t>(keep));
    trims.push_back({r.name, static_cast<int32_t>(keep)});
  }
  return trims;
}

}  // namespace

std::vector<MeasurementTask> PlanMeasurements(const api::AnalysisRun& run, api::TimePoint now) {
  if (api::IsCompletedPhase(run.status.phase)) return {};
  Result<RunSpec> spec = ReadSpec(run);
  if (!spec.ok()) return {};
  return ScheduleMeasurements(run, spec->settings, IsTerminating(run), now);
}

AnalysisRunUpdate ApplyReadings(const api::AnalysisRun& run,
                                const std::vector<MeasurementTask>& tasks,
                                const std::vector<Result<Reading>>& readings, api::TimePoint now,
                                const std::vector<std::string>& secrets) {
  if (api::IsCompletedPhase(run.status.phase)) return AnalysisRunUpdate{run.status, {}, {}, {}};
  Result<RunSpec> spec = ReadSpec(run);
  if (!spec.ok()) return InvalidSpec(run, spec.error(), now);

  api::AnalysisRun next = run;
  for (size_t i = 0; i < tasks.size() && i < readings.size(); ++i) {
    const MeasurementTask& task = tasks[i];
    const api::Metric* metric = FindMetric(run, task.metric_name);
    if (metric == nullptr) continue;
    const api::Measurement m =
        ToMeasurement(task, readings[i], CompiledConditions(*metric), secrets, now);
    api::MetricResult& result =
        ResultFor(task.metric_name, spec->rules.IsDryRun(task.metric_name), &next.status);
    if (readings[i].ok()) {
      for (const auto& [key, value] : readings[i]->metric_metadata) result.metadata[key] = value;
    }
    RecordMeasurement(m, task.action != MeasurementAction::kMeasure, &result);
  }

  RunAssessment assessed = AssessRun(next, spec->settings, spec->rules, now);
  next.status = std::move(assessed.status);
  AnalysisRunUpdate update;
  update.events = std::move(assessed.events);
  update.garbage_collect = TrimMeasurements(spec->rules, &next.status);
  if (!api::IsCompletedPhase(next.status.phase)) {
    update.requeue_at = IsTerminating(next) ? now : NextMeasurementTime(next, spec->settings, now);
  }
  update.status = std::move(next.status);
  return update;
}

std::optional<api::TimePoint> DeletionTime(const api::AnalysisRun& run) {
  const api::AnalysisRunStatus& status = run.status;
  if (!api::IsCompletedPhase(status.phase) || !status.completed_at || !run.spec.ttl_strategy) {
    return std::nullopt;
  }
  const api::TtlStrategy& ttl = *run.spec.ttl_strategy;
  std::optional<int32_t> seconds;
  if (status.phase == phase::kSuccessful && ttl.seconds_after_success) {
    seconds = ttl.seconds_after_success;
  } else if (status.phase == phase::kFailed && ttl.seconds_after_failure) {
    seconds = ttl.seconds_after_failure;
  } else {
    seconds = ttl.seconds_after_completion;
  }
  if (!seconds) return std::nullopt;
  return status.completed_at->value + std::chrono::seconds(*seconds);
}

}  // namespace devflow::analysis
