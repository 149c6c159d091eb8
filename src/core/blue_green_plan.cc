#include "core/blue_green_plan.h"

#include <algorithm>
#include <chrono>

#include "api/defaults.h"
#include "api/rollout_defaults.h"
#include "core/blue_green_rules.h"
#include "core/owned_replica_sets.h"
#include "core/pod_restart.h"
#include "core/replica_set_changes.h"
#include "core/replica_set_creation.h"
#include "core/rollout_analysis.h"
#include "core/rollout_conditions.h"
#include "core/rollout_history.h"
#include "core/rollout_phase.h"
#include "core/rollout_replica_sets.h"
#include "core/rollout_status_rules.h"
#include "core/service_rules.h"

namespace devflow::core {
namespace {

const std::string kDeadlineAnnotation(api::defaults::kScaleDownDeadlineAnnotation);

api::Time After(api::Time now, int64_t seconds) {
  return api::Time{now.value + std::chrono::seconds(seconds)};
}

std::string PhaseOf(const std::optional<api::RolloutAnalysisRunStatus>& run) {
  return run ? run->status : "";
}

}  // namespace

RolloutPlan PlanBlueGreen(const RolloutSnapshot& snapshot) {
  const api::Rollout& rollout = snapshot.rollout;
  const api::BlueGreenStrategy& strategy = *rollout.spec.strategy.blue_green;
  const api::Time now = snapshot.now;
  const int32_t replicas = api::ReplicasOrDefault(rollout);
  RolloutPlan plan;
  api::RolloutStatus status = rollout.status;
  status.observed_generation = std::to_string(rollout.metadata.generation);
  RemoveCondition(status.conditions, "InvalidSpec");  // valid now (the controller checked)

  const ReplicaSetGroups groups = GroupReplicaSets(rollout, snapshot.replica_sets);
  if (!groups.new_rs) {
    return PlanReplicaSetCreation(rollout, snapshot.replica_sets, std::move(status), now);
  }

  ReplicaSetChanges changes(replicas);
  const OwnedReplicaSets sets = ReadOwnedReplicaSets(rollout, snapshot.replica_sets, snapshot.pods,
                                                     groups, status, changes, plan);
  const api::ReplicaSet& new_rs = *sets.new_rs;
  const std::string& new_hash = sets.new_hash;
  const api::ReplicaSet* stable_rs = sets.stable_rs;
  const std::vector<api::ReplicaSet>& others = sets.others;
  const int64_t new_revision = sets.new_revision;

  const api::Service* active_service = nullptr;
  const api::Service* preview_service = nullptr;
  if (auto found = snapshot.services.find(strategy.active_service);
      found != snapshot.services.end()) {
    active_service = &found->second;
  }
  if (!strategy.preview_service.empty()) {
    if (auto found = snapshot.services.find(strategy.preview_service);
        found != snapshot.services.end()) {
      preview_service = &found->second;
    }
  }
  std::string active_selector = active_service ? SelectedHash(*active_service) : "";
  std::string preview_selector = preview_service ? SelectedHash(*preview_service) : "";

  // The preview Service follows the new ReplicaSet at once (unless halted).
  if (preview_service != nullptr) {
    const std::string target = PreviewServiceTarget(rollout, new_hash);
    if (!target.empty() && target != preview_selector) {
      plan.service_changes.push_back(
          {strategy.preview_service, preview_service->metadata.uid, target, preview_selector});
      preview_selector = target;
    }
  }

  // A template change restarts the release: pauses, abort, promoteFull and analysis are reset.
  if (!status.current_pod_hash.empty() && status.current_pod_hash != new_hash) {
    status.pause_conditions.clear();
    status.controller_pause = false;
    status.abort = false;
    status.aborted_at.reset();
    status.promote_full = false;
    status.blue_green.pre_promotion_analysis_run_status.reset();
    status.blue_green.post_promotion_analysis_run_status.reset();
    status.blue_green.scale_up_preview_check_point = false;
    status.blue_green.preview_selector = preview_selector;
    status.current_pod_hash = new_hash;
    if (rollout.spec.restart_at) status.restarted_at = rollout.spec.restart_at;
    status.phase = CalculateRolloutPhase(rollout.spec, status).phase;
    status.message = CalculateRolloutPhase(rollout.spec, status).message;
    plan.replica_set_changes = changes.Take();
    if (status != rollout.status) plan.status = status;
    return plan;
  }
  status.current_pod_hash = new_hash;
  AddPodRestart(snapshot, new_hash, status, plan);

  const bool rollback = IsRollback(new_rs, stable_rs, status.stable_rs);
  const std::optional<api::Time> new_deadline = ScaleDownDeadlineOf(new_rs);
  const bool within_window =
      rollback && WithinRollbackWindow(rollout, new_rs, stable_rs, snapshot.replica_sets);
  const bool fast_rollback = rollback && (within_window || (new_deadline && now < *new_deadline) ||
                                          new_hash == status.stable_rs);

  // The ReplicaSets' sizes (§3.2 6). The active ReplicaSet is the one the active Service selects.
  const api::ReplicaSet* active_rs = nullptr;
  for (const api::ReplicaSet& rs : snapshot.replica_sets) {
    if (!active_selector.empty() && PodTemplateHashOf(rs) == active_selector) active_rs = &rs;
  }
  const bool abort_delay_applies =
      status.abort && api::AbortScaleDownDelaySecondsOrDefault(rollout) > 0;
  if (stable_rs != nullptr) {
    changes.Annotate(*stable_rs, kDeadlineAnnotation, std::nullopt);
    changes.Scale(*stable_rs, replicas);
  }
  int32_t new_replicas = BlueGreenNewReplicas(rollout, new_rs, active_rs);
  if (abort_delay_applies && new_hash != status.stable_rs) {
    // §3.6: once stable is whole again, the preview waits out the abort delay, then goes to 0.
    new_replicas = AbortScaleDown(
        new_rs, stable_rs != nullptr && stable_rs->status.available_replicas >= replicas,
        api::AbortScaleDownDelaySecondsOrDefault(rollout), now, changes, plan);
  } else {
    changes.Annotate(new_rs, kDeadlineAnnotation, std::nullopt);
  }
  changes.Scale(new_rs, new_replicas);

  // Old ReplicaSets (§3.7): kept while referenced, else scaled down after their delay.
  const bool inconclusive = HasPauseCondition(status, kInconclusiveAnalysisRun);
  const bool post_analysis_pending =
      strategy.post_promotion_analysis && !strategy.scale_down_delay_seconds &&
      PhaseOf(status.blue_green.post_promotion_analysis_run_status) != "Successful";
  if (!inconclusive && !post_analysis_pending) {
    const std::vector<std::string> referenced = {status.stable_rs, new_hash, active_selector,
                                                 preview_selector};
    ApplyOldReplicaSetActions(
        PlanOldReplicaSets(others, referenced,
                           std::chrono::seconds(api::ScaleDownDelaySecondsOrDefault(rollout)),
                           api::ScaleDownDelayRevisionLimitOrDefault(rollout), now),
        others, changes, plan);
  }
  DeleteBeyondHistoryLimit(rollout, others, plan);
  plan.replica_set_changes = changes.Take();

  // The pause before the switch (§3.3).
  const int32_t desired_now =
      strategy.preview_replica_count && new_replicas == *strategy.preview_replica_count
          ? *strategy.preview_replica_count
          : replicas;
  const bool ready_for_pause = new_rs.spec.replicas.value_or(1) == desired_now &&
                               new_rs.status.available_replicas == desired_now;
  const bool auto_promotion = api::AutoPromotionEnabledOrDefault(rollout);
  const int32_t auto_seconds = strategy.auto_promotion_seconds;
  // The analyses (§3.4): the pre-promotion run starts once the preview is at its size.
  const bool new_saturated =
      strategy.preview_replica_count
          ? new_rs.spec.replicas.value_or(1) == *strategy.preview_replica_count &&
                new_rs.status.available_replicas == *strategy.preview_replica_count
          : IsSaturated(new_rs, replicas);
  std::string abort_message;
  ReconcileBlueGreenAnalysis(snapshot, sets, new_saturated || ready_for_pause, active_selector,
                             status, plan, abort_message);
  const std::optional<std::string> pre_phase =
      strategy.pre_promotion_analysis
          ? std::optional<std::string>(PhaseOf(status.blue_green.pre_promotion_analysis_run_status))
          : std::nullopt;
  const std::optional<std::string> post_phase =
      strategy.post_promotion_analysis ? std::optional<std::string>(PhaseOf(
                                             status.blue_green.post_promotion_analysis_run_status))
                                       : std::nullopt;
  PauseChanges pauses;
  bool pause_added = false;
  bool pause_completed = false;
  const api::RolloutPauseCondition* existing_pause = FindPauseCondition(status, kBlueGreenPause);
  if (status.abort) {
    pauses.clear = true;  // §3.6: an aborted rollout holds no pause
  } else if (ready_for_pause && !BlueGreenHalted(rollout)) {
    const bool fast_tracked = fast_rollback || status.promote_full || active_selector.empty() ||
                              active_selector == new_hash ||
                              status.blue_green.scale_up_preview_check_point ||
                              (auto_promotion && auto_seconds == 0);
    if (fast_tracked) {
      if (existing_pause != nullptr) pauses.remove.push_back(kBlueGreenPause);
    } else if (pre_phase && *pre_phase != "Successful") {
      // Analysis first; the pause follows its success.
    } else if (existing_pause != nullptr) {
      const api::Time ends = After(existing_pause->start_time, auto_seconds);
      if (auto_promotion && now >= ends) {
        pauses.remove.push_back(kBlueGreenPause);
        pause_completed = true;
      } else if (auto_promotion) {
        RequeueNoLaterThan(plan, ends);
      }
    } else if (!status.controller_pause) {
      pauses.add.push_back(kBlueGreenPause);
      pause_added = true;
      plan.events.push_back({"Normal", "RolloutPaused", "Rollout is paused (BlueGreenPause)"});
    } else {
      pause_completed = true;  // the user resumed (promote cleared the pause)
    }
  }
  if (!pause_added && !pause_completed) {
    pause_completed = status.blue_green.scale_up_preview_check_point ||
                      (auto_promotion && auto_seconds == 0) ||
                      (!auto_promotion && status.controller_pause && existing_pause == nullptr);
  }
  ApplyPauseChanges(status, pauses, now);

  // The active switch (§3.5).
  api::Rollout judged = rollout;
  judged.status = status;
  BlueGreenFacts facts;
  facts.new_hash = new_hash;
  facts.active_selector = active_selector;
  facts.new_rs_ready = ready_for_pause;
  facts.new_rs_saturated = IsSaturated(new_rs, replicas);
  facts.fast_rollback = fast_rollback;
  facts.pause_completed = pause_completed;
  facts.pre_promotion_phase = pre_phase;
  facts.post_promotion_phase = post_phase;
  if (active_service != nullptr) {
    if (std::optional<std::string> target = BlueGreenActiveTarget(judged, facts);
        target && *target != active_selector) {
      plan.service_changes.push_back(
          {strategy.active_service, active_service->metadata.uid, *target, active_selector});
      active_selector = *target;
      facts.active_selector = *target;
    }
  }

  // Status (§3.2 12).
  status.blue_green.active_selector = active_selector;
  status.blue_green.preview_selector = preview_selector;
  judged.status = status;
  const std::string promotion = BlueGreenPromotionReason(judged, facts, within_window);
  if (!promotion.empty() && status.stable_rs != new_hash) {
    ApplyPauseChanges(status, PauseChanges{.clear = true}, now);
    status.abort = false;
    status.aborted_at.reset();
    status.promote_full = false;
    status.blue_green.scale_up_preview_check_point = false;
    status.stable_rs = new_hash;
    plan.events.push_back({"Normal", "RolloutCompleted",
                           "Rollout completed update to revision " + std::to_string(new_revision) +
                               " (" + new_hash + "): " + promotion});
  } else if (strategy.preview_replica_count && !status.blue_green.scale_up_preview_check_point) {
    status.blue_green.scale_up_preview_check_point =
        (!pre_phase || *pre_phase == "Successful") && pause_completed &&
        new_rs.status.available_replicas == *strategy.preview_replica_count;
  }

  // Counts: the active ReplicaSet's when there is one (§2).
  const api::ReplicaSet* counted_active = nullptr;
  int32_t sum_replicas = 0, sum_ready = 0, sum_available = 0;
  for (const api::ReplicaSet& rs : snapshot.replica_sets) {
    sum_replicas += rs.status.replicas;
    sum_ready += rs.status.ready_replicas;
    sum_available += rs.status.available_replicas;
    if (!active_selector.empty() && PodTemplateHashOf(rs) == active_selector) counted_active = &rs;
  }
  status.replicas = sum_replicas;
  status.updated_replicas = new_rs.status.replicas;
  status.ready_replicas = counted_active ? counted_active->status.ready_replicas : sum_ready;
  status.available_replicas =
      counted_active ? counted_active->status.available_replicas : sum_available;
  status.hpa_replicas = counted_active ? counted_active->status.replicas : sum_replicas;
  status.selector =
      LabelSelectorString(counted_active ? counted_active->spec.selector
                                         : rollout.spec.selector.value_or(api::LabelSelector{}));

  // Conditions and phase (§2.1, §2.2).
  SyncPausedConditions(rollout, status, now);
  const bool paused = rollout.spec.paused || !status.pause_conditions.empty();
  const bool healthy = !paused && status.updated_replicas == replicas &&
                       status.available_replicas == replicas && active_selector == new_hash &&
                       (preview_service == nullptr || preview_selector == new_hash) &&
                       status.stable_rs == new_hash;
  SetAvailableCondition(status, counted_active != nullptr && IsSaturated(*counted_active, replicas),
                        now);
  const bool progressed = MadeProgress(
      rollout.status, status,
      status.blue_green.active_selector != rollout.status.blue_green.active_selector ||
          status.blue_green.preview_selector != rollout.status.blue_green.preview_selector);
  SyncReplicaFailureCondition(status, new_rs, snapshot.replica_sets, now);
  PlanHistoryCleanup(snapshot, status, plan);
  FinishStatus(rollout, std::move(status),
               {.new_rs_name = new_rs.metadata.name,
                .revision = new_revision,
                .healthy = healthy,
                .progressed = progressed,
                .indefinite = AnyWaitingToScaleDown(others),
                .abort_message = abort_message},
               now, plan);
  return plan;
}

}  // namespace devflow::core
