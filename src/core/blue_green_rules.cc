#include "core/blue_green_rules.h"

#include <algorithm>

#include "api/defaults.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

int32_t Replicas(const api::Rollout& rollout) {
  return rollout.spec.replicas.value_or(api::defaults::kReplicas);
}

std::optional<api::Time> Deadline(const api::ReplicaSet& replica_set) {
  auto found = replica_set.metadata.annotations.find(
      std::string(api::defaults::kScaleDownDeadlineAnnotation));
  if (found == replica_set.metadata.annotations.end()) return std::nullopt;
  Result<api::TimePoint> parsed = api::ParseRfc3339(found->second);
  if (!parsed.ok()) return std::nullopt;
  return api::Time{*parsed};
}

bool AnalysisDone(const std::optional<std::string>& phase) {
  return !phase || *phase == "Successful";
}

}  // namespace

bool IsSaturated(const api::ReplicaSet& replica_set, int32_t replicas) {
  return replica_set.spec.replicas.value_or(1) == replicas &&
         IntegerAnnotation(replica_set.metadata, kDesiredReplicasAnnotation) == replicas &&
         replica_set.status.available_replicas == replicas;
}

int32_t BlueGreenNewReplicas(const api::Rollout& rollout, const api::ReplicaSet& new_rs,
                             const api::ReplicaSet* active_rs) {
  const int32_t replicas = Replicas(rollout);
  const auto& blue_green = rollout.spec.strategy.blue_green;
  if (!blue_green || !blue_green->preview_replica_count) return replicas;
  if (active_rs == nullptr || active_rs->metadata.name == new_rs.metadata.name) return replicas;
  if (rollout.status.promote_full) return replicas;
  const bool unpaused = !rollout.spec.paused && rollout.status.pause_conditions.empty();
  if (PodTemplateHashOf(new_rs) == rollout.status.current_pod_hash && unpaused &&
      rollout.status.blue_green.scale_up_preview_check_point) {
    return replicas;
  }
  return *blue_green->preview_replica_count;
}

bool BlueGreenHalted(const api::Rollout& rollout) {
  if (rollout.spec.paused) return true;
  return std::any_of(rollout.status.pause_conditions.begin(), rollout.status.pause_conditions.end(),
                     [](const api::RolloutPauseCondition& condition) {
                       return condition.reason == "InconclusiveAnalysisRun";
                     });
}

std::optional<std::string> BlueGreenActiveTarget(const api::Rollout& rollout,
                                                 const BlueGreenFacts& facts) {
  if (BlueGreenHalted(rollout)) return std::nullopt;
  if (rollout.status.abort) {
    if (rollout.status.stable_rs.empty()) return std::nullopt;
    return rollout.status.stable_rs;
  }
  if (!facts.new_rs_ready || !facts.new_rs_saturated) return std::nullopt;
  const bool fast_tracked = facts.fast_rollback || rollout.status.promote_full ||
                            facts.active_selector.empty() ||
                            facts.active_selector == facts.new_hash;
  if (fast_tracked) return facts.new_hash;
  if (facts.pause_completed && AnalysisDone(facts.pre_promotion_phase)) return facts.new_hash;
  return std::nullopt;
}

std::string BlueGreenPromotionReason(const api::Rollout& rollout, const BlueGreenFacts& facts,
                                     bool within_rollback_window) {
  const api::RolloutStatus& status = rollout.status;
  if (status.stable_rs.empty() || facts.active_selector.empty()) return "Initial deploy";
  if (facts.active_selector != status.current_pod_hash) return "";
  if (status.promote_full) return "Full promotion requested";
  if (facts.fast_rollback) {
    return within_rollback_window ? "Rollback within window" : "Fast rollback";
  }
  if (status.abort) return "";
  if (!AnalysisDone(facts.post_promotion_phase)) return "";
  return "Completed blue-green update";
}

std::vector<OldReplicaSetAction> PlanOldReplicaSets(const std::vector<api::ReplicaSet>& others,
                                                    const std::vector<std::string>& referenced,
                                                    std::chrono::seconds delay,
                                                    int32_t revision_limit, api::Time now) {
  std::vector<const api::ReplicaSet*> newest_first;
  for (const api::ReplicaSet& replica_set : others) newest_first.push_back(&replica_set);
  std::stable_sort(newest_first.begin(), newest_first.end(),
                   [](const api::ReplicaSet* a, const api::ReplicaSet* b) {
                     return RevisionOf(a->metadata).value_or(0) >
                            RevisionOf(b->metadata).value_or(0);
                   });
  std::vector<OldReplicaSetAction> actions;
  int32_t waiting = 0;  // ReplicaSets counted against the revision limit
  for (const api::ReplicaSet* replica_set : newest_first) {
    OldReplicaSetAction action{.name = replica_set->metadata.name};
    const bool is_referenced = std::find(referenced.begin(), referenced.end(),
                                         PodTemplateHashOf(*replica_set)) != referenced.end();
    const std::optional<api::Time> deadline = Deadline(*replica_set);
    if (is_referenced || replica_set->spec.replicas.value_or(1) == 0) {
      // Referenced, or already down (a leftover deadline goes with a scale to 0).
      if (!is_referenced && deadline) action.kind = OldReplicaSetAction::Kind::kScaleToZero;
    } else if (delay.count() == 0 || waiting >= revision_limit) {
      action.kind = OldReplicaSetAction::Kind::kScaleToZero;
    } else if (!deadline) {
      ++waiting;
      action.kind = OldReplicaSetAction::Kind::kSetDeadline;
      action.deadline =
          api::Time{now.value + std::chrono::duration_cast<std::chrono::microseconds>(delay)};
    } else {
      ++waiting;
      if (now.value >= deadline->value) action.kind = OldReplicaSetAction::Kind::kScaleToZero;
    }
    actions.push_back(action);
  }
  return actions;
}

}  // namespace devflow::core
