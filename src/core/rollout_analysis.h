// The AnalysisRuns a Rollout runs (../shared/spec/argo-rollouts.md §3.4, §4.7): which runs the
// state as read calls for, creating the missing ones, terminating those no longer wanted, and
// what their outcome does to the rollout:
//   Successful    the gate it guards opens (a step completes, the active switch or the
//                 promotion proceeds: the planners read the run's phase from the status);
//   Inconclusive  the rollout pauses (InconclusiveAnalysisRun, controllerPause) until a user
//                 promotes it, and a new run is made then;
//   Failed/Error  the rollout aborts, with "<kind> analysis phase failed|error[: message]";
//                 after a retry a new run is made.
// Runs are terminated (spec.terminate) once the rollout is aborted, fully promoted or
// promoted in full, and a step run when the rollout has left its step. Pure.
#pragma once

#include <string>

#include "api/rollout.h"
#include "core/owned_replica_sets.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// Canary step and background analysis. `abort_message` is set when a run's failure aborts
// the rollout now.
void ReconcileCanaryAnalysis(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                             api::RolloutStatus& status, RolloutPlan& plan,
                             std::string& abort_message);

// Blue/green pre- and post-promotion analysis. `new_saturated`: the new ReplicaSet is at the
// size its promotion needs (previewReplicaCount, or the Rollout's with every pod available);
// `active_selector`: the hash the active Service selects now.
void ReconcileBlueGreenAnalysis(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                                bool new_saturated, const std::string& active_selector,
                                api::RolloutStatus& status, RolloutPlan& plan,
                                std::string& abort_message);

}  // namespace devflow::core
