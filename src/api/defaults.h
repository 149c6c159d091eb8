// Every default devflow applies to Argo Rollouts' kinds, in one place (as Argo's
// utils/defaults/defaults.go). Each constant names the manifest field it defaults.
//
// Argo Rollouts does not write defaults into stored objects: it reads a field and falls back to
// these values when the field is absent. devflow does the same, through the *OrDefault getters
// beside each kind (rollout_defaults.h, analysis_defaults.h), so a stored object stays as the
// user wrote it.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace devflow::api::defaults {

// ---- Rollout (spec.*) ----
inline constexpr int32_t kReplicas = 1;                   // spec.replicas
inline constexpr int32_t kRevisionHistoryLimit = 10;      // spec.revisionHistoryLimit
inline constexpr int32_t kProgressDeadlineSeconds = 600;  // spec.progressDeadlineSeconds
inline constexpr int32_t kMinReadySeconds = 0;            // spec.minReadySeconds
// spec.analysis.successfulRunHistoryLimit / unsuccessfulRunHistoryLimit
inline constexpr int32_t kSuccessfulRunHistoryLimit = 5;
inline constexpr int32_t kUnsuccessfulRunHistoryLimit = 5;

// ---- blueGreen ----
inline constexpr bool kAutoPromotionEnabled = true;    // blueGreen.autoPromotionEnabled
inline constexpr int32_t kAutoPromotionSeconds = 0;    // blueGreen.autoPromotionSeconds
inline constexpr int32_t kScaleDownDelaySeconds = 30;  // {blueGreen,canary}.scaleDownDelaySeconds
inline constexpr int32_t kAbortScaleDownDelaySeconds = 30;  // {..}.abortScaleDownDelaySeconds
// {blueGreen,canary}.scaleDownDelayRevisionLimit: unlimited.
inline constexpr int32_t kScaleDownDelayRevisionLimit = std::numeric_limits<int32_t>::max();

// ---- canary ----
// canary.maxSurge / maxUnavailable (and blueGreen.maxUnavailable): Argo stores the *string* "25",
// which its int-or-percent helper reads as 25% (see int_or_string.h, ScaledValue).
inline constexpr std::string_view kMaxSurge = "25";
inline constexpr std::string_view kMaxUnavailable = "25";
inline constexpr int32_t kMaxTrafficWeight = 100;  // canary.trafficRouting.maxTrafficWeight
// canary.trafficRouting.nginx.annotationPrefix
inline constexpr std::string_view kNginxAnnotationPrefix = "nginx.ingress.kubernetes.io";

// ---- AnalysisTemplate / AnalysisRun metrics (spec.metrics[].*) ----
inline constexpr int32_t kFailureLimit = 0;                // failureLimit
inline constexpr int32_t kInconclusiveLimit = 0;           // inconclusiveLimit
inline constexpr int32_t kConsecutiveErrorLimit = 4;       // consecutiveErrorLimit
inline constexpr int32_t kConsecutiveSuccessLimit = 0;     // consecutiveSuccessLimit (disabled)
inline constexpr int32_t kMeasurementRetention = 10;       // measurements kept per metric
inline constexpr int32_t kErrorRetryIntervalSeconds = 10;  // interval after an Error measurement
inline constexpr int32_t kPrometheusTimeoutSeconds = 30;   // provider.prometheus.timeout
inline constexpr int32_t kWebTimeoutSeconds = 10;          // provider.web.timeoutSeconds
inline constexpr std::string_view kWebMethod = "GET";      // provider.web.method
inline constexpr std::string_view kWebJsonPath = "{$}";    // provider.web.jsonPath

// ---- Experiment (spec.*) ----
inline constexpr int32_t kExperimentReplicas = 1;                   // templates[].replicas
inline constexpr int32_t kExperimentProgressDeadlineSeconds = 600;  // progressDeadlineSeconds
inline constexpr int32_t kExperimentScaleDownDelaySeconds = 30;     // scaleDownDelaySeconds

// ---- Labels and annotations devflow reads and writes (names as Argo Rollouts spells them) ----
inline constexpr std::string_view kPodTemplateHashLabel = "rollouts-pod-template-hash";
inline constexpr std::string_view kRevisionAnnotation = "rollout.argoproj.io/revision";
inline constexpr std::string_view kScaleDownDeadlineAnnotation = "scale-down-deadline";
inline constexpr std::string_view kManagedByRolloutsAnnotation =
    "argo-rollouts.argoproj.io/managed-by-rollouts";

}  // namespace devflow::api::defaults
