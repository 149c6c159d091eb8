// ReplicaSetChanges: collects one reconcile's writes to existing ReplicaSets (sizes and
// annotations) so that each ReplicaSet gets one merge patch, and only what differs from the
// object as read. Every scale also writes the desired-replicas annotation (the Rollout's
// spec.replicas), as Argo does: IsSaturated and the scaling-event check read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/time.h"
#include "api/workloads.h"
#include "core/blue_green_rules.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// The scale-down-deadline annotation of `replica_set`; nullopt when absent or malformed.
std::optional<api::Time> ScaleDownDeadlineOf(const api::ReplicaSet& replica_set);

// Whether any of `replica_sets` carries a scale-down-deadline (waiting out a delay): the progress
// deadline does not run meanwhile.
bool AnyWaitingToScaleDown(const std::vector<api::ReplicaSet>& replica_sets);

class ReplicaSetChanges {
 public:
  explicit ReplicaSetChanges(int32_t rollout_replicas) : rollout_replicas_(rollout_replicas) {}

  // Scales `rs` to `replicas` and syncs its desired-replicas annotation (each when it differs).
  void Scale(const api::ReplicaSet& rs, int32_t replicas);
  // Sets (a value) or removes (nullopt) an annotation, when that changes something.
  void Annotate(const api::ReplicaSet& rs, const std::string& key,
                const std::optional<std::string>& value);
  // Brings `rs`'s ephemeral metadata (template and record) and its live pods' to `wanted`
  // (ephemeral_metadata.h); the pod patches go to `pod_changes`.
  void SyncEphemeralMetadata(const api::Rollout& rollout, const api::ReplicaSet& rs,
                             const api::PodTemplateMetadata& wanted,
                             const std::vector<api::Pod>& pods,
                             std::vector<PodMetadataChange>& pod_changes);
  // The changes so far, one per ReplicaSet, by name.
  std::vector<ReplicaSetChange> Take();

 private:
  ReplicaSetChange& For(const api::ReplicaSet& rs);
  int32_t rollout_replicas_;
  std::map<std::string, ReplicaSetChange> changes_;
};

// The abort's scale-down delay for the new ReplicaSet (§3.6, §4.10): it keeps its size until
// the stable is whole again (`stable_whole`), then gets a scale-down-deadline `delay_seconds`
// away (and the plan a requeue at it), and goes to 0 once that has passed. Returns the size it
// should have now.
int32_t AbortScaleDown(const api::ReplicaSet& new_rs, bool stable_whole, int32_t delay_seconds,
                       api::Time now, ReplicaSetChanges& changes, RolloutPlan& plan);

// Carries out PlanOldReplicaSets' actions (blue_green_rules.h) on `candidates`, the ReplicaSets
// they name: deadlines set (with a requeue at each), scale-downs to 0, and a requeue at the
// deadline of each one kept.
void ApplyOldReplicaSetActions(const std::vector<OldReplicaSetAction>& actions,
                               const std::vector<api::ReplicaSet>& candidates,
                               ReplicaSetChanges& changes, RolloutPlan& plan);

// Plans the deletion of the old ReplicaSets beyond revisionHistoryLimit (§3.9).
void DeleteBeyondHistoryLimit(const api::Rollout& rollout,
                              const std::vector<api::ReplicaSet>& others, RolloutPlan& plan);

}  // namespace devflow::core
