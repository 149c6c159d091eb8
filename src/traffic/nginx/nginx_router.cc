#include "traffic/nginx/nginx_router.h"

#include <set>
#include <utility>

#include "api/decode.h"
#include "api/networking_codec.h"
#include "traffic/nginx/canary_ingress.h"

namespace devflow::traffic::nginx {
namespace {

const std::string kNginxPath = "spec.strategy.canary.trafficRouting.nginx";

std::string Describe(const std::string& ns, const std::string& name) {
  return "Ingress " + ns + "/" + name;
}

// The Ingress at ns/name decoded, or the read's error with the object named (and, for NotFound,
// `name_field`, the Rollout field that names it).
Result<api::Ingress> ReadIngress(ObjectAccess& objects, const std::string& ns,
                                 const std::string& name, const std::string& name_field) {
  Result<json::Value> read = objects.Get(IngressResource(), ns, name);
  if (!read.ok()) {
    const Status& error = read.error();
    return Status(error.code(), Describe(ns, name) + ": " + error.message(),
                  error.code() == StatusCode::kNotFound ? name_field : error.field_path());
  }
  api::FieldErrors errors;
  api::Ingress ingress = api::Decode<api::Ingress>(*read, &errors);
  if (!errors.empty()) {
    // Writing back a partly decoded object would drop the fields that failed.
    return InvalidArgumentError(
        Describe(ns, name) + " does not decode: " + api::ToString(errors.front()),
        errors.front().path.str());
  }
  return ingress;
}

}  // namespace

kube::ResourceRef IngressResource() {
  return {.group = "networking.k8s.io", .version = "v1", .plural = "ingresses", .kind = "Ingress"};
}

Status ValidateNginxConfig(const api::NginxTrafficRouting& config) {
  std::string first_path;
  std::string message;
  auto add = [&](std::string path, const std::string& problem) {
    if (first_path.empty()) first_path = path;
    if (!message.empty()) message += "; ";
    message += path + ": " + problem;
  };
  bool single = !config.stable_ingress.empty();
  bool multiple = !config.stable_ingresses.empty();
  if (single == multiple) {
    add(kNginxPath, "must set exactly one of stableIngress and stableIngresses");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < config.stable_ingresses.size(); ++i) {
    std::string path = kNginxPath + ".stableIngresses[" + std::to_string(i) + "]";
    const std::string& name = config.stable_ingresses[i];
    if (name.empty()) {
      add(path, "must name an Ingress");
    } else if (!seen.insert(name).second) {
      add(path, "\"" + name + "\" is listed twice");
    }
  }
  if (message.empty()) return Status::Ok();
  return InvalidArgumentError(message, first_path);
}

Result<std::unique_ptr<TrafficRouter>> MakeNginxRouter(const api::NginxTrafficRouting& config) {
  DEVFLOW_RETURN_IF_ERROR(ValidateNginxConfig(config));
  return std::unique_ptr<TrafficRouter>(std::make_unique<NginxRouter>(config));
}

NginxRouter::NginxRouter(api::NginxTrafficRouting config) : config_(std::move(config)) {
  if (!config_.stable_ingress.empty()) {
    stable_ingresses_.push_back({config_.stable_ingress, kNginxPath + ".stableIngress"});
  }
  for (size_t i = 0; i < config_.stable_ingresses.size(); ++i) {
    stable_ingresses_.push_back(
        {config_.stable_ingresses[i], kNginxPath + ".stableIngresses[" + std::to_string(i) + "]"});
  }
}

Status NginxRouter::Apply(const TrafficTargets& targets, ObjectAccess& objects) const {
  for (const StableIngress& stable : stable_ingresses_) {
    DEVFLOW_RETURN_IF_ERROR(ApplyOne(stable, targets, objects));
  }
  return Status::Ok();
}

Status NginxRouter::ApplyOne(const StableIngress& stable, const TrafficTargets& targets,
                             ObjectAccess& objects) const {
  const std::string& ns = targets.namespace_;
  std::string canary_name = CanaryIngressName(targets.rollout_name, stable.name);
  for (int attempt = 0;; ++attempt) {
    DEVFLOW_ASSIGN_OR_RETURN(api::Ingress stable_ingress,
                             ReadIngress(objects, ns, stable.name, stable.path));
    Result<api::Ingress> current = ReadIngress(objects, ns, canary_name, "");
    if (!current.ok() && current.error().code() != StatusCode::kNotFound) return current.error();
    const api::Ingress* existing = current.ok() ? &*current : nullptr;
    DEVFLOW_ASSIGN_OR_RETURN(
        api::Ingress desired,
        DesiredCanaryIngress(stable_ingress, existing, config_, stable.path, targets));
    Status written;
    if (existing == nullptr) {
      written = objects.Create(IngressResource(), ns, api::Encode(desired)).status();
    } else if (desired == *existing) {
      return Status::Ok();
    } else {
      written = objects.Update(IngressResource(), ns, api::Encode(desired)).status();
    }
    if (written.ok()) return Status::Ok();
    bool raced =
        written.code() == StatusCode::kConflict || written.code() == StatusCode::kAlreadyExists;
    if (!raced || attempt == kConflictRetries) {
      return written.WithContext((existing == nullptr ? "creating " : "updating ") +
                                 Describe(ns, canary_name));
    }
  }
}

}  // namespace devflow::traffic::nginx
