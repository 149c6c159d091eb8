// What deleting an object means, as Kubernetes defines it: pure rules shared by the REST layer
// (DELETE requests) and the garbage collector (cascading deletion).
//
// An object without finalizers that is deleted in the background is removed at once; the
// garbage collector then deletes its dependents. Otherwise the object is only marked: it gets
// metadata.deletionTimestamp (and deletionGracePeriodSeconds 0), plus the finalizer the
// propagation policy asks for ("foregroundDeletion": the garbage collector deletes the dependents
// first; "orphan": it removes their ownerReferences first). The object is removed when an update
// leaves it marked with no finalizers left.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::apiserver {

inline constexpr std::string_view kForegroundDeletionFinalizer = "foregroundDeletion";
inline constexpr std::string_view kOrphanFinalizer = "orphan";

enum class PropagationPolicy { kBackground, kForeground, kOrphan };

// Parses DeleteOptions.propagationPolicy ("Background", "Foreground", "Orphan"); "" is
// Background, kube-apiserver's default for every kind devflow serves. InvalidArgument otherwise,
// with field path "propagationPolicy".
Result<PropagationPolicy> ParsePropagationPolicy(std::string_view text);

struct DeletePlan {
  // Remove the stored object now.
  bool remove_now = false;
  // When !remove_now: the object as it must be written (marked), or equal to the input when a
  // second DELETE of an already marked object changes nothing.
  json::Value marked;
};

// Decides what DELETE does to `object` (REQUIRES: object.is_object()). `now` is an RFC 3339
// timestamp ("2026-11-23T10:00:00Z") for deletionTimestamp. The policy sets the one propagation
// finalizer the object keeps (Background removes both, as kube-apiserver does); the object is
// removed at once when no finalizer is left, else marked (an already marked object keeps its
// deletionTimestamp, so `marked` may equal the input).
DeletePlan PlanDelete(const json::Value& object, PropagationPolicy policy, std::string_view now);

// Graceful deletion of a pod, as kube-apiserver's pod strategy does it: a pod bound to a node
// (spec.nodeName set) that has not finished (status.phase neither Succeeded nor Failed) gets time
// to stop. It is marked with deletionTimestamp = now + grace and deletionGracePeriodSeconds =
// grace, and stays until its node's kubelet, having stopped the containers, deletes it with grace
// 0. grace is `requested` (DeleteOptions.gracePeriodSeconds) when given and >= 0, else
// spec.terminationGracePeriodSeconds, else 30. A later DELETE may shorten the grace, never extend
// it.
//
// Returns the marked pod, or the pod unchanged when it is already marked with a grace no longer
// than asked; nullopt when the pod is to be deleted at once (unbound, finished, or grace 0): then
// PlanDelete decides, as for every other object. `now` is the server's time.
std::optional<json::Value> PlanGracefulPodDelete(const json::Value& pod,
                                                 std::optional<int64_t> requested,
                                                 std::chrono::system_clock::time_point now);

// True when the object carries metadata.deletionTimestamp.
bool IsMarkedForDeletion(const json::Value& object);

// True when the object is marked for deletion and has no finalizers left: the update that made
// it so must remove it instead of storing it.
bool ReadyToRemove(const json::Value& object);

// True when metadata.finalizers contains `finalizer`.
bool HasFinalizer(const json::Value& object, std::string_view finalizer);

// Returns the object without `finalizer` in metadata.finalizers (the member is dropped when the
// list becomes empty).
json::Value WithoutFinalizer(const json::Value& object, std::string_view finalizer);

// Returns the object without the entries of the list object[section][member] for which `drop`
// returns true; the member is dropped when the list becomes empty (Kubernetes' omitempty), and
// the object is returned unchanged when there is no such list. The one way finalizers
// (metadata's, a Namespace's spec.finalizers) and ownerReferences are taken off an object.
json::Value WithoutListEntries(const json::Value& object, std::string_view section,
                               std::string_view member,
                               const std::function<bool(const json::Value&)>& drop);

}  // namespace devflow::apiserver
