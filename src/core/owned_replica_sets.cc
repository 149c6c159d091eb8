#include "core/owned_replica_sets.h"

#include <algorithm>

#include "api/defaults.h"
#include "core/ephemeral_metadata.h"

namespace devflow::core {

OwnedReplicaSets ReadOwnedReplicaSets(const api::Rollout& rollout,
                                      const std::vector<api::ReplicaSet>& owned,
                                      const std::vector<api::Pod>& pods,
                                      const ReplicaSetGroups& groups, api::RolloutStatus& status,
                                      ReplicaSetChanges& changes, RolloutPlan& plan) {
  OwnedReplicaSets sets;
  sets.new_rs = &owned[*groups.new_rs];
  sets.new_hash = PodTemplateHashOf(*sets.new_rs);
  if (groups.stable_rs && *groups.stable_rs != *groups.new_rs) {
    sets.stable_rs = &owned[*groups.stable_rs];
  }
  int64_t max_other_revision = 0;
  for (size_t index : groups.others) {
    sets.others.push_back(owned[index]);
    max_other_revision =
        std::max(max_other_revision, RevisionOf(sets.others.back().metadata).value_or(0));
  }
  if (sets.stable_rs != nullptr) {
    max_other_revision =
        std::max(max_other_revision, RevisionOf(sets.stable_rs->metadata).value_or(0));
  }

  sets.new_revision = RevisionOf(sets.new_rs->metadata).value_or(0);
  if (std::optional<std::map<std::string, std::string>> synced =
          SyncedAnnotations(rollout, *sets.new_rs, max_other_revision)) {
    for (const auto& [key, value] : *synced) changes.Annotate(*sets.new_rs, key, value);
    if (auto found = synced->find(std::string(api::defaults::kRevisionAnnotation));
        found != synced->end()) {
      sets.new_revision = std::stoll(found->second);
    }
  }
  if (RevisionOf(rollout.metadata) != sets.new_revision) plan.rollout_revision = sets.new_revision;

  const EphemeralRole new_role =
      sets.stable_rs == nullptr ? EphemeralRole::kStable : EphemeralRole::kUpdating;
  changes.SyncEphemeralMetadata(rollout, *sets.new_rs, EphemeralMetadataFor(rollout, new_role),
                                pods, plan.pod_changes);
  if (sets.stable_rs != nullptr) {
    changes.SyncEphemeralMetadata(rollout, *sets.stable_rs,
                                  EphemeralMetadataFor(rollout, EphemeralRole::kStable), pods,
                                  plan.pod_changes);
  }
  for (const api::ReplicaSet& other : sets.others) {
    changes.SyncEphemeralMetadata(rollout, other, {}, pods, plan.pod_changes);
  }

  if (status.abort && status.stable_rs == sets.new_hash) {
    status.abort = false;
    status.aborted_at.reset();
  }
  return sets;
}

}  // namespace devflow::core
