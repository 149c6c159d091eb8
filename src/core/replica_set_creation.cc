#include "core/replica_set_creation.h"

#include <algorithm>

#include "core/ephemeral_metadata.h"
#include "core/rollout_conditions.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {

RolloutPlan PlanReplicaSetCreation(const api::Rollout& rollout,
                                   const std::vector<api::ReplicaSet>& owned,
                                   api::RolloutStatus status, api::Time now) {
  RolloutPlan plan;
  const int64_t revision = NextRevision(owned);
  api::ReplicaSet created = NewReplicaSetFor(rollout, revision);
  // Pods start with the metadata of their role: canary/preview when a stable runs beside them.
  const bool stable_exists =
      !rollout.status.stable_rs.empty() &&
      std::any_of(owned.begin(), owned.end(), [&](const api::ReplicaSet& rs) {
        return PodTemplateHashOf(rs) == rollout.status.stable_rs;
      });
  InjectEphemeralMetadata(EphemeralMetadataFor(rollout, stable_exists ? EphemeralRole::kUpdating
                                                                      : EphemeralRole::kStable),
                          created);
  plan.events.push_back({"Normal", "NewReplicaSetCreated",
                         "Created ReplicaSet " + created.metadata.name + " (revision " +
                             std::to_string(revision) + ")"});
  api::RolloutCondition progressing;
  progressing.type = "Progressing";
  progressing.status = "True";
  progressing.reason = "NewReplicaSetCreated";
  progressing.message = "Created new replica set \"" + created.metadata.name + "\"";
  SetCondition(status.conditions, progressing, now);
  plan.create_replica_set = std::move(created);
  plan.rollout_revision = revision;
  if (status != rollout.status) plan.status = std::move(status);
  return plan;
}

}  // namespace devflow::core
