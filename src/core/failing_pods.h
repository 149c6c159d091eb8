// Pods that will not come up (seed 003: "a canary whose pods never become ready or crash-loop
// fails its verification and rolls back"). A canary whose pods crash-loop or cannot pull or
// start their image is aborted at once, rather than after progressDeadlineSeconds (Argo waits
// for the deadline, and aborts only with progressDeadlineAbort): such a version cannot pass
// any step, and its stable is still whole. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/rollout.h"
#include "api/workloads.h"

namespace devflow::core {

// How often a canary whose pods are not all available is looked at again for failing pods.
inline constexpr std::chrono::seconds kFailingPodsRecheck{10};

// Whether a reconcile must read the canary's pods for FailingPodOf: a canary is in progress
// (status.stableRS is set and differs from currentPodHash) and its ReplicaSet among
// `replica_sets` has pods that are not available. A canary whose pods are all up needs no look.
bool CanaryPodsToCheck(const api::Rollout& rollout,
                       const std::vector<api::ReplicaSet>& replica_sets);

// The container waiting reasons that mean the pod will not come up without a new version.
bool IsFailingWaitReason(const std::string& reason);

// When a pod `replica_set` controls (not being deleted) has a container waiting for one of
// those reasons: "pod <name>: container <c>: <reason>[: <message>]" for the first such pod
// (by name), else nullopt.
std::optional<std::string> FailingPodOf(const api::ReplicaSet& replica_set,
                                        const std::vector<api::Pod>& pods);

}  // namespace devflow::core
