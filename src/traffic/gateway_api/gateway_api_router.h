// GatewayApiRouter: the router of trafficRouting.plugins["argoproj-labs/gatewayAPI"], devflow's
// native implementation of the Argo Rollouts Gateway API plugin (gateway_api_config.h says which
// configuration it reads). It drives gateway.networking.k8s.io/v1 HTTPRoutes: the weights of
// the canary and stable backendRefs, header and mirror rules for managed routes, Experiment
// backends and the in-progress label, as http_route_rules.h describes.
//
// Apply, for each configured HTTPRoute in turn (in the configuration's namespace, else the
// Rollout's): read it, compute DesiredHttpRoute, and Update it only when that differs, with the
// resourceVersion read; on Conflict re-read and redo, at most kConflictRetries times more. A
// failing route does not stop the others (each converges on its own); Apply returns the first
// failure. Experiment Services (TrafficTargets::additional) are read first for their port
// (spec.ports[] named "http", else the first); one that is missing is not added to the routes
// this time, as the plugin does, and is picked up on a later reconcile.
//
// Verify is TrafficRouter's default, kNotSupported: the Gateway API reports no applied weights
// (the plugin answers "verified" without looking, which devflow does not pretend).
//
// Thread-safety: immutable after construction; Apply may run concurrently for different Rollouts.
#pragma once

#include <memory>
#include <string>

#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"
#include "kube/api_types.h"
#include "traffic/gateway_api/gateway_api_config.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::gateway_api {

// The router's key in a registry of routers: "plugins/" + the plugin's name.
inline constexpr std::string_view kRouterType = "plugins/argoproj-labs/gatewayAPI";

// How many times Apply re-reads and redoes a route's update after a Conflict.
inline constexpr int kConflictRetries = 3;

// gateway.networking.k8s.io/v1 httproutes.
kube::ResourceRef HttpRouteResource();

class GatewayApiRouter : public TrafficRouter {
 public:
  explicit GatewayApiRouter(GatewayApiConfig config) : config_(std::move(config)) {}

  // kRouterType.
  std::string Type() const override;

  // Brings every configured HTTPRoute to `targets` (above). Errors: InvalidArgument with field
  // path spec.strategy.canary.canaryService (or stableService) when it is empty; NotFound naming
  // the HTTPRoute when one does not exist; InvalidArgument from DesiredHttpRoute (a route without
  // a rule carrying both Services, a header match Gateway API cannot express, too many rules) or
  // when a route does not decode; Conflict when the route kept changing under us; any other
  // error of `objects`, with the route named.
  Status Apply(const TrafficTargets& targets, ObjectAccess& objects) const override;

  const GatewayApiConfig& config() const { return config_; }

 private:
  const GatewayApiConfig config_;
};

// The factory: validates `config` (the value under plugins["argoproj-labs/gatewayAPI"]) once
// with ParseGatewayApiConfig and returns a router holding it; its InvalidArgument otherwise.
Result<std::unique_ptr<TrafficRouter>> MakeGatewayApiRouter(const json::Value& config);

}  // namespace devflow::traffic::gateway_api
