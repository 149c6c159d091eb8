// One reconcile of a blue/green Rollout (../shared/spec/argo-rollouts.md §3): from what the
// controller read to what it should write. Pure; the rules it combines are table-tested in
// blue_green_rules.h, rollout_replica_sets.h, service_rules.h and rollout_status_rules.h, and
// the combination is tested here by walking a release through its stages.
//
// The order of Argo's rolloutBlueGreen is kept: create the new ReplicaSet (and stop), sync its
// annotations, point the preview Service at it, reset the status on a template change (and
// stop), size the ReplicaSets, manage the pause, switch the active Service, promote, and write
// the status with its conditions and phase.
//
// Not yet here (issue 6): pre- and post-promotion AnalysisRuns. A Rollout that configures them
// waits at the step that needs their result ("waiting for analysis to complete").
#pragma once

#include "core/rollout_plan.h"

namespace devflow::core {

// REQUIRES: snapshot.rollout.spec.strategy.blue_green is set, and the Rollout is valid.
RolloutPlan PlanBlueGreen(const RolloutSnapshot& snapshot);

}  // namespace devflow::core
