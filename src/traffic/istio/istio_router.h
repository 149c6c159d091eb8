// IstioRouter: the `istio` traffic router (spec.strategy.canary.trafficRouting.istio). It
// splits traffic between the canary and the stable in Istio VirtualServices, by host
// (canaryService / stableService) or, with a destinationRule, by subset, labelling the
// DestinationRule's canary and stable subsets with their pod-template hashes; and it writes the
// step's header and mirror routes (trafficRouting.managedRoutes). The rules are pure functions:
// virtual_service_rules.h, route_weights.h, managed_routes.h, destination_rule_rules.h.
//
// Objects: VirtualService networking.istio.io/v1beta1 `virtualservices` (each
// virtualService(s)[].name, resolved by ResolveVirtualServiceName) and DestinationRule
// `destinationrules` (destinationRule.name, in the Rollout's namespace). The router creates
// nothing: the user owns both objects and devflow edits them in place.
//
// Verify returns kNotSupported: Istio reports no per-route weight status (Argo's Istio router
// does not verify either).
//
// Thread-safety: immutable after MakeIstioRouter; Apply may run concurrently on any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "kube/api_types.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio {

// The REST resources the router reads and writes.
kube::ResourceRef VirtualServiceResource();
kube::ResourceRef DestinationRuleResource();

// Checks trafficRouting.istio once. InvalidArgument, with the first bad field's path and every
// problem in the message, when: neither or both of virtualService and virtualServices are set;
// a virtualService(s) name is empty; a tlsRoutes/tcpRoutes port is not 1..65535 or a
// tlsRoutes entry has no sniHosts; destinationRule lacks name, canarySubsetName or
// stableSubsetName, or names one subset for both.
Status ValidateIstioConfig(const api::IstioTrafficRouting& config);

// A router for `config`, or the error of ValidateIstioConfig.
Result<std::unique_ptr<TrafficRouter>> MakeIstioRouter(const api::IstioTrafficRouting& config);

class IstioRouter final : public TrafficRouter {
 public:
  // REQUIRES: ValidateIstioConfig(config).ok(); use MakeIstioRouter.
  explicit IstioRouter(api::IstioTrafficRouting config);

  std::string Type() const override { return "istio"; }

  // Brings the DestinationRule (first, so a subset selects the new pods before any weight moves
  // to it) and then each VirtualService, in the configured order, to `targets`. Each object is
  // read, its desired form computed, and written only when it differs, conditionally on the
  // read resourceVersion; a Conflict re-reads and retries, up to kConflictRetries times.
  // Errors: NotFound naming the kind, namespace/name and the field that names the object;
  // InvalidArgument from the rules (the object cannot carry the targets) or when the stored
  // object does not decode; the API's error otherwise. Objects before the failing one stay
  // written: the next Apply converges.
  Status Apply(const TrafficTargets& targets, ObjectAccess& objects) const override;

  static constexpr int kConflictRetries = 3;

 private:
  struct VirtualServiceEntry {
    api::IstioVirtualServiceRef ref;
    std::string path;  // spec.strategy.canary.trafficRouting.istio.virtualService(s[i])
  };

  Status ApplyDestinationRule(const TrafficTargets& targets, ObjectAccess& objects) const;
  Status ApplyVirtualService(const VirtualServiceEntry& entry, const TrafficTargets& targets,
                             ObjectAccess& objects) const;

  api::IstioTrafficRouting config_;
  std::vector<VirtualServiceEntry> virtual_services_;
};

}  // namespace devflow::traffic::istio
