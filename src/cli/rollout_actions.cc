#include "cli/rollout_actions.h"

#include <algorithm>

#include "api/decode.h"
#include "api/defaults.h"
#include "api/pod_codec.h"
#include "api/pod_template_identity.h"
#include "api/time.h"
#include "core/rollout_replica_sets.h"

namespace devflow::cli {
namespace {

std::string Quoted(const api::Rollout& rollout) {
  return "rollout '" + rollout.metadata.name + "'";
}

json::Value SpecPatch(json::Object spec) {
  return json::Object{{"spec", json::Value(std::move(spec))}};
}
json::Value StatusPatch(json::Object status) {
  return json::Object{{"status", json::Value(std::move(status))}};
}

size_t StepCount(const api::Rollout& rollout) {
  return rollout.spec.strategy.canary ? rollout.spec.strategy.canary->steps.size() : 0;
}

// The index after the current step, capped at the number of steps.
int32_t NextStep(const api::Rollout& rollout) {
  const int32_t current = rollout.status.current_step_index.value_or(0);
  return std::min<int32_t>(current + 1, static_cast<int32_t>(StepCount(rollout)));
}

bool ControlledBy(const api::ReplicaSet& replica_set, const api::Rollout& rollout) {
  return std::any_of(replica_set.metadata.owner_references.begin(),
                     replica_set.metadata.owner_references.end(),
                     [&](const api::OwnerReference& owner) {
                       return owner.controller.value_or(false) && owner.uid == rollout.metadata.uid;
                     });
}

}  // namespace

Result<RolloutPatches> PromotePatches(const api::Rollout& rollout, const PromoteOptions& options) {
  RolloutPatches patches;
  const bool canary = rollout.spec.strategy.canary.has_value();
  if (options.skip_current_step && options.skip_all_steps) {
    return InvalidArgumentError(
        "Cannot use skip-current-step and skip-all-steps flags at the same time");
  }
  if (options.skip_current_step || options.skip_all_steps) {
    if (!canary || StepCount(rollout) == 0) {
      return InvalidArgumentError("Skip steps are only valid for canary rollouts with steps");
    }
    const int32_t index =
        options.skip_all_steps ? static_cast<int32_t>(StepCount(rollout)) : NextStep(rollout);
    patches.status_patch = StatusPatch({{"currentStepIndex", index}});
    patches.message = Quoted(rollout) + " promoted";
    return patches;
  }
  if (rollout.spec.paused) patches.spec_patch = SpecPatch({{"paused", false}});
  if (options.full) {
    if (rollout.status.current_pod_hash != rollout.status.stable_rs) {
      patches.status_patch = StatusPatch({{"promoteFull", true}});
    }
    patches.message = Quoted(rollout) + " fully promoted";
    return patches;
  }
  const bool paused = !rollout.status.pause_conditions.empty();
  const auto& step_run = canary ? rollout.status.canary.current_step_analysis_run_status
                                : std::optional<api::RolloutAnalysisRunStatus>();
  if (canary && step_run && step_run->status == "Inconclusive" && paused &&
      rollout.status.controller_pause) {
    patches.status_patch = StatusPatch({{"pauseConditions", json::Value()},
                                        {"controllerPause", false},
                                        {"currentStepIndex", NextStep(rollout)}});
  } else if (paused) {
    patches.status_patch = StatusPatch({{"pauseConditions", json::Value()}});
  } else if (canary) {
    json::Object status{{"pauseConditions", json::Value()}};
    // Without steps there is no index to move past.
    if (StepCount(rollout) > 0) status.Set("currentStepIndex", NextStep(rollout));
    patches.status_patch = StatusPatch(std::move(status));
  }
  patches.message = Quoted(rollout) + " promoted";
  return patches;
}

RolloutPatches AbortPatches(const api::Rollout& rollout) {
  return {.status_patch = StatusPatch({{"abort", true}}), .message = Quoted(rollout) + " aborted"};
}

RolloutPatches RetryPatches(const api::Rollout& rollout) {
  return {.status_patch = StatusPatch({{"abort", false}}), .message = Quoted(rollout) + " retried"};
}

RolloutPatches PausePatches(const api::Rollout& rollout) {
  return {.spec_patch = SpecPatch({{"paused", true}}), .message = Quoted(rollout) + " paused"};
}

RolloutPatches ResumePatches(const api::Rollout& rollout) {
  return {.spec_patch = SpecPatch({{"paused", false}}), .message = Quoted(rollout) + " resumed"};
}

RolloutPatches RestartPatches(const api::Rollout& rollout,
                              std::chrono::system_clock::time_point now, std::chrono::seconds in) {
  const auto at = std::chrono::floor<std::chrono::seconds>(now + in);
  return {.spec_patch = SpecPatch(
              {{"restartAt",
                api::FormatRfc3339(std::chrono::time_point_cast<std::chrono::microseconds>(at))}}),
          .message = Quoted(rollout) + " restarts in " + std::to_string(in.count()) + "s"};
}

Result<RolloutPatches> UndoPatches(const api::Rollout& rollout,
                                   const std::vector<api::ReplicaSet>& replica_sets,
                                   int64_t to_revision) {
  std::vector<std::pair<int64_t, const api::ReplicaSet*>> history;
  for (const api::ReplicaSet& replica_set : replica_sets) {
    if (!ControlledBy(replica_set, rollout)) continue;
    if (std::optional<int64_t> revision = core::RevisionOf(replica_set.metadata)) {
      history.emplace_back(*revision, &replica_set);
    }
  }
  std::sort(history.begin(), history.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const api::ReplicaSet* target = nullptr;
  int64_t revision = to_revision;
  if (to_revision == 0) {
    if (history.size() < 2) {
      return NotFoundError("no revision found for rollout \"" + rollout.metadata.name + "\"");
    }
    revision = history[1].first;
    target = history[1].second;
  } else {
    for (const auto& [candidate, replica_set] : history) {
      if (candidate == to_revision) target = replica_set;
    }
    if (target == nullptr) {
      return NotFoundError("unable to find specified revision " + std::to_string(to_revision) +
                           " in history");
    }
  }
  api::PodTemplateSpec wanted = target->spec.template_;
  wanted.metadata.labels.erase(std::string(api::defaults::kPodTemplateHashLabel));
  if (api::SemanticallyEqual(rollout.spec.template_, target->spec.template_)) {
    return RolloutPatches{.message =
                              "skipped rollback (current template already matches revision " +
                              std::to_string(revision) + ")"};
  }
  json::Array patch{
      json::Object{{"op", "replace"}, {"path", "/spec/template"}, {"value", api::Encode(wanted)}}};
  return RolloutPatches{.template_patch = json::Value(std::move(patch)),
                        .message = Quoted(rollout) + " undo"};
}

}  // namespace devflow::cli
