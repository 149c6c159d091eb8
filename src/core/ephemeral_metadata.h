// Ephemeral metadata (../shared/spec/argo-rollouts.md §4.12): labels and annotations that a
// ReplicaSet's pods carry only while they play a role (canaryMetadata / stableMetadata,
// previewMetadata / activeMetadata), so dashboards and queries can tell canary pods from stable
// ones without a restart when the role changes.
//
// The set injected into a ReplicaSet's pod template is recorded in its annotation
// rollout.argoproj.io/ephemeral-metadata (JSON {"labels":{..},"annotations":{..}}, as Argo
// writes it), so that:
//   - the template can still be recognised as the Rollout's (the injected keys are removed before
//     comparing), and
//   - a role change removes only keys the controller added.
// Existing pods are patched in place to match their ReplicaSet's template on every ephemeral key
// (the keys any of the Rollout's four metadata sets name, or the record names), so a crash between
// the ReplicaSet's patch and the pods' converges on the next reconcile. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "api/rollout.h"
#include "api/workloads.h"
#include "core/rollout_plan.h"

namespace devflow::core {

inline constexpr std::string_view kEphemeralMetadataAnnotation =
    "rollout.argoproj.io/ephemeral-metadata";

// The role a ReplicaSet plays for the ephemeral metadata.
enum class EphemeralRole {
  kNone,     // an old ReplicaSet: its injected metadata is removed
  kStable,   // the stable (or a fully promoted new) ReplicaSet: stableMetadata / activeMetadata
  kUpdating  // the new ReplicaSet during an update: canaryMetadata / previewMetadata
};

// Whether the reconcile needs the pods: the Rollout configures ephemeral metadata or one of its
// `replica_sets` still records some (to be removed).
bool UsesEphemeralMetadata(const api::Rollout& rollout,
                           const std::vector<api::ReplicaSet>& replica_sets);

// The metadata of `role` for the Rollout's strategy; empty for kNone or when not configured.
api::PodTemplateMetadata EphemeralMetadataFor(const api::Rollout& rollout, EphemeralRole role);

// What `replica_set`'s annotation records as injected; empty when absent or unreadable.
api::PodTemplateMetadata InjectedMetadataOf(const api::ReplicaSet& replica_set);

// The ReplicaSet's pod template without the metadata recorded as injected.
api::PodTemplateSpec TemplateWithoutInjectedMetadata(const api::ReplicaSet& replica_set);

// Whether `replica_set` runs the Rollout's template (semantic equality ignoring the hash label
// and the injected metadata).
bool RunsRolloutTemplate(const api::Rollout& rollout, const api::ReplicaSet& replica_set);

// Injects `wanted` into a ReplicaSet being created (its template and the record annotation).
void InjectEphemeralMetadata(const api::PodTemplateMetadata& wanted, api::ReplicaSet& replica_set);

// The change to `replica_set` (template labels and annotations, and the record) and to its live
// `pods` (those it controls, not being deleted) that make them carry `wanted`. Appends the pod
// patches to `pod_changes`; `rs_change` gets the template and record changes (nothing when
// already in step). Pods are skipped when the ReplicaSet is scaled to 0 (they are going away).
void SyncEphemeralMetadata(const api::Rollout& rollout, const api::ReplicaSet& replica_set,
                           const api::PodTemplateMetadata& wanted,
                           const std::vector<api::Pod>& pods, ReplicaSetChange& rs_change,
                           std::vector<PodMetadataChange>& pod_changes);

}  // namespace devflow::core
