#include "core/canary_plan.h"

#include <algorithm>
#include <chrono>

#include "api/defaults.h"
#include "api/rollout_defaults.h"
#include "core/basic_canary_scaling.h"
#include "core/blue_green_rules.h"
#include "core/canary_replicas.h"
#include "core/canary_steps.h"
#include "core/canary_traffic.h"
#include "core/failing_pods.h"
#include "core/owned_replica_sets.h"
#include "core/pod_restart.h"
#include "core/replica_set_changes.h"
#include "core/replica_set_creation.h"
#include "core/rollout_analysis.h"
#include "core/rollout_conditions.h"
#include "core/rollout_experiment.h"
#include "core/rollout_history.h"
#include "core/rollout_phase.h"
#include "core/rollout_replica_sets.h"
#include "core/rollout_status_rules.h"
#include "core/service_rules.h"

namespace devflow::core {
namespace {

const std::string kDeadlineAnnotation(api::defaults::kScaleDownDeadlineAnnotation);
const std::string kManagedBy(api::defaults::kManagedByRolloutsAnnotation);

int32_t SpecOf(const api::ReplicaSet& rs) { return rs.spec.replicas.value_or(1); }

const api::ReplicaSet* WithHash(const std::vector<api::ReplicaSet>& all, const std::string& hash) {
  if (hash.empty()) return nullptr;
  for (const api::ReplicaSet& rs : all) {
    if (PodTemplateHashOf(rs) == hash) return &rs;
  }
  return nullptr;
}

std::optional<int32_t> StepCount(const api::CanaryStrategy& canary) {
  if (canary.steps.empty()) return std::nullopt;
  return static_cast<int32_t>(canary.steps.size());
}

}  // namespace

RolloutPlan PlanCanary(const RolloutSnapshot& snapshot) {
  const api::Rollout& rollout = snapshot.rollout;
  const api::CanaryStrategy& canary = *rollout.spec.strategy.canary;
  const api::Time now = snapshot.now;
  const int32_t replicas = api::ReplicasOrDefault(rollout);
  const int32_t max_weight = api::MaxTrafficWeightOrDefault(rollout);
  const bool routed = canary.traffic_routing.has_value();
  const std::optional<int32_t> steps_end = StepCount(canary);
  RolloutPlan plan;
  api::RolloutStatus status = rollout.status;
  status.observed_generation = std::to_string(rollout.metadata.generation);
  RemoveCondition(status.conditions, "InvalidSpec");

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

  const bool rollback = IsRollback(new_rs, stable_rs, status.stable_rs);
  const bool within_window =
      rollback && WithinRollbackWindow(rollout, new_rs, stable_rs, snapshot.replica_sets);

  // A template or steps change restarts the steps (§4.5).
  const std::string steps_hash = CanaryStepsHash(rollout);
  if (status.current_step_hash != steps_hash ||
      (!status.current_pod_hash.empty() && status.current_pod_hash != new_hash)) {
    status.pause_conditions.clear();
    status.controller_pause = false;
    status.abort = false;
    status.aborted_at.reset();
    status.promote_full = false;
    status.canary.current_step_analysis_run_status.reset();
    status.canary.current_background_analysis_run_status.reset();
    status.canary.current_experiment.clear();
    status.canary.step_plugin_statuses.clear();
    if (rollout.spec.restart_at) status.restarted_at = rollout.spec.restart_at;
    status.current_step_index = steps_end ? std::optional<int32_t>(0) : std::nullopt;
    if (steps_end && (new_hash == status.stable_rs || (within_window && SpecOf(new_rs) > 0))) {
      status.current_step_index = steps_end;
      plan.events.push_back({"Normal", "SkipSteps", "Rollback to stable ReplicaSets"});
    }
    status.current_step_hash = steps_hash;
    status.current_pod_hash = new_hash;
    const RolloutPhase phase = CalculateRolloutPhase(rollout.spec, status);
    status.phase = phase.phase;
    status.message = phase.message;
    plan.replica_set_changes = changes.Take();
    if (status != rollout.status) plan.status = status;
    return plan;
  }
  AddPodRestart(snapshot, new_hash, status, plan);

  // Facts about the ReplicaSets as read.
  api::Rollout judged = rollout;
  judged.status = status;
  TrafficFacts traffic_facts;
  traffic_facts.new_hash = new_hash;
  traffic_facts.new_available = new_rs.status.available_replicas;
  traffic_facts.stable_hash = stable_rs != nullptr ? status.stable_rs : new_hash;
  traffic_facts.stable_available = stable_rs != nullptr ? stable_rs->status.available_replicas
                                                        : new_rs.status.available_replicas;
  if (status.canary.weights) {
    traffic_facts.recorded_canary_weight = status.canary.weights->canary.weight;
    traffic_facts.recorded_canary_hash = status.canary.weights->canary.pod_template_hash;
  }

  // The desired counts for this step (§4.2).
  const int32_t weight = DesiredCanaryWeight(judged);
  const Result<api::SurgeAndUnavailable> limits = api::ResolveSurgeAndUnavailable(rollout);
  const api::SurgeAndUnavailable budget = limits.ok() ? *limits : api::SurgeAndUnavailable{0, 1};
  CanaryStableCounts desired;
  if (routed) {
    desired.canary = TrafficRoutedCanaryCount(
        replicas, weight, max_weight, CanaryScaleInEffect(judged), canary.min_pods_per_replica_set);
    desired.stable = replicas;
    if (canary.dynamic_stable_scale && stable_rs != nullptr) {
      // §4.9: the stable shrinks only once traffic has left it, and grows before it returns;
      // on abort the canary likewise keeps what its recorded weight still needs.
      const auto pods_for = [&](int32_t share) {
        return static_cast<int32_t>((static_cast<int64_t>(share) * replicas + max_weight - 1) /
                                    max_weight);
      };
      const int32_t recorded_stable =
          status.canary.weights ? status.canary.weights->stable.weight : max_weight;
      const int32_t recorded_canary =
          status.canary.weights ? status.canary.weights->canary.weight : 0;
      const int32_t traffic = status.abort ? AbortWeight(judged, traffic_facts) : weight;
      desired.stable = std::max(pods_for(max_weight - traffic), pods_for(recorded_stable));
      if (canary.min_pods_per_replica_set) {
        desired.stable = std::max(desired.stable, *canary.min_pods_per_replica_set);
      }
      if (status.abort) {
        desired.canary = std::max(pods_for(traffic), pods_for(recorded_canary));
      }
    }
  } else if (stable_rs == nullptr) {
    desired = {replicas, 0};
  } else {
    desired = BasicCanaryCounts(replicas, weight, max_weight, budget.surge);
  }
  bool others_available = false;
  for (const api::ReplicaSet& rs : others) {
    others_available = others_available || rs.status.available_replicas > 0;
  }
  const bool stable_at_count =
      !(routed && canary.dynamic_stable_scale && stable_rs != nullptr) ||
      (SpecOf(*stable_rs) == desired.stable && stable_rs->status.replicas == desired.stable);
  const bool at_desired_counts = SpecOf(new_rs) == desired.canary &&
                                 new_rs.status.available_replicas == desired.canary &&
                                 (routed || !others_available) && stable_at_count;
  traffic_facts.at_desired_counts = at_desired_counts;

  // Services (§4.3).
  const int32_t abort_weight = routed ? AbortWeight(judged, traffic_facts) : 0;
  const CanaryServiceTargets targets = CanaryServices(judged, new_hash, abort_weight);
  for (const auto& [name, hash] : {std::pair{canary.stable_service, targets.stable_hash},
                                   std::pair{canary.canary_service, targets.canary_hash}}) {
    if (name.empty() || hash.empty()) continue;
    auto found = snapshot.services.find(name);
    if (found == snapshot.services.end()) continue;
    const api::Service& service = found->second;
    const std::string current = SelectedHash(service);
    if (current == hash) continue;
    const api::ReplicaSet* target = WithHash(snapshot.replica_sets, hash);
    const bool managed = service.metadata.annotations.count(kManagedBy) > 0;
    if (target == nullptr ||
        !MaySwitchService(managed, target->status.available_replicas, SpecOf(*target))) {
      continue;
    }
    plan.service_changes.push_back({name, service.metadata.uid, hash, current});
  }

  // Traffic routing (§4.6).
  if (routed) {
    TrafficPlan traffic = PlanCanaryTraffic(judged, traffic_facts, new_revision);
    if (!status.abort && status.stable_rs != new_hash) {
      traffic.additional = ExperimentDestinations(snapshot, status);
    }
    if (!traffic.hold) {
      api::RolloutTrafficWeights weights;
      weights.canary.weight = traffic.weight;
      weights.canary.service_name = canary.canary_service;
      weights.canary.pod_template_hash = traffic.canary_hash;
      int32_t additional_weight = 0;
      for (const api::RolloutWeightDestination& destination : traffic.additional) {
        additional_weight += destination.weight;
      }
      weights.stable.weight = std::max(0, max_weight - traffic.weight - additional_weight);
      weights.additional = traffic.additional;
      weights.stable.service_name = canary.stable_service;
      weights.stable.pod_template_hash = traffic.stable_hash;
      if (!status.canary.weights || status.canary.weights->canary.weight != traffic.weight) {
        const std::string from =
            status.canary.weights ? std::to_string(status.canary.weights->canary.weight) + " " : "";
        plan.events.push_back({"Normal", "TrafficWeightUpdated",
                               "Traffic weight updated " + (from.empty() ? "" : "from " + from) +
                                   "to " + std::to_string(traffic.weight)});
      }
      status.canary.weights = weights;
      plan.traffic = traffic;
    }
  } else {
    status.canary.weights.reset();
  }

  // ReplicaSet sizes (§4.2), unless halted.
  const bool halted = rollout.spec.paused || HasPauseCondition(status, kInconclusiveAnalysisRun) ||
                      HasPauseCondition(status, kInconclusiveExperiment);
  if (!halted) {
    // Under dynamicStableScale only an explicit abortScaleDownDelaySeconds delays (§4.9).
    const bool abort_delay =
        status.abort && routed &&
        (canary.dynamic_stable_scale ? api::HasExplicitAbortScaleDownDelay(rollout)
                                     : api::AbortScaleDownDelaySecondsOrDefault(rollout) > 0) &&
        !status.stable_rs.empty() && new_hash != status.stable_rs;
    if (stable_rs != nullptr) changes.Annotate(*stable_rs, kDeadlineAnnotation, std::nullopt);
    int32_t new_size = desired.canary;
    int32_t stable_size = desired.stable;
    if (!routed) {
      int32_t others_spec = 0;
      for (const api::ReplicaSet& rs : others) others_spec += SpecOf(rs);
      const std::optional<ReplicaSetCounts> stable_counts =
          stable_rs != nullptr ? std::optional<ReplicaSetCounts>(ReplicaSetCounts{
                                     SpecOf(*stable_rs), stable_rs->status.available_replicas})
                               : std::nullopt;
      const CanaryStableCounts next =
          BasicCanaryPass(ScalingBudget{replicas, budget.surge, budget.unavailable}, desired,
                          ReplicaSetCounts{SpecOf(new_rs), new_rs.status.available_replicas},
                          stable_counts, others_spec);
      new_size = next.canary;
      stable_size = next.stable;
    }
    if (abort_delay) {
      // §4.10: the canary keeps its pods until stable is whole again, then waits out the delay.
      new_size = AbortScaleDown(
          new_rs, stable_rs != nullptr && stable_rs->status.available_replicas >= replicas,
          api::AbortScaleDownDelaySecondsOrDefault(rollout), now, changes, plan);
    } else {
      changes.Annotate(new_rs, kDeadlineAnnotation, std::nullopt);
    }
    if (stable_rs != nullptr) changes.Scale(*stable_rs, stable_size);
    changes.Scale(new_rs, new_size);

    // Old ReplicaSets.
    std::vector<api::ReplicaSet> newest_first = others;
    std::stable_sort(newest_first.begin(), newest_first.end(), [](const auto& a, const auto& b) {
      return RevisionOf(a.metadata).value_or(0) > RevisionOf(b.metadata).value_or(0);
    });
    if (!routed) {
      int32_t all_available = new_rs.status.available_replicas;
      if (stable_rs != nullptr) all_available += stable_rs->status.available_replicas;
      std::vector<ReplicaSetCounts> counts;
      for (const api::ReplicaSet& rs : newest_first) {
        all_available += rs.status.available_replicas;
        counts.push_back({SpecOf(rs), rs.status.available_replicas});
      }
      const std::vector<int32_t> sizes = BasicCanaryOldPass(
          ScalingBudget{replicas, budget.surge, budget.unavailable}, all_available, counts);
      for (size_t i = 0; i < newest_first.size(); ++i) {
        if (sizes[i] != SpecOf(newest_first[i])) changes.Scale(newest_first[i], sizes[i]);
      }
    } else {
      const bool promoted = !status.stable_rs.empty() && status.stable_rs == new_hash;
      std::vector<std::string> referenced = {status.stable_rs, new_hash};
      if (status.canary.weights) {
        referenced.push_back(status.canary.weights->canary.pod_template_hash);
        referenced.push_back(status.canary.weights->stable.pod_template_hash);
      }
      std::vector<api::ReplicaSet> delayed;
      for (const api::ReplicaSet& rs : newest_first) {
        if (promoted || ScaleDownDeadlineOf(rs)) {
          delayed.push_back(rs);
        } else if (std::find(referenced.begin(), referenced.end(), PodTemplateHashOf(rs)) ==
                       referenced.end() &&
                   SpecOf(rs) > 0) {
          changes.Scale(rs, 0);  // a superseded intermediate canary
        }
      }
      const std::chrono::seconds delay(
          canary.dynamic_stable_scale ? 0 : api::ScaleDownDelaySecondsOrDefault(rollout));
      ApplyOldReplicaSetActions(
          PlanOldReplicaSets(delayed, referenced, delay,
                             api::ScaleDownDelayRevisionLimitOrDefault(rollout), now),
          delayed, changes, plan);
    }
  }
  DeleteBeyondHistoryLimit(rollout, others, plan);
  plan.replica_set_changes = changes.Take();

  // Pause steps and step progression (§4.4). Decided on the pause state as read (a user's
  // resume shows as controllerPause without a condition); applied to the status at the end.
  std::string abort_message;
  // Experiments before analysis runs, as Argo: a failed experiment's abort stops the runs now.
  ReconcileCanaryExperiment(snapshot, sets, status, plan, abort_message);
  ReconcileCanaryAnalysis(snapshot, sets, status, plan, abort_message);
  // A canary whose pods will not come up rolls back at once (failing_pods.h).
  if (!status.abort && stable_rs != nullptr && status.stable_rs != new_hash) {
    if (std::optional<std::string> failing = FailingPodOf(new_rs, snapshot.pods)) {
      status.abort = true;
      abort_message = "canary pods are failing: " + *failing;
    } else if (new_rs.status.available_replicas < SpecOf(new_rs)) {
      // Pods failing changes no ReplicaSet's status: look again soon while some are not up.
      RequeueNoLaterThan(plan, api::Time{now.value + kFailingPodsRecheck});
    }
  }
  judged.status = status;
  PauseChanges pauses;
  if (status.abort) {
    pauses.clear = true;
  } else if (ShouldAddCanaryPause(judged)) {
    pauses.add.push_back(kCanaryPauseStep);
    plan.events.push_back({"Normal", "RolloutPaused", "Rollout is paused (CanaryPauseStep)"});
  }
  if (std::optional<api::Time> ends = CanaryPauseEnds(judged)) RequeueNoLaterThan(plan, *ends);
  if (status.promote_full || (within_window && SpecOf(new_rs) > 0)) {
    pauses.clear = true;
    status.abort = false;
    status.aborted_at.reset();
    status.current_step_index = steps_end;
    judged.status = status;
  }
  const bool progress_met = new_rs.status.available_replicas >= replicas;
  const std::string promotion = CanaryPromotionReason(judged, new_rs.status.available_replicas,
                                                      progress_met, rollback, within_window);
  if (!promotion.empty() && status.stable_rs != new_hash) {
    pauses = PauseChanges{.clear = true};
    status.abort = false;
    status.aborted_at.reset();
    status.promote_full = false;
    status.stable_rs = new_hash;
    status.current_step_index = steps_end;
    status.canary.stable_ping_pong.clear();
    plan.events.push_back({"Normal", "RolloutCompleted",
                           "Rollout completed update to revision " + std::to_string(new_revision) +
                               " (" + new_hash + "): " + promotion});
  } else if (status.abort) {
    status.current_step_index =
        steps_end ? std::optional<int32_t>(status.stable_rs != new_hash ? 0 : *steps_end)
                  : std::nullopt;
  } else if (steps_end && status.current_step_index < steps_end) {
    CanaryStepFacts facts;
    facts.at_desired_counts = at_desired_counts;
    facts.analysis_phase = status.canary.current_step_analysis_run_status
                               ? status.canary.current_step_analysis_run_status->status
                               : "";
    facts.experiment_phase = CurrentExperimentPhase(snapshot, status);
    if (CanaryStepComplete(judged, facts, now)) {
      const int32_t index = status.current_step_index.value_or(0);
      plan.events.push_back({"Normal", "RolloutStepCompleted",
                             "Rollout step " + std::to_string(index + 1) + "/" +
                                 std::to_string(*steps_end) + " completed (" +
                                 StepDescription(canary.steps[static_cast<size_t>(index)]) + ")"});
      status.current_step_index = index + 1;
      status.canary.current_step_analysis_run_status.reset();
      status.canary.current_experiment.clear();
      pauses.add.clear();
      pauses.remove.push_back(kCanaryPauseStep);
    }
  }
  ApplyPauseChanges(status, pauses, now);
  PlanHistoryCleanup(snapshot, status, plan);

  // Counts (§2): sums over every ReplicaSet.
  int32_t sum_replicas = 0, sum_ready = 0, sum_available = 0;
  for (const api::ReplicaSet& rs : snapshot.replica_sets) {
    sum_replicas += rs.status.replicas;
    sum_ready += rs.status.ready_replicas;
    sum_available += rs.status.available_replicas;
  }
  status.replicas = sum_replicas;
  status.updated_replicas = new_rs.status.replicas;
  status.ready_replicas = sum_ready;
  status.available_replicas = sum_available;
  status.hpa_replicas = sum_replicas;
  status.selector = LabelSelectorString(rollout.spec.selector.value_or(api::LabelSelector{}));

  // Conditions and phase (§2.1, §2.2).
  SyncPausedConditions(rollout, status, now);
  const bool paused = rollout.spec.paused || !status.pause_conditions.empty();
  const bool healthy = !paused && status.updated_replicas == replicas &&
                       status.available_replicas == replicas && status.replicas == replicas &&
                       status.stable_rs == new_hash && status.current_step_index == steps_end;
  SetAvailableCondition(status, sum_available >= replicas, now);
  const bool progressed =
      MadeProgress(rollout.status, status,
                   status.stable_rs != rollout.status.stable_rs ||
                       status.current_step_index != rollout.status.current_step_index);
  // The deadline does not run at an analysis or experiment step, nor while old ReplicaSets wait
  // out a scale-down delay (pause steps pause the rollout, which stops it anyway).
  const int32_t index = status.current_step_index.value_or(0);
  const bool waiting_step = steps_end && index < *steps_end &&
                            (canary.steps[static_cast<size_t>(index)].analysis ||
                             canary.steps[static_cast<size_t>(index)].experiment);
  const bool indefinite = waiting_step || AnyWaitingToScaleDown(others);
  SyncReplicaFailureCondition(status, new_rs, snapshot.replica_sets, now);
  FinishStatus(rollout, std::move(status),
               {.new_rs_name = new_rs.metadata.name,
                .revision = new_revision,
                .healthy = healthy,
                .progressed = progressed,
                .indefinite = indefinite,
                .abort_message = abort_message},
               now, plan);
  return plan;
}

}  // namespace devflow::core
