#include "core/rollout_analysis.h"

#include <algorithm>
#include <optional>

#include "analysis/rollout_analysis_run.h"
#include "api/analysis.h"
#include "api/defaults.h"
#include "core/rollout_replica_sets.h"
#include "core/rollout_status_rules.h"

namespace devflow::core {
namespace {

using analysis::RolloutAnalysisRunRequest;
using analysis::RolloutAnalysisType;
using RunStatus = std::optional<api::RolloutAnalysisRunStatus>;

const api::AnalysisRun* RunNamed(const RolloutSnapshot& snapshot, const std::string& name) {
  for (const api::AnalysisRun& run : snapshot.analysis_runs) {
    if (run.metadata.name == name) return &run;
  }
  return nullptr;
}

std::string LabelOf(const api::AnalysisRun& run, std::string_view key) {
  auto found = run.metadata.labels.find(std::string(key));
  return found == run.metadata.labels.end() ? "" : found->second;
}

// Whether `run` was made for `request` (the same kind, new ReplicaSet and step).
bool RunMatches(const api::AnalysisRun& run, const RolloutAnalysisRunRequest& request) {
  if (LabelOf(run, analysis::kRolloutTypeLabel) != analysis::RolloutTypeName(request.type)) {
    return false;
  }
  if (LabelOf(run, api::defaults::kPodTemplateHashLabel) != request.hashes.latest) return false;
  return request.type != RolloutAnalysisType::kStep ||
         LabelOf(run, analysis::kStepIndexLabel) == std::to_string(request.step_index);
}

// Terminates the run `field` names (when it is still running) and forgets it.
void Cancel(const RolloutSnapshot& snapshot, RunStatus& field, RolloutPlan& plan) {
  if (!field) return;
  if (const api::AnalysisRun* run = RunNamed(snapshot, field->name);
      run != nullptr && !run->spec.terminate && !api::IsCompletedPhase(run->status.phase)) {
    plan.terminate_analysis_runs.emplace_back(run->metadata.name, run->metadata.uid);
  }
  field.reset();
}

std::string KindText(RolloutAnalysisType type) {
  switch (type) {
    case RolloutAnalysisType::kStep:
      return "Step-based analysis";
    case RolloutAnalysisType::kBackground:
      return "Background analysis";
    case RolloutAnalysisType::kPrePromotion:
      return "Blue/green pre-promotion analysis";
    case RolloutAnalysisType::kPostPromotion:
      return "Blue/green post-promotion analysis";
  }
  return "Analysis";
}

// Keeps the run `request` asks for in `field`: the current one while it matches, else a new
// one (created, or an equal running one reused), then applies its outcome.
void EnsureRun(const RolloutSnapshot& snapshot, const RolloutAnalysisRunRequest& request,
               RunStatus& field, api::RolloutStatus& status, RolloutPlan& plan,
               std::string& abort_message) {
  const api::AnalysisRun* current = field ? RunNamed(snapshot, field->name) : nullptr;
  if (current != nullptr && !RunMatches(*current, request)) {
    Cancel(snapshot, field, plan);
    current = nullptr;
  }
  if (current != nullptr) {
    // A user's promote after an inconclusive run (the status recorded it, and its pause is
    // gone) asks for a new run. After a failure the rollout aborted and forgot the run, so a
    // retry finds no current run and makes a new one.
    const bool resumed = field->status == api::analysis_phase::kInconclusive &&
                         current->status.phase == api::analysis_phase::kInconclusive &&
                         !HasPauseCondition(status, kInconclusiveAnalysisRun);
    if (resumed) current = nullptr;
  }

  if (current == nullptr) {
    const analysis::TemplateLookup lookup =
        [&](const analysis::TemplateKey& key) -> const api::AnalysisTemplateSpec* {
      const auto& templates =
          key.cluster_scope ? snapshot.cluster_analysis_templates : snapshot.analysis_templates;
      auto found = templates.find(key.name);
      return found == templates.end() ? nullptr : &found->second;
    };
    Result<api::AnalysisRun> desired =
        analysis::NewRolloutAnalysisRun(snapshot.rollout, request, lookup);
    if (!desired.ok()) {
      // A missing template or an argument that does not resolve: the analysis cannot run, so
      // the release must not go on without it.
      status.abort = true;
      abort_message = KindText(request.type) + " could not start: " + desired.error().message();
      field.reset();
      return;
    }
    const analysis::AnalysisRunNameChoice choice =
        analysis::ChooseAnalysisRunName(*desired, snapshot.analysis_runs);
    desired->metadata.name = choice.name;
    if (choice.reuse) {
      current = RunNamed(snapshot, choice.name);
    } else {
      // A run created by an earlier pass that the cache has not shown yet is created again:
      // the writer takes AlreadyExists for done, and the event is not repeated.
      const bool announced = field && field->name == choice.name;
      field = api::RolloutAnalysisRunStatus{.name = choice.name};
      plan.create_analysis_runs.push_back(std::move(*desired));
      if (!announced) {
        plan.events.push_back({"Normal", "AnalysisRunCreated",
                               KindText(request.type) + " run '" + choice.name + "' created"});
      }
      return;
    }
  }
  if (current == nullptr) return;

  const std::string previous = field && field->name == current->metadata.name ? field->status : "";
  field = api::RolloutAnalysisRunStatus{.name = current->metadata.name,
                                        .status = current->status.phase,
                                        .message = current->status.message};
  const std::string& phase = current->status.phase;
  if (phase != previous && !phase.empty()) {
    const bool bad = phase == api::analysis_phase::kFailed || phase == api::analysis_phase::kError;
    plan.events.push_back({bad ? "Warning" : "Normal", "AnalysisRun" + phase,
                           std::string(analysis::RolloutTypeName(request.type)) +
                               " Analysis Run '" + current->metadata.name + "' Status New: '" +
                               phase + "' Previous: '" +
                               (previous.empty() ? "NoPreviousStatus" : previous) + "'"});
  }
  if (phase == api::analysis_phase::kInconclusive) {
    if (!HasPauseCondition(status, kInconclusiveAnalysisRun)) {
      ApplyPauseChanges(status, PauseChanges{.add = {kInconclusiveAnalysisRun}}, snapshot.now);
    }
  } else if (phase == api::analysis_phase::kFailed || phase == api::analysis_phase::kError) {
    if (!status.abort) {
      status.abort = true;
      abort_message = KindText(request.type) + " phase " +
                      (phase == api::analysis_phase::kError ? "error" : "failed") +
                      (current->status.message.empty() ? "" : ": " + current->status.message);
    }
  }
}

RolloutAnalysisRunRequest RequestFor(RolloutAnalysisType type, const OwnedReplicaSets& sets,
                                     const api::RolloutStatus& status) {
  RolloutAnalysisRunRequest request;
  request.type = type;
  request.hashes.latest = sets.new_hash;
  request.hashes.stable = status.stable_rs;
  request.revision = sets.new_revision;
  return request;
}

}  // namespace

void ReconcileCanaryAnalysis(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                             api::RolloutStatus& status, RolloutPlan& plan,
                             std::string& abort_message) {
  const api::Rollout& rollout = snapshot.rollout;
  const api::CanaryStrategy& canary = *rollout.spec.strategy.canary;
  RunStatus& step_field = status.canary.current_step_analysis_run_status;
  RunStatus& background_field = status.canary.current_background_analysis_run_status;
  const bool promoted = status.stable_rs == sets.new_hash || status.stable_rs.empty();
  if (promoted || status.abort || status.promote_full) {
    Cancel(snapshot, step_field, plan);
    Cancel(snapshot, background_field, plan);
    return;
  }
  const int32_t index = status.current_step_index.value_or(0);
  const bool at_analysis_step = index < static_cast<int32_t>(canary.steps.size()) &&
                                canary.steps[static_cast<size_t>(index)].analysis.has_value();

  if (canary.analysis && index >= canary.analysis->starting_step.value_or(0)) {
    EnsureRun(snapshot, RequestFor(RolloutAnalysisType::kBackground, sets, status),
              background_field, status, plan, abort_message);
  } else {
    Cancel(snapshot, background_field, plan);
  }
  if (status.abort) {
    Cancel(snapshot, step_field, plan);
    return;
  }
  const bool paused_here = std::any_of(
      status.pause_conditions.begin(), status.pause_conditions.end(),
      [](const api::RolloutPauseCondition& c) { return c.reason != kInconclusiveAnalysisRun; });
  if (at_analysis_step && !paused_here) {
    RolloutAnalysisRunRequest request = RequestFor(RolloutAnalysisType::kStep, sets, status);
    request.step_index = index;
    EnsureRun(snapshot, request, step_field, status, plan, abort_message);
    if (status.abort) Cancel(snapshot, background_field, plan);
  } else if (!at_analysis_step) {
    Cancel(snapshot, step_field, plan);
  }
}

void ReconcileBlueGreenAnalysis(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                                bool new_saturated, const std::string& active_selector,
                                api::RolloutStatus& status, RolloutPlan& plan,
                                std::string& abort_message) {
  const api::BlueGreenStrategy& strategy = *snapshot.rollout.spec.strategy.blue_green;
  RunStatus& pre_field = status.blue_green.pre_promotion_analysis_run_status;
  RunStatus& post_field = status.blue_green.post_promotion_analysis_run_status;
  const bool promoted = status.stable_rs == sets.new_hash;
  if (status.abort) {
    Cancel(snapshot, pre_field, plan);
    Cancel(snapshot, post_field, plan);
    return;
  }
  if (strategy.pre_promotion_analysis) {
    const bool started = pre_field && RunNamed(snapshot, pre_field->name) != nullptr;
    const bool skipped =
        promoted || active_selector.empty() || active_selector == sets.new_hash || !new_saturated;
    if (started || !skipped) {
      EnsureRun(snapshot, RequestFor(RolloutAnalysisType::kPrePromotion, sets, status), pre_field,
                status, plan, abort_message);
    }
  }
  if (status.abort) return;
  if (strategy.post_promotion_analysis && !promoted && active_selector == sets.new_hash &&
      new_saturated) {
    EnsureRun(snapshot, RequestFor(RolloutAnalysisType::kPostPromotion, sets, status), post_field,
              status, plan, abort_message);
  }
}

}  // namespace devflow::core
