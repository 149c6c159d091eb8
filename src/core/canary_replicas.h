// How many pods a canary's new and stable ReplicaSets should have (../shared/spec/
// argo-rollouts.md §4.2): the weight in effect, the setCanaryScale in effect, the desired split
// of a basic canary (no traffic router: the split of pods is the split of traffic), and the
// canary count of a traffic-routed one. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "api/rollout.h"

namespace devflow::core {

// The traffic weight the canary should have now: the maximum once promoted (promoteFull, no
// stable yet, or the current hash is the stable one) or when there is no current step (no steps,
// or past the last); 0 when aborted; else the last setWeight at or before the current step (0 if
// none).
int32_t DesiredCanaryWeight(const api::Rollout& rollout);

// The setCanaryScale in effect: the nearest at or before the current step, unless it says
// matchTrafficWeight. Only with a traffic router, and not while aborted unless
// abortScaleDownDelaySeconds is 0.
std::optional<api::SetCanaryScale> CanaryScaleInEffect(const api::Rollout& rollout);

struct CanaryStableCounts {
  int32_t canary = 0;
  int32_t stable = 0;
  friend bool operator==(const CanaryStableCounts&, const CanaryStableCounts&) = default;
};

// A basic canary's desired counts for `weight` of `max_weight` over `replicas` pods, the split
// whose share of pods is closest to the weight (Argo's approximation): with 0 < weight < max and
// at least 2 pods there is at least one of each, and with surge the two may sum to replicas + 1.
CanaryStableCounts BasicCanaryCounts(int32_t replicas, int32_t weight, int32_t max_weight,
                                     int32_t max_surge);

// A traffic-routed canary's pod count: the setCanaryScale's replicas, or its weight of the
// replicas, or the traffic weight's share (rounded up); a non-zero count is raised to
// `min_pods_per_replica_set` when that is set. The stable keeps every replica (except under
// dynamicStableScale).
int32_t TrafficRoutedCanaryCount(int32_t replicas, int32_t weight, int32_t max_weight,
                                 const std::optional<api::SetCanaryScale>& scale,
                                 std::optional<int32_t> min_pods_per_replica_set);

}  // namespace devflow::core
