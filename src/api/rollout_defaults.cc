#include "api/rollout_defaults.h"

#include "api/defaults.h"

namespace devflow::api {
namespace {

const CanaryStrategy* Canary(const Rollout& r) {
  return r.spec.strategy.canary ? &*r.spec.strategy.canary : nullptr;
}
const BlueGreenStrategy* BlueGreen(const Rollout& r) {
  return r.spec.strategy.blue_green ? &*r.spec.strategy.blue_green : nullptr;
}
bool TrafficRouted(const Rollout& r) {
  const CanaryStrategy* canary = Canary(r);
  return canary != nullptr && canary->traffic_routing.has_value();
}

}  // namespace

int32_t ReplicasOrDefault(const Rollout& rollout) {
  return rollout.spec.replicas.value_or(defaults::kReplicas);
}

int32_t RevisionHistoryLimitOrDefault(const Rollout& rollout) {
  return rollout.spec.revision_history_limit.value_or(defaults::kRevisionHistoryLimit);
}

int32_t ProgressDeadlineSecondsOrDefault(const Rollout& rollout) {
  return rollout.spec.progress_deadline_seconds.value_or(defaults::kProgressDeadlineSeconds);
}

int32_t SuccessfulRunHistoryLimitOrDefault(const Rollout& rollout) {
  if (!rollout.spec.analysis) return defaults::kSuccessfulRunHistoryLimit;
  return rollout.spec.analysis->successful_run_history_limit.value_or(
      defaults::kSuccessfulRunHistoryLimit);
}

int32_t UnsuccessfulRunHistoryLimitOrDefault(const Rollout& rollout) {
  if (!rollout.spec.analysis) return defaults::kUnsuccessfulRunHistoryLimit;
  return rollout.spec.analysis->unsuccessful_run_history_limit.value_or(
      defaults::kUnsuccessfulRunHistoryLimit);
}

bool AutoPromotionEnabledOrDefault(const Rollout& rollout) {
  const BlueGreenStrategy* blue_green = BlueGreen(rollout);
  if (blue_green == nullptr) return defaults::kAutoPromotionEnabled;
  return blue_green->auto_promotion_enabled.value_or(defaults::kAutoPromotionEnabled);
}

int32_t ScaleDownDelaySecondsOrDefault(const Rollout& rollout) {
  if (const BlueGreenStrategy* blue_green = BlueGreen(rollout)) {
    return blue_green->scale_down_delay_seconds.value_or(defaults::kScaleDownDelaySeconds);
  }
  if (TrafficRouted(rollout)) {
    return Canary(rollout)->scale_down_delay_seconds.value_or(defaults::kScaleDownDelaySeconds);
  }
  return 0;
}

int32_t AbortScaleDownDelaySecondsOrDefault(const Rollout& rollout) {
  if (const BlueGreenStrategy* blue_green = BlueGreen(rollout)) {
    return blue_green->abort_scale_down_delay_seconds.value_or(
        defaults::kAbortScaleDownDelaySeconds);
  }
  if (TrafficRouted(rollout)) {
    return Canary(rollout)->abort_scale_down_delay_seconds.value_or(
        defaults::kAbortScaleDownDelaySeconds);
  }
  return 0;
}

bool HasExplicitAbortScaleDownDelay(const Rollout& rollout) {
  std::optional<int32_t> set;
  if (const BlueGreenStrategy* blue_green = BlueGreen(rollout)) {
    set = blue_green->abort_scale_down_delay_seconds;
  } else if (TrafficRouted(rollout)) {
    set = Canary(rollout)->abort_scale_down_delay_seconds;
  }
  return set.has_value() && *set != 0;
}

int32_t ScaleDownDelayRevisionLimitOrDefault(const Rollout& rollout) {
  std::optional<int32_t> set;
  if (const BlueGreenStrategy* blue_green = BlueGreen(rollout)) {
    set = blue_green->scale_down_delay_revision_limit;
  } else if (const CanaryStrategy* canary = Canary(rollout)) {
    set = canary->scale_down_delay_revision_limit;
  }
  return set.value_or(defaults::kScaleDownDelayRevisionLimit);
}

IntOrString MaxSurgeOrDefault(const Rollout& rollout) {
  const CanaryStrategy* canary = Canary(rollout);
  if (canary != nullptr && canary->max_surge) return *canary->max_surge;
  return IntOrString(std::string(defaults::kMaxSurge));
}

IntOrString MaxUnavailableOrDefault(const Rollout& rollout) {
  const BlueGreenStrategy* blue_green = BlueGreen(rollout);
  if (blue_green != nullptr && blue_green->max_unavailable) return *blue_green->max_unavailable;
  const CanaryStrategy* canary = Canary(rollout);
  if (canary != nullptr && canary->max_unavailable) return *canary->max_unavailable;
  return IntOrString(std::string(defaults::kMaxUnavailable));
}

Result<SurgeAndUnavailable> ResolveSurgeAndUnavailable(const Rollout& rollout) {
  int32_t replicas = ReplicasOrDefault(rollout);
  // Only a value the user wrote can fail to parse, so the error names where it was written.
  std::string strategy = BlueGreen(rollout) ? "blueGreen" : "canary";
  Result<int32_t> surge = ScaledValue(MaxSurgeOrDefault(rollout), replicas, /*round_up=*/true);
  if (!surge.ok()) {
    return InvalidArgumentError(surge.error().message(), "spec.strategy.canary.maxSurge");
  }
  Result<int32_t> unavailable =
      ScaledValue(MaxUnavailableOrDefault(rollout), replicas, /*round_up=*/false);
  if (!unavailable.ok()) {
    return InvalidArgumentError(unavailable.error().message(),
                                "spec.strategy." + strategy + ".maxUnavailable");
  }
  SurgeAndUnavailable out{*surge, *unavailable};
  if (out.surge == 0 && out.unavailable == 0) out.unavailable = 1;
  return out;
}

int32_t MaxTrafficWeightOrDefault(const Rollout& rollout) {
  if (!TrafficRouted(rollout)) return defaults::kMaxTrafficWeight;
  return Canary(rollout)->traffic_routing->max_traffic_weight.value_or(defaults::kMaxTrafficWeight);
}

std::string NginxAnnotationPrefixOrDefault(const Rollout& rollout) {
  if (TrafficRouted(rollout)) {
    const auto& nginx = Canary(rollout)->traffic_routing->nginx;
    if (nginx && !nginx->annotation_prefix.empty()) return nginx->annotation_prefix;
  }
  return std::string(defaults::kNginxAnnotationPrefix);
}

}  // namespace devflow::api
