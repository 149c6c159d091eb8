#include "traffic/nginx/canary_ingress.h"

#include <algorithm>

#include "api/defaults.h"

namespace devflow::traffic::nginx {
namespace {

constexpr std::string_view kCanarySuffix = "-canary";
constexpr std::string_view kIngressClassAnnotation = "kubernetes.io/ingress.class";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

api::OwnerReference ControllerRef(const TrafficTargets& targets) {
  return {.api_version = "argoproj.io/v1alpha1",
          .kind = "Rollout",
          .name = targets.rollout_name,
          .uid = targets.rollout_uid,
          .controller = true,
          .block_owner_deletion = true};
}

bool ControlledBy(const api::ObjectMeta& metadata, const TrafficTargets& targets) {
  return std::any_of(metadata.owner_references.begin(), metadata.owner_references.end(),
                     [&](const api::OwnerReference& owner) {
                       return owner.controller.value_or(false) && owner.uid == targets.rollout_uid;
                     });
}

// The stable's rules that route to stableService, with only those paths, rewritten to the
// canary Service.
std::vector<api::IngressRule> CanaryRules(const api::Ingress& stable,
                                          const TrafficTargets& targets) {
  std::vector<api::IngressRule> rules;
  for (const api::IngressRule& rule : stable.spec.rules) {
    if (!rule.http) continue;
    api::IngressRule canary = rule;
    canary.http->paths.clear();
    for (const api::HTTPIngressPath& path : rule.http->paths) {
      const auto& service = path.backend.service;
      if (!service || service->name != targets.stable_service) continue;
      api::HTTPIngressPath rewritten = path;
      rewritten.backend.service->name = targets.canary_service;
      canary.http->paths.push_back(std::move(rewritten));
    }
    if (!canary.http->paths.empty()) rules.push_back(std::move(canary));
  }
  return rules;
}

}  // namespace

std::string CanaryIngressName(std::string_view rollout, std::string_view stable_ingress) {
  std::string prefix = std::string(rollout) + "-" + std::string(stable_ingress);
  size_t limit = kMaxNameLength - kCanarySuffix.size();
  if (prefix.size() > limit) prefix.resize(limit);
  return prefix + std::string(kCanarySuffix);
}

std::string AnnotationPrefix(const api::NginxTrafficRouting& config) {
  return config.annotation_prefix.empty() ? std::string(api::defaults::kNginxAnnotationPrefix)
                                          : config.annotation_prefix;
}

std::map<std::string, std::string> CanaryAnnotations(const api::Ingress& stable,
                                                     const api::NginxTrafficRouting& config,
                                                     const TrafficTargets& targets) {
  std::string prefix = AnnotationPrefix(config);
  std::map<std::string, std::string> out;
  auto ingress_class = stable.metadata.annotations.find(std::string(kIngressClassAnnotation));
  if (ingress_class != stable.metadata.annotations.end()) {
    out[ingress_class->first] = ingress_class->second;
  }
  for (const auto& [key, value] : config.additional_ingress_annotations) {
    out[StartsWith(key, prefix) ? key : prefix + "/" + key] = value;
  }
  for (const auto& [key, value] : config.canary_ingress_annotations) out[key] = value;
  out[prefix + "/canary"] = "true";
  out[prefix + "/canary-weight"] = std::to_string(targets.canary_weight);
  if (targets.max_weight != api::defaults::kMaxTrafficWeight) {
    out[prefix + "/canary-weight-total"] = std::to_string(targets.max_weight);
  }
  return out;
}

Result<api::Ingress> DesiredCanaryIngress(const api::Ingress& stable, const api::Ingress* current,
                                          const api::NginxTrafficRouting& config,
                                          std::string_view stable_path,
                                          const TrafficTargets& targets) {
  std::vector<api::IngressRule> rules = CanaryRules(stable, targets);
  if (rules.empty()) {
    return InvalidArgumentError("Ingress " + stable.metadata.namespace_ + "/" +
                                    stable.metadata.name +
                                    " has no path with the backend "
                                    "service \"" +
                                    targets.stable_service + "\" (stableService)",
                                std::string(stable_path));
  }
  api::Ingress desired;
  if (current != nullptr) {
    if (!ControlledBy(current->metadata, targets)) {
      return FailedPreconditionError(
          "Ingress " + current->metadata.namespace_ + "/" + current->metadata.name +
          " exists and is not controlled by Rollout " + targets.rollout_name +
          "; delete it to let devflow create "
          "the canary Ingress");
    }
    desired = *current;
  } else {
    desired.api_version = "networking.k8s.io/v1";
    desired.kind = "Ingress";
    desired.metadata.name = CanaryIngressName(targets.rollout_name, stable.metadata.name);
    desired.metadata.namespace_ = stable.metadata.namespace_;
    desired.metadata.owner_references.push_back(ControllerRef(targets));
  }
  for (auto& [key, value] : CanaryAnnotations(stable, config, targets)) {
    desired.metadata.annotations[key] = std::move(value);
  }
  desired.spec = api::IngressSpec{};
  desired.spec.ingress_class_name = stable.spec.ingress_class_name;
  desired.spec.tls = stable.spec.tls;
  desired.spec.rules = std::move(rules);
  return desired;
}

}  // namespace devflow::traffic::nginx
