// The decisions of the ReplicaSet controller (replica_set_controller.h), as pure functions of a
// snapshot: the ReplicaSet, the pods of its namespace, and the time. They follow
// kube-controller-manager's ReplicaSet controller, so a cluster that moves between Kubernetes and
// devflow sees the same pods kept, adopted and deleted:
//
//   - A pod counts for a ReplicaSet when it is active (no deletionTimestamp, phase neither
//     Succeeded nor Failed) and its controller ownerReference carries the ReplicaSet's uid.
//   - Claiming (ClaimPods): an active orphan (no controller ownerReference) in the namespace that
//     the selector matches and that is not being deleted is adopted; an active pod we control
//     that the selector no longer matches is released. A ReplicaSet being deleted does neither.
//   - Scaling (PlanReplicaSet): too few pods -> create the difference, at most kBurstReplicas
//     per sync; too many -> delete the difference (at most kBurstReplicas), choosing in the order
//     of RankPodsForDeletion. Nothing is created or deleted while the controller still waits
//     for the informer to see its previous writes (ReplicaSetExpectations), nor for a
//     ReplicaSet being deleted (the garbage collector removes its pods).
//   - Creations are sent in slow-start batches (SlowStartBatches: 1, 2, 4, ...), stopping after
//     the first batch with a failure, so a quota or a rejected template costs one failed call,
//     not hundreds.
//   - Status (ComputeStatus) counts the pods that count, as described at ComputeStatus.
//
// New pods are named "<rs name>-<5 characters>" by the controller, not by the server's
// generateName, so that the name suffix is injectable (NameSuffixSource) and plans are
// deterministic in tests. The suffix is drawn from Kubernetes' alphabet; a collision with an
// existing pod (about 1 in 14 million per pod) makes that one create fail with AlreadyExists
// and the next sync try another name.
//
// Everything here is pure and thread-compatible, except RandomNameSuffixSource (thread-safe) and
// ReplicaSetExpectations (state without I/O, thread-safe; time is passed in).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "api/time.h"
#include "api/workloads.h"

namespace devflow::node {

// Creations or deletions one sync of one ReplicaSet may send (Kubernetes' BurstReplicas).
inline constexpr int kBurstReplicas = 500;
// The first slow-start batch (Kubernetes' SlowStartInitialBatchSize).
inline constexpr int kSlowStartInitialBatchSize = 1;
// How long the controller waits for the informer to report its own writes before it decides
// again anyway (Kubernetes' ExpectationsTimeout).
inline constexpr std::chrono::minutes kExpectationsTimeout{5};
// The characters of generated name suffixes (Kubernetes' utilrand alphabet: no vowels, no
// confusable digits) and the suffix length.
inline constexpr std::string_view kNameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";
inline constexpr size_t kNameSuffixLength = 5;
// The longest prefix a generated name keeps, so that names stay within 63 characters.
inline constexpr size_t kMaxGeneratedNamePrefix = 58;
// A pod's annotation that makes it cheaper (lower, deleted first) or dearer to delete.
inline constexpr std::string_view kPodDeletionCostAnnotation =
    "controller.kubernetes.io/pod-deletion-cost";
// The condition type written when creating or deleting pods failed.
inline constexpr std::string_view kReplicaFailureCondition = "ReplicaFailure";

// Returns a fresh name suffix of kNameSuffixLength characters of kNameSuffixAlphabet each call.
using NameSuffixSource = std::function<std::string()>;

// Uniformly random suffixes (a generator seeded from std::random_device). Thread-safe.
NameSuffixSource RandomNameSuffixSource();

// ---- Facts about pods ----

// Neither being deleted nor finished (phase Succeeded or Failed).
bool IsPodActive(const api::Pod& pod);
// The Ready condition is "True".
bool IsPodReady(const api::Pod& pod);
// Ready, and either min_ready_seconds is 0 or the Ready condition's lastTransitionTime is set and
// more than min_ready_seconds before `now` (strictly, as Kubernetes' IsPodAvailable).
bool IsPodAvailable(const api::Pod& pod, int32_t min_ready_seconds, api::TimePoint now);
// The ownerReference with controller: true, or null.
const api::OwnerReference* ControllerOf(const api::ObjectMeta& meta);
// The ownerReference a pod of `rs` carries: apps/v1 ReplicaSet, name, uid, controller and
// blockOwnerDeletion true.
api::OwnerReference ControllerRefFor(const api::ReplicaSet& rs);
// spec.replicas, 1 when absent.
int32_t DesiredReplicas(const api::ReplicaSet& rs);

// ---- New pods ----

// "<rs_name>-<suffix>", the "<rs_name>-" prefix cut to kMaxGeneratedNamePrefix characters.
std::string GeneratedPodName(std::string_view rs_name, std::string_view suffix);

// The pod `rs` creates, named `name`: the template's labels, annotations, finalizers and spec, in
// the ReplicaSet's namespace, with ControllerRefFor(rs).
api::Pod PodFromTemplate(const api::ReplicaSet& rs, std::string name);

// ---- Deleting surplus pods ----

// True when `a` should be deleted before `b`. The first rule that tells them apart decides:
//   1. not scheduled (no spec.nodeName) before scheduled;
//   2. phase Pending (or unset, or any other) before Unknown before Running;
//   3. not Ready before Ready;
//   4. lower controller.kubernetes.io/pod-deletion-cost (an int32; absent or malformed is 0)
//      before higher;
//   5. both Ready: Ready since an unknown time (no lastTransitionTime) before Ready for less
//      time before Ready for longer;
//   6. higher restart count (the largest of its containers') before lower;
//   7. unknown creationTimestamp before newer before older.
// Kubernetes also prefers pods on nodes crowded with related pods (on one machine every pod
// shares the node, so that rule never decides), and from 1.22 compares the times of 5 and 7 in
// logarithmic buckets with the uid as tie-break; devflow compares them exactly, as 1.20 does.
bool PreferForDeletion(const api::Pod& a, const api::Pod& b);

// `pods` ordered by PreferForDeletion (stable: pods it cannot tell apart keep their order).
std::vector<api::Pod> RankPodsForDeletion(std::vector<api::Pod> pods);

// ---- Slow start ----

// The sizes of the batches `count` creations are sent in: initial, then doubling, the last one
// cut to what remains. E.g. 10 -> {1, 2, 4, 3}; 0 -> {}.
std::vector<int> SlowStartBatches(int count, int initial = kSlowStartInitialBatchSize);

// ---- Claiming pods ----

// A pod addressed by a write, with the preconditions the write carries.
struct PodRef {
  std::string name;
  std::string uid;
  std::string resource_version;
  friend bool operator==(const PodRef&, const PodRef&) = default;
};

PodRef RefOf(const api::Pod& pod);

struct PodClaims {
  // The active pods that count for the ReplicaSet once the adoptions below are done (adopted
  // pods included, with their ownerReference added), in the input's order.
  std::vector<api::Pod> owned;
  std::vector<PodRef> adopt;    // orphans to adopt (ownerReference added)
  std::vector<PodRef> release;  // pods to release (our ownerReference removed)
  friend bool operator==(const PodClaims&, const PodClaims&) = default;
};

// Claims the active pods of `pods` (any pods; those of other namespaces are ignored) for `rs` as
// described at the top.
PodClaims ClaimPods(const api::ReplicaSet& rs, const std::vector<api::Pod>& pods);

// ---- The plan of one sync ----

struct ReplicaSetPlan {
  PodClaims claims;
  std::vector<api::Pod> create;     // new pods, to send in SlowStartBatches
  std::vector<PodRef> delete_pods;  // surplus pods, in deletion order
  // Some pods are Ready but not yet available: sync again after this long, when the first of
  // them becomes available, so that availableReplicas moves without another event.
  std::optional<std::chrono::milliseconds> requeue_after;
  friend bool operator==(const ReplicaSetPlan&, const ReplicaSetPlan&) = default;
};

// What one sync of `rs` should do, given the pods of its namespace (a superset is fine: the pods
// its selector matches plus those it owns suffice), whether the controller's expectations for
// `rs` are satisfied (when not, nothing is created or deleted), and the time. `names` is called
// once per new pod.
ReplicaSetPlan PlanReplicaSet(const api::ReplicaSet& rs, const std::vector<api::Pod>& pods,
                              bool expectations_satisfied, api::TimePoint now,
                              const NameSuffixSource& names);

// ---- Status ----

// A create or delete of this sync failed: the first error's message.
struct ManageFailure {
  std::string message;
  friend bool operator==(const ManageFailure&, const ManageFailure&) = default;
};

// The status `rs` should have, given the pods that count (`owned`, e.g. PodClaims::owned), the
// failure of this sync's creates or deletes, if any, and the time:
//   replicas              owned pods
//   fullyLabeledReplicas  owned pods carrying every label of the template
//   readyReplicas         owned pods that are Ready
//   availableReplicas     owned pods IsPodAvailable with spec.minReadySeconds
//   observedGeneration    metadata.generation
//   conditions            with a failure: ReplicaFailure "True", reason FailedCreate (fewer
//                         pods than wanted) or FailedDelete (more), the failure's message and
//                         lastTransitionTime `now` (whole seconds); an existing ReplicaFailure
//                         with the same status and reason is kept as it is. Without a failure
//                         ReplicaFailure is removed. Other conditions are kept.
// Members devflow does not model (status.extra) are kept. Write it only when it differs from
// rs.status.
api::ReplicaSetStatus ComputeStatus(const api::ReplicaSet& rs, const std::vector<api::Pod>& owned,
                                    const std::optional<ManageFailure>& failure,
                                    api::TimePoint now);

// How long until the first of `owned` that is Ready but not yet available becomes available
// (plus a millisecond, since availability needs strictly more than minReadySeconds); nullopt
// when there is none (or minReadySeconds is 0). Pods Ready since an unknown time never become
// available and are not waited for.
std::optional<std::chrono::milliseconds> NextAvailabilityCheck(const api::ReplicaSet& rs,
                                                               const std::vector<api::Pod>& owned,
                                                               api::TimePoint now);

// ---- Expectations ----

// What the controller is waiting to see from its pod informer, per ReplicaSet key
// ("namespace/name"), as Kubernetes' UIDTrackingControllerExpectations: after creating N pods it
// expects N pod additions; after deleting pods it expects the deletion (or the deletionTimestamp)
// of each of them by key. Until they are seen, or `timeout` has passed since they were set, the
// ReplicaSet's expectations are not satisfied and the controller creates and deletes nothing
// for it: its informer cache does not show its own writes yet, so a sync in between (a resync,
// another event) would create or delete the same pods twice.
//
// Thread-safe: the informer's thread observes while workers expect and check.
class ReplicaSetExpectations {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ReplicaSetExpectations(std::chrono::nanoseconds timeout = kExpectationsTimeout)
      : timeout_(timeout) {}
  ReplicaSetExpectations(const ReplicaSetExpectations&) = delete;
  ReplicaSetExpectations& operator=(const ReplicaSetExpectations&) = delete;

  // Replaces the expectations of `rs_key`: `count` creations, no deletions, set at `now`.
  void ExpectCreations(const std::string& rs_key, int count, TimePoint now);
  // Replaces the expectations of `rs_key`: the deletion of each of `pod_keys`, set at `now`.
  void ExpectDeletions(const std::string& rs_key, const std::vector<std::string>& pod_keys,
                       TimePoint now);
  // A pod of `rs_key` was added (or a creation was never attempted or failed): one creation fewer
  // to wait for.
  void CreationObserved(const std::string& rs_key);
  // `pod_key` was deleted or marked for deletion (or its delete failed): no longer waited for.
  // Keys not expected are ignored, so seeing one deletion twice counts once.
  void DeletionObserved(const std::string& rs_key, const std::string& pod_key);
  // True when nothing is expected for `rs_key`, everything expected has been seen, or the
  // expectations were set more than `timeout` before `now`.
  bool Satisfied(const std::string& rs_key, TimePoint now) const;
  // Forgets `rs_key` (the ReplicaSet is gone).
  void Forget(const std::string& rs_key);

 private:
  struct Record {
    int creations = 0;
    std::set<std::string> deletions;
    TimePoint set_at;
  };
  const std::chrono::nanoseconds timeout_;
  mutable std::mutex mu_;
  std::map<std::string, Record, std::less<>> records_;  // guarded by mu_
};

}  // namespace devflow::node
