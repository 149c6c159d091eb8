#include "core/canary_traffic.h"

#include <algorithm>
#include <cmath>

#include "api/defaults.h"
#include "api/rollout_defaults.h"

namespace devflow::core {
namespace {

int32_t Replicas(const api::Rollout& rollout) {
  return rollout.spec.replicas.value_or(api::defaults::kReplicas);
}

bool DynamicStableScale(const api::Rollout& rollout) {
  return rollout.spec.strategy.canary && rollout.spec.strategy.canary->dynamic_stable_scale;
}

int32_t PodsFor(int32_t weight, int32_t replicas, int32_t max) {
  return static_cast<int32_t>(std::ceil(static_cast<double>(weight) * replicas / max));
}

// The last setWeight at or before step `index` (0 when none).
int32_t SetWeightAtOrBefore(const api::Rollout& rollout, int32_t index) {
  const auto& steps = rollout.spec.strategy.canary->steps;
  for (int32_t i = std::min<int32_t>(index, static_cast<int32_t>(steps.size()) - 1); i >= 0; --i) {
    if (steps[static_cast<size_t>(i)].set_weight) return *steps[static_cast<size_t>(i)].set_weight;
  }
  return 0;
}

}  // namespace

int32_t AbortWeight(const api::Rollout& rollout, const TrafficFacts& facts) {
  if (!DynamicStableScale(rollout)) return 0;
  const int32_t replicas = Replicas(rollout);
  const int32_t max = api::MaxTrafficWeightOrDefault(rollout);
  // The pods the canary must still serve: what the stable cannot carry yet, and (unless an
  // explicit abort delay keeps the canary up anyway) what the canary still has available.
  int32_t needed = replicas - facts.stable_available;
  if (!rollout.spec.strategy.canary->abort_scale_down_delay_seconds) {
    needed = std::max(needed, facts.new_available);
  }
  int32_t weight = 0;
  const auto& steps = rollout.spec.strategy.canary->steps;
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (step->set_weight && PodsFor(*step->set_weight, replicas, max) < needed) {
      weight = *step->set_weight;
      break;
    }
  }
  return std::min(weight, facts.recorded_canary_weight);
}

TrafficPlan PlanCanaryTraffic(const api::Rollout& rollout, const TrafficFacts& facts,
                              int64_t revision) {
  const api::RolloutStatus& status = rollout.status;
  const int32_t replicas = Replicas(rollout);
  const int32_t max = api::MaxTrafficWeightOrDefault(rollout);
  const bool promoted = !status.stable_rs.empty() && status.stable_rs == status.current_pod_hash;
  TrafficPlan plan{.canary_hash = facts.new_hash, .stable_hash = facts.stable_hash};
  bool in_steps = false;
  if (promoted && DynamicStableScale(rollout) && !facts.recorded_canary_hash.empty() &&
      facts.recorded_canary_hash != facts.new_hash && facts.new_available < replicas) {
    // Rolled back to the stable while a canary still takes traffic: walk it down.
    plan.weight = AbortWeight(rollout, facts);
    plan.canary_hash = facts.recorded_canary_hash;
    plan.stable_hash = facts.new_hash;
  } else if (promoted) {
    plan.weight = 0;
    plan.canary_hash = plan.stable_hash = facts.new_hash;
    plan.remove_managed_routes = true;
  } else if (status.abort) {
    plan.weight = AbortWeight(rollout, facts);
    plan.remove_managed_routes = true;
  } else if (facts.new_hash.empty() || facts.new_available == 0) {
    plan.weight = 0;
    plan.zero_weight_first = facts.recorded_canary_weight > 0;
    plan.remove_managed_routes = true;
  } else if (status.promote_full) {
    plan.weight = DynamicStableScale(rollout)
                      ? static_cast<int32_t>(static_cast<int64_t>(max) * facts.new_available /
                                             std::max(replicas, 1))
                      : facts.recorded_canary_weight;
    plan.remove_managed_routes = true;
  } else {
    in_steps = true;
    const size_t steps = rollout.spec.strategy.canary->steps.size();
    const int32_t index = status.current_step_index.value_or(0);
    if (!facts.at_desired_counts) {
      plan.weight = SetWeightAtOrBefore(rollout, index - 1);
    } else if (index < static_cast<int32_t>(steps)) {
      plan.weight = SetWeightAtOrBefore(rollout, index);
    } else {
      plan.weight = max;
    }
  }
  // The stable must be able to carry the traffic that stays with it.
  if (facts.stable_hash.empty()) {
    plan.hold = true;
  } else {
    const int32_t stable_needs =
        static_cast<int32_t>(std::floor(static_cast<double>(max - plan.weight) * replicas / max));
    if (facts.stable_available < stable_needs) plan.hold = true;
  }
  plan.apply_step_routes = in_steps && revision > 1;
  return plan;
}

StepRoutes StepRoutesInForce(const api::Rollout& rollout) {
  StepRoutes routes;
  const auto& canary = rollout.spec.strategy.canary;
  if (!canary) return routes;
  const int32_t index = rollout.status.current_step_index.value_or(0);
  if (index >= static_cast<int32_t>(canary->steps.size())) return routes;
  for (int32_t i = 0; i <= index; ++i) {
    const api::CanaryStep& step = canary->steps[static_cast<size_t>(i)];
    if (step.set_header_route) {
      std::erase_if(routes.header, [&](const api::SetHeaderRoute& r) {
        return r.name == step.set_header_route->name;
      });
      routes.header.push_back(*step.set_header_route);
    }
    if (step.set_mirror_route) {
      std::erase_if(routes.mirror, [&](const api::SetMirrorRoute& r) {
        return r.name == step.set_mirror_route->name;
      });
      routes.mirror.push_back(*step.set_mirror_route);
    }
  }
  return routes;
}

}  // namespace devflow::core
