#include "core/replica_set_changes.h"

#include <algorithm>
#include <chrono>

#include "api/defaults.h"
#include "api/rollout_defaults.h"
#include "core/ephemeral_metadata.h"
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

bool AnyWaitingToScaleDown(const std::vector<api::ReplicaSet>& replica_sets) {
  return std::any_of(replica_sets.begin(), replica_sets.end(),
                     [](const api::ReplicaSet& rs) { return ScaleDownDeadlineOf(rs).has_value(); });
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

void ReplicaSetChanges::SyncEphemeralMetadata(const api::Rollout& rollout,
                                              const api::ReplicaSet& rs,
                                              const api::PodTemplateMetadata& wanted,
                                              const std::vector<api::Pod>& pods,
                                              std::vector<PodMetadataChange>& pod_changes) {
  ReplicaSetChange synced;
  core::SyncEphemeralMetadata(rollout, rs, wanted, pods, synced, pod_changes);
  if (synced.template_labels.empty() && synced.template_annotations.empty() &&
      synced.annotations.empty()) {
    return;
  }
  ReplicaSetChange& change = For(rs);
  change.template_labels.merge(synced.template_labels);
  change.template_annotations.merge(synced.template_annotations);
  change.annotations.merge(synced.annotations);
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

int32_t AbortScaleDown(const api::ReplicaSet& new_rs, bool stable_whole, int32_t delay_seconds,
                       api::Time now, ReplicaSetChanges& changes, RolloutPlan& plan) {
  const std::string key(api::defaults::kScaleDownDeadlineAnnotation);
  const int32_t size = new_rs.spec.replicas.value_or(1);
  if (!stable_whole) return size;
  const std::optional<api::Time> deadline = ScaleDownDeadlineOf(new_rs);
  if (!deadline) {
    const api::Time at{now.value + std::chrono::seconds(delay_seconds)};
    changes.Annotate(new_rs, key, api::FormatRfc3339(at.value));
    RequeueNoLaterThan(plan, at);
    return size;
  }
  if (now >= *deadline) {
    changes.Annotate(new_rs, key, std::nullopt);
    return 0;
  }
  RequeueNoLaterThan(plan, *deadline);
  return size;
}

void ApplyOldReplicaSetActions(const std::vector<OldReplicaSetAction>& actions,
                               const std::vector<api::ReplicaSet>& candidates,
                               ReplicaSetChanges& changes, RolloutPlan& plan) {
  const std::string key(api::defaults::kScaleDownDeadlineAnnotation);
  for (const OldReplicaSetAction& action : actions) {
    auto found = std::find_if(candidates.begin(), candidates.end(), [&](const api::ReplicaSet& rs) {
      return rs.metadata.name == action.name;
    });
    if (found == candidates.end()) continue;
    const api::ReplicaSet& rs = *found;
    switch (action.kind) {
      case OldReplicaSetAction::Kind::kKeep:
        if (std::optional<api::Time> deadline = ScaleDownDeadlineOf(rs)) {
          RequeueNoLaterThan(plan, *deadline);
        }
        break;
      case OldReplicaSetAction::Kind::kSetDeadline:
        changes.Annotate(rs, key, api::FormatRfc3339(action.deadline.value));
        RequeueNoLaterThan(plan, action.deadline);
        break;
      case OldReplicaSetAction::Kind::kScaleToZero:
        changes.Annotate(rs, key, std::nullopt);
        changes.Scale(rs, 0);
        break;
    }
  }
}

void DeleteBeyondHistoryLimit(const api::Rollout& rollout,
                              const std::vector<api::ReplicaSet>& others, RolloutPlan& plan) {
  for (const std::string& name :
       ReplicaSetsBeyondHistoryLimit(others, api::RevisionHistoryLimitOrDefault(rollout))) {
    for (const api::ReplicaSet& rs : others) {
      if (rs.metadata.name == name) plan.replica_set_deletions.emplace_back(name, rs.metadata.uid);
    }
  }
}

}  // namespace devflow::core
