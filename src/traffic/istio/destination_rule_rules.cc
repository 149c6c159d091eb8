#include "traffic/istio/destination_rule_rules.h"

#include <string>

#include "api/defaults.h"

namespace devflow::traffic::istio {
namespace {

const std::string kRefPath = "spec.strategy.canary.trafficRouting.istio.destinationRule";

void SetHash(api::IstioSubset& subset, const std::string& hash) {
  std::string key(api::defaults::kPodTemplateHashLabel);
  if (hash.empty()) {
    subset.labels.erase(key);
  } else {
    subset.labels[key] = hash;
  }
}

}  // namespace

Result<api::DestinationRule> DesiredDestinationRule(const api::DestinationRule& current,
                                                    const api::IstioDestinationRuleRef& ref,
                                                    const TrafficTargets& targets) {
  api::DestinationRule desired = current;
  bool canary_found = false;
  bool stable_found = false;
  for (api::IstioSubset& subset : desired.spec.subsets) {
    if (subset.name == ref.canary_subset_name) {
      SetHash(subset, targets.canary_hash);
      canary_found = true;
    } else if (subset.name == ref.stable_subset_name) {
      SetHash(subset, targets.stable_hash);
      stable_found = true;
    }
  }
  std::string where = "DestinationRule " + current.metadata.namespace_ + "/" +
                      current.metadata.name + " has no subset named \"";
  if (!canary_found) {
    return InvalidArgumentError(where + ref.canary_subset_name + "\"",
                                kRefPath + ".canarySubsetName");
  }
  if (!stable_found) {
    return InvalidArgumentError(where + ref.stable_subset_name + "\"",
                                kRefPath + ".stableSubsetName");
  }
  desired.metadata.annotations[std::string(api::defaults::kManagedByRolloutsAnnotation)] =
      targets.rollout_name;
  return desired;
}

}  // namespace devflow::traffic::istio
