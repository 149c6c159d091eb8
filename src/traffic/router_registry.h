// The traffic routers a canary Rollout configures, built from spec.strategy.canary.trafficRouting
// by the manifest's own keys: `istio`, `nginx`, and the plugin `argoproj-labs/gatewayAPI` under
// `plugins`. Each factory validates its configuration once and returns an immutable router, so
// the controller builds them per reconcile cheaply and applies each in the manifest's order.
//
// Routers Argo Rollouts has and devflow does not yet (alb, smi, ambassador, appMesh, traefik,
// apisix, other plugins) are a FailedPrecondition naming the field and the known keys, so a
// Rollout that needs one is reported, never half-routed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic {

// The manifest keys devflow routes, sorted: "istio", "nginx", "plugins/argoproj-labs/gatewayAPI".
std::vector<std::string> KnownRouterKeys();

// The routers of `routing`, in the order istio, nginx, plugins. Errors: the first factory's
// (InvalidArgument naming the field), or FailedPrecondition for an unsupported router.
Result<std::vector<std::unique_ptr<TrafficRouter>>> BuildRouters(
    const api::RolloutTrafficRouting& routing);

}  // namespace devflow::traffic
