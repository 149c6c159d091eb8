#include "core/failing_pods.h"

#include <algorithm>
#include <set>

namespace devflow::core {

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
    if (pod.metadata.deletion_timestamp != api::Time{}) continue;
    for (const api::OwnerReference& owner : pod.metadata.owner_references) {
      if (owner.controller.value_or(false) && owner.uid == replica_set.metadata.uid) {
        owned.push_back(&pod);
      }
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
