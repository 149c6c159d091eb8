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

#include "api/time.h"
#include "api/workloads.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// The scale-down-deadline annotation of `replica_set`; nullopt when absent or malformed.
std::optional<api::Time> ScaleDownDeadlineOf(const api::ReplicaSet& replica_set);

class ReplicaSetChanges {
 public:
  explicit ReplicaSetChanges(int32_t rollout_replicas) : rollout_replicas_(rollout_replicas) {}

  // Scales `rs` to `replicas` and syncs its desired-replicas annotation (each when it differs).
  void Scale(const api::ReplicaSet& rs, int32_t replicas);
  // Sets (a value) or removes (nullopt) an annotation, when that changes something.
  void Annotate(const api::ReplicaSet& rs, const std::string& key,
                const std::optional<std::string>& value);
  // The changes so far, one per ReplicaSet, by name.
  std::vector<ReplicaSetChange> Take();

 private:
  ReplicaSetChange& For(const api::ReplicaSet& rs);
  int32_t rollout_replicas_;
  std::map<std::string, ReplicaSetChange> changes_;
};

}  // namespace devflow::core
