#include "api/kinds.h"

#include <string>

#include "api/analysis_codec.h"
#include "api/analysis_validation.h"
#include "api/core_kinds_codec.h"
#include "api/core_kinds_validation.h"
#include "api/decode.h"
#include "api/experiment_codec.h"
#include "api/experiment_validation.h"
#include "api/networking_codec.h"
#include "api/networking_validation.h"
#include "api/pod_codec.h"
#include "api/pod_validation.h"
#include "api/rollout_codec.h"
#include "api/rollout_validation.h"
#include "api/workloads_codec.h"
#include "api/workloads_validation.h"

namespace devflow::api {
namespace {

// True when `path` is `prefix` or lies below it ("a.b[0]" under "a.b").
bool IsWithin(const std::string& path, const std::string& prefix) {
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// Decodes the object as T, then validates it. A field that failed to decode keeps its default,
// so rules about it (or below it) would only restate the problem: those are dropped, leaving
// one message per mistake.
template <class T>
FieldErrors DecodeAndValidate(const json::Value& object) {
  FieldErrors errors;
  T typed = Decode<T>(object, &errors);
  const size_t decode_errors = errors.size();
  for (FieldError& e : Validate(typed)) {
    bool restates = false;
    for (size_t i = 0; i < decode_errors && !restates; ++i) {
      restates = IsWithin(e.path.str(), errors[i].path.str());
    }
    if (!restates) errors.push_back(std::move(e));
  }
  return errors;
}

std::vector<FieldPath> RolloutUnknownFields(const json::Value& object) {
  return UnknownRolloutFields(Decode<Rollout>(object));
}

}  // namespace

std::string KindInfo::ApiVersion() const {
  if (group.empty()) return std::string(version);
  return std::string(group) + "/" + std::string(version);
}

const std::vector<KindInfo>& BuiltinKinds() {
  // clang-format off
  static const std::vector<KindInfo> kinds = {
      // argoproj.io: names, short names and scopes as Argo Rollouts' CRDs define them.
      {"argoproj.io", "v1alpha1", "Rollout", "rollouts", "rollout", {"ro"},
       true, true, &DecodeAndValidate<Rollout>, &RolloutUnknownFields},
      {"argoproj.io", "v1alpha1", "AnalysisTemplate", "analysistemplates", "analysistemplate", {"at"},
       true, false, &DecodeAndValidate<AnalysisTemplate>},
      {"argoproj.io", "v1alpha1", "ClusterAnalysisTemplate", "clusteranalysistemplates",
       "clusteranalysistemplate", {"cat"},
       false, false, &DecodeAndValidate<ClusterAnalysisTemplate>},
      {"argoproj.io", "v1alpha1", "AnalysisRun", "analysisruns", "analysisrun", {"ar"},
       true, false, &DecodeAndValidate<AnalysisRun>},
      {"argoproj.io", "v1alpha1", "Experiment", "experiments", "experiment", {"exp"},
       true, false, &DecodeAndValidate<Experiment>},
      // Kubernetes built-ins.
      {"apps", "v1", "ReplicaSet", "replicasets", "replicaset", {"rs"},
       true, true, &DecodeAndValidate<ReplicaSet>},
      {"apps", "v1", "Deployment", "deployments", "deployment", {"deploy"},
       true, true, &DecodeAndValidate<Deployment>},
      {"", "v1", "Pod", "pods", "pod", {"po"},
       true, true, &DecodeAndValidate<Pod>},
      {"", "v1", "Service", "services", "service", {"svc"},
       true, true, &DecodeAndValidate<Service>, nullptr, NameRule::kDns1035Label},
      {"", "v1", "Namespace", "namespaces", "namespace", {"ns"},
       false, true, &DecodeAndValidate<Namespace>, nullptr, NameRule::kDnsLabel},
      {"", "v1", "Secret", "secrets", "secret", {},
       true, false, &DecodeAndValidate<Secret>},
      {"", "v1", "Event", "events", "event", {"ev"},
       true, false, &DecodeAndValidate<Event>},
      {"batch", "v1", "Job", "jobs", "job", {},
       true, true, &DecodeAndValidate<Job>},
      {"coordination.k8s.io", "v1", "Lease", "leases", "lease", {},
       true, false, &DecodeAndValidate<Lease>},
      {"networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", {"ing"},
       true, true, &DecodeAndValidate<Ingress>},
      {"gateway.networking.k8s.io", "v1", "Gateway", "gateways", "gateway", {"gtw"},
       true, true, &DecodeAndValidate<Gateway>},
      {"gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes", "httproute", {},
       true, true, &DecodeAndValidate<HTTPRoute>},
      {"networking.istio.io", "v1beta1", "VirtualService", "virtualservices", "virtualservice", {"vs"},
       true, true, &DecodeAndValidate<VirtualService>},
      {"networking.istio.io", "v1beta1", "DestinationRule", "destinationrules", "destinationrule", {"dr"},
       true, true, &DecodeAndValidate<DestinationRule>},
  };
  // clang-format on
  return kinds;
}

const KindInfo* FindKind(std::string_view api_version, std::string_view kind) {
  for (const KindInfo& info : BuiltinKinds()) {
    if (info.kind != kind) continue;
    if (info.ApiVersion() == api_version) return &info;
    // Istio serves the same kinds at v1alpha3, v1beta1 and v1; Gateway API at v1beta1 and v1.
    if ((info.group == "networking.istio.io" || info.group == "gateway.networking.k8s.io") &&
        api_version.starts_with(std::string(info.group) + "/")) {
      return &info;
    }
  }
  return nullptr;
}

}  // namespace devflow::api
