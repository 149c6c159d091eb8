// spec.strategy.canary.trafficRouting: which traffic routers a canary Rollout drives, and how.
//
// Several routers may be set at once; the controller applies each in turn. The router keys are
// the manifest's own (istio, nginx, alb, smi, ambassador, traefik, apisix, appMesh, plugins), so
// a router registry is keyed by the same words. Types that merely name another object end in
// Ref, to keep them apart from the objects themselves (an Istio VirtualService kind, say).
//
// Plain value types (copyable, comparable). Go pointer fields are std::optional; `extra` keeps
// members devflow does not model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json_value.h"

namespace devflow::api {

// managedRoutes[]: a header or mirror route the controller creates in the router. The list
// order is the precedence of those routes.
struct ManagedRoute {
  std::string name;  // name: required, unique; referenced by setHeaderRoute/setMirrorRoute
  json::Object extra;
  friend bool operator==(const ManagedRoute&, const ManagedRoute&) = default;
};

// istio.virtualService(s)[].tlsRoutes[]: a TLS route picked by port and SNI hosts.
struct IstioTlsRouteRef {
  int64_t port = 0;                    // port
  std::vector<std::string> sni_hosts;  // sniHosts
  json::Object extra;
  friend bool operator==(const IstioTlsRouteRef&, const IstioTlsRouteRef&) = default;
};

// istio.virtualService(s)[].tcpRoutes[]: a TCP route picked by port.
struct IstioTcpRouteRef {
  int64_t port = 0;  // port
  json::Object extra;
  friend bool operator==(const IstioTcpRouteRef&, const IstioTcpRouteRef&) = default;
};

// istio.virtualService / istio.virtualServices[]: the VirtualService whose weights are set.
struct IstioVirtualServiceRef {
  // name: required; "name" or "name.namespace" (optionally ending in ".cluster.local").
  std::string name;
  // routes: names of the HTTP routes to edit; when empty the VirtualService must have one.
  std::vector<std::string> routes;
  std::vector<IstioTlsRouteRef> tls_routes;  // tlsRoutes
  std::vector<IstioTcpRouteRef> tcp_routes;  // tcpRoutes
  json::Object extra;
  friend bool operator==(const IstioVirtualServiceRef&, const IstioVirtualServiceRef&) = default;
};

// istio.destinationRule: subset-level split. Without it, Istio splits by host (canaryService
// and stableService).
struct IstioDestinationRuleRef {
  std::string name;                // name: required
  std::string canary_subset_name;  // canarySubsetName: required
  std::string stable_subset_name;  // stableSubsetName: required, differs from canarySubsetName
  std::vector<std::string> additional_subset_names;  // additionalSubsetNames
  json::Object extra;
  friend bool operator==(const IstioDestinationRuleRef&, const IstioDestinationRuleRef&) = default;
};

// trafficRouting.istio: exactly one of virtualService and virtualServices.
struct IstioTrafficRouting {
  std::optional<IstioVirtualServiceRef> virtual_service;    // virtualService
  std::optional<IstioDestinationRuleRef> destination_rule;  // destinationRule
  std::vector<IstioVirtualServiceRef> virtual_services;     // virtualServices
  json::Object extra;
  friend bool operator==(const IstioTrafficRouting&, const IstioTrafficRouting&) = default;
};

// trafficRouting.nginx: exactly one of stableIngress and stableIngresses. The controller creates
// "<rollout>-<stableIngress>-canary" beside each.
struct NginxTrafficRouting {
  // annotationPrefix: default "nginx.ingress.kubernetes.io" (defaults::kNginxAnnotationPrefix)
  std::string annotation_prefix;
  std::string stable_ingress;  // stableIngress
  // additionalIngressAnnotations: added to the canary Ingress, the prefix prepended if missing
  std::map<std::string, std::string> additional_ingress_annotations;
  std::vector<std::string> stable_ingresses;  // stableIngresses
  // canaryIngressAnnotations: added verbatim; win over the others on conflict
  std::map<std::string, std::string> canary_ingress_annotations;
  json::Object extra;
  friend bool operator==(const NginxTrafficRouting&, const NginxTrafficRouting&) = default;
};

// alb.stickinessConfig
struct AlbStickinessConfig {
  bool enabled = false;          // enabled
  int64_t duration_seconds = 0;  // durationSeconds: 1..604800
  json::Object extra;
  friend bool operator==(const AlbStickinessConfig&, const AlbStickinessConfig&) = default;
};

// trafficRouting.alb (AWS Load Balancer Controller): exactly one of ingress and ingresses.
struct AlbTrafficRouting {
  std::string ingress;       // ingress
  int32_t service_port = 0;  // servicePort: required, 1..65535
  // rootService: the Service whose action annotation is written; default stableService.
  // Required with pingPong.
  std::string root_service;
  // annotationPrefix: default "alb.ingress.kubernetes.io"
  std::string annotation_prefix;
  std::optional<AlbStickinessConfig> stickiness_config;  // stickinessConfig
  std::vector<std::string> ingresses;                    // ingresses
  json::Object extra;
  friend bool operator==(const AlbTrafficRouting&, const AlbTrafficRouting&) = default;
};

// trafficRouting.smi: a TrafficSplit owned by the Rollout.
struct SmiTrafficRouting {
  std::string root_service;        // rootService: default stableService
  std::string traffic_split_name;  // trafficSplitName: default the Rollout's name
  json::Object extra;
  friend bool operator==(const SmiTrafficRouting&, const SmiTrafficRouting&) = default;
};

// trafficRouting.ambassador
struct AmbassadorTrafficRouting {
  // mappings: required; base Mappings, each copied to "<mapping>-canary"
  std::vector<std::string> mappings;
  json::Object extra;
  friend bool operator==(const AmbassadorTrafficRouting&,
                         const AmbassadorTrafficRouting&) = default;
};

// trafficRouting.traefik
struct TraefikTrafficRouting {
  std::string weighted_traefik_service_name;  // weightedTraefikServiceName: required
  json::Object extra;
  friend bool operator==(const TraefikTrafficRouting&, const TraefikTrafficRouting&) = default;
};

// trafficRouting.apisix.route
struct ApisixRouteRef {
  std::string name;                // name: required
  std::vector<std::string> rules;  // rules: names of the HTTP rules to edit
  json::Object extra;
  friend bool operator==(const ApisixRouteRef&, const ApisixRouteRef&) = default;
};

// trafficRouting.apisix
struct ApisixTrafficRouting {
  std::optional<ApisixRouteRef> route;  // route: required
  json::Object extra;
  friend bool operator==(const ApisixTrafficRouting&, const ApisixTrafficRouting&) = default;
};

// appMesh.virtualService
struct AppMeshVirtualServiceRef {
  std::string name;                 // name: required
  std::vector<std::string> routes;  // routes
  json::Object extra;
  friend bool operator==(const AppMeshVirtualServiceRef&,
                         const AppMeshVirtualServiceRef&) = default;
};

// appMesh.virtualNodeGroup.{canary,stable}VirtualNodeRef
struct AppMeshVirtualNodeRef {
  std::string name;  // name: required
  json::Object extra;
  friend bool operator==(const AppMeshVirtualNodeRef&, const AppMeshVirtualNodeRef&) = default;
};

// appMesh.virtualNodeGroup
struct AppMeshVirtualNodeGroup {
  std::optional<AppMeshVirtualNodeRef> canary_virtual_node_ref;  // canaryVirtualNodeRef: required
  std::optional<AppMeshVirtualNodeRef> stable_virtual_node_ref;  // stableVirtualNodeRef: required
  json::Object extra;
  friend bool operator==(const AppMeshVirtualNodeGroup&, const AppMeshVirtualNodeGroup&) = default;
};

// trafficRouting.appMesh
struct AppMeshTrafficRouting {
  std::optional<AppMeshVirtualServiceRef> virtual_service;    // virtualService: required
  std::optional<AppMeshVirtualNodeGroup> virtual_node_group;  // virtualNodeGroup: required
  json::Object extra;
  friend bool operator==(const AppMeshTrafficRouting&, const AppMeshTrafficRouting&) = default;
};

// spec.strategy.canary.trafficRouting
struct RolloutTrafficRouting {
  std::optional<IstioTrafficRouting> istio;            // istio
  std::optional<NginxTrafficRouting> nginx;            // nginx
  std::optional<AlbTrafficRouting> alb;                // alb
  std::optional<SmiTrafficRouting> smi;                // smi
  std::optional<AmbassadorTrafficRouting> ambassador;  // ambassador
  std::optional<AppMeshTrafficRouting> app_mesh;       // appMesh
  std::optional<TraefikTrafficRouting> traefik;        // traefik
  std::vector<ManagedRoute> managed_routes;            // managedRoutes
  std::optional<ApisixTrafficRouting> apisix;          // apisix
  // plugins: router plugin name -> its configuration (schemaless; kept as written).
  std::map<std::string, json::Value> plugins;
  // maxTrafficWeight: default 100 (defaults::kMaxTrafficWeight); the scale of every weight.
  // Only with nginx or plugins.
  std::optional<int32_t> max_traffic_weight;
  json::Object extra;
  friend bool operator==(const RolloutTrafficRouting&, const RolloutTrafficRouting&) = default;
};

}  // namespace devflow::api
