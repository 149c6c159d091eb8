// The start both strategies' reconciles share once the new ReplicaSet exists (../shared/spec/
// argo-rollouts.md §3.1, §3.2 steps 1-2, §4.1 step 2): the Rollout's ReplicaSets as the new one,
// the stable one and the others; the new one's annotations kept in step with the Rollout (a
// re-used old ReplicaSet moves to the next revision, remembering its old one); the Rollout's
// revision annotation following it; and the abort dropped once the rollout is fully promoted.
// Pure.
#pragma once

#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/workloads.h"
#include "core/replica_set_changes.h"
#include "core/rollout_plan.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {

struct OwnedReplicaSets {
  const api::ReplicaSet* new_rs = nullptr;  // points into the snapshot
  std::string new_hash;
  const api::ReplicaSet* stable_rs = nullptr;  // the stable one, when it is not the new one
  std::vector<api::ReplicaSet> others;         // oldest first
  int64_t new_revision = 0;                    // the new one's revision after this pass
};

// REQUIRES: groups.new_rs (GroupReplicaSets of `owned`). Writes the new ReplicaSet's annotation
// changes into `changes`, the Rollout's revision into `plan` when it changes, and clears
// status.abort/abortedAt when stableRS is the new hash. Every ReplicaSet's ephemeral metadata
// (and its `pods'`) follows its role: the new one's is the canary/preview metadata while a
// separate stable exists, the stable's (or a fully promoted new one's) the stable/active
// metadata, the others' none.
OwnedReplicaSets ReadOwnedReplicaSets(const api::Rollout& rollout,
                                      const std::vector<api::ReplicaSet>& owned,
                                      const std::vector<api::Pod>& pods,
                                      const ReplicaSetGroups& groups, api::RolloutStatus& status,
                                      ReplicaSetChanges& changes, RolloutPlan& plan);

}  // namespace devflow::core
