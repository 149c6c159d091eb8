// The http routes devflow creates in a VirtualService for a step's setHeaderRoute and
// setMirrorRoute (trafficRouting.managedRoutes), and where they go. Pure functions.
//
// What Argo Rollouts writes, and devflow with it (argo-rollouts.md §1.5; Argo's istio.go):
//   - A header route is an http route named after the managed route, one `match` entry per
//     setHeaderRoute.match[] (so any one header matching suffices, as in Argo), each with
//     headers{<name>: {exact|prefix|regex}}, and a single destination: the canary destination of
//     the first weighted http route (host, subset, port), weight 100.
//   - A mirror route is an http route named after the managed route, one `match` entry per
//     setMirrorRoute.match[] (method, uri from `path`, headers), `route` = the first weighted
//     http route's destinations with the weights being applied now, `mirror` = that canary
//     destination, `mirrorPercentage.value` = percentage (default 100).
//   - Managed routes sit on top of spec.http in managedRoutes order (their precedence), above
//     every route the user wrote; a managed route not in force is removed.
// Header names are written in lower case: Istio requires lower-case header keys, and HTTP
// header names are case-insensitive, so nothing changes for requests (Argo copies them as given).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/networking.h"
#include "api/rollout_canary_step.h"
#include "common/result.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio {

// The route for a header route in force. REQUIRES: !header_route.match.empty().
api::IstioHTTPRoute HeaderRoute(const api::SetHeaderRoute& header_route,
                                const api::IstioDestination& canary);

// The route for a mirror route in force: `weighted_route` is the first weighted http route's
// destinations with the weights being applied. REQUIRES: !mirror_route.match.empty().
api::IstioHTTPRoute MirrorRoute(const api::SetMirrorRoute& mirror_route,
                                const std::vector<api::IstioRouteDestination>& weighted_route,
                                const api::IstioDestination& canary);

// Whether the step's route is in force: a setHeaderRoute/setMirrorRoute without a match removes
// its route, as in Argo.
bool InForce(const api::SetHeaderRoute& header_route);
bool InForce(const api::SetMirrorRoute& mirror_route);

// The managed routes that `targets` keeps in force, in managedRoutes order, or InvalidArgument:
// a route named twice (header and mirror), or a name not in managed_routes (path
// spec.strategy.canary.trafficRouting.managedRoutes).
struct ManagedRouteInForce {
  std::string name;
  const api::SetHeaderRoute* header = nullptr;  // exactly one of header and mirror is set
  const api::SetMirrorRoute* mirror = nullptr;
};
Result<std::vector<ManagedRouteInForce>> RoutesInForce(const TrafficTargets& targets);

// `http` with every route named in `managed_route_names` removed and `in_force` (already in
// managedRoutes order) put on top; the other routes keep their order.
std::vector<api::IstioHTTPRoute> WithManagedRoutes(
    const std::vector<api::IstioHTTPRoute>& http,
    const std::vector<std::string>& managed_route_names, std::vector<api::IstioHTTPRoute> in_force);

}  // namespace devflow::traffic::istio
