#include "traffic/istio/istio_router.h"

#include <functional>
#include <utility>

#include "api/decode.h"
#include "api/networking_codec.h"
#include "traffic/istio/destination_rule_rules.h"
#include "traffic/istio/route_weights.h"
#include "traffic/istio/virtual_service_rules.h"

namespace devflow::traffic::istio {
namespace {

const std::string kIstioPath = "spec.strategy.canary.trafficRouting.istio";

// Problems found in the configuration, reported together in one Status.
class Problems {
 public:
  void Add(std::string path, std::string message) {
    if (first_path_.empty()) first_path_ = path;
    if (!message_.empty()) message_ += "; ";
    message_ += path + ": " + message;
  }
  Status ToStatus() const {
    if (message_.empty()) return Status::Ok();
    return InvalidArgumentError(message_, first_path_);
  }

 private:
  std::string first_path_;
  std::string message_;
};

void CheckVirtualServiceRef(const api::IstioVirtualServiceRef& ref, const std::string& path,
                            Problems& problems) {
  if (ref.name.empty()) problems.Add(path + ".name", "is required");
  for (size_t i = 0; i < ref.tls_routes.size(); ++i) {
    std::string route = path + ".tlsRoutes[" + std::to_string(i) + "]";
    const api::IstioTlsRouteRef& tls = ref.tls_routes[i];
    if (tls.port < 1 || tls.port > 65535) {
      problems.Add(route + ".port", "must be 1..65535, got " + std::to_string(tls.port));
    }
    if (tls.sni_hosts.empty()) problems.Add(route + ".sniHosts", "must name at least one host");
  }
  for (size_t i = 0; i < ref.tcp_routes.size(); ++i) {
    int64_t port = ref.tcp_routes[i].port;
    if (port < 1 || port > 65535) {
      problems.Add(path + ".tcpRoutes[" + std::to_string(i) + "].port",
                   "must be 1..65535, got " + std::to_string(port));
    }
  }
}

// Reads an object of type T, computes its desired form and writes it when it differs; on a
// Conflict (another writer came first) starts over from a fresh read.
template <class T>
Status UpdateWithRetry(ObjectAccess& objects, const kube::ResourceRef& resource,
                       const std::string& ns, const std::string& name,
                       const std::string& name_field,
                       const std::function<Result<T>(const T&)>& desire) {
  std::string object = resource.kind + " " + ns + "/" + name;
  for (int attempt = 0;; ++attempt) {
    Result<json::Value> read = objects.Get(resource, ns, name);
    if (!read.ok()) {
      const Status& error = read.error();
      return Status(error.code(), object + ": " + error.message(),
                    error.code() == StatusCode::kNotFound ? name_field : error.field_path());
    }
    api::FieldErrors errors;
    T current = api::Decode<T>(*read, &errors);
    if (!errors.empty()) {
      // Writing back a partly decoded object would drop the fields that failed.
      return InvalidArgumentError(object + " does not decode: " + api::ToString(errors.front()),
                                  errors.front().path.str());
    }
    DEVFLOW_ASSIGN_OR_RETURN(T desired, desire(current));
    if (desired == current) return Status::Ok();
    Result<json::Value> written = objects.Update(resource, ns, api::Encode(desired));
    if (written.ok()) return Status::Ok();
    if (written.error().code() != StatusCode::kConflict ||
        attempt == IstioRouter::kConflictRetries) {
      return written.error().WithContext("updating " + object);
    }
  }
}

}  // namespace

kube::ResourceRef VirtualServiceResource() {
  return {.group = "networking.istio.io",
          .version = "v1beta1",
          .plural = "virtualservices",
          .kind = "VirtualService"};
}

kube::ResourceRef DestinationRuleResource() {
  return {.group = "networking.istio.io",
          .version = "v1beta1",
          .plural = "destinationrules",
          .kind = "DestinationRule"};
}

Status ValidateIstioConfig(const api::IstioTrafficRouting& config) {
  Problems problems;
  bool single = config.virtual_service.has_value();
  bool multiple = !config.virtual_services.empty();
  if (single == multiple) {
    problems.Add(kIstioPath, "must set exactly one of virtualService and virtualServices");
  }
  if (single) {
    CheckVirtualServiceRef(*config.virtual_service, kIstioPath + ".virtualService", problems);
  }
  for (size_t i = 0; i < config.virtual_services.size(); ++i) {
    CheckVirtualServiceRef(config.virtual_services[i],
                           kIstioPath + ".virtualServices[" + std::to_string(i) + "]", problems);
  }
  if (config.destination_rule) {
    const api::IstioDestinationRuleRef& rule = *config.destination_rule;
    std::string path = kIstioPath + ".destinationRule";
    if (rule.name.empty()) problems.Add(path + ".name", "is required");
    if (rule.canary_subset_name.empty()) problems.Add(path + ".canarySubsetName", "is required");
    if (rule.stable_subset_name.empty()) problems.Add(path + ".stableSubsetName", "is required");
    if (!rule.canary_subset_name.empty() && rule.canary_subset_name == rule.stable_subset_name) {
      problems.Add(path + ".stableSubsetName", "must differ from canarySubsetName (both are \"" +
                                                   rule.canary_subset_name + "\")");
    }
  }
  return problems.ToStatus();
}

Result<std::unique_ptr<TrafficRouter>> MakeIstioRouter(const api::IstioTrafficRouting& config) {
  DEVFLOW_RETURN_IF_ERROR(ValidateIstioConfig(config));
  return std::unique_ptr<TrafficRouter>(std::make_unique<IstioRouter>(config));
}

IstioRouter::IstioRouter(api::IstioTrafficRouting config) : config_(std::move(config)) {
  if (config_.virtual_service) {
    virtual_services_.push_back({*config_.virtual_service, kIstioPath + ".virtualService"});
  }
  for (size_t i = 0; i < config_.virtual_services.size(); ++i) {
    virtual_services_.push_back(
        {config_.virtual_services[i], kIstioPath + ".virtualServices[" + std::to_string(i) + "]"});
  }
}

Status IstioRouter::Apply(const TrafficTargets& targets, ObjectAccess& objects) const {
  if (config_.destination_rule) DEVFLOW_RETURN_IF_ERROR(ApplyDestinationRule(targets, objects));
  for (const VirtualServiceEntry& entry : virtual_services_) {
    DEVFLOW_RETURN_IF_ERROR(ApplyVirtualService(entry, targets, objects));
  }
  return Status::Ok();
}

Status IstioRouter::ApplyDestinationRule(const TrafficTargets& targets,
                                         ObjectAccess& objects) const {
  const api::IstioDestinationRuleRef& ref = *config_.destination_rule;
  std::function<Result<api::DestinationRule>(const api::DestinationRule&)> desire =
      [&](const api::DestinationRule& current) {
        return DesiredDestinationRule(current, ref, targets);
      };
  return UpdateWithRetry(objects, DestinationRuleResource(), targets.namespace_, ref.name,
                         kIstioPath + ".destinationRule.name", desire);
}

Status IstioRouter::ApplyVirtualService(const VirtualServiceEntry& entry,
                                        const TrafficTargets& targets,
                                        ObjectAccess& objects) const {
  ObjectName name = ResolveVirtualServiceName(entry.ref.name, targets.namespace_);
  const api::IstioDestinationRuleRef* rule =
      config_.destination_rule ? &*config_.destination_rule : nullptr;
  DestinationRoles roles = RolesFor(targets, rule);
  std::function<Result<api::VirtualService>(const api::VirtualService&)> desire =
      [&](const api::VirtualService& current) {
        return DesiredVirtualService(current, entry.ref, entry.path, roles, targets);
      };
  return UpdateWithRetry(objects, VirtualServiceResource(), name.namespace_, name.name,
                         entry.path + ".name", desire);
}

}  // namespace devflow::traffic::istio
