// The desired form of an Istio VirtualService (networking.istio.io, plural virtualservices) for a
// Rollout's traffic targets: which routes carry the canary split, their weights, and the managed
// header and mirror routes. Pure functions, tested by tables; IstioRouter (istio_router.h) reads
// and writes the object.
//
// Which routes a reference (istio.virtualService or istio.virtualServices[i]) edits:
//   - http: the routes named in `routes`, each of which must exist. With `routes` empty, the one
//     http route that is not a managed route (none: no http route is edited; several: an error,
//     as the route to edit is ambiguous).
//   - tls: each tlsRoutes[] entry picks every tls route whose matches name exactly its port
//     (one port across the route's match entries) and exactly its set of sniHosts; an entry that
//     picks nothing is an error. With tlsRoutes empty, the only tls route (several: an error).
//   - tcp: as tls, by port alone.
// Every picked route must hold a canary and a stable destination (route_weights.h), and gets the
// weights of route_weights.h. The managed routes then follow managed_routes.h.
#pragma once

#include <string>
#include <string_view>

#include "api/networking.h"
#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "traffic/istio/route_weights.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio {

// Where istio.virtualService(s)[].name points.
struct ObjectName {
  std::string namespace_;
  std::string name;
  friend bool operator==(const ObjectName&, const ObjectName&) = default;
};

// Resolves a VirtualService reference: "name" is in the Rollout's namespace; "name.namespace"
// names the namespace by its last dot-separated segment (a namespace has no dot, a name may);
// a trailing ".svc.cluster.local" or ".cluster.local" is ignored.
ObjectName ResolveVirtualServiceName(std::string_view ref_name, std::string_view rollout_namespace);

// The VirtualService `current` brought to `targets`, as the header comment describes.
// `ref_path` is the reference's field path ("spec.strategy.canary.trafficRouting.istio.
// virtualService" or "...virtualServices[1]"); errors name the field under it and the object:
//   InvalidArgument at <ref_path>.routes[i]     a named http route does not exist, or lacks
//                                               the canary or stable destination;
//   InvalidArgument at <ref_path>.routes        routes is empty and several http routes exist,
//                                               or managed routes are in force and no http
//                                               route is edited (nothing to copy from);
//   InvalidArgument at <ref_path>.tlsRoutes[i] / .tcpRoutes[i] (or the list itself) likewise;
//   InvalidArgument at ...trafficRouting.managedRoutes  a route in force is not in it, or named
//                                               by both a header and a mirror route.
// Everything else in `current` (metadata, hosts, other routes, other fields) is kept.
Result<api::VirtualService> DesiredVirtualService(const api::VirtualService& current,
                                                  const api::IstioVirtualServiceRef& ref,
                                                  std::string_view ref_path,
                                                  const DestinationRoles& roles,
                                                  const TrafficTargets& targets);

}  // namespace devflow::traffic::istio
