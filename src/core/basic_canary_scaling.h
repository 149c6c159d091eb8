// How a canary without a traffic router moves its pods, pass by pass (../shared/spec/
// argo-rollouts.md §4.2, "Basic canary" and "Old ReplicaSets"): the share of pods is the share of
// traffic, so the new and stable ReplicaSets approach their desired counts inside the
// maxSurge / maxUnavailable budgets, old ReplicaSets draining first. Pure: each function is one
// pass's decision from the sizes and availability as read.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/canary_replicas.h"

namespace devflow::core {

// A ReplicaSet as the scaling rules see it.
struct ReplicaSetCounts {
  int32_t spec = 0;       // spec.replicas
  int32_t available = 0;  // status.availableReplicas
  friend bool operator==(const ReplicaSetCounts&, const ReplicaSetCounts&) = default;
};

struct ScalingBudget {
  int32_t replicas = 0;     // spec.replicas of the Rollout (N)
  int32_t surge = 0;        // maxSurge as a pod count
  int32_t unavailable = 0;  // maxUnavailable as a pod count
  friend bool operator==(const ScalingBudget&, const ScalingBudget&) = default;
};

// This pass's sizes for the new (canary) and stable ReplicaSets, moving toward `desired`:
// scale up first, within N + surge pods in all (stable before canary); then, once no old
// ReplicaSet has pods, scale down the side being drained (stable while the canary grows, the
// canary while it shrinks), keeping at least N - unavailable pods available, never below its
// desired count; then trim the other side so the total stays within N + surge without losing
// availability. Without a stable (or when it is the new one) the canary gets all N.
CanaryStableCounts BasicCanaryPass(const ScalingBudget& budget, const CanaryStableCounts& desired,
                                   const ReplicaSetCounts& canary,
                                   const std::optional<ReplicaSetCounts>& stable,
                                   int32_t others_spec);

// This pass's sizes for the old ReplicaSets (given newest revision first), in the same order:
// each first loses its unavailable pods, then they give up available pods, newest first, as far
// as `all_available` (available pods of every ReplicaSet) exceeds N - unavailable.
std::vector<int32_t> BasicCanaryOldPass(const ScalingBudget& budget, int32_t all_available,
                                        const std::vector<ReplicaSetCounts>& others_newest_first);

}  // namespace devflow::core
