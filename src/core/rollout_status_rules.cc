#include "core/rollout_status_rules.h"

#include <algorithm>

#include "core/rollout_conditions.h"
#include "core/rollout_phase.h"

namespace devflow::core {
namespace {

api::RolloutCondition Condition(std::string type, std::string status, std::string reason,
                                std::string message) {
  api::RolloutCondition condition;
  condition.type = std::move(type);
  condition.status = std::move(status);
  condition.reason = std::move(reason);
  condition.message = std::move(message);
  return condition;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

const api::RolloutPauseCondition* FindPauseCondition(const api::RolloutStatus& status,
                                                     const std::string& reason) {
  for (const api::RolloutPauseCondition& condition : status.pause_conditions) {
    if (condition.reason == reason) return &condition;
  }
  return nullptr;
}

bool HasPauseCondition(const api::RolloutStatus& status, const std::string& reason) {
  return FindPauseCondition(status, reason) != nullptr;
}

void ApplyPauseChanges(api::RolloutStatus& status, const PauseChanges& changes, api::Time now) {
  const bool held_before = status.controller_pause && !status.pause_conditions.empty();
  std::vector<api::RolloutPauseCondition> kept;
  if (!changes.clear) {
    for (const api::RolloutPauseCondition& condition : status.pause_conditions) {
      if (!Contains(changes.remove, condition.reason)) kept.push_back(condition);
    }
  }
  bool added = false;
  for (const std::string& reason : changes.add) {
    const bool present = std::any_of(kept.begin(), kept.end(), [&](const auto& condition) {
      return condition.reason == reason;
    });
    if (present) continue;
    api::RolloutPauseCondition condition;
    condition.reason = reason;
    condition.start_time = now;
    kept.push_back(condition);
    added = true;
  }
  status.pause_conditions = std::move(kept);
  status.controller_pause = !status.pause_conditions.empty() && (added || held_before);
}

void SyncPausedConditions(const api::Rollout& rollout, api::RolloutStatus& status, api::Time now) {
  const bool paused = rollout.spec.paused || !status.pause_conditions.empty();
  const api::RolloutCondition* progressing = FindCondition(status.conditions, "Progressing");
  const api::RolloutCondition* completed = FindCondition(status.conditions, "Completed");
  const bool is_completed = completed != nullptr && completed->status == "True";
  if (progressing != nullptr && progressing->reason == "RolloutAborted" && !status.abort) {
    SetCondition(
        status.conditions,
        Condition("Progressing", "Unknown", "RolloutRetry", "Retrying Rollout after abort"), now);
  } else if (!status.abort && !is_completed) {
    const bool shows_paused = progressing != nullptr && progressing->reason == "RolloutPaused";
    if (paused && !shows_paused) {
      SetCondition(status.conditions,
                   Condition("Progressing", "Unknown", "RolloutPaused", "Rollout is paused"), now);
    } else if (!paused && shows_paused) {
      SetCondition(status.conditions,
                   Condition("Progressing", "Unknown", "RolloutResumed", "Rollout is resumed"),
                   now);
    }
  }
  const api::RolloutCondition* paused_condition = FindCondition(status.conditions, "Paused");
  if (paused || paused_condition != nullptr) {
    SetCondition(
        status.conditions,
        Condition("Paused", paused ? "True" : "False", "RolloutPaused", "Rollout is paused"), now);
  }
}

void SetAbortedCondition(api::RolloutStatus& status, int64_t revision, const std::string& message,
                         api::Time now) {
  std::string text = "Rollout aborted update to revision " + std::to_string(revision);
  if (!message.empty()) text += ": " + message;
  SetCondition(status.conditions, Condition("Progressing", "False", "RolloutAborted", text), now);
}

void SetAvailableCondition(api::RolloutStatus& status, bool available, api::Time now) {
  SetCondition(status.conditions,
               Condition("Available", available ? "True" : "False", "AvailableReason",
                         available ? "Rollout has minimum availability"
                                   : "Rollout does not have minimum availability"),
               now);
}

void SetCompletedCondition(api::RolloutStatus& status, api::Time now) {
  const bool completed = !status.stable_rs.empty() && status.stable_rs == status.current_pod_hash;
  SetCondition(
      status.conditions,
      Condition("Completed", completed ? "True" : "False", "RolloutCompleted", "RolloutCompleted"),
      now);
}

void SetHealthyCondition(const api::Rollout& rollout, api::RolloutStatus& status, bool healthy,
                         api::Time now) {
  const bool paused = rollout.spec.paused || !status.pause_conditions.empty();
  if (healthy && !paused) {
    SetCondition(status.conditions,
                 Condition("Healthy", "True", "RolloutHealthy", "Rollout is healthy"), now);
  } else if (FindCondition(status.conditions, "Healthy") != nullptr) {
    SetCondition(status.conditions,
                 Condition("Healthy", "False", "RolloutHealthy", "Rollout is not healthy"), now);
  }
}

bool MadeProgress(const api::RolloutStatus& before, const api::RolloutStatus& after,
                  bool other_changes) {
  const int32_t old_before = before.replicas - before.updated_replicas;
  const int32_t old_after = after.replicas - after.updated_replicas;
  return other_changes || after.updated_replicas != before.updated_replicas ||
         old_after < old_before || after.ready_replicas > before.ready_replicas ||
         after.available_replicas > before.available_replicas;
}

std::string SetProgressingCondition(const api::Rollout& rollout, api::RolloutStatus& status,
                                    const std::string& new_rs_name, bool healthy, bool progressed,
                                    bool indefinite, api::Time now) {
  if (healthy) {
    SetCondition(status.conditions,
                 Condition("Progressing", "True", "NewReplicaSetAvailable",
                           "ReplicaSet \"" + new_rs_name + "\" has successfully progressed."),
                 now);
    return "";
  }
  api::Rollout judged = rollout;
  judged.status = status;
  const api::RolloutCondition* before = FindCondition(status.conditions, "Progressing");
  if (!progressed && before != nullptr && before->reason == "ProgressDeadlineExceeded") {
    return "";  // timed out, and still no progress: it stays so
  }
  if (!progressed && ProgressDeadlinePassed(judged, indefinite, healthy, now)) {
    const std::string message = "ReplicaSet \"" + new_rs_name + "\" has timed out progressing.";
    const api::RolloutCondition* current = FindCondition(status.conditions, "Progressing");
    const bool already = current != nullptr && current->reason == "ProgressDeadlineExceeded";
    SetCondition(status.conditions,
                 Condition("Progressing", "False", "ProgressDeadlineExceeded", message), now);
    return already ? "" : message;
  }
  const api::RolloutCondition* current = FindCondition(status.conditions, "Progressing");
  const bool updating = current != nullptr && current->reason == "ReplicaSetUpdated";
  if (!updating || progressed) {
    if (!SetCondition(status.conditions,
                      Condition("Progressing", "True", "ReplicaSetUpdated",
                                "ReplicaSet \"" + new_rs_name + "\" is progressing."),
                      now)) {
      // Same status and reason: progress still restarts the deadline's clock.
      for (api::RolloutCondition& condition : status.conditions) {
        if (condition.type == "Progressing") condition.last_update_time = now;
      }
    }
  }
  return "";
}

void SyncReplicaFailureCondition(api::RolloutStatus& status, const api::ReplicaSet& new_rs,
                                 const std::vector<api::ReplicaSet>& all, api::Time now) {
  const auto failure_of = [](const api::ReplicaSet& rs) -> const api::ReplicaSetCondition* {
    for (const api::ReplicaSetCondition& condition : rs.status.conditions) {
      if (condition.type == "ReplicaFailure" && condition.status == "True") return &condition;
    }
    return nullptr;
  };
  const api::ReplicaSetCondition* failure = failure_of(new_rs);
  for (size_t i = 0; failure == nullptr && i < all.size(); ++i) failure = failure_of(all[i]);
  if (failure == nullptr) {
    RemoveCondition(status.conditions, "ReplicaFailure");
    return;
  }
  SetCondition(status.conditions,
               Condition("ReplicaFailure", "True", failure->reason, failure->message), now);
}

void FinishStatus(const api::Rollout& rollout, api::RolloutStatus status, const ReconcileEnd& end,
                  api::Time now, RolloutPlan& plan) {
  const bool paused = rollout.spec.paused || !status.pause_conditions.empty();
  if (status.abort) {
    if (!status.aborted_at) {
      status.aborted_at = now;
      plan.events.push_back({"Warning", "RolloutAborted",
                             "Rollout aborted update to revision " + std::to_string(end.revision)});
    }
    SetAbortedCondition(status, end.revision, end.abort_message, now);
  } else if (!paused) {
    const std::string exceeded = SetProgressingCondition(
        rollout, status, end.new_rs_name, end.healthy, end.progressed, end.indefinite, now);
    if (!exceeded.empty()) plan.events.push_back({"Warning", "ProgressDeadlineExceeded", exceeded});
    if (!end.healthy) {
      api::Rollout with_status = rollout;
      with_status.status = status;
      if (std::optional<api::Time> check = ProgressDeadlineCheckAt(with_status)) {
        RequeueNoLaterThan(plan, *check);
      }
    }
  }
  SetCompletedCondition(status, now);
  SetHealthyCondition(rollout, status, end.healthy, now);
  const RolloutPhase phase = CalculateRolloutPhase(rollout.spec, status);
  status.phase = phase.phase;
  status.message = phase.message;
  if (status != rollout.status) plan.status = std::move(status);
}

}  // namespace devflow::core
