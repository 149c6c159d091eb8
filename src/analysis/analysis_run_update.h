// One reconcile of an AnalysisRun as two pure steps around the provider calls (spec §5.2):
//
//   tasks    = PlanMeasurements(run, now);              // what to measure, resume, terminate
//   readings = <call each task's provider>;             // I/O: the controller's
//   update   = ApplyReadings(run, tasks, readings, now, secrets);
//   <write update.status; record update.events; GarbageCollect per update.garbage_collect;
//    come back at update.requeue_at>
//
// Both steps first read the run's metrics (metric_settings.h) and its dryRun[] and
// measurementRetention[] rules (metric_rules.h). When that fails, PlanMeasurements returns no
// task and ApplyReadings completes the run: phase Error, message "Analysis spec invalid:
// <error>", completedAt, event AnalysisRunError. A completed run is left unchanged (only its
// TTL applies: DeletionTime).
//
// REQUIRES of `run`: its metrics have their "{{args.*}}" placeholders substituted (secrets
// stubbed), as Argo resolves them before each reconcile; arguments are not resolved here, so a
// placeholder left in a count, limit or duration reads as an invalid spec.
//
// Differences from Argo, on purpose:
//   - an invalid spec also sets completedAt, so the run's ttlStrategy applies to it;
//   - when this pass leaves the run terminating but not completed (a metric just failed while
//     another is still measuring), requeue_at is `now`: the next pass terminates in-flight
//     measurements and completes the run, where Argo waits for the informer to notice its own
//     status write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/measurement_schedule.h"
#include "analysis/metric_provider.h"
#include "analysis/run_assessment.h"
#include "api/analysis.h"
#include "api/time.h"
#include "common/result.h"

namespace devflow::analysis {

// The tasks for `now` (measurement_schedule.h), with the run's terminating state
// (run_assessment.h's IsTerminating). Empty for a completed run and for an invalid spec.
std::vector<MeasurementTask> PlanMeasurements(const api::AnalysisRun& run, api::TimePoint now);

// Measurements trimmed from a metric's history: the controller calls the metric provider's
// GarbageCollect(run, metric, keep) (the Job provider deletes the Jobs of older measurements).
struct MeasurementTrim {
  std::string metric_name;
  int32_t keep = 0;
  friend bool operator==(const MeasurementTrim&, const MeasurementTrim&) = default;
};

struct AnalysisRunUpdate {
  api::AnalysisRunStatus status;      // the whole new status, to write as a merge patch
  std::vector<AnalysisEvent> events;  // to record on the run, in order
  std::vector<MeasurementTrim> garbage_collect;
  // When to reconcile again: the earliest due measurement (measurement_schedule.h), `now` when
  // the run is terminating but not completed, nullopt when nothing time-based is pending (a
  // completed run, or only in-flight measurements without resumeAt).
  std::optional<api::TimePoint> requeue_at;
  friend bool operator==(const AnalysisRunUpdate&, const AnalysisRunUpdate&) = default;
};

// Records readings[i], the provider's answer to tasks[i], into the metric's result (creating
// it with phase Running, its dryRun flag, and the reading's metric_metadata merged in; see
// measurement_recording.h, where `secrets` are masked), then assesses the metrics and the run
// (run_assessment.h), trims each metric's measurements to its retention limit (default 10,
// oldest first), and computes requeue_at.
// REQUIRES: readings.size() == tasks.size(); tasks from PlanMeasurements of this `run`.
AnalysisRunUpdate ApplyReadings(const api::AnalysisRun& run,
                                const std::vector<MeasurementTask>& tasks,
                                const std::vector<Result<Reading>>& readings, api::TimePoint now,
                                const std::vector<std::string>& secrets = {});

// When a completed run is due for deletion (spec §5.2 step 8): completedAt + the TTL of its
// phase, secondsAfterSuccess for Successful, secondsAfterFailure for Failed, else (or when
// those are unset) secondsAfterCompletion. nullopt when the run is not completed, has no
// completedAt, no ttlStrategy, or no TTL applies. The run is deleted once now > that time.
std::optional<api::TimePoint> DeletionTime(const api::AnalysisRun& run);

}  // namespace devflow::analysis
