// The desired form of an Istio DestinationRule (networking.istio.io, plural destinationrules)
// for a subset-level split (istio.destinationRule): the canary and stable subsets select the
// canary's and the stable's pods by their rollouts-pod-template-hash. Pure; tested by a table.
//
// Rules (argo-rollouts.md §1.5, §2.3):
//   - subset canarySubsetName gets labels[rollouts-pod-template-hash] = canary_hash, subset
//     stableSubsetName = stable_hash; an empty hash removes the label (as Argo does).
//   - metadata.annotations[argo-rollouts.argoproj.io/managed-by-rollouts] = the Rollout's name.
//   - Everything else (other subsets, their other labels, traffic policies) is kept.
// When the hashes may move (Argo waits until the ReplicaSets are fully available) is the
// controller's decision: it passes the hashes it wants in force.
#pragma once

#include "api/networking.h"
#include "api/rollout_traffic_routing.h"
#include "common/result.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::istio {

// `current` with the rules above applied. InvalidArgument (at
// spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName or
// .stableSubsetName) when the DestinationRule has no subset of that name: the split would send
// traffic to a subset that selects nothing.
Result<api::DestinationRule> DesiredDestinationRule(const api::DestinationRule& current,
                                                    const api::IstioDestinationRuleRef& ref,
                                                    const TrafficTargets& targets);

}  // namespace devflow::traffic::istio
