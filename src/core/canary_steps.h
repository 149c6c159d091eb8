// Canary step progression (../shared/spec/argo-rollouts.md §4.4): when the current step is
// complete, how a step is described in events, when the controller pauses at a pause step, and
// when the canary is promoted to stable. Pure functions of the facts the controller gathered.
#pragma once

#include <optional>
#include <string>

#include "api/rollout.h"
#include "api/time.h"

namespace devflow::core {

// "setWeight: 20", "pause", "pause: 30s", "experiment", "analysis", "setCanaryScale{weight: 50}",
// "setCanaryScale{replicas: 2}", "setCanaryScale{matchTrafficWeight: true}", "plugin: NAME",
// "setHeaderRoute: NAME", "setMirrorRoute: NAME": as RolloutStepCompleted events say.
std::string StepDescription(const api::CanaryStep& step);

// What the controller knows about the current step's progress.
struct CanaryStepFacts {
  // The ReplicaSets are at the counts the step wants (§4.4 "at desired replica counts").
  bool at_desired_counts = false;
  // status.canary.weights.verified: nullopt when the router does not verify.
  std::optional<bool> weights_verified;
  std::string analysis_phase;    // the step AnalysisRun's phase ("" none yet)
  std::string experiment_phase;  // the step Experiment's phase ("" none yet)
  bool plugin_done = false;      // the plugin step's run finished, failed or was disabled
  friend bool operator==(const CanaryStepFacts&, const CanaryStepFacts&) = default;
};

// Whether the current step is complete (§4.4's table); never while spec.paused, and false when
// there is no current step.
bool CanaryStepComplete(const api::Rollout& rollout, const CanaryStepFacts& facts, api::Time now);

// Whether the controller adds a CanaryPauseStep condition now: the current step is a pause, none
// is there, the user has not already resumed it (controllerPause), and neither spec.paused nor
// promoteFull is set.
bool ShouldAddCanaryPause(const api::Rollout& rollout);

// When a timed pause ends (condition start + duration); nullopt for other steps, untimed pauses
// or before the condition exists.
std::optional<api::Time> CanaryPauseEnds(const api::Rollout& rollout);

// Why the canary becomes stable now (§4.4 shouldFullPromote), or "" to carry on:
// "Initial deploy", "Full promotion requested", "Rollback within window", "Fast rollback",
// "Completed all N canary steps". `new_available` is the new ReplicaSet's available count;
// `progress_met` whether replicaProgressThreshold is met when it is below spec.replicas.
std::string CanaryPromotionReason(const api::Rollout& rollout, int32_t new_available,
                                  bool progress_met, bool rollback, bool within_rollback_window);

// status.currentStepHash for the Rollout's canary steps: FNV-32a of the steps' JSON (fields in
// Argo's order, empty ones omitted, as Go's encoding/json writes them), its decimal form
// safe-encoded as pod-template hashes are. A change means the steps changed (§4.5). "" for a
// Rollout without a canary strategy.
std::string CanaryStepsHash(const api::Rollout& rollout);

}  // namespace devflow::core
