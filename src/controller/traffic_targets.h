// What the traffic routers are told, from the core's TrafficPlan and the Rollout: services,
// hashes, the weight on the Rollout's scale (maxTrafficWeight), and the header and mirror routes
// the steps so far have set (none when the plan removes managed routes or the steps' routes do
// not apply yet). Pure.
#pragma once

#include "api/rollout.h"
#include "core/canary_traffic.h"
#include "traffic/traffic_router.h"

namespace devflow::controller {

traffic::TrafficTargets TrafficTargetsFor(const api::Rollout& rollout,
                                          const core::TrafficPlan& plan);

}  // namespace devflow::controller
