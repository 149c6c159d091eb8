// The defaults of a Rollout's optional fields, read at the point of use (as Argo's
// utils/defaults does): a stored Rollout keeps exactly what its author wrote, and every reader
// resolves an absent field through one of these getters. The constants live in defaults.h.
//
// Each getter is total: it never fails, whatever the strategy, and returns the default when the
// field (or the strategy holding it) is absent.
#pragma once

#include <cstdint>
#include <string>

#include "api/int_or_string.h"
#include "api/rollout.h"
#include "common/result.h"

namespace devflow::api {

// spec.replicas, default 1.
int32_t ReplicasOrDefault(const Rollout& rollout);
// spec.revisionHistoryLimit, default 10.
int32_t RevisionHistoryLimitOrDefault(const Rollout& rollout);
// spec.progressDeadlineSeconds, default 600.
int32_t ProgressDeadlineSecondsOrDefault(const Rollout& rollout);
// spec.analysis.successfulRunHistoryLimit, default 5.
int32_t SuccessfulRunHistoryLimitOrDefault(const Rollout& rollout);
// spec.analysis.unsuccessfulRunHistoryLimit, default 5.
int32_t UnsuccessfulRunHistoryLimitOrDefault(const Rollout& rollout);

// blueGreen.autoPromotionEnabled, default true (also true for a canary Rollout).
bool AutoPromotionEnabledOrDefault(const Rollout& rollout);

// The delay before the previous stable/active ReplicaSet is scaled down after the switch:
// blueGreen.scaleDownDelaySeconds (default 30); canary.scaleDownDelaySeconds (default 30) with
// trafficRouting; 0 for a canary without trafficRouting (Argo ignores the field there).
int32_t ScaleDownDelaySecondsOrDefault(const Rollout& rollout);

// The delay before the new ReplicaSet is scaled down after an abort, by the same rule as
// ScaleDownDelaySecondsOrDefault (abortScaleDownDelaySeconds, default 30 for blue/green and for
// canary with trafficRouting, else 0). A result of 0 from an explicit `0` means "never scale
// down on abort"; tell the cases apart with HasExplicitAbortScaleDownDelay.
int32_t AbortScaleDownDelaySecondsOrDefault(const Rollout& rollout);
// True when abortScaleDownDelaySeconds is set to a non-zero value and applies (blue/green, or
// canary with trafficRouting), as Argo's HasExplicitAbortScaleDownDelay.
bool HasExplicitAbortScaleDownDelay(const Rollout& rollout);

// {blueGreen,canary}.scaleDownDelayRevisionLimit, default unlimited (INT32_MAX).
int32_t ScaleDownDelayRevisionLimitOrDefault(const Rollout& rollout);

// canary.maxSurge, default the string "25" (read as 25%). A blue/green Rollout gets the default.
IntOrString MaxSurgeOrDefault(const Rollout& rollout);
// blueGreen.maxUnavailable or canary.maxUnavailable, default the string "25" (25%).
IntOrString MaxUnavailableOrDefault(const Rollout& rollout);

// maxSurge and maxUnavailable as pod counts for ReplicasOrDefault(rollout) replicas.
struct SurgeAndUnavailable {
  int32_t surge = 0;        // percentages rounded up
  int32_t unavailable = 0;  // percentages rounded down
  friend bool operator==(const SurgeAndUnavailable&, const SurgeAndUnavailable&) = default;
};
// Resolves MaxSurgeOrDefault and MaxUnavailableOrDefault as Argo's resolveFenceposts does: an
// integer is a count, any string a percentage (ScaledValue); when both come to 0, unavailable
// becomes 1 so an update can always progress. Returns InvalidArgument (naming the field) when a
// string is not a number or a percentage.
Result<SurgeAndUnavailable> ResolveSurgeAndUnavailable(const Rollout& rollout);

// canary.trafficRouting.maxTrafficWeight, default 100: the total every weight is a share of.
int32_t MaxTrafficWeightOrDefault(const Rollout& rollout);

// canary.trafficRouting.nginx.annotationPrefix, default "nginx.ingress.kubernetes.io".
std::string NginxAnnotationPrefixOrDefault(const Rollout& rollout);

}  // namespace devflow::api
