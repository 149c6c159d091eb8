// Rollout (argoproj.io/v1alpha1): a workload that replaces its pods by a blue/green or canary
// strategy, compatible field for field with Argo Rollouts' CRD.
//
// This header holds the object, its spec and the two strategies. The parts live beside it:
// canary steps in rollout_canary_step.h, analysis requests in rollout_analysis.h, traffic
// routers in rollout_traffic_routing.h, the status in rollout_status.h. The codec is
// rollout_codec.h, the defaults getters rollout_defaults.h, validation rollout_validation.h.
//
// Plain value types (copyable, comparable with ==). Field names are the manifest's words in
// snake_case; each comment gives the manifest name and the default (from defaults.h) that
// applies when the field is absent. devflow, like Argo, never writes defaults into the object:
// read them through rollout_defaults.h. Go pointer fields (absent differs from zero) are
// std::optional; `extra` keeps every member devflow does not model, so a round trip loses
// nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/pod.h"
#include "api/rollout_analysis.h"
#include "api/rollout_canary_step.h"
#include "api/rollout_status.h"
#include "api/rollout_traffic_routing.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// spec.workloadRef: take the pod template (and the selector, when spec.selector is absent) from
// another object instead of spec.template.
struct RolloutWorkloadRef {
  std::string api_version;  // apiVersion: "apps/v1" (Deployment, ReplicaSet) or "v1"
  std::string kind;         // kind: Deployment, ReplicaSet or PodTemplate
  std::string name;         // name: required; in the Rollout's namespace
  // scaleDown: what happens to a referenced Deployment: "never" (or empty), "onsuccess" (scale
  // to 0 once Healthy) or "progressively" (scale down as the Rollout scales up).
  std::string scale_down;
  json::Object extra;
  friend bool operator==(const RolloutWorkloadRef&, const RolloutWorkloadRef&) = default;
};

// spec.rollbackWindow
struct RolloutRollbackWindow {
  // revisions: a rollback to one of the last N revisions skips steps, pauses and analysis.
  int32_t revisions = 0;
  json::Object extra;
  friend bool operator==(const RolloutRollbackWindow&, const RolloutRollbackWindow&) = default;
};

// spec.analysis: how many finished AnalysisRuns and Experiments to keep.
struct RolloutAnalysisRunStrategy {
  // successfulRunHistoryLimit: default 5 (defaults::kSuccessfulRunHistoryLimit)
  std::optional<int32_t> successful_run_history_limit;
  // unsuccessfulRunHistoryLimit: default 5; counts Failed, Error and Inconclusive runs
  std::optional<int32_t> unsuccessful_run_history_limit;
  json::Object extra;
  friend bool operator==(const RolloutAnalysisRunStrategy&,
                         const RolloutAnalysisRunStrategy&) = default;
};

// antiAffinity.preferredDuringSchedulingIgnoredDuringExecution
struct PreferredAntiAffinity {
  int32_t weight = 0;  // weight: 1..100
  json::Object extra;
  friend bool operator==(const PreferredAntiAffinity&, const PreferredAntiAffinity&) = default;
};

// antiAffinity.requiredDuringSchedulingIgnoredDuringExecution (no fields: presence is the
// choice).
struct RequiredAntiAffinity {
  json::Object extra;
  friend bool operator==(const RequiredAntiAffinity&, const RequiredAntiAffinity&) = default;
};

// {blueGreen,canary}.antiAffinity: keep new pods off the nodes of the stable ReplicaSet's pods.
// Exactly one of the two.
struct RolloutAntiAffinity {
  // preferredDuringSchedulingIgnoredDuringExecution
  std::optional<PreferredAntiAffinity> preferred_during_scheduling_ignored_during_execution;
  // requiredDuringSchedulingIgnoredDuringExecution
  std::optional<RequiredAntiAffinity> required_during_scheduling_ignored_during_execution;
  json::Object extra;
  friend bool operator==(const RolloutAntiAffinity&, const RolloutAntiAffinity&) = default;
};

// spec.strategy.blueGreen
struct BlueGreenStrategy {
  std::string active_service;   // activeService: required; receives live traffic
  std::string preview_service;  // previewService: selects the new ReplicaSet before promotion
  // previewReplicaCount: replicas of the new ReplicaSet while previewing; default spec.replicas
  std::optional<int32_t> preview_replica_count;
  // autoPromotionEnabled: default true (defaults::kAutoPromotionEnabled); false pauses
  // (BlueGreenPause) before the switch until promoted
  std::optional<bool> auto_promotion_enabled;
  // autoPromotionSeconds: default 0; > 0 promotes that long after the pause starts
  int32_t auto_promotion_seconds = 0;
  // maxUnavailable: default "25" (25%, rounded down); used only for restartAt restarts
  std::optional<IntOrString> max_unavailable;
  // scaleDownDelaySeconds: default 30; the old active ReplicaSet stays up that long
  std::optional<int32_t> scale_down_delay_seconds;
  // scaleDownDelayRevisionLimit: default unlimited; old ReplicaSets allowed to wait on a delay.
  // <= revisionHistoryLimit.
  std::optional<int32_t> scale_down_delay_revision_limit;
  std::optional<RolloutAnalysis> pre_promotion_analysis;  // prePromotionAnalysis
  std::optional<RolloutAntiAffinity> anti_affinity;       // antiAffinity
  // postPromotionAnalysis: the new ReplicaSet becomes stable only when it succeeds
  std::optional<RolloutAnalysis> post_promotion_analysis;
  std::optional<PodTemplateMetadata> preview_metadata;  // previewMetadata
  std::optional<PodTemplateMetadata> active_metadata;   // activeMetadata
  // abortScaleDownDelaySeconds: default 30; 0 keeps the preview ReplicaSet up after an abort
  std::optional<int32_t> abort_scale_down_delay_seconds;
  json::Object extra;
  friend bool operator==(const BlueGreenStrategy&, const BlueGreenStrategy&) = default;
};

// canary.pingPong: two Services that swap the stable and canary roles on each promotion.
struct CanaryPingPong {
  std::string ping_service;  // pingService: required
  std::string pong_service;  // pongService: required, differs from pingService
  json::Object extra;
  friend bool operator==(const CanaryPingPong&, const CanaryPingPong&) = default;
};

// canary.replicaProgressThreshold: how much of the new ReplicaSet must be available before a
// step counts as reached. Default: all of it.
struct ReplicaProgressThreshold {
  std::string type;   // type: "Percent" or "Pods"
  int32_t value = 0;  // value: a percent (0..100) or a pod count
  json::Object extra;
  friend bool operator==(const ReplicaProgressThreshold&,
                         const ReplicaProgressThreshold&) = default;
};

// spec.strategy.canary
struct CanaryStrategy {
  // canaryService / stableService: Services the controller points at the new / stable
  // ReplicaSet. Required with most traffic routers; must differ.
  std::string canary_service;  // canaryService
  std::string stable_service;  // stableService
  // steps: empty means a plain rolling update
  std::vector<CanaryStep> steps;
  std::optional<RolloutTrafficRouting> traffic_routing;  // trafficRouting
  // maxUnavailable: default "25" (25%, rounded down). An integer is a pod count; any string,
  // "%" or not, a percentage.
  std::optional<IntOrString> max_unavailable;
  // maxSurge: default "25" (25%, rounded up); same reading as maxUnavailable
  std::optional<IntOrString> max_surge;
  std::optional<RolloutAnalysisBackground> analysis;   // analysis: the background run
  std::optional<RolloutAntiAffinity> anti_affinity;    // antiAffinity
  std::optional<PodTemplateMetadata> canary_metadata;  // canaryMetadata
  std::optional<PodTemplateMetadata> stable_metadata;  // stableMetadata
  // scaleDownDelaySeconds: default 30 with trafficRouting; invalid without it
  std::optional<int32_t> scale_down_delay_seconds;
  // scaleDownDelayRevisionLimit: default unlimited
  std::optional<int32_t> scale_down_delay_revision_limit;
  // abortScaleDownDelaySeconds: default 30 with trafficRouting (no effect without); 0 keeps
  // the canary up after an abort
  std::optional<int32_t> abort_scale_down_delay_seconds;
  // dynamicStableScale: scale the stable down as traffic moves (trafficRouting only)
  bool dynamic_stable_scale = false;
  std::optional<CanaryPingPong> ping_pong;  // pingPong
  // minPodsPerReplicaSet: non-zero canary/stable counts are raised to at least
  // min(this, spec.replicas) (trafficRouting only)
  std::optional<int32_t> min_pods_per_replica_set;
  std::optional<ReplicaProgressThreshold> replica_progress_threshold;  // replicaProgressThreshold
  json::Object extra;
  friend bool operator==(const CanaryStrategy&, const CanaryStrategy&) = default;
};

// spec.strategy: exactly one of the two.
struct RolloutStrategy {
  std::optional<BlueGreenStrategy> blue_green;  // blueGreen
  std::optional<CanaryStrategy> canary;         // canary
  json::Object extra;
  friend bool operator==(const RolloutStrategy&, const RolloutStrategy&) = default;
};

// spec
struct RolloutSpec {
  // replicas: default 1 (defaults::kReplicas); Argo writes 1 back when absent
  std::optional<int32_t> replicas;
  // selector: required unless workloadRef is set; must select template's labels; immutable
  std::optional<LabelSelector> selector;
  // template: the pods to run; must be empty (no labels, no annotations) with workloadRef
  PodTemplateSpec template_;
  std::optional<RolloutWorkloadRef> workload_ref;        // workloadRef
  int32_t min_ready_seconds = 0;                         // minReadySeconds: default 0
  std::optional<RolloutRollbackWindow> rollback_window;  // rollbackWindow
  RolloutStrategy strategy;                              // strategy
  // revisionHistoryLimit: default 10 (defaults::kRevisionHistoryLimit); old ReplicaSets kept
  std::optional<int32_t> revision_history_limit;
  bool paused = false;  // paused: a manual pause of all progress
  // progressDeadlineSeconds: default 600; must exceed minReadySeconds
  std::optional<int32_t> progress_deadline_seconds;
  bool progress_deadline_abort = false;  // progressDeadlineAbort: abort when the deadline passes
  std::optional<Time> restart_at;        // restartAt: restart pods created before this time
  std::optional<RolloutAnalysisRunStrategy> analysis;  // analysis: run history limits
  json::Object extra;
  friend bool operator==(const RolloutSpec&, const RolloutSpec&) = default;
};

// The Rollout object.
struct Rollout {
  std::string api_version;  // apiVersion: "argoproj.io/v1alpha1"
  std::string kind;         // kind: "Rollout"
  ObjectMeta metadata;      // metadata
  RolloutSpec spec;         // spec
  RolloutStatus status;     // status
  json::Object extra;
  friend bool operator==(const Rollout&, const Rollout&) = default;
};

}  // namespace devflow::api
