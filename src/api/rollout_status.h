// Rollout status: what the controller observed and decided, written through the status
// subresource.
//
// JSON keys are Argo Rollouts' own, including two oddities a client can see: observedGeneration
// is a *string* holding the decimal metadata.generation, and the scale subresource's replica
// count is "HPAReplicas" (capitalised). Enumerations (phase, condition types and reasons, pause
// reasons) stay strings, spelled as Argo spells them.
//
// Plain value types (copyable, comparable). Go pointer fields are std::optional; `extra` keeps
// members devflow does not model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// status.pauseConditions[]: why the controller paused. Users resume by clearing the list.
struct RolloutPauseCondition {
  // reason: CanaryPauseStep, BlueGreenPause, InconclusiveAnalysisRun or InconclusiveExperiment
  std::string reason;
  Time start_time;  // startTime
  json::Object extra;
  friend bool operator==(const RolloutPauseCondition&, const RolloutPauseCondition&) = default;
};

// status.conditions[]
struct RolloutCondition {
  // type: Progressing, Paused, Available, Healthy, Completed, InvalidSpec, ReplicaFailure
  std::string type;
  std::string status;         // status: "True", "False" or "Unknown"
  Time last_update_time;      // lastUpdateTime: refreshed on progress (progress deadline clock)
  Time last_transition_time;  // lastTransitionTime: when status last changed
  std::string reason;         // reason: e.g. NewReplicaSetAvailable, RolloutAborted
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const RolloutCondition&, const RolloutCondition&) = default;
};

// The status of an AnalysisRun the Rollout started (pre/post-promotion, step, background).
struct RolloutAnalysisRunStatus {
  std::string name;     // name: the AnalysisRun's name
  std::string status;   // status: the run's phase (Pending, Running, Successful, Failed, ...)
  std::string message;  // message
  json::Object extra;
  friend bool operator==(const RolloutAnalysisRunStatus&,
                         const RolloutAnalysisRunStatus&) = default;
};

// status.blueGreen
struct BlueGreenStatus {
  std::string preview_selector;  // previewSelector: the hash the preview Service selects
  std::string active_selector;   // activeSelector: the hash the active Service selects
  // scaleUpPreviewCheckPoint: one-way latch for previewReplicaCount (preview scaled up fully)
  bool scale_up_preview_check_point = false;
  // prePromotionAnalysisRunStatus
  std::optional<RolloutAnalysisRunStatus> pre_promotion_analysis_run_status;
  // postPromotionAnalysisRunStatus
  std::optional<RolloutAnalysisRunStatus> post_promotion_analysis_run_status;
  json::Object extra;
  friend bool operator==(const BlueGreenStatus&, const BlueGreenStatus&) = default;
};

// status.canary.weights.{canary,stable,additional[]}: traffic sent to one destination.
struct RolloutWeightDestination {
  int32_t weight = 0;             // weight: percent (of maxTrafficWeight)
  std::string service_name;       // serviceName
  std::string pod_template_hash;  // podTemplateHash
  json::Object extra;
  friend bool operator==(const RolloutWeightDestination&,
                         const RolloutWeightDestination&) = default;
};

// status.canary.weights: the weights last set in the traffic router (trafficRouting only).
struct RolloutTrafficWeights {
  RolloutWeightDestination canary;                   // canary
  RolloutWeightDestination stable;                   // stable
  std::vector<RolloutWeightDestination> additional;  // additional: experiment destinations
  std::optional<bool> verified;  // verified: set only by routers that verify (ALB)
  json::Object extra;
  friend bool operator==(const RolloutTrafficWeights&, const RolloutTrafficWeights&) = default;
};

// status.canary.stepPluginStatuses[]
struct RolloutStepPluginStatus {
  int32_t index = 0;                // index: the step's index
  std::string name;                 // name: the plugin's name
  std::string operation;            // operation: Run, Terminate or Abort
  std::string phase;                // phase: Running, Successful, Failed or Error
  std::string message;              // message
  std::optional<Time> started_at;   // startedAt
  std::optional<Time> updated_at;   // updatedAt
  std::optional<Time> finished_at;  // finishedAt
  std::string backoff;              // backoff: a Go duration before the next call
  int32_t executions = 0;           // executions
  bool disabled = false;            // disabled
  json::Value status;               // status: the plugin's own state (schemaless)
  json::Object extra;
  friend bool operator==(const RolloutStepPluginStatus&, const RolloutStepPluginStatus&) = default;
};

// status.canary
struct CanaryStatus {
  // currentStepAnalysisRunStatus: cleared whenever the step index advances
  std::optional<RolloutAnalysisRunStatus> current_step_analysis_run_status;
  // currentBackgroundAnalysisRunStatus
  std::optional<RolloutAnalysisRunStatus> current_background_analysis_run_status;
  std::string current_experiment;                // currentExperiment: the step Experiment's name
  std::optional<RolloutTrafficWeights> weights;  // weights
  std::string stable_ping_pong;                  // stablePingPong: "ping" or "pong"
  std::vector<RolloutStepPluginStatus> step_plugin_statuses;  // stepPluginStatuses
  json::Object extra;
  friend bool operator==(const CanaryStatus&, const CanaryStatus&) = default;
};

// status.alb(s).{loadBalancer,canaryTargetGroup,stableTargetGroup}
struct RolloutAwsResourceRef {
  std::string name;       // name
  std::string arn;        // arn
  std::string full_name;  // fullName
  json::Object extra;
  friend bool operator==(const RolloutAwsResourceRef&, const RolloutAwsResourceRef&) = default;
};

// status.alb / status.albs[]: the AWS objects behind an ALB Ingress.
struct RolloutAlbStatus {
  RolloutAwsResourceRef load_balancer;        // loadBalancer
  RolloutAwsResourceRef canary_target_group;  // canaryTargetGroup
  RolloutAwsResourceRef stable_target_group;  // stableTargetGroup
  std::string ingress;                        // ingress
  json::Object extra;
  friend bool operator==(const RolloutAlbStatus&, const RolloutAlbStatus&) = default;
};

// status.duration: timing of the current update attempt (Argo Rollouts 1.10).
struct RolloutDurationStatus {
  std::optional<Time> rollout_started_at;       // rolloutStartedAt
  std::optional<Time> manual_pause_started_at;  // manualPauseStartedAt
  // totalManualPauseDurationSeconds
  std::optional<int64_t> total_manual_pause_duration_seconds;
  std::optional<Time> finished_at;  // finishedAt
  // completionStatus: Promoted, FastPromoted, Aborted, Superseded, RolledBack, FastRolledBack
  std::optional<std::string> completion_status;
  json::Object extra;
  friend bool operator==(const RolloutDurationStatus&, const RolloutDurationStatus&) = default;
};

// status
struct RolloutStatus {
  bool abort = false;  // abort: set by the user (abort) or the controller; cleared on retry
  std::vector<RolloutPauseCondition> pause_conditions;  // pauseConditions
  // controllerPause: the controller paused; stays true after a user clears pauseConditions,
  // which is how the controller sees a resume
  bool controller_pause = false;
  std::optional<Time> aborted_at;  // abortedAt: when the controller first reconciled the abort
  std::string current_pod_hash;    // currentPodHash: the desired ReplicaSet's pod-template hash
  std::string current_step_hash;   // currentStepHash: hash of canary.steps (canary only)
  int32_t replicas = 0;            // replicas: sum over owned ReplicaSets
  int32_t updated_replicas = 0;    // updatedReplicas: the new ReplicaSet's replicas
  int32_t ready_replicas = 0;      // readyReplicas
  int32_t available_replicas = 0;  // availableReplicas
  // currentStepIndex: canary only; len(steps) when done, absent without steps
  std::optional<int32_t> current_step_index;
  std::optional<int32_t> collision_count;    // collisionCount: ReplicaSet name collisions
  std::string observed_generation;           // observedGeneration: a STRING, e.g. "3"
  std::vector<RolloutCondition> conditions;  // conditions
  CanaryStatus canary;                       // canary
  BlueGreenStatus blue_green;                // blueGreen
  int32_t hpa_replicas = 0;                  // HPAReplicas: scale subresource replicas
  std::string selector;                      // selector: scale subresource selector string
  std::string stable_rs;                     // stableRS: the stable ReplicaSet's hash
  std::optional<Time> restarted_at;          // restartedAt: spec.restartAt once honoured
  bool promote_full = false;                 // promoteFull: set by `promote --full`
  std::string phase;                         // phase: Healthy, Progressing, Paused or Degraded
  std::string message;                       // message: detail for the phase
  // workloadObservedGeneration: the workloadRef object's generation, as a string
  std::string workload_observed_generation;
  std::optional<RolloutAlbStatus> alb;            // alb
  std::vector<RolloutAlbStatus> albs;             // albs
  std::optional<RolloutDurationStatus> duration;  // duration
  json::Object extra;
  friend bool operator==(const RolloutStatus&, const RolloutStatus&) = default;
};

}  // namespace devflow::api
