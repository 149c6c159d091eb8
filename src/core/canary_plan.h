// One reconcile of a canary Rollout (../shared/spec/argo-rollouts.md §4): from what the
// controller read to what it should write. Pure; it combines the table-tested rules of
// canary_replicas.h, basic_canary_scaling.h, canary_steps.h, canary_traffic.h, service_rules.h
// and rollout_status_rules.h, and is tested by walking releases through their steps.
//
// The order of Argo's rolloutCanary is kept: create the new ReplicaSet (and stop), sync its
// annotations, reset the status on a template or steps change (and stop), point the stable and
// canary Services, tell the traffic routers (plan.traffic), size the ReplicaSets (a basic canary
// by replica ratio within maxSurge/maxUnavailable; a traffic-routed one straight to its count),
// manage pause steps, advance at most one step, promote, and write the status.
//
// Not yet here (issue 6): analysis and experiment steps and background analysis. A Rollout
// that has them waits at such a step.
#pragma once

#include "core/rollout_plan.h"

namespace devflow::core {

// REQUIRES: snapshot.rollout.spec.strategy.canary is set, and the Rollout is valid.
RolloutPlan PlanCanary(const RolloutSnapshot& snapshot);

}  // namespace devflow::core
