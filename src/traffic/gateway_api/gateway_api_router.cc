#include "traffic/gateway_api/gateway_api_router.h"

#include <optional>
#include <string>
#include <utility>

#include "api/decode.h"
#include "api/networking_codec.h"
#include "traffic/gateway_api/http_route_rules.h"

namespace devflow::traffic::gateway_api {
namespace {

kube::ResourceRef ServiceResource() {
  return kube::ResourceRef{.group = "", .version = "v1", .plural = "services", .kind = "Service"};
}

// The port an Experiment Service is reached on: the one named "http", else the first.
std::optional<int32_t> ServicePort(const json::Value& service) {
  const json::Value* spec = service.Find("spec");
  const json::Value* ports = spec == nullptr ? nullptr : spec->Find("ports");
  if (ports == nullptr || !ports->is_array() || ports->as_array().empty()) return std::nullopt;
  const json::Value* chosen = &ports->as_array().front();
  for (const json::Value& port : ports->as_array()) {
    if (json::StringAt(port, {"name"}) == "http") {
      chosen = &port;
      break;
    }
  }
  const json::Value* number = chosen->Find("port");
  if (number == nullptr || !number->is_int()) return std::nullopt;
  return static_cast<int32_t>(number->as_int());
}

Result<ServicePorts> ExperimentPorts(const TrafficTargets& targets, ObjectAccess& objects) {
  ServicePorts ports;
  for (const WeightDestination& destination : targets.additional) {
    Result<json::Value> service =
        objects.Get(ServiceResource(), targets.namespace_, destination.service_name);
    if (!service.ok()) {
      if (service.error().code() == StatusCode::kNotFound) continue;
      return service.error().WithContext("reading Experiment Service " + targets.namespace_ + "/" +
                                         destination.service_name);
    }
    std::optional<int32_t> port = ServicePort(*service);
    if (port.has_value()) ports[destination.service_name] = *port;
  }
  return ports;
}

Status ApplyRoute(const HttpRouteRef& ref, const std::string& ns, const TrafficTargets& targets,
                  const HttpRouteOptions& options, const ServicePorts& ports,
                  ObjectAccess& objects) {
  const std::string name = "HTTPRoute " + ns + "/" + ref.name;
  for (int attempt = 0; attempt <= kConflictRetries; ++attempt) {
    Result<json::Value> read = objects.Get(HttpRouteResource(), ns, ref.name);
    if (!read.ok()) {
      if (read.error().code() == StatusCode::kNotFound) {
        return NotFoundError(name + " not found (named by " + GatewayApiConfigPath().str() +
                             "): create it with a rule whose backendRefs are the stable and the "
                             "canary Service");
      }
      return read.error().WithContext("reading " + name);
    }
    api::FieldErrors errors;
    api::HTTPRoute current = api::Decode<api::HTTPRoute>(*read, &errors);
    if (!errors.empty()) {
      return InvalidArgumentError(name + ": " + errors.front().message, errors.front().path.str());
    }
    DEVFLOW_ASSIGN_OR_RETURN(api::HTTPRoute desired,
                             DesiredHttpRoute(current, targets, options, ports));
    if (desired == current) return Status::Ok();
    Result<json::Value> written = objects.Update(HttpRouteResource(), ns, api::Encode(desired));
    if (written.ok()) return Status::Ok();
    if (written.error().code() != StatusCode::kConflict) {
      return written.error().WithContext("updating " + name);
    }
  }
  return ConflictError(name + " changed under every one of " +
                       std::to_string(kConflictRetries + 1) +
                       " read-modify-write attempts; the next reconcile tries again");
}

}  // namespace

kube::ResourceRef HttpRouteResource() {
  return kube::ResourceRef{.group = "gateway.networking.k8s.io",
                           .version = "v1",
                           .plural = "httproutes",
                           .kind = "HTTPRoute"};
}

std::string GatewayApiRouter::Type() const { return std::string(kRouterType); }

Status GatewayApiRouter::Apply(const TrafficTargets& targets, ObjectAccess& objects) const {
  if (targets.canary_service.empty()) {
    return InvalidArgumentError("required by the Gateway API router (argoproj-labs/gatewayAPI)",
                                "spec.strategy.canary.canaryService");
  }
  if (targets.stable_service.empty()) {
    return InvalidArgumentError("required by the Gateway API router (argoproj-labs/gatewayAPI)",
                                "spec.strategy.canary.stableService");
  }
  DEVFLOW_ASSIGN_OR_RETURN(ServicePorts ports, ExperimentPorts(targets, objects));
  const std::string& ns = config_.namespace_.empty() ? targets.namespace_ : config_.namespace_;
  Status first_error;
  for (const HttpRouteRef& ref : config_.http_routes) {
    HttpRouteOptions options{.use_header_routes = ref.use_header_routes};
    if (config_.in_progress_label) {
      options.in_progress_label_key = config_.in_progress_label_key;
      options.in_progress_label_value = config_.in_progress_label_value;
    }
    Status status = ApplyRoute(ref, ns, targets, options, ports, objects);
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  return first_error;
}

Result<std::unique_ptr<TrafficRouter>> MakeGatewayApiRouter(const json::Value& config) {
  DEVFLOW_ASSIGN_OR_RETURN(GatewayApiConfig parsed, ParseGatewayApiConfig(config));
  return std::unique_ptr<TrafficRouter>(std::make_unique<GatewayApiRouter>(std::move(parsed)));
}

}  // namespace devflow::traffic::gateway_api
