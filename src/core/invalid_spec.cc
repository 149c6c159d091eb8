#include "core/invalid_spec.h"

#include "core/rollout_conditions.h"
#include "core/rollout_phase.h"

namespace devflow::core {

RolloutPlan PlanInvalidSpec(const api::Rollout& rollout, const api::FieldErrors& errors,
                            api::Time now) {
  const std::string message = errors.front().path.empty()
                                  ? errors.front().message
                                  : errors.front().path.str() + ": " + errors.front().message;
  api::RolloutStatus status = rollout.status;
  api::RolloutCondition condition;
  condition.type = "InvalidSpec";
  condition.status = "True";
  condition.reason = "InvalidSpec";
  condition.message = message;
  // A changed message (another mistake) is news even when status and reason are the same.
  const api::RolloutCondition* existing = FindCondition(status.conditions, "InvalidSpec");
  if (existing != nullptr && existing->message != message)
    RemoveCondition(status.conditions, "InvalidSpec");
  SetCondition(status.conditions, condition, now);
  status.observed_generation = std::to_string(rollout.metadata.generation);
  const RolloutPhase phase = CalculateRolloutPhase(rollout.spec, status);
  status.phase = phase.phase;
  status.message = phase.message;
  RolloutPlan plan;
  if (status != rollout.status) {
    plan.status = status;
    plan.events.push_back({"Warning", "InvalidSpec", message});
  }
  return plan;
}

}  // namespace devflow::core
