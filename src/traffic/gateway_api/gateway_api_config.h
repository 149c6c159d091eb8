// The configuration of the Gateway API router: what a Rollout writes under
//   spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"]
// for the Argo Rollouts plugin argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi, which
// devflow implements natively so that manifests written for that plugin work unchanged.
//
// The members devflow reads (all optional, as in the plugin):
//   httpRoute: <name>                 one HTTPRoute; header and mirror routes are added to it
//                                     (the plugin treats it as httpRoutes [{name, useHeaderRoutes:
//                                     true}] appended after httpRoutes)
//   httpRoutes: [{name, useHeaderRoutes}]   HTTPRoutes; name required; useHeaderRoutes (default
//                                     false) says whether setHeaderRoute/setMirrorRoute rules go
//                                     into that route
//   namespace: <ns>                   the routes' namespace; default the Rollout's
//   disableInProgressLabel: bool      do not label routes while a canary carries traffic
//   inProgressLabelKey / inProgressLabelValue   that label; default
//                                     rollouts.argoproj.io/gatewayapi-canary: in-progress
//   configMap: <name>                 accepted and ignored: older plugin versions remembered their
//                                     header rules in that ConfigMap; devflow records them on the
//                                     HTTPRoute itself (http_route_rules.h)
// Rejected with a field path, because devflow cannot honour them yet (a silently ignored route
// would leave its traffic on the old version): grpcRoute(s), tcpRoute(s), tlsRoute(s) (no typed
// GRPCRoute/TCPRoute/TLSRoute and no data plane for them) and the *RouteSelector members (route
// discovery by label needs a List verb that ObjectAccess does not have).
// Members the plugin does not know are ignored, as its JSON decoding ignores them.
//
// A route named twice (httpRoute and an httpRoutes entry, or two entries) is one route, with
// useHeaderRoutes true when any mention says so: applying it twice per reconcile would add and
// remove the header rules in turn.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "common/field_path.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::traffic::gateway_api {

// The key under trafficRouting.plugins.
inline constexpr std::string_view kPluginName = "argoproj-labs/gatewayAPI";
// The plugin's in-progress label, set on each HTTPRoute while the canary weight is above 0.
inline constexpr std::string_view kDefaultInProgressLabelKey =
    "rollouts.argoproj.io/gatewayapi-canary";
inline constexpr std::string_view kDefaultInProgressLabelValue = "in-progress";

// httpRoute / httpRoutes[]: one HTTPRoute the router drives.
struct HttpRouteRef {
  std::string name;                // name: required, a DNS subdomain
  bool use_header_routes = false;  // useHeaderRoutes: header and mirror rules go here
  friend bool operator==(const HttpRouteRef&, const HttpRouteRef&) = default;
};

// The validated configuration. Immutable once built by ParseGatewayApiConfig.
struct GatewayApiConfig {
  // httpRoutes[] in order, then httpRoute; duplicates merged (see above). Never empty.
  std::vector<HttpRouteRef> http_routes;
  // namespace: the routes' namespace; empty means the Rollout's.
  std::string namespace_;
  // !disableInProgressLabel: whether the in-progress label is written.
  bool in_progress_label = true;
  std::string in_progress_label_key =
      std::string(kDefaultInProgressLabelKey);  // inProgressLabelKey
  // inProgressLabelValue
  std::string in_progress_label_value = std::string(kDefaultInProgressLabelValue);
  friend bool operator==(const GatewayApiConfig&, const GatewayApiConfig&) = default;
};

// spec.strategy.canary.trafficRouting.plugins[argoproj-labs/gatewayAPI], rendered as FieldPath
// renders a key with a slash, so that `devflow lint` can find the line of an error through the
// manifest's SourceMap.
FieldPath GatewayApiConfigPath();

// Decodes `config` (the plugin's value). Total: every problem is appended to *errors with its
// field path under `at`, and the returned config holds what was valid. Problems: `config` not an
// object; a member of the wrong JSON type; an httpRoutes entry without a name or with a name that
// is not a DNS subdomain; a namespace that is not a DNS label; an in-progress label key or value
// Kubernetes would reject; an unsupported member (above); no HTTPRoute at all.
// REQUIRES: errors != nullptr.
GatewayApiConfig DecodeGatewayApiConfig(const json::Value& config, const FieldPath& at,
                                        api::FieldErrors* errors);

// Decodes and validates `config` at GatewayApiConfigPath(). On any problem returns
// InvalidArgument whose field path is the first problem's; the message is that problem's message
// followed by every other problem as "; <path>: <message>".
Result<GatewayApiConfig> ParseGatewayApiConfig(const json::Value& config);

}  // namespace devflow::traffic::gateway_api
