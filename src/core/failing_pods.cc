#include "core/failing_pods.h"

#include <algorithm>
#include <set>

#include "core/rollout_replica_sets.h"

namespace devflow::core {

bool CanaryPodsToCheck(const api::Rollout& rollout,
                       const std::vector<api::ReplicaSet>& replica_sets) {
  const api::RolloutStatus& status = rollout.status;
  if (!rollout.spec.strategy.canary || status.stable_rs.empty() ||
      status.stable_rs == status.current_pod_hash) {
    return false;
  }
  for (const api::ReplicaSet& rs : replica_sets) {
    if (PodTemplateHashOf(rs) != status.current_pod_hash) continue;
    return rs.status.available_replicas < rs.spec.replicas.value_or(1);
  }
  return false;
}

bool IsFailingWaitReason(const std::string& reason) {
  static const std::set<std::string> kFailing = {
      "CrashLoopBackOff",           "ImagePullBackOff",     "ErrImagePull",     "InvalidImageName",
      "CreateContainerConfigError", "CreateContainerError", "RunContainerError"};
  return kFailing.contains(reason);
}

std::optional<std::string> FailingPodOf(const api::ReplicaSet& replica_set,
                                        const std::vector<api::Pod>& pods) {
  std::vector<const api::Pod*> owned;
  for (const api::Pod& pod : pods) {
    if (pod.metadata.deletion_timestamp == api::Time{} &&
        ControllerUidOf(pod.metadata) == replica_set.metadata.uid) {
      owned.push_back(&pod);
    }
  }
  std::sort(owned.begin(), owned.end(), [](const api::Pod* a, const api::Pod* b) {
    return a->metadata.name < b->metadata.name;
  });
  for (const api::Pod* pod : owned) {
    for (const auto* statuses :
         {&pod->status.init_container_statuses, &pod->status.container_statuses}) {
      for (const api::ContainerStatus& container : *statuses) {
        const std::optional<api::ContainerStateWaiting>& waiting = container.state.waiting;
        if (!waiting || !IsFailingWaitReason(waiting->reason)) continue;
        return "pod " + pod->metadata.name + ": container " + container.name + ": " +
               waiting->reason + (waiting->message.empty() ? "" : ": " + waiting->message);
      }
    }
  }
  return std::nullopt;
}

}  // namespace devflow::core
