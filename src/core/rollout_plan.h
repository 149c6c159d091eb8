// What one reconcile of a Rollout reads (RolloutSnapshot) and what it decides to write
// (RolloutPlan). The strategy planners (blue_green_plan.h, ...) are pure functions from the one
// to the other; the controller (src/controller/) gathers the snapshot from its caches and
// performs the plan's writes in the order the fields are listed, stopping at the first failure.
// Every write is idempotent given the snapshot, so a crash between two writes converges: the
// next reconcile reads what landed and plans only what is still missing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/core_kinds.h"
#include "api/experiment.h"
#include "api/pod.h"
#include "api/rollout.h"
#include "api/time.h"
#include "api/workloads.h"
#include "core/canary_traffic.h"

namespace devflow::core {

struct RolloutSnapshot {
  api::Rollout rollout;
  // The ReplicaSets the Rollout controls (controller ownerReference with its uid).
  std::vector<api::ReplicaSet> replica_sets;
  // The Services the strategy names that exist, by name (a missing one is simply absent).
  std::map<std::string, api::Service> services;
  api::Time now;
  // The pods of those ReplicaSets (controlled by one of them), for the ephemeral metadata; read
  // only when the Rollout uses it (UsesEphemeralMetadata).
  std::vector<api::Pod> pods;
  // The AnalysisRuns the Rollout controls, and the templates of its namespace (by name) and the
  // cluster's, which its analyses name.
  std::vector<api::AnalysisRun> analysis_runs;
  std::map<std::string, api::AnalysisTemplateSpec> analysis_templates;
  std::map<std::string, api::AnalysisTemplateSpec> cluster_analysis_templates;
  // The Experiments the Rollout controls (its canary experiment steps').
  std::vector<api::Experiment> experiments;
};

// A change to an existing ReplicaSet: its size and annotations. Written as one merge patch
// preconditioned on the uid, so it never lands on a ReplicaSet recreated under the same name.
struct ReplicaSetChange {
  std::string name;
  std::string uid;
  std::optional<int32_t> replicas;  // spec.replicas, when it changes
  // Annotations to set (a value) or remove (nullopt).
  std::map<std::string, std::optional<std::string>> annotations;
  // spec.template.metadata labels and annotations to set or remove (ephemeral metadata).
  std::map<std::string, std::optional<std::string>> template_labels;
  std::map<std::string, std::optional<std::string>> template_annotations;
  friend bool operator==(const ReplicaSetChange&, const ReplicaSetChange&) = default;
};

// Labels and annotations of one live pod to set (a value) or remove (nullopt), written as a
// merge patch preconditioned on its uid.
struct PodMetadataChange {
  std::string name;
  std::string uid;
  std::map<std::string, std::optional<std::string>> labels;
  std::map<std::string, std::optional<std::string>> annotations;
  friend bool operator==(const PodMetadataChange&, const PodMetadataChange&) = default;
};

// Pointing a Service at one ReplicaSet: its selector's rollouts-pod-template-hash becomes `hash`,
// and it is marked managed by the Rollout (argo-rollouts.argoproj.io/managed-by-rollouts).
struct ServiceChange {
  std::string name;
  std::string uid;
  std::string hash;
  std::string from_hash;  // what it selected ("" none), for the SwitchService event
  friend bool operator==(const ServiceChange&, const ServiceChange&) = default;
};

// An event on the Rollout, as Argo records it.
struct PlannedEvent {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  friend bool operator==(const PlannedEvent&, const PlannedEvent&) = default;
};

struct RolloutPlan {
  // 1. A new ReplicaSet for the Rollout's template (the reconcile stops here: the next one sees
  //    it in the cache).
  std::optional<api::ReplicaSet> create_replica_set;
  // 2. The Rollout's rollout.argoproj.io/revision annotation, when it changes.
  std::optional<int64_t> rollout_revision;
  // 3. Service selectors (preview before active), then 4. ReplicaSet sizes and annotations, then
  //    5. deletions of old ReplicaSets beyond revisionHistoryLimit (by name and uid).
  std::vector<ServiceChange> service_changes;
  // 3b. What the canary's traffic routers are told (canary with trafficRouting only; unset
  //     when nothing may change at the router this pass).
  std::optional<TrafficPlan> traffic;
  std::vector<ReplicaSetChange> replica_set_changes;
  // 4b. The live pods' ephemeral metadata, once their ReplicaSets' templates carry it.
  std::vector<PodMetadataChange> pod_changes;
  // 4c. Pods to replace for a restart (name, uid): deleted, their ReplicaSets make new ones.
  std::vector<std::pair<std::string, std::string>> pod_deletions;
  // 5b. AnalysisRuns to create (AlreadyExists counts as done), and runs to stop (name, uid:
  //     spec.terminate = true).
  std::vector<api::AnalysisRun> create_analysis_runs;
  std::vector<std::pair<std::string, std::string>> terminate_analysis_runs;
  // 5c. Experiments to create (AlreadyExists counts as done) and to stop (name, uid:
  //     spec.terminate = true).
  std::vector<api::Experiment> create_experiments;
  std::vector<std::pair<std::string, std::string>> terminate_experiments;
  // 5d. Old AnalysisRuns and Experiments beyond the history limits, or whose ReplicaSet is gone
  //     (name, uid; rollout_history.h).
  std::vector<std::pair<std::string, std::string>> delete_analysis_runs;
  std::vector<std::pair<std::string, std::string>> delete_experiments;
  std::vector<std::pair<std::string, std::string>> replica_set_deletions;
  // 6. The new status, when it differs from the one read (written with the resourceVersion read,
  //    so a user's promote or abort in between is never overwritten: the write fails and the
  //    next reconcile decides again).
  std::optional<api::RolloutStatus> status;
  // Look again at this time even if nothing changes (a pause or scale-down deadline, the
  // progress deadline).
  std::optional<api::Time> requeue_at;
  std::vector<PlannedEvent> events;
  friend bool operator==(const RolloutPlan&, const RolloutPlan&) = default;
};

// Keeps the earliest of `at` and the plan's requeue_at.
void RequeueNoLaterThan(RolloutPlan& plan, api::Time at);

}  // namespace devflow::core
