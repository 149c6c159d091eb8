#include "core/rollout_conditions.h"

#include <algorithm>

#include "api/rollout_defaults.h"

namespace devflow::core {
namespace {

std::chrono::microseconds Deadline(const api::Rollout& rollout) {
  return std::chrono::seconds(api::ProgressDeadlineSecondsOrDefault(rollout));
}

}  // namespace

const api::RolloutCondition* FindCondition(const std::vector<api::RolloutCondition>& conditions,
                                           const std::string& type) {
  for (const api::RolloutCondition& condition : conditions) {
    if (condition.type == type) return &condition;
  }
  return nullptr;
}

bool SetCondition(std::vector<api::RolloutCondition>& conditions, api::RolloutCondition condition,
                  api::Time now) {
  auto existing =
      std::find_if(conditions.begin(), conditions.end(),
                   [&](const api::RolloutCondition& c) { return c.type == condition.type; });
  if (existing != conditions.end() && existing->status == condition.status &&
      existing->reason == condition.reason) {
    return false;
  }
  condition.last_update_time = now;
  condition.last_transition_time =
      existing != conditions.end() && existing->status == condition.status
          ? existing->last_transition_time
          : now;
  if (existing != conditions.end()) {
    *existing = std::move(condition);
  } else {
    conditions.push_back(std::move(condition));
  }
  return true;
}

bool RemoveCondition(std::vector<api::RolloutCondition>& conditions, const std::string& type) {
  return std::erase_if(conditions, [&](const api::RolloutCondition& c) { return c.type == type; }) >
         0;
}

bool ProgressDeadlinePassed(const api::Rollout& rollout, bool indefinite, bool healthy,
                            api::Time now) {
  if (indefinite || healthy) return false;
  const api::RolloutCondition* progressing =
      FindCondition(rollout.status.conditions, "Progressing");
  if (progressing == nullptr) return false;
  if (progressing->reason == "RolloutAborted" || progressing->reason == "RolloutPaused") {
    return false;
  }
  return progressing->last_update_time.value + Deadline(rollout) < now.value;
}

std::optional<api::Time> ProgressDeadlineCheckAt(const api::Rollout& rollout) {
  const api::RolloutCondition* progressing =
      FindCondition(rollout.status.conditions, "Progressing");
  if (progressing == nullptr) return std::nullopt;
  return api::Time{progressing->last_update_time.value + Deadline(rollout) +
                   std::chrono::seconds(1)};
}

}  // namespace devflow::core
