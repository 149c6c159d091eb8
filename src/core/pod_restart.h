// Restarting a Rollout's pods (`devflow restart`, spec.restartAt; ../shared/spec/
// argo-rollouts.md §4.11): every pod created before restartAt is replaced, a few at a time so
// the Rollout stays available, the stable ReplicaSet's first. Once none is left,
// status.restartedAt = spec.restartAt. Pure.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/pod.h"
#include "api/rollout.h"
#include "api/workloads.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// Whether spec.restartAt asks for a restart that has not been done (due or not).
bool RestartPending(const api::Rollout& rollout);

struct PodRestart {
  // The pods to replace now (name, uid), in order.
  std::vector<std::pair<std::string, std::string>> pods;
  // Set when the restart is complete: the value for status.restartedAt.
  std::optional<api::Time> restarted_at;
  // When to look again: restartAt when it is still ahead, else 30 s while pods remain (their
  // replacements becoming available also wake the Rollout up).
  std::optional<api::Time> requeue_at;
  friend bool operator==(const PodRestart&, const PodRestart&) = default;
};

// `replica_sets` are the Rollout's, `stable_hash` and `new_hash` their roles; `pods` the live
// pods (those controlled by one of `replica_sets` count). At most
//   available - (max(replicas, sum of the ReplicaSets' sizes) - max(maxUnavailable, 1))
// pods are replaced per pass (maxUnavailable is 0 for blue/green), where available counts the
// ReplicaSets' available replicas; pods already being deleted count as unavailable.
PodRestart PlanPodRestart(const api::Rollout& rollout,
                          const std::vector<api::ReplicaSet>& replica_sets,
                          const std::string& stable_hash, const std::string& new_hash,
                          const std::vector<api::Pod>& pods, api::Time now);

// PlanPodRestart for the snapshot, added to the plan (pod_deletions, requeue_at) and the status
// (restartedAt).
void AddPodRestart(const RolloutSnapshot& snapshot, const std::string& new_hash,
                   api::RolloutStatus& status, RolloutPlan& plan);

}  // namespace devflow::core
