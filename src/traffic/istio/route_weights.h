// The weights of one Istio route's destinations (http[].route, tls[].route, tcp[].route): which
// destination is the canary, which the stable, which an Experiment's, and what each should carry.
// Pure functions; the VirtualService rules (virtual_service_rules.h) apply them to every route a
// Rollout names.
//
// The rules, as Argo Rollouts' Istio reconciler applies them (argo-rollouts.md §1.5, istio):
//   - Host-level split (no DestinationRule): a destination is the canary when the first DNS
//     label of destination.host is canaryService; likewise stable. Subset-level split (with a
//     DestinationRule): by destination.subset alone (canarySubsetName / stableSubsetName), since
//     both sides usually share one host. (Argo accepts either match in both modes, so a subset
//     route whose host happens to be canaryService would count as canary on both sides.)
//   - The canary gets canary_weight; an Experiment's Service (TrafficTargets::additional, matched
//     by host) its own weight; a subset in destinationRule.additionalSubsetNames keeps its weight;
//     the stable gets what is left: max - canary - experiments - additional subsets, floored at 0.
//   - Every other destination is removed; an Experiment's Service not yet in the route is appended
//     (sorted by Service name) as {destination: {host: <service>}, weight}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/networking.h"
#include "api/rollout_traffic_routing.h"
#include "common/status.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio {

// How a route's destinations are told apart. Empty strings match nothing.
struct DestinationRoles {
  std::string canary_service;  // spec.strategy.canary.canaryService
  std::string stable_service;  // spec.strategy.canary.stableService
  // istio.destinationRule.{canary,stable}SubsetName; empty without a DestinationRule.
  std::string canary_subset;
  std::string stable_subset;
  std::vector<std::string> additional_subsets;  // istio.destinationRule.additionalSubsetNames
  friend bool operator==(const DestinationRoles&, const DestinationRoles&) = default;
};

// The roles for `targets`, with subsets when `destination_rule` is not null.
DestinationRoles RolesFor(const TrafficTargets& targets,
                          const api::IstioDestinationRuleRef* destination_rule);

enum class DestinationRole {
  kCanary,
  kStable,
  kExperiment,        // the Service of a TrafficTargets::additional entry
  kAdditionalSubset,  // a subset in additionalSubsetNames: left as it is
  kUnknown,           // none of these: removed
};

// The Service a destination host names: its first DNS label ("web.prod.svc.cluster.local" ->
// "web"); the host itself when it has no dot.
std::string HostServiceName(std::string_view host);

// What `destination` is to the Rollout. `targets` supplies the Experiment Services.
DestinationRole RoleOf(const api::IstioDestination& destination, const DestinationRoles& roles,
                       const TrafficTargets& targets);

// The route's destinations with the weights of `targets` (rules above). Destinations keep their
// order and every other field (port, headers, extra); removed ones disappear; new Experiment
// destinations are appended.
std::vector<api::IstioRouteDestination> WeightedDestinations(
    const std::vector<api::IstioRouteDestination>& route, const DestinationRoles& roles,
    const TrafficTargets& targets);

// Ok when `route` has a canary and a stable destination; otherwise InvalidArgument with
// `field_path`, and a message that begins with `where` (e.g. "VirtualService default/web http
// route \"primary\"") and names what is missing: the canary Service or, with a DestinationRule,
// the canary subset (then the same for the stable side).
Status CheckCanaryAndStable(const std::vector<api::IstioRouteDestination>& route,
                            const DestinationRoles& roles, const TrafficTargets& targets,
                            std::string_view where, std::string_view field_path);

// The first canary destination of `route`, or nullptr.
const api::IstioDestination* CanaryDestination(const std::vector<api::IstioRouteDestination>& route,
                                               const DestinationRoles& roles,
                                               const TrafficTargets& targets);

}  // namespace devflow::traffic::istio
