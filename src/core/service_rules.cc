#include "core/service_rules.h"

#include "api/defaults.h"
#include "core/blue_green_rules.h"

namespace devflow::core {

CanaryServiceTargets CanaryServices(const api::Rollout& rollout, const std::string& new_hash,
                                    int32_t abort_weight) {
  const api::RolloutStatus& status = rollout.status;
  if (status.stable_rs.empty()) return {new_hash, new_hash};
  CanaryServiceTargets targets{status.stable_rs, new_hash};
  const bool promoted = status.stable_rs == status.current_pod_hash;
  const bool routed =
      rollout.spec.strategy.canary && rollout.spec.strategy.canary->traffic_routing.has_value();
  if (promoted || (status.abort && (!routed || abort_weight == 0))) {
    targets.canary_hash = status.stable_rs;
  }
  return targets;
}

std::string PreviewServiceTarget(const api::Rollout& rollout, const std::string& new_hash) {
  if (BlueGreenHalted(rollout)) return "";
  return new_hash;
}

bool MaySwitchService(bool managed, int32_t target_available, int32_t target_replicas) {
  if (managed) return target_available >= 1;
  return target_available >= target_replicas;
}

std::string SelectedHash(const api::Service& service) {
  auto found = service.spec.selector.find(std::string(api::defaults::kPodTemplateHashLabel));
  return found == service.spec.selector.end() ? "" : found->second;
}

}  // namespace devflow::core
