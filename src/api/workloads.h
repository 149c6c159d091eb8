// The built-in workload kinds devflow reads and writes: apps/v1 ReplicaSet (the unit a Rollout
// scales), apps/v1 Deployment (a Rollout's workloadRef target) and batch/v1 Job (the job metric
// provider's measurement).
//
// Plain value types (copyable, comparable with ==), manifest words in snake_case; `extra` keeps
// every member devflow does not model. Go pointer fields (absent differs from zero) are
// std::optional. Defaults named below are Kubernetes' and are not written into the objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/meta.h"
#include "api/pod.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// ---- ReplicaSet ----

// status.conditions[] of a ReplicaSet (type ReplicaFailure).
struct ReplicaSetCondition {
  std::string type;           // type
  std::string status;         // status: "True", "False", "Unknown"
  Time last_transition_time;  // lastTransitionTime
  std::string reason;         // reason
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const ReplicaSetCondition&, const ReplicaSetCondition&) = default;
};

struct ReplicaSetSpec {
  std::optional<int32_t> replicas;  // replicas: default 1; >= 0
  int32_t min_ready_seconds = 0;    // minReadySeconds: >= 0
  LabelSelector selector;           // selector: required, non-empty, matches template labels
  PodTemplateSpec template_;        // template
  json::Object extra;
  friend bool operator==(const ReplicaSetSpec&, const ReplicaSetSpec&) = default;
};

struct ReplicaSetStatus {
  int32_t replicas = 0;                         // replicas: pods that exist
  int32_t fully_labeled_replicas = 0;           // fullyLabeledReplicas
  int32_t ready_replicas = 0;                   // readyReplicas
  int32_t available_replicas = 0;               // availableReplicas: ready >= minReadySeconds
  int64_t observed_generation = 0;              // observedGeneration
  std::vector<ReplicaSetCondition> conditions;  // conditions
  json::Object extra;
  friend bool operator==(const ReplicaSetStatus&, const ReplicaSetStatus&) = default;
};

// apps/v1 ReplicaSet.
struct ReplicaSet {
  std::string api_version;  // apiVersion: "apps/v1"
  std::string kind;         // kind: "ReplicaSet"
  ObjectMeta metadata;      // metadata
  ReplicaSetSpec spec;      // spec
  ReplicaSetStatus status;  // status
  json::Object extra;
  friend bool operator==(const ReplicaSet&, const ReplicaSet&) = default;
};

// ---- Deployment ----

// status.conditions[] of a Deployment (Available, Progressing, ReplicaFailure).
struct DeploymentCondition {
  std::string type;           // type
  std::string status;         // status
  Time last_update_time;      // lastUpdateTime
  Time last_transition_time;  // lastTransitionTime
  std::string reason;         // reason
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const DeploymentCondition&, const DeploymentCondition&) = default;
};

struct DeploymentSpec {
  std::optional<int32_t> replicas;  // replicas: default 1; >= 0
  LabelSelector selector;           // selector: required, non-empty, matches template labels
  PodTemplateSpec template_;        // template
  // strategy: {type: RollingUpdate (default) | Recreate, rollingUpdate: {maxSurge: 25%,
  // maxUnavailable: 25%}} (schemaless; validated for type and the rollingUpdate numbers)
  json::Value strategy;
  int32_t min_ready_seconds = 0;                     // minReadySeconds: >= 0
  std::optional<int32_t> revision_history_limit;     // revisionHistoryLimit: default 10
  bool paused = false;                               // paused
  std::optional<int32_t> progress_deadline_seconds;  // progressDeadlineSeconds: default 600
  json::Object extra;
  friend bool operator==(const DeploymentSpec&, const DeploymentSpec&) = default;
};

struct DeploymentStatus {
  int64_t observed_generation = 0;              // observedGeneration
  int32_t replicas = 0;                         // replicas
  int32_t updated_replicas = 0;                 // updatedReplicas
  int32_t ready_replicas = 0;                   // readyReplicas
  int32_t available_replicas = 0;               // availableReplicas
  int32_t unavailable_replicas = 0;             // unavailableReplicas
  std::vector<DeploymentCondition> conditions;  // conditions
  std::optional<int32_t> collision_count;       // collisionCount
  json::Object extra;
  friend bool operator==(const DeploymentStatus&, const DeploymentStatus&) = default;
};

// apps/v1 Deployment.
struct Deployment {
  std::string api_version;  // apiVersion: "apps/v1"
  std::string kind;         // kind: "Deployment"
  ObjectMeta metadata;      // metadata
  DeploymentSpec spec;      // spec
  DeploymentStatus status;  // status
  json::Object extra;
  friend bool operator==(const Deployment&, const Deployment&) = default;
};

// ---- Job ----

// status.conditions[] of a Job (Complete, Failed, Suspended, FailureTarget, ...).
struct JobCondition {
  std::string type;           // type
  std::string status;         // status
  Time last_probe_time;       // lastProbeTime
  Time last_transition_time;  // lastTransitionTime
  std::string reason;         // reason
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const JobCondition&, const JobCondition&) = default;
};

struct JobSpec {
  std::optional<int32_t> parallelism;              // parallelism: default 1; >= 0
  std::optional<int32_t> completions;              // completions: default 1; >= 0
  std::optional<int64_t> active_deadline_seconds;  // activeDeadlineSeconds: >= 1
  std::optional<int32_t> backoff_limit;            // backoffLimit: default 6; >= 0
  // selector: generated by the server (controller-uid) unless manualSelector is true; then
  // required, non-empty and matching the template labels.
  std::optional<LabelSelector> selector;
  std::optional<bool> manual_selector;                // manualSelector
  PodTemplateSpec template_;                          // template: restartPolicy OnFailure|Never
  std::optional<int32_t> ttl_seconds_after_finished;  // ttlSecondsAfterFinished: >= 0
  std::optional<bool> suspend;                        // suspend: default false
  json::Object extra;                                 // completionMode, podFailurePolicy, ...
  friend bool operator==(const JobSpec&, const JobSpec&) = default;
};

struct JobStatus {
  std::vector<JobCondition> conditions;  // conditions
  Time start_time;                       // startTime
  Time completion_time;                  // completionTime
  int32_t active = 0;                    // active: running pods
  int32_t succeeded = 0;                 // succeeded
  int32_t failed = 0;                    // failed
  std::optional<int32_t> ready;          // ready
  json::Object extra;
  friend bool operator==(const JobStatus&, const JobStatus&) = default;
};

// batch/v1 Job.
struct Job {
  std::string api_version;  // apiVersion: "batch/v1"
  std::string kind;         // kind: "Job"
  ObjectMeta metadata;      // metadata
  JobSpec spec;             // spec
  JobStatus status;         // status
  json::Object extra;
  friend bool operator==(const Job&, const Job&) = default;
};

}  // namespace devflow::api
