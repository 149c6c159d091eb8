#include "traffic/istio/route_weights.h"

#include <algorithm>
#include <map>
#include <set>

namespace devflow::traffic::istio {
namespace {

bool SubsetSplit(const DestinationRoles& roles) {
  return !roles.canary_subset.empty() || !roles.stable_subset.empty();
}

const WeightDestination* ExperimentFor(std::string_view service, const TrafficTargets& targets) {
  for (const WeightDestination& destination : targets.additional) {
    if (destination.service_name == service) return &destination;
  }
  return nullptr;
}

}  // namespace

DestinationRoles RolesFor(const TrafficTargets& targets,
                          const api::IstioDestinationRuleRef* destination_rule) {
  DestinationRoles roles{.canary_service = targets.canary_service,
                         .stable_service = targets.stable_service};
  if (destination_rule != nullptr) {
    roles.canary_subset = destination_rule->canary_subset_name;
    roles.stable_subset = destination_rule->stable_subset_name;
    roles.additional_subsets = destination_rule->additional_subset_names;
  }
  return roles;
}

std::string HostServiceName(std::string_view host) {
  return std::string(host.substr(0, host.find('.')));
}

DestinationRole RoleOf(const api::IstioDestination& destination, const DestinationRoles& roles,
                       const TrafficTargets& targets) {
  std::string service = HostServiceName(destination.host);
  // A subset-level split tells the sides apart by subset only: both usually share one host.
  if (SubsetSplit(roles)) {
    if (!destination.subset.empty() && destination.subset == roles.canary_subset) {
      return DestinationRole::kCanary;
    }
    if (!destination.subset.empty() && destination.subset == roles.stable_subset) {
      return DestinationRole::kStable;
    }
  } else {
    if (!service.empty() && service == roles.canary_service) return DestinationRole::kCanary;
    if (!service.empty() && service == roles.stable_service) return DestinationRole::kStable;
  }
  if (!service.empty() && ExperimentFor(service, targets) != nullptr) {
    return DestinationRole::kExperiment;
  }
  if (!destination.subset.empty() &&
      std::find(roles.additional_subsets.begin(), roles.additional_subsets.end(),
                destination.subset) != roles.additional_subsets.end()) {
    return DestinationRole::kAdditionalSubset;
  }
  return DestinationRole::kUnknown;
}

std::vector<api::IstioRouteDestination> WeightedDestinations(
    const std::vector<api::IstioRouteDestination>& route, const DestinationRoles& roles,
    const TrafficTargets& targets) {
  int32_t stable_weight = StableWeight(targets);
  for (const api::IstioRouteDestination& destination : route) {
    if (RoleOf(destination.destination, roles, targets) == DestinationRole::kAdditionalSubset) {
      stable_weight -= destination.weight;
    }
  }
  stable_weight = std::max(stable_weight, 0);

  std::vector<api::IstioRouteDestination> out;
  std::set<std::string> experiments_seen;
  for (const api::IstioRouteDestination& destination : route) {
    api::IstioRouteDestination weighted = destination;
    switch (RoleOf(destination.destination, roles, targets)) {
      case DestinationRole::kCanary:
        weighted.weight = targets.canary_weight;
        break;
      case DestinationRole::kStable:
        weighted.weight = stable_weight;
        break;
      case DestinationRole::kExperiment: {
        std::string service = HostServiceName(destination.destination.host);
        // One destination per Experiment Service: a second one is unknown, so removed.
        if (!experiments_seen.insert(service).second) continue;
        weighted.weight = ExperimentFor(service, targets)->weight;
        break;
      }
      case DestinationRole::kAdditionalSubset:
        break;
      case DestinationRole::kUnknown:
        continue;
    }
    out.push_back(std::move(weighted));
  }

  std::map<std::string, int32_t> missing;  // sorted by Service name, so the order is stable
  for (const WeightDestination& experiment : targets.additional) {
    if (experiments_seen.count(experiment.service_name) == 0) {
      missing.emplace(experiment.service_name, experiment.weight);
    }
  }
  for (const auto& [service, weight] : missing) {
    api::IstioRouteDestination added;
    added.destination.host = service;
    added.weight = weight;
    out.push_back(std::move(added));
  }
  return out;
}

Status CheckCanaryAndStable(const std::vector<api::IstioRouteDestination>& route,
                            const DestinationRoles& roles, const TrafficTargets& targets,
                            std::string_view where, std::string_view field_path) {
  bool has_canary = false;
  bool has_stable = false;
  for (const api::IstioRouteDestination& destination : route) {
    DestinationRole role = RoleOf(destination.destination, roles, targets);
    has_canary = has_canary || role == DestinationRole::kCanary;
    has_stable = has_stable || role == DestinationRole::kStable;
  }
  auto missing = [&](std::string_view side, const std::string& service, const std::string& subset) {
    std::string what =
        SubsetSplit(roles)
            ? "destination with the " + std::string(side) + " subset \"" + subset + "\""
            : "destination for the " + std::string(side) + " Service \"" + service + "\"";
    return InvalidArgumentError(std::string(where) + " has no " + what, std::string(field_path));
  };
  if (!has_canary) return missing("canary", roles.canary_service, roles.canary_subset);
  if (!has_stable) return missing("stable", roles.stable_service, roles.stable_subset);
  return Status::Ok();
}

const api::IstioDestination* CanaryDestination(const std::vector<api::IstioRouteDestination>& route,
                                               const DestinationRoles& roles,
                                               const TrafficTargets& targets) {
  for (const api::IstioRouteDestination& destination : route) {
    if (RoleOf(destination.destination, roles, targets) == DestinationRole::kCanary) {
      return &destination.destination;
    }
  }
  return nullptr;
}

}  // namespace devflow::traffic::istio
