// The rules for a Rollout's ReplicaSets (../shared/spec/argo-rollouts.md §3.1, §3.8, §3.9),
// shared by both strategies: which ReplicaSet is new and which is stable, the revision of a new
// one, what a new one looks like, how an existing new one is kept in step with the Rollout, which
// old ones the revision history limit removes, and whether a change is a rollback.
// Pure functions of the objects as read; the controller (issue 5) does the writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/rollout.h"
#include "api/workloads.h"

namespace devflow::core {

inline constexpr std::string_view kRevisionHistoryAnnotation =
    "rollout.argoproj.io/revision-history";
inline constexpr std::string_view kDesiredReplicasAnnotation =
    "rollout.argoproj.io/desired-replicas";

// The annotation `key` as an integer; nullopt when absent or malformed.
std::optional<int64_t> IntegerAnnotation(const api::ObjectMeta& meta, std::string_view key);

// The rollout.argoproj.io/revision annotation as a number; nullopt when absent or malformed.
std::optional<int64_t> RevisionOf(const api::ObjectMeta& meta);

// The ReplicaSet's rollouts-pod-template-hash label, or "".
std::string PodTemplateHashOf(const api::ReplicaSet& replica_set);

// The uid of the object's controller (the ownerReference with controller: true), or "".
std::string ControllerUidOf(const api::ObjectMeta& meta);

// Indexes into the ReplicaSets given to GroupReplicaSets.
struct ReplicaSetGroups {
  // The ReplicaSet whose template is the Rollout's (semantic equality, ignoring the hash label);
  // the oldest when several are.
  std::optional<size_t> new_rs;
  // The ReplicaSet whose rollouts-pod-template-hash label is status.stableRS (may be new_rs).
  std::optional<size_t> stable_rs;
  // All others, oldest first.
  std::vector<size_t> others;
  friend bool operator==(const ReplicaSetGroups&, const ReplicaSetGroups&) = default;
};

// `owned` are the ReplicaSets the Rollout controls.
ReplicaSetGroups GroupReplicaSets(const api::Rollout& rollout,
                                  const std::vector<api::ReplicaSet>& owned);

// The revision of a new ReplicaSet: one more than the highest among `owned` (1 when none has one).
int64_t NextRevision(const std::vector<api::ReplicaSet>& owned);

// The ReplicaSet to create for the Rollout's template (§3.1): named <rollout>-<hash> with the
// hash of spec.template and status.collisionCount, the hash label on the template, the
// ReplicaSet and its selector, replicas 0, minReadySeconds copied, controlled by the Rollout,
// the revision and desired-replicas annotations plus the Rollout's own (CopiedAnnotations).
api::ReplicaSet NewReplicaSetFor(const api::Rollout& rollout, int64_t revision);

// The Rollout's annotations a ReplicaSet carries: all but kubectl's last-applied configuration,
// the revision, revision-history and desired-replicas, and notification bookkeeping.
std::map<std::string, std::string> CopiedAnnotations(const api::Rollout& rollout);

// The annotations an existing new ReplicaSet should have on this pass: the Rollout's copied
// ones, and, when its revision is not above `max_other_revision` (an old ReplicaSet re-used by a
// rollback or undo), revision max_other_revision + 1 with its old revision appended to
// revision-history. nullopt when they already are.
std::optional<std::map<std::string, std::string>> SyncedAnnotations(const api::Rollout& rollout,
                                                                    const api::ReplicaSet& new_rs,
                                                                    int64_t max_other_revision);

// The old ReplicaSets the revision history limit removes (§3.9), by name, oldest first: when
// more than `limit` of `others` are not being deleted, the oldest of those fully scaled down
// (spec and status replicas 0, status observed the latest generation), up to the excess.
std::vector<std::string> ReplicaSetsBeyondHistoryLimit(const std::vector<api::ReplicaSet>& others,
                                                       int32_t limit);

// Whether `a` was created before `b`: by creationTimestamp, and within one second (the
// timestamps' resolution) by the revision each was created with (the first of its
// revision-history, else its revision).
bool CreatedBefore(const api::ReplicaSet& a, const api::ReplicaSet& b);

// Whether making `new_rs` current is a rollback (§3.8): its hash is status.stableRS, or it was
// created before the stable ReplicaSet (CreatedBefore).
bool IsRollback(const api::ReplicaSet& new_rs, const api::ReplicaSet* stable_rs,
                const std::string& stable_hash);

// Whether a rollback to `new_rs` is within spec.rollbackWindow: at most `revisions` ReplicaSets
// were created after it, up to the stable one. False without a window or a stable.
bool WithinRollbackWindow(const api::Rollout& rollout, const api::ReplicaSet& new_rs,
                          const api::ReplicaSet* stable_rs,
                          const std::vector<api::ReplicaSet>& all);

// The scale subresource's selector string of `selector` ("app=web,rollouts-pod-template-hash=x"),
// as Kubernetes renders a selector; "" when it does not convert.
std::string LabelSelectorString(const api::LabelSelector& selector);

}  // namespace devflow::core
