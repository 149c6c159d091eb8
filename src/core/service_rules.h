// Which ReplicaSet each Service a Rollout names should select, and when a Service may be switched
// (../shared/spec/argo-rollouts.md §3.2 step 3, §4.3). Pure; the controller patches the
// selector's rollouts-pod-template-hash and the managed-by annotation.
#pragma once

#include <string>

#include "api/core_kinds.h"
#include "api/rollout.h"

namespace devflow::core {

struct CanaryServiceTargets {
  std::string stable_hash;  // what stableService selects
  std::string canary_hash;  // what canaryService selects
  friend bool operator==(const CanaryServiceTargets&, const CanaryServiceTargets&) = default;
};

// stableService -> the stable ReplicaSet; canaryService -> the new one, or the stable one once
// the rollout is promoted, or when aborted (with a traffic router only once the abort weight is
// 0, so the canary's remaining traffic still reaches its pods). Without a stable yet, both
// select the new ReplicaSet.
CanaryServiceTargets CanaryServices(const api::Rollout& rollout, const std::string& new_hash,
                                    int32_t abort_weight);

// The hash the preview Service selects: the new ReplicaSet as soon as it exists, unless halted
// (spec.paused or an InconclusiveAnalysisRun pause), when it stays as it is ("").
std::string PreviewServiceTarget(const api::Rollout& rollout, const std::string& new_hash);

// The rollouts-pod-template-hash a Service's selector pins it to, or "" when it pins none.
std::string SelectedHash(const api::Service& service);

// Whether a Service may be pointed at a ReplicaSet now: one devflow (or Argo) already manages
// (the managed-by-rollouts annotation) switches once the target has an available pod; one it
// would adopt only once the target is fully available, so adopting never drops traffic.
bool MaySwitchService(bool managed, int32_t target_available, int32_t target_replicas);

}  // namespace devflow::core
