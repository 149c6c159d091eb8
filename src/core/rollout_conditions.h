// A Rollout's status.conditions (../shared/spec/argo-rollouts.md §2.2): setting one as Argo
// does, and the progress deadline. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/time.h"

namespace devflow::core {

// The condition of `type`, or null.
const api::RolloutCondition* FindCondition(const std::vector<api::RolloutCondition>& conditions,
                                           const std::string& type);

// Sets `condition` (type, status, reason, message) in `conditions` at `now`, as Argo's
// SetRolloutCondition: nothing changes when status and reason are the same (not even the
// message); a new status sets lastTransitionTime; a new reason alone keeps it. lastUpdateTime
// is `now` whenever something changes. Returns whether anything changed.
bool SetCondition(std::vector<api::RolloutCondition>& conditions, api::RolloutCondition condition,
                  api::Time now);

// Removes the condition of `type`; returns whether there was one.
bool RemoveCondition(std::vector<api::RolloutCondition>& conditions, const std::string& type);

// Whether the progress deadline has passed: the Progressing condition's lastUpdateTime plus
// progressDeadlineSeconds (default 600) is before `now`. Never while `indefinite` (a pause,
// analysis or experiment step, Paused=True, old ReplicaSets waiting on a scale-down deadline),
// when the condition's reason is RolloutAborted or RolloutPaused, or when `healthy`.
bool ProgressDeadlinePassed(const api::Rollout& rollout, bool indefinite, bool healthy,
                            api::Time now);

// When to look again for the deadline: lastUpdateTime + deadline + 1 s; nullopt without a
// Progressing condition.
std::optional<api::Time> ProgressDeadlineCheckAt(const api::Rollout& rollout);

}  // namespace devflow::core
