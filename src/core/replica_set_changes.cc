#include "core/replica_set_changes.h"

#include "api/defaults.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {

std::optional<api::Time> ScaleDownDeadlineOf(const api::ReplicaSet& replica_set) {
  auto found = replica_set.metadata.annotations.find(
      std::string(api::defaults::kScaleDownDeadlineAnnotation));
  if (found == replica_set.metadata.annotations.end()) return std::nullopt;
  Result<api::TimePoint> parsed = api::ParseRfc3339(found->second);
  if (!parsed.ok()) return std::nullopt;
  return api::Time{*parsed};
}

void ReplicaSetChanges::Scale(const api::ReplicaSet& rs, int32_t replicas) {
  if (rs.spec.replicas.value_or(1) != replicas) For(rs).replicas = replicas;
  Annotate(rs, std::string(kDesiredReplicasAnnotation), std::to_string(rollout_replicas_));
}

void ReplicaSetChanges::Annotate(const api::ReplicaSet& rs, const std::string& key,
                                 const std::optional<std::string>& value) {
  auto found = rs.metadata.annotations.find(key);
  const bool present = found != rs.metadata.annotations.end();
  if (value ? (present && found->second == *value) : !present) return;
  For(rs).annotations[key] = value;
}

std::vector<ReplicaSetChange> ReplicaSetChanges::Take() {
  std::vector<ReplicaSetChange> changes;
  for (auto& [name, change] : changes_) changes.push_back(std::move(change));
  changes_.clear();
  return changes;
}

ReplicaSetChange& ReplicaSetChanges::For(const api::ReplicaSet& rs) {
  ReplicaSetChange& change = changes_[rs.metadata.name];
  change.name = rs.metadata.name;
  change.uid = rs.metadata.uid;
  return change;
}

}  // namespace devflow::core
