#include "api/kinds.h"

#include <string>

namespace devflow::api {

std::string KindInfo::ApiVersion() const {
  if (group.empty()) return std::string(version);
  return std::string(group) + "/" + std::string(version);
}

const std::vector<KindInfo>& BuiltinKinds() {
  static const std::vector<KindInfo> kinds = {
      // argoproj.io: names, short names and scopes as Argo Rollouts' CRDs define them.
      {"argoproj.io", "v1alpha1", "Rollout", "rollouts", "rollout", {"ro"}, true, true, nullptr},
      {"argoproj.io",
       "v1alpha1",
       "AnalysisTemplate",
       "analysistemplates",
       "analysistemplate",
       {"at"},
       true,
       false,
       nullptr},
      {"argoproj.io",
       "v1alpha1",
       "ClusterAnalysisTemplate",
       "clusteranalysistemplates",
       "clusteranalysistemplate",
       {"cat"},
       false,
       false,
       nullptr},
      {"argoproj.io",
       "v1alpha1",
       "AnalysisRun",
       "analysisruns",
       "analysisrun",
       {"ar"},
       true,
       false,
       nullptr},
      {"argoproj.io",
       "v1alpha1",
       "Experiment",
       "experiments",
       "experiment",
       {"exp"},
       true,
       false,
       nullptr},
      // Kubernetes built-ins.
      {"apps", "v1", "ReplicaSet", "replicasets", "replicaset", {"rs"}, true, true, nullptr},
      {"apps", "v1", "Deployment", "deployments", "deployment", {"deploy"}, true, true, nullptr},
      {"", "v1", "Pod", "pods", "pod", {"po"}, true, true, nullptr},
      {"", "v1", "Service", "services", "service", {"svc"}, true, true, nullptr},
      {"", "v1", "Namespace", "namespaces", "namespace", {"ns"}, false, true, nullptr},
      {"", "v1", "Secret", "secrets", "secret", {}, true, false, nullptr},
      {"", "v1", "Event", "events", "event", {"ev"}, true, false, nullptr},
      {"batch", "v1", "Job", "jobs", "job", {}, true, true, nullptr},
      {"coordination.k8s.io", "v1", "Lease", "leases", "lease", {}, true, false, nullptr},
      {"networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", {"ing"}, true, true, nullptr},
      {"gateway.networking.k8s.io",
       "v1",
       "Gateway",
       "gateways",
       "gateway",
       {"gtw"},
       true,
       true,
       nullptr},
      {"gateway.networking.k8s.io",
       "v1",
       "HTTPRoute",
       "httproutes",
       "httproute",
       {},
       true,
       true,
       nullptr},
      {"networking.istio.io",
       "v1beta1",
       "VirtualService",
       "virtualservices",
       "virtualservice",
       {"vs"},
       true,
       true,
       nullptr},
      {"networking.istio.io",
       "v1beta1",
       "DestinationRule",
       "destinationrules",
       "destinationrule",
       {"dr"},
       true,
       true,
       nullptr},
  };
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
