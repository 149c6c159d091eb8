#include "controller/traffic_targets.h"

#include "api/rollout_defaults.h"

namespace devflow::controller {

traffic::TrafficTargets TrafficTargetsFor(const api::Rollout& rollout,
                                          const core::TrafficPlan& plan) {
  const api::CanaryStrategy& canary = *rollout.spec.strategy.canary;
  traffic::TrafficTargets targets;
  targets.rollout_name = rollout.metadata.name;
  targets.namespace_ = rollout.metadata.namespace_;
  targets.rollout_uid = rollout.metadata.uid;
  targets.canary_service = canary.canary_service;
  targets.stable_service = canary.stable_service;
  targets.canary_hash = plan.canary_hash;
  targets.stable_hash = plan.stable_hash;
  targets.canary_weight = plan.weight;
  targets.max_weight = api::MaxTrafficWeightOrDefault(rollout);
  for (const api::RolloutWeightDestination& destination : plan.additional) {
    targets.additional.push_back(traffic::WeightDestination{
        .service_name = destination.service_name,
        .pod_template_hash = destination.pod_template_hash,
        .weight = destination.weight,
    });
  }
  if (canary.traffic_routing) {
    for (const api::ManagedRoute& route : canary.traffic_routing->managed_routes) {
      targets.managed_routes.push_back(route.name);
    }
  }
  if (plan.apply_step_routes && !plan.remove_managed_routes) {
    core::StepRoutes routes = core::StepRoutesInForce(rollout);
    targets.header_routes = std::move(routes.header);
    targets.mirror_routes = std::move(routes.mirror);
  }
  return targets;
}

}  // namespace devflow::controller
