// The reconcile of a Rollout that has no ReplicaSet for its template yet (../shared/spec/
// argo-rollouts.md §3.1, both strategies): create one at 0 replicas with the next revision, set
// the Rollout's revision annotation and Progressing=True NewReplicaSetCreated, and stop; the
// next reconcile sees the ReplicaSet in the cache and goes on. Pure.
#pragma once

#include <vector>

#include "core/rollout_plan.h"

namespace devflow::core {

// `status` is the status being built (observedGeneration already set).
RolloutPlan PlanReplicaSetCreation(const api::Rollout& rollout,
                                   const std::vector<api::ReplicaSet>& owned,
                                   api::RolloutStatus status, api::Time now);

}  // namespace devflow::core
