#include "analysis/run_assessment.h"

#include <array>

#include "analysis/metric_assessment.h"
#include "analysis/status_time.h"

namespace devflow::analysis {
namespace {

namespace phase = api::analysis_phase;

// Best to worst (Argo's analysisStatusOrder).
constexpr std::array<std::string_view, 6> kOrder = {phase::kSuccessful, phase::kRunning,
                                                    phase::kPending,    phase::kInconclusive,
                                                    phase::kError,      phase::kFailed};

size_t Rank(std::string_view p) {
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == p) return i;
  }
  return 0;
}

bool IsWarning(std::string_view p) { return p == phase::kFailed || p == phase::kError; }

void Count(std::string_view p, api::RunSummary* summary) {
  if (p == phase::kFailed) {
    ++summary->failed;
  } else if (p == phase::kError) {
    ++summary->error;
  } else if (p == phase::kInconclusive) {
    ++summary->inconclusive;
  } else {
    ++summary->successful;
  }
}

api::MetricResult* FindResult(api::AnalysisRunStatus& status, std::string_view name) {
  for (api::MetricResult& r : status.metric_results) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// Updates a metric's phase (and message) and returns its completion event, if any.
std::optional<AnalysisEvent> UpdateMetricPhase(const std::string& name, const std::string& p,
                                               api::MetricResult* result) {
  if (result->phase == p) return std::nullopt;
  if (!result->measurements.empty()) result->message = result->measurements.back().message;
  result->phase = p;
  if (!api::IsCompletedPhase(p)) return std::nullopt;
  return AnalysisEvent{IsWarning(p) ? "Warning" : "Normal", "Metric" + p,
                       "Metric '" + name + "' Completed. Result: " + p};
}

}  // namespace

AnalysisEvent RunCompletedEvent(std::string_view p) {
  return AnalysisEvent{IsWarning(p) ? "Warning" : "Normal", "AnalysisRun" + std::string(p),
                       "Analysis Completed. Result: " + std::string(p)};
}

bool IsWorsePhase(std::string_view current, std::string_view candidate) {
  return Rank(candidate) > Rank(current);
}

bool IsTerminating(const api::AnalysisRun& run) {
  if (run.spec.terminate) return true;
  for (const api::MetricResult& r : run.status.metric_results) {
    if (r.dry_run) continue;
    if (r.phase == phase::kFailed || r.phase == phase::kError || r.phase == phase::kInconclusive) {
      return true;
    }
  }
  return false;
}

RunAssessment AssessRun(const api::AnalysisRun& run, const std::vector<MetricSettings>& settings,
                        const MetricRules& rules, api::TimePoint now) {
  RunAssessment out{run.status, {}};
  api::AnalysisRunStatus& status = out.status;
  const bool terminating = IsTerminating(run);
  if (!status.started_at) status.started_at = StatusTime(now);

  std::string worst;
  std::string worst_message = run.spec.terminate ? "Run Terminated" : "";
  bool everything_completed = true;
  api::RunSummary run_summary;
  run_summary.extra = status.run_summary.extra;
  api::RunSummary dry_run_summary;
  if (status.dry_run_summary) dry_run_summary.extra = status.dry_run_summary->extra;

  for (size_t i = 0; i < run.spec.metrics.size() && i < settings.size(); ++i) {
    const std::string& name = run.spec.metrics[i].name;
    const bool dry_run = rules.IsDryRun(name);
    ++(dry_run ? dry_run_summary : run_summary).count;
    api::MetricResult* result = FindResult(status, name);
    if (result == nullptr) {
      everything_completed = false;  // not measured yet (e.g. waiting for its initialDelay)
      continue;
    }
    const std::string p = AssessMetric(settings[i], *result, terminating);
    if (std::optional<AnalysisEvent> event = UpdateMetricPhase(name, p, result)) {
      out.events.push_back(*event);
    }
    if (!api::IsCompletedPhase(p)) {
      everything_completed = false;
      continue;
    }
    const std::optional<LimitBreach> breach = CheckLimits(settings[i], *result);
    if (dry_run) {
      if (worst.empty()) worst = phase::kSuccessful;
      if (breach) result->message = "Metric assessed " + p + " due to " + breach->reason;
      Count(p, &dry_run_summary);
      continue;
    }
    if (worst.empty() || IsWorsePhase(worst, p)) {
      worst = p;
      if (breach) {
        worst_message = "Metric \"" + name + "\" assessed " + p + " due to " + breach->reason;
        if (!result->message.empty()) {
          worst_message += ": \"Error Message: " + result->message + "\"";
        }
      }
    }
    Count(p, &run_summary);
  }
  status.run_summary = run_summary;
  status.dry_run_summary = dry_run_summary;

  std::string new_phase;
  std::string message;
  if (terminating) {
    new_phase = worst.empty() ? std::string(phase::kSuccessful) : worst;
    message = worst_message;
  } else if (!everything_completed || worst.empty()) {
    new_phase = phase::kRunning;
  } else {
    new_phase = worst;
    message = worst_message;
  }
  if (new_phase != status.phase) {
    status.phase = new_phase;
    status.message = message;
    if (api::IsCompletedPhase(new_phase)) {
      out.events.push_back(RunCompletedEvent(new_phase));
      if (!status.completed_at) status.completed_at = StatusTime(now);
    }
  }
  return out;
}

}  // namespace devflow::analysis
