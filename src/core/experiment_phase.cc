#include "core/experiment_phase.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "api/analysis.h"
#include "core/experiment_templates.h"

namespace devflow::core {
namespace {

constexpr std::string_view kRequiredCompletedMessage = "Required AnalysisRuns completed";

int TemplateRank(std::string_view status) {
  constexpr std::array<std::string_view, 5> kOrder = {
      template_status::kSuccessful, template_status::kRunning, template_status::kProgressing,
      template_status::kError, template_status::kFailed};
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == status) return static_cast<int>(i);
  }
  return 0;
}

// Argo's analysis phase order, best first.
int PhaseRank(std::string_view phase) {
  constexpr std::array<std::string_view, 6> kOrder = {
      api::analysis_phase::kSuccessful, api::analysis_phase::kRunning,
      api::analysis_phase::kPending,    api::analysis_phase::kInconclusive,
      api::analysis_phase::kError,      api::analysis_phase::kFailed};
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == phase) return static_cast<int>(i);
  }
  return 0;
}

bool TemplateCountsChanged(const api::ExperimentStatus& before,
                           const api::ExperimentStatus& after) {
  if (before.template_statuses.size() < after.template_statuses.size()) return true;
  for (const api::ExperimentTemplateStatus& old : before.template_statuses) {
    const api::ExperimentTemplateStatus* now = FindTemplateStatus(after, old.name);
    if (now == nullptr) continue;
    if (old.replicas != now->replicas || old.updated_replicas != now->updated_replicas ||
        old.ready_replicas != now->ready_replicas ||
        old.available_replicas != now->available_replicas) {
      return true;
    }
  }
  return false;
}

api::ExperimentCondition Progressing(bool status, std::string reason, std::string message,
                                     api::Time now) {
  return api::ExperimentCondition{.type = "Progressing",
                                  .status = status ? "True" : "False",
                                  .last_update_time = now,
                                  .last_transition_time = now,
                                  .reason = std::move(reason),
                                  .message = std::move(message)};
}

}  // namespace

std::pair<std::string, std::string> AssessTemplates(const api::ExperimentSpec& spec,
                                                    const api::ExperimentStatus& status) {
  std::string worst(template_status::kSuccessful);
  std::string message;
  for (const api::ExperimentTemplate& tmpl : spec.templates) {
    const api::ExperimentTemplateStatus* found = FindTemplateStatus(status, tmpl.name);
    const std::string_view current =
        found != nullptr ? std::string_view(found->status) : template_status::kProgressing;
    if (TemplateRank(current) > TemplateRank(worst)) {
      worst = std::string(current);
      // A template without a status leaves the message as it was (Argo's Worst).
      if (found != nullptr) message = found->message;
    }
  }
  if (worst == template_status::kProgressing)
    return {std::string(api::analysis_phase::kPending), message};
  return {worst, message};  // Running, Successful, Failed and Error are phase names too
}

std::pair<std::string, std::string> AssessAnalyses(const api::ExperimentSpec& spec,
                                                   const api::ExperimentStatus& status) {
  std::string worst(api::analysis_phase::kSuccessful);
  std::string message;
  for (const api::ExperimentAnalysisTemplateRef& analysis : spec.analyses) {
    const api::ExperimentAnalysisRunStatus* found = nullptr;
    for (const api::ExperimentAnalysisRunStatus& run : status.analysis_runs) {
      if (run.name == analysis.name) found = &run;
    }
    const std::string phase = found != nullptr ? found->phase : "";
    if (PhaseRank(phase) > PhaseRank(worst)) {
      worst = phase;
      message = found->message;
    }
  }
  if (RequiredAnalysesSuccessful(spec, status) &&
      PhaseRank(worst) < PhaseRank(api::analysis_phase::kRunning)) {
    return {std::string(api::analysis_phase::kSuccessful), std::string(kRequiredCompletedMessage)};
  }
  if (worst == api::analysis_phase::kPending) worst = std::string(api::analysis_phase::kRunning);
  return {worst, message};
}

void SetExperimentCondition(api::ExperimentStatus& status, api::ExperimentCondition condition) {
  auto found = std::find_if(status.conditions.begin(), status.conditions.end(),
                            [&](const auto& c) { return c.type == condition.type; });
  if (found != status.conditions.end()) {
    if (found->status == condition.status && found->reason == condition.reason) return;
    if (found->status == condition.status) {
      condition.last_transition_time = found->last_transition_time;
    }
    status.conditions.erase(found);
  }
  status.conditions.push_back(std::move(condition));
}

api::ExperimentStatus DecideExperimentStatus(const api::Experiment& before,
                                             api::ExperimentStatus next, api::Time now) {
  const api::ExperimentSpec& spec = before.spec;
  if (next.phase.empty()) {
    next.phase = std::string(api::analysis_phase::kPending);
  } else if (next.phase == api::analysis_phase::kPending ||
             next.phase == api::analysis_phase::kRunning) {
    auto [templates, templates_message] = AssessTemplates(spec, next);
    auto [analyses, analyses_message] = AssessAnalyses(spec, next);
    if (templates == api::analysis_phase::kRunning && !next.available_at) next.available_at = now;
    const bool templates_done = api::IsCompletedPhase(templates);
    bool use_analyses = false;
    if (templates_done) {
      use_analyses = templates == api::analysis_phase::kSuccessful &&
                     (api::IsCompletedPhase(analyses) || HasRequiredAnalyses(spec));
    } else {
      use_analyses =
          (api::IsCompletedPhase(analyses) && analyses != api::analysis_phase::kSuccessful) ||
          RequiredAnalysesSuccessful(spec, next);
    }
    next.phase = use_analyses ? analyses : templates;
    next.message = use_analyses ? analyses_message : templates_message;
  }

  const std::string quoted = "\"" + before.metadata.name + "\"";
  if (next.phase == api::analysis_phase::kSuccessful) {
    SetExperimentCondition(
        next, Progressing(false, "ExperimentCompleted",
                          "Experiment " + quoted + " has successfully ran and completed.", now));
  } else if (TemplateCountsChanged(before.status, next)) {
    // A fresh condition each time the counts move (Argo replaces it, keeping the transition
    // time while it stays True).
    api::ExperimentCondition condition =
        Progressing(true, "ReplicaSetUpdated", "Experiment " + quoted + " is progressing.", now);
    auto found = std::find_if(next.conditions.begin(), next.conditions.end(),
                              [](const auto& c) { return c.type == "Progressing"; });
    if (found != next.conditions.end()) {
      if (found->status == "True") condition.last_transition_time = found->last_transition_time;
      next.conditions.erase(found);
    }
    next.conditions.push_back(std::move(condition));
  } else if (before.status.available_at) {
    const std::optional<api::TimePoint> ends = DurationEnd(before);
    if (!ends || now.value <= *ends) {
      SetExperimentCondition(next, Progressing(true, "NewReplicaSetAvailable",
                                               "Experiment " + quoted + " is running.", now));
    }
  }
  return next;
}

}  // namespace devflow::core
