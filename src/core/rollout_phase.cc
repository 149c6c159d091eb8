#include "core/rollout_phase.h"

#include "api/defaults.h"

namespace devflow::core {

bool AnalysisPhaseCompleted(const std::string& phase) {
  return phase == "Successful" || phase == "Failed" || phase == "Error" || phase == "Inconclusive";
}

RolloutPhase CalculateRolloutPhase(const api::RolloutSpec& spec, const api::RolloutStatus& status) {
  for (const api::RolloutCondition& condition : status.conditions) {
    if (condition.type == "InvalidSpec") {
      return {"Degraded", "InvalidSpec: " + condition.message};
    }
  }
  for (const api::RolloutCondition& condition : status.conditions) {
    if (condition.reason == "RolloutAborted" || condition.reason == "ProgressDeadlineExceeded") {
      return {"Degraded", condition.reason + ": " + condition.message};
    }
  }
  if (spec.paused) return {"Paused", "manually paused"};
  if (!status.pause_conditions.empty()) return {"Paused", status.pause_conditions.front().reason};
  if (spec.restart_at && (!status.restarted_at || *status.restarted_at != *spec.restart_at)) {
    return {"Progressing", "rollout is restarting"};
  }
  const int32_t replicas = spec.replicas.value_or(api::defaults::kReplicas);
  if (status.updated_replicas < replicas) {
    return {"Progressing", "more replicas need to be updated"};
  }
  if (status.available_replicas < status.updated_replicas) {
    return {"Progressing", "updated replicas are still becoming available"};
  }
  const bool promoted = !status.stable_rs.empty() && status.stable_rs == status.current_pod_hash;
  if (spec.strategy.blue_green) {
    const std::string& active = status.blue_green.active_selector;
    if (active.empty() || active != status.current_pod_hash) {
      return {"Progressing", "active service cutover pending"};
    }
    if (!promoted) {
      const auto& run = status.blue_green.post_promotion_analysis_run_status;
      if (spec.strategy.blue_green->post_promotion_analysis &&
          (!run || !AnalysisPhaseCompleted(run->status))) {
        return {"Progressing", "waiting for analysis to complete"};
      }
      return {"Progressing", "waiting for post-promotion verification to complete"};
    }
  } else if (spec.strategy.canary) {
    if (!spec.strategy.canary->traffic_routing && status.replicas > status.updated_replicas) {
      return {"Progressing", "old replicas are pending termination"};
    }
    if (!promoted) return {"Progressing", "waiting for all steps to complete"};
  }
  return {"Healthy", ""};
}

RolloutPhase DisplayedRolloutPhase(const api::Rollout& rollout) {
  if (rollout.status.observed_generation != std::to_string(rollout.metadata.generation)) {
    return {"Progressing", "waiting for rollout spec update to be observed"};
  }
  if (rollout.status.controller_pause && rollout.status.pause_conditions.empty()) {
    return {"Progressing", "waiting for rollout to unpause"};
  }
  if (rollout.spec.workload_ref) {
    auto generation = rollout.metadata.annotations.find("rollout.argoproj.io/workload-generation");
    const std::string wanted =
        generation == rollout.metadata.annotations.end() ? "" : generation->second;
    if (wanted != rollout.status.workload_observed_generation) {
      return {"Progressing",
              "waiting for rollout spec update to be observed for the reference "
              "workload"};
    }
  }
  return {rollout.status.phase, rollout.status.message};
}

}  // namespace devflow::core
