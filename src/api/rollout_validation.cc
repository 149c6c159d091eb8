#include "api/rollout_validation.h"

#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/duration.h"
#include "api/name_rules.h"
#include "api/pod_validation.h"
#include "api/rollout_defaults.h"
#include "api/validation_util.h"
#include "api/workloads_validation.h"

namespace devflow::api {
namespace {

// Argo Rollouts' own wording, kept where a user may search for it.
constexpr std::string_view kMissingStrategy =
    "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'";
constexpr std::string_view kMultipleStrategies = "Multiple Strategies can not be listed";
constexpr std::string_view kSameActivePreview =
    "This rollout uses the same service for the active and preview services, but two different "
    "services are required.";
constexpr std::string_view kSameCanaryStable =
    "This rollout uses the same service for the stable and canary services, but two different "
    "services are required.";
constexpr std::string_view kSamePingPong =
    "This rollout uses the same service for the ping and pong services, but two different "
    "services are required.";
constexpr std::string_view kBothZero = "MaxSurge and MaxUnavailable both can not be zero";

// "a, b and c"
std::string JoinAnd(const std::vector<std::string>& items, std::string_view last = " and ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? std::string(last) : std::string(", ");
    out += items[i];
  }
  return out;
}

class Checker {
 public:
  Checker(const Rollout& rollout, FieldErrors* errors) : r_(rollout), errors_(errors) {}

  void Run();

 private:
  void Add(const FieldPath& path, std::string message) {
    errors_->push_back(FieldError{path, std::move(message)});
  }
  void AtLeast(const std::optional<int32_t>& v, int32_t min, const FieldPath& path) {
    if (v && *v < min) {
      Add(path, "must be >= " + std::to_string(min) + ", got " + std::to_string(*v));
    }
  }
  void InRange(int64_t v, int64_t lo, int64_t hi, const FieldPath& path) {
    if (v < lo || v > hi) {
      Add(path, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                    std::to_string(v));
    }
  }
  void Required(const std::string& v, const FieldPath& path, std::string_view what) {
    if (v.empty()) Add(path, "is required: " + std::string(what));
  }
  void ServiceName(const std::string& name, const FieldPath& path) {
    if (name.empty()) return;
    if (std::string why = CheckDnsLabel(name); !why.empty()) {
      Add(path, "must be a Service name: " + why);
    }
  }

  void Spec();
  void WorkloadRef(const RolloutWorkloadRef& ref, const FieldPath& path);
  void Selector();
  void BlueGreen(const BlueGreenStrategy& bg, const FieldPath& path);
  void Canary(const CanaryStrategy& c, const FieldPath& path);
  void SurgeAndUnavailable(const CanaryStrategy& c, const FieldPath& path);
  void PingPong(const CanaryStrategy& c, const FieldPath& path);
  void TrafficRouting(const RolloutTrafficRouting& tr, const FieldPath& path);
  void Step(const CanaryStrategy& c, const CanaryStep& step, const FieldPath& path);
  void HeaderRoute(const CanaryStrategy& c, const SetHeaderRoute& route, const FieldPath& path);
  void MirrorRoute(const CanaryStrategy& c, const SetMirrorRoute& route, const FieldPath& path);
  void RouteName(const CanaryStrategy& c, const std::string& name, const FieldPath& path);
  void Experiment(const CanaryStrategy& c, const RolloutExperimentStep& e, const FieldPath& path);
  void Analysis(const RolloutAnalysis& a, const FieldPath& path);
  void Args(const std::vector<RolloutAnalysisArgument>& args, const FieldPath& path);
  void StringMatch(const RolloutStringMatch& m, const FieldPath& path);
  void AntiAffinity(const RolloutAntiAffinity& a, const FieldPath& path);
  void IntOrPercent(const IntOrString& v, const FieldPath& path, bool at_most_100);
  void LabelsAndAnnotations(const std::map<std::string, std::string>& labels,
                            const std::map<std::string, std::string>& annotations,
                            const FieldPath& path);

  const Rollout& r_;
  FieldErrors* errors_;
};

void Checker::Run() {
  Spec();
  const RolloutStrategy& strategy = r_.spec.strategy;
  const FieldPath path = FieldPath("spec").Child("strategy");
  if (!strategy.blue_green && !strategy.canary) {
    Add(path, std::string(kMissingStrategy));
  } else if (strategy.blue_green && strategy.canary) {
    Add(path, std::string(kMultipleStrategies) + ": set either blueGreen or canary");
  } else if (strategy.blue_green) {
    BlueGreen(*strategy.blue_green, path.Child("blueGreen"));
  } else {
    Canary(*strategy.canary, path.Child("canary"));
  }
}

void Checker::Spec() {
  const RolloutSpec& spec = r_.spec;
  const FieldPath path("spec");
  AtLeast(spec.replicas, 0, path.Child("replicas"));
  Selector();
  if (spec.workload_ref) {
    WorkloadRef(*spec.workload_ref, path.Child("workloadRef"));
    const ObjectMeta& meta = spec.template_.metadata;
    if (!meta.labels.empty() || !meta.annotations.empty()) {
      Add(path.Child("template"),
          "must be empty when spec.workloadRef is set (the pod template comes from the "
          "referenced workload): remove spec.template");
    }
  } else {
    ValidatePodTemplate(spec.template_, path.Child("template"), errors_,
                        RestartPolicyRule::kAlwaysOnly);
  }
  AtLeast(spec.min_ready_seconds, 0, path.Child("minReadySeconds"));
  AtLeast(spec.revision_history_limit, 0, path.Child("revisionHistoryLimit"));
  int32_t deadline = ProgressDeadlineSecondsOrDefault(r_);
  if (deadline <= spec.min_ready_seconds) {
    Add(path.Child("progressDeadlineSeconds"),
        "must be greater than minReadySeconds (" + std::to_string(spec.min_ready_seconds) +
            "), got " + std::to_string(deadline) +
            (spec.progress_deadline_seconds ? "" : " (the default)"));
  }
  if (spec.rollback_window) {
    AtLeast(spec.rollback_window->revisions, 0, path.Child("rollbackWindow").Child("revisions"));
  }
  if (spec.analysis) {
    const FieldPath p = path.Child("analysis");
    AtLeast(spec.analysis->successful_run_history_limit, 0, p.Child("successfulRunHistoryLimit"));
    AtLeast(spec.analysis->unsuccessful_run_history_limit, 0,
            p.Child("unsuccessfulRunHistoryLimit"));
  }
}

void Checker::WorkloadRef(const RolloutWorkloadRef& ref, const FieldPath& path) {
  std::string_view api_version = ref.api_version;
  size_t slash = api_version.find('/');
  std::string group(slash == std::string_view::npos ? "" : api_version.substr(0, slash));
  bool supported = (group == "apps" && (ref.kind == "Deployment" || ref.kind == "ReplicaSet")) ||
                   (group.empty() && ref.kind == "PodTemplate");
  if (!supported) {
    Add(path.Child("kind"), "workload of type " + group + "/" + ref.kind +
                                " is not supported: use apps/v1 Deployment, apps/v1 ReplicaSet "
                                "or v1 PodTemplate");
  }
  Required(ref.name, path.Child("name"), "the name of the workload holding the pod template");
  if (!ref.scale_down.empty() && ref.scale_down != "never" && ref.scale_down != "onsuccess" &&
      ref.scale_down != "progressively") {
    Add(path.Child("scaleDown"),
        "must be never, onsuccess or progressively, got " + Quoted(ref.scale_down));
  }
}

void Checker::Selector() {
  const RolloutSpec& spec = r_.spec;
  const FieldPath path = FieldPath("spec").Child("selector");
  if (!spec.selector) {
    if (!spec.workload_ref) {
      Add(path,
          "is required: a label selector matching spec.template.metadata.labels (or take both "
          "from spec.workloadRef)");
    }
    return;
  }
  // With workloadRef the template is not here, so only the selector's own form is checked.
  static const std::map<std::string, std::string> kNoLabels;
  const auto& labels = spec.workload_ref ? kNoLabels : spec.template_.metadata.labels;
  const FieldPath labels_path =
      FieldPath("spec").Child("template").Child("metadata").Child("labels");
  FieldErrors found;
  ValidateSelectorForTemplate(*spec.selector, path, labels, labels_path, &found);
  for (FieldError& e : found) {
    if (e.path != labels_path) {
      errors_->push_back(std::move(e));
    } else if (!spec.workload_ref) {
      std::string have;
      for (const auto& [key, value] : labels) have += (have.empty() ? "" : ",") + key + "=" + value;
      Add(path, "does not match spec.template.metadata.labels: the selector " +
                    ToSelectorString(*spec.selector) + " does not select the labels {" + have +
                    "}; the template's labels must satisfy the selector");
    }
  }
}

void Checker::IntOrPercent(const IntOrString& v, const FieldPath& path, bool at_most_100) {
  if (v.is_int()) {
    if (v.int_value() < 0) Add(path, "must be >= 0, got " + std::to_string(v.int_value()));
    return;
  }
  Result<int32_t> percent = ScaledValue(v, 100, false);
  if (!percent.ok()) {
    Add(path, percent.error().message());
  } else if (at_most_100 && *percent > 100) {
    Add(path, "must be at most 100%, got " + Quoted(v.string_value()));
  }
}

void Checker::AntiAffinity(const RolloutAntiAffinity& a, const FieldPath& path) {
  const auto& preferred = a.preferred_during_scheduling_ignored_during_execution;
  const auto& required = a.required_during_scheduling_ignored_during_execution;
  if (preferred.has_value() == required.has_value()) {
    Add(path, std::string("must set exactly one of preferredDuringSchedulingIgnoredDuringExecution "
                          "or requiredDuringSchedulingIgnoredDuringExecution, got ") +
                  (preferred ? "both" : "neither"));
  }
  if (preferred) {
    InRange(preferred->weight, 1, 100,
            path.Child("preferredDuringSchedulingIgnoredDuringExecution").Child("weight"));
  }
}

void Checker::LabelsAndAnnotations(const std::map<std::string, std::string>& labels,
                                   const std::map<std::string, std::string>& annotations,
                                   const FieldPath& path) {
  for (const auto& [key, value] : labels) {
    const FieldPath p = path.Child("labels").Child(key);
    if (std::string why = CheckQualifiedName(key); !why.empty()) Add(p, "key: " + why);
    if (std::string why = CheckLabelValue(value); !why.empty()) Add(p, why);
  }
  for (const auto& [key, value] : annotations) {
    const FieldPath p = path.Child("annotations").Child(key);
    if (std::string why = CheckQualifiedName(key); !why.empty()) Add(p, "key: " + why);
  }
}

void Checker::BlueGreen(const BlueGreenStrategy& bg, const FieldPath& path) {
  Required(bg.active_service, path.Child("activeService"),
           "the Service that sends live traffic to the active ReplicaSet");
  if (!bg.active_service.empty() && bg.active_service == bg.preview_service) {
    Add(path.Child("activeService"), std::string(kSameActivePreview));
  }
  ServiceName(bg.active_service, path.Child("activeService"));
  ServiceName(bg.preview_service, path.Child("previewService"));
  AtLeast(bg.preview_replica_count, 0, path.Child("previewReplicaCount"));
  AtLeast(bg.auto_promotion_seconds, 0, path.Child("autoPromotionSeconds"));
  AtLeast(bg.scale_down_delay_seconds, 0, path.Child("scaleDownDelaySeconds"));
  AtLeast(bg.abort_scale_down_delay_seconds, 0, path.Child("abortScaleDownDelaySeconds"));
  AtLeast(bg.scale_down_delay_revision_limit, 0, path.Child("scaleDownDelayRevisionLimit"));
  int32_t history = RevisionHistoryLimitOrDefault(r_);
  if (bg.scale_down_delay_revision_limit && *bg.scale_down_delay_revision_limit > history) {
    Add(path.Child("scaleDownDelayRevisionLimit"),
        "must be <= revisionHistoryLimit (" + std::to_string(history) + "), got " +
            std::to_string(*bg.scale_down_delay_revision_limit));
  }
  if (bg.max_unavailable) IntOrPercent(*bg.max_unavailable, path.Child("maxUnavailable"), true);
  if (bg.anti_affinity) AntiAffinity(*bg.anti_affinity, path.Child("antiAffinity"));
  if (bg.pre_promotion_analysis) {
    Analysis(*bg.pre_promotion_analysis, path.Child("prePromotionAnalysis"));
  }
  if (bg.post_promotion_analysis) {
    Analysis(*bg.post_promotion_analysis, path.Child("postPromotionAnalysis"));
  }
  if (bg.preview_metadata) {
    LabelsAndAnnotations(bg.preview_metadata->labels, bg.preview_metadata->annotations,
                         path.Child("previewMetadata"));
  }
  if (bg.active_metadata) {
    LabelsAndAnnotations(bg.active_metadata->labels, bg.active_metadata->annotations,
                         path.Child("activeMetadata"));
  }
}

// The router that makes canaryService and stableService necessary, or "" when none does
// (Argo's requireCanaryStableServices).
std::string RouterNeedingServices(const CanaryStrategy& c) {
  if (!c.traffic_routing) return "";
  const RolloutTrafficRouting& tr = *c.traffic_routing;
  if (tr.alb && !c.ping_pong) return "alb";
  if (tr.istio && !tr.istio->destination_rule && !c.ping_pong) return "istio (host-level split)";
  if (tr.smi) return "smi";
  if (tr.apisix) return "apisix";
  if (tr.ambassador) return "ambassador";
  if (tr.nginx) return "nginx";
  if (tr.app_mesh) return "appMesh";
  if (tr.traefik) return "traefik";
  return "";
}

void Checker::SurgeAndUnavailable(const CanaryStrategy& c, const FieldPath& path) {
  if (c.max_surge) IntOrPercent(*c.max_surge, path.Child("maxSurge"), false);
  if (c.max_unavailable) IntOrPercent(*c.max_unavailable, path.Child("maxUnavailable"), true);
  auto is_zero = [](const IntOrString& v) {
    Result<int32_t> n = ScaledValue(v, 100, false);
    return n.ok() && *n == 0;
  };
  if (is_zero(MaxSurgeOrDefault(r_)) && is_zero(MaxUnavailableOrDefault(r_))) {
    Add(path.Child("maxSurge"),
        std::string(kBothZero) + ": set maxSurge or maxUnavailable above 0");
  }
}

void Checker::PingPong(const CanaryStrategy& c, const FieldPath& path) {
  const CanaryPingPong& pp = *c.ping_pong;
  const FieldPath p = path.Child("pingPong");
  const auto& tr = c.traffic_routing;
  if (!tr || (!tr->alb && !tr->istio && tr->plugins.empty())) {
    Add(p,
        "requires trafficRouting with alb, istio or plugins (the routers that support "
        "ping-pong)");
  }
  Required(pp.ping_service, p.Child("pingService"), "the first of the two swapping Services");
  Required(pp.pong_service, p.Child("pongService"), "the second of the two swapping Services");
  if (!pp.ping_service.empty() && pp.ping_service == pp.pong_service) {
    Add(p.Child("pingService"), std::string(kSamePingPong));
  }
  ServiceName(pp.ping_service, p.Child("pingService"));
  ServiceName(pp.pong_service, p.Child("pongService"));
  if (tr && tr->alb && tr->alb->root_service.empty()) {
    Add(path.Child("trafficRouting").Child("alb").Child("rootService"),
        "is required with pingPong: the Service the ALB action is written for");
  }
}

void Checker::Canary(const CanaryStrategy& c, const FieldPath& path) {
  SurgeAndUnavailable(c, path);
  if (!c.canary_service.empty() && c.canary_service == c.stable_service) {
    Add(path.Child("stableService"), std::string(kSameCanaryStable));
  }
  ServiceName(c.canary_service, path.Child("canaryService"));
  ServiceName(c.stable_service, path.Child("stableService"));
  if (c.ping_pong) PingPong(c, path);
  if (std::string router = RouterNeedingServices(c); !router.empty()) {
    Required(c.canary_service, path.Child("canaryService"),
             "trafficRouting." + router + " sends canary traffic to this Service");
    Required(c.stable_service, path.Child("stableService"),
             "trafficRouting." + router + " sends stable traffic to this Service");
  }
  if (!c.traffic_routing) {
    const std::string why = "is only allowed with trafficRouting: remove it or configure a router";
    if (c.scale_down_delay_seconds) Add(path.Child("scaleDownDelaySeconds"), why);
    if (c.dynamic_stable_scale) Add(path.Child("dynamicStableScale"), why);
    if (c.min_pods_per_replica_set) Add(path.Child("minPodsPerReplicaSet"), why);
  } else {
    if (c.scale_down_delay_seconds && c.dynamic_stable_scale) {
      Add(path.Child("dynamicStableScale"),
          "cannot be combined with scaleDownDelaySeconds: remove one of the two");
    }
    TrafficRouting(*c.traffic_routing, path.Child("trafficRouting"));
  }
  AtLeast(c.scale_down_delay_seconds, 0, path.Child("scaleDownDelaySeconds"));
  AtLeast(c.abort_scale_down_delay_seconds, 0, path.Child("abortScaleDownDelaySeconds"));
  AtLeast(c.scale_down_delay_revision_limit, 0, path.Child("scaleDownDelayRevisionLimit"));
  AtLeast(c.min_pods_per_replica_set, 0, path.Child("minPodsPerReplicaSet"));
  if (c.replica_progress_threshold) {
    const ReplicaProgressThreshold& t = *c.replica_progress_threshold;
    const FieldPath p = path.Child("replicaProgressThreshold");
    if (t.type == "Percent") {
      InRange(t.value, 0, 100, p.Child("value"));
    } else if (t.type == "Pods") {
      AtLeast(t.value, 0, p.Child("value"));
    } else {
      Add(p.Child("type"), "must be Percent or Pods, got " + Quoted(t.type));
    }
  }
  for (size_t i = 0; i < c.steps.size(); ++i) {
    Step(c, c.steps[i], path.Child("steps").Index(i));
  }
  if (c.analysis) {
    const FieldPath p = path.Child("analysis");
    Analysis(*c.analysis, p);
    if (c.analysis->starting_step) {
      int32_t step = *c.analysis->starting_step;
      int32_t steps = static_cast<int32_t>(c.steps.size());
      if (step < 0 || step > steps) {
        Add(p.Child("startingStep"), "must be 0.." + std::to_string(steps) +
                                         " (a step index, at most the number of steps), got " +
                                         std::to_string(step));
      }
    }
  }
  if (c.anti_affinity) AntiAffinity(*c.anti_affinity, path.Child("antiAffinity"));
  if (c.canary_metadata) {
    LabelsAndAnnotations(c.canary_metadata->labels, c.canary_metadata->annotations,
                         path.Child("canaryMetadata"));
  }
  if (c.stable_metadata) {
    LabelsAndAnnotations(c.stable_metadata->labels, c.stable_metadata->annotations,
                         path.Child("stableMetadata"));
  }
}

void Checker::TrafficRouting(const RolloutTrafficRouting& tr, const FieldPath& path) {
  if (!tr.istio && !tr.nginx && !tr.alb && !tr.smi && !tr.ambassador && !tr.app_mesh &&
      !tr.traefik && !tr.apisix && tr.plugins.empty()) {
    Add(path,
        "must configure at least one router: istio, nginx, alb, smi, ambassador, traefik, "
        "apisix, appMesh or plugins");
  }
  if (tr.max_traffic_weight) {
    if (!tr.nginx && tr.plugins.empty()) {
      Add(path.Child("maxTrafficWeight"),
          "is only supported with the nginx router or plugins: remove it or use one of those");
    }
    AtLeast(tr.max_traffic_weight, 1, path.Child("maxTrafficWeight"));
  }
  std::map<std::string, size_t> route_index;
  for (size_t i = 0; i < tr.managed_routes.size(); ++i) {
    const FieldPath p = path.Child("managedRoutes").Index(i).Child("name");
    const std::string& name = tr.managed_routes[i].name;
    Required(name, p, "the route's name, referenced by setHeaderRoute or setMirrorRoute");
    if (name.empty()) continue;
    auto [it, inserted] = route_index.emplace(name, i);
    if (!inserted) {
      Add(p, "must be unique; " + Quoted(name) + " is also managedRoutes[" +
                 std::to_string(it->second) + "]");
    }
  }
  if (tr.istio) {
    const IstioTrafficRouting& istio = *tr.istio;
    const FieldPath p = path.Child("istio");
    bool one = istio.virtual_service.has_value();
    bool many = !istio.virtual_services.empty();
    if (one == many) {
      Add(p, std::string("must set exactly one of virtualService or virtualServices, got ") +
                 (one ? "both" : "neither"));
    }
    if (one) {
      Required(istio.virtual_service->name, p.Child("virtualService").Child("name"),
               "the VirtualService whose routes carry the weights");
    }
    for (size_t i = 0; i < istio.virtual_services.size(); ++i) {
      Required(istio.virtual_services[i].name, p.Child("virtualServices").Index(i).Child("name"),
               "the VirtualService whose routes carry the weights");
    }
    if (istio.destination_rule) {
      const IstioDestinationRuleRef& dr = *istio.destination_rule;
      const FieldPath d = p.Child("destinationRule");
      Required(dr.name, d.Child("name"), "the DestinationRule holding the subsets");
      Required(dr.canary_subset_name, d.Child("canarySubsetName"),
               "the subset that selects canary pods");
      Required(dr.stable_subset_name, d.Child("stableSubsetName"),
               "the subset that selects stable pods");
      if (!dr.canary_subset_name.empty() && dr.canary_subset_name == dr.stable_subset_name) {
        Add(d.Child("stableSubsetName"),
            "must differ from canarySubsetName: two subsets are required, got " +
                Quoted(dr.stable_subset_name) + " for both");
      }
    }
  }
  if (tr.nginx) {
    bool one = !tr.nginx->stable_ingress.empty();
    bool many = !tr.nginx->stable_ingresses.empty();
    if (one == many) {
      Add(path.Child("nginx"),
          std::string("must set exactly one of stableIngress or stableIngresses, got ") +
              (one ? "both" : "neither"));
    }
  }
  if (tr.alb) {
    const FieldPath p = path.Child("alb");
    bool one = !tr.alb->ingress.empty();
    bool many = !tr.alb->ingresses.empty();
    if (one == many) {
      Add(p, std::string("must set exactly one of ingress or ingresses, got ") +
                 (one ? "both" : "neither"));
    }
    InRange(tr.alb->service_port, 1, 65535, p.Child("servicePort"));
    if (tr.alb->stickiness_config && tr.alb->stickiness_config->enabled) {
      InRange(tr.alb->stickiness_config->duration_seconds, 1, 604800,
              p.Child("stickinessConfig").Child("durationSeconds"));
    }
  }
  if (tr.ambassador && tr.ambassador->mappings.empty()) {
    Add(path.Child("ambassador").Child("mappings"),
        "must list at least one Mapping: the base Mappings to copy for the canary");
  }
  if (tr.traefik) {
    Required(tr.traefik->weighted_traefik_service_name,
             path.Child("traefik").Child("weightedTraefikServiceName"),
             "the weighted TraefikService that splits the traffic");
  }
  if (tr.apisix) {
    const FieldPath p = path.Child("apisix").Child("route");
    if (!tr.apisix->route) {
      Add(p, "is required: the ApisixRoute whose backend weights are set");
    } else {
      Required(tr.apisix->route->name, p.Child("name"), "the ApisixRoute to edit");
    }
  }
  if (tr.app_mesh) {
    const FieldPath p = path.Child("appMesh");
    if (!tr.app_mesh->virtual_service) {
      Add(p.Child("virtualService"), "is required: the AppMesh VirtualService to route");
    } else {
      Required(tr.app_mesh->virtual_service->name, p.Child("virtualService").Child("name"),
               "the AppMesh VirtualService to route");
    }
    if (!tr.app_mesh->virtual_node_group) {
      Add(p.Child("virtualNodeGroup"),
          "is required: the canary and stable VirtualNodes the weights go to");
    } else {
      const AppMeshVirtualNodeGroup& g = *tr.app_mesh->virtual_node_group;
      const FieldPath gp = p.Child("virtualNodeGroup");
      if (!g.canary_virtual_node_ref || g.canary_virtual_node_ref->name.empty()) {
        Add(gp.Child("canaryVirtualNodeRef").Child("name"),
            "is required: the VirtualNode of the canary pods");
      }
      if (!g.stable_virtual_node_ref || g.stable_virtual_node_ref->name.empty()) {
        Add(gp.Child("stableVirtualNodeRef").Child("name"),
            "is required: the VirtualNode of the stable pods");
      }
    }
  }
}

void Checker::Step(const CanaryStrategy& c, const CanaryStep& step, const FieldPath& path) {
  std::vector<std::string> primaries;
  if (step.set_weight) primaries.push_back("setWeight");
  if (step.pause) primaries.push_back("pause");
  if (step.experiment) primaries.push_back("experiment");
  if (step.analysis) primaries.push_back("analysis");
  if (primaries.size() > 1) {
    Add(path, "sets " + JoinAnd(primaries) +
                  ": a step takes at most one of setWeight, pause, experiment and analysis; "
                  "split it into several steps");
  }
  if (primaries.empty() && !step.set_canary_scale && !step.set_header_route &&
      !step.set_mirror_route && !step.plugin) {
    Add(path,
        "is empty: set one of setWeight, pause, analysis, experiment, setCanaryScale, "
        "setHeaderRoute, setMirrorRoute or plugin");
  }
  // An invalid maxTrafficWeight is reported once, at its own path, not again on every step.
  if (int32_t max_weight = MaxTrafficWeightOrDefault(r_); step.set_weight && max_weight >= 1) {
    InRange(*step.set_weight, 0, max_weight, path.Child("setWeight"));
  }
  if (step.pause && step.pause->duration) {
    Result<std::chrono::nanoseconds> d = ParsePauseDuration(*step.pause->duration);
    if (!d.ok()) Add(path.Child("pause").Child("duration"), d.error().message());
  }
  if (step.set_canary_scale) {
    const FieldPath p = path.Child("setCanaryScale");
    if (!c.traffic_routing) {
      Add(p,
          "requires spec.strategy.canary.trafficRouting: without a router the canary's size "
          "is its traffic share, set by setWeight");
    }
    if (step.set_canary_scale->weight)
      InRange(*step.set_canary_scale->weight, 0, 100, p.Child("weight"));
    AtLeast(step.set_canary_scale->replicas, 0, p.Child("replicas"));
  }
  if (step.set_header_route) HeaderRoute(c, *step.set_header_route, path.Child("setHeaderRoute"));
  if (step.set_mirror_route) MirrorRoute(c, *step.set_mirror_route, path.Child("setMirrorRoute"));
  if (step.plugin) {
    Required(step.plugin->name, path.Child("plugin").Child("name"),
             "the step plugin's name as configured in argo-rollouts-config");
  }
  if (step.analysis) Analysis(*step.analysis, path.Child("analysis"));
  if (step.experiment) Experiment(c, *step.experiment, path.Child("experiment"));
}

void Checker::RouteName(const CanaryStrategy& c, const std::string& name, const FieldPath& path) {
  if (!c.traffic_routing) return;
  const FieldPath p = path.Child("name");
  std::vector<std::string> listed;
  for (const ManagedRoute& route : c.traffic_routing->managed_routes) {
    if (route.name == name && !name.empty()) return;
    listed.push_back(Quoted(route.name));
  }
  std::string where = "spec.strategy.canary.trafficRouting.managedRoutes";
  std::string have = listed.empty() ? "none listed" : "listed: " + JoinAnd(listed);
  if (name.empty()) {
    Add(p, "is required: a route listed in " + where + " (" + have + ")");
  } else {
    Add(p, "must be a route listed in " + where + ", got " + Quoted(name) + " (" + have + ")");
  }
}

void Checker::HeaderRoute(const CanaryStrategy& c, const SetHeaderRoute& route,
                          const FieldPath& path) {
  const auto& tr = c.traffic_routing;
  if (!tr || (!tr->istio && !tr->alb && !tr->apisix && tr->plugins.empty())) {
    Add(path, "requires trafficRouting with istio, alb, apisix or plugins");
  }
  RouteName(c, route.name, path);
  bool alb = tr && tr->alb;
  for (size_t j = 0; j < route.match.size(); ++j) {
    const HeaderRoutingMatch& m = route.match[j];
    const FieldPath p = path.Child("match").Index(j);
    Required(m.header_name, p.Child("headerName"), "the request header to match");
    if (!m.header_value) {
      Add(p.Child("headerValue"), "is required: one of exact, prefix or regex");
      continue;
    }
    StringMatch(*m.header_value, p.Child("headerValue"));
    if (alb && (m.header_value->exact.empty() || !m.header_value->prefix.empty() ||
                !m.header_value->regex.empty())) {
      Add(p.Child("headerValue"), "must use exact only: the alb router matches no prefix or regex");
    }
  }
}

void Checker::MirrorRoute(const CanaryStrategy& c, const SetMirrorRoute& route,
                          const FieldPath& path) {
  const auto& tr = c.traffic_routing;
  if (!tr || (!tr->istio && tr->plugins.empty())) {
    Add(path, "requires trafficRouting with istio or plugins");
  }
  RouteName(c, route.name, path);
  for (size_t j = 0; j < route.match.size(); ++j) {
    const MirrorRouteMatch& m = route.match[j];
    const FieldPath p = path.Child("match").Index(j);
    if (m.method) StringMatch(*m.method, p.Child("method"));
    if (m.path) StringMatch(*m.path, p.Child("path"));
    for (const auto& [header, match] : m.headers) {
      StringMatch(match, p.Child("headers").Child(header));
    }
  }
  if (route.percentage) InRange(*route.percentage, 0, 100, path.Child("percentage"));
}

void Checker::StringMatch(const RolloutStringMatch& m, const FieldPath& path) {
  std::vector<std::string> set;
  if (!m.exact.empty()) set.push_back("exact");
  if (!m.prefix.empty()) set.push_back("prefix");
  if (!m.regex.empty()) set.push_back("regex");
  if (set.empty()) {
    Add(path, "must set one of exact, prefix or regex, got none");
  } else if (set.size() > 1) {
    Add(path, "must set exactly one of exact, prefix or regex, got " + JoinAnd(set));
  }
  if (!m.regex.empty()) {
    try {
      std::regex compiled(m.regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      Add(path.Child("regex"),
          "must be a valid regular expression, got " + Quoted(m.regex) + ": " + e.what());
    }
  }
}

void Checker::Experiment(const CanaryStrategy& c, const RolloutExperimentStep& e,
                         const FieldPath& path) {
  if (e.templates.empty()) {
    Add(path.Child("templates"), "must list at least one template: {name, specRef: canary|stable}");
  }
  const auto& tr = c.traffic_routing;
  bool weight_router = tr && (tr->smi || tr->alb || tr->istio || !tr->plugins.empty());
  std::map<std::string, size_t> names;
  for (size_t k = 0; k < e.templates.size(); ++k) {
    const RolloutExperimentTemplate& t = e.templates[k];
    const FieldPath p = path.Child("templates").Index(k);
    Required(t.name, p.Child("name"), "the template's name, unique in the step");
    if (!t.name.empty()) {
      auto [it, inserted] = names.emplace(t.name, k);
      if (!inserted) {
        Add(p.Child("name"), "must be unique in the step; " + Quoted(t.name) +
                                 " is also templates[" + std::to_string(it->second) + "]");
      }
    }
    if (t.spec_ref != "canary" && t.spec_ref != "stable") {
      Add(p.Child("specRef"), "must be canary or stable, got " + Quoted(t.spec_ref));
    }
    AtLeast(t.replicas, 0, p.Child("replicas"));
    if (t.weight) {
      if (!weight_router) {
        Add(p.Child("weight"),
            "requires trafficRouting with smi, alb, istio or plugins (the routers that can send "
            "traffic to an experiment)");
      }
      InRange(*t.weight, 0, 100, p.Child("weight"));
    }
    LabelsAndAnnotations(t.metadata.labels, t.metadata.annotations, p.Child("metadata"));
    if (t.service && !t.service->name.empty()) {
      ServiceName(t.service->name, p.Child("service").Child("name"));
    }
  }
  if (!e.duration.empty() && !HasTemplatePlaceholder(e.duration)) {
    Result<std::chrono::nanoseconds> d = ParseGoDuration(e.duration);
    if (!d.ok()) {
      Add(path.Child("duration"), d.error().message());
    } else if (d->count() < 0) {
      Add(path.Child("duration"), "must not be negative, got " + Quoted(e.duration));
    }
  }
  std::map<std::string, size_t> analysis_names;
  for (size_t k = 0; k < e.analyses.size(); ++k) {
    const RolloutExperimentAnalysis& a = e.analyses[k];
    const FieldPath p = path.Child("analyses").Index(k);
    Required(a.name, p.Child("name"), "the analysis's name, unique in the step");
    if (!a.name.empty()) {
      auto [it, inserted] = analysis_names.emplace(a.name, k);
      if (!inserted) {
        Add(p.Child("name"), "must be unique in the step; " + Quoted(a.name) +
                                 " is also analyses[" + std::to_string(it->second) + "]");
      }
    }
    Required(a.template_name, p.Child("templateName"),
             "the AnalysisTemplate (or ClusterAnalysisTemplate) to run");
    Args(a.args, p.Child("args"));
  }
  for (size_t k = 0; k < e.dry_run.size(); ++k) {
    Required(e.dry_run[k].metric_name, path.Child("dryRun").Index(k).Child("metricName"),
             "a metric name or a regular expression such as \".*\"");
  }
  AtLeast(e.scale_down_delay_seconds, 0, path.Child("scaleDownDelaySeconds"));
  LabelsAndAnnotations(e.analysis_run_metadata.labels, e.analysis_run_metadata.annotations,
                       path.Child("analysisRunMetadata"));
}

void Checker::Analysis(const RolloutAnalysis& a, const FieldPath& path) {
  if (a.templates.empty()) {
    Add(path.Child("templates"), "must list at least one template: {templateName: <name>}");
  }
  for (size_t k = 0; k < a.templates.size(); ++k) {
    Required(a.templates[k].template_name, path.Child("templates").Index(k).Child("templateName"),
             "the AnalysisTemplate (or, with clusterScope: true, ClusterAnalysisTemplate) to run");
  }
  Args(a.args, path.Child("args"));
  for (size_t k = 0; k < a.dry_run.size(); ++k) {
    Required(a.dry_run[k].metric_name, path.Child("dryRun").Index(k).Child("metricName"),
             "a metric name or a regular expression such as \".*\"");
  }
  for (size_t k = 0; k < a.measurement_retention.size(); ++k) {
    const FieldPath p = path.Child("measurementRetention").Index(k);
    Required(a.measurement_retention[k].metric_name, p.Child("metricName"),
             "a metric name or a regular expression such as \".*\"");
    AtLeast(a.measurement_retention[k].limit, 0, p.Child("limit"));
  }
  if (a.analysis_run_metadata) {
    LabelsAndAnnotations(a.analysis_run_metadata->labels, a.analysis_run_metadata->annotations,
                         path.Child("analysisRunMetadata"));
  }
}

// The field paths Kubernetes' downward API resolves on an object's metadata (fieldpath's
// ExtractFieldPathAsString), which Argo uses for "metadata.*" argument paths.
bool IsDownwardMetadataPath(std::string_view path) {
  if (path == "metadata.name" || path == "metadata.namespace" || path == "metadata.uid" ||
      path == "metadata.labels" || path == "metadata.annotations") {
    return true;
  }
  for (std::string_view prefix : {"metadata.labels['", "metadata.annotations['"}) {
    if (path.size() > prefix.size() + 2 && path.substr(0, prefix.size()) == prefix &&
        path.substr(path.size() - 2) == "']") {
      return true;
    }
  }
  return false;
}

void Checker::Args(const std::vector<RolloutAnalysisArgument>& args, const FieldPath& path) {
  std::map<std::string, size_t> names;
  for (size_t k = 0; k < args.size(); ++k) {
    const RolloutAnalysisArgument& arg = args[k];
    const FieldPath p = path.Index(k);
    Required(arg.name, p.Child("name"), "the template argument this value is for");
    if (!arg.name.empty()) {
      auto [it, inserted] = names.emplace(arg.name, k);
      if (!inserted) {
        Add(p.Child("name"), "must be unique; " + Quoted(arg.name) + " is also args[" +
                                 std::to_string(it->second) + "]");
      }
    }
    if (arg.value && arg.value_from) {
      Add(p, "must set value or valueFrom, not both");
    } else if (!arg.value && !arg.value_from) {
      Add(p, "must set value or valueFrom");
    }
    if (!arg.value_from) continue;
    const RolloutArgumentValueFrom& from = *arg.value_from;
    const FieldPath fp = p.Child("valueFrom");
    if (from.pod_template_hash_value.has_value() == from.field_ref.has_value()) {
      Add(fp, std::string("must set exactly one of podTemplateHashValue or fieldRef, got ") +
                  (from.field_ref ? "both" : "neither"));
    }
    if (from.pod_template_hash_value && *from.pod_template_hash_value != "Stable" &&
        *from.pod_template_hash_value != "Latest") {
      Add(fp.Child("podTemplateHashValue"),
          "must be Stable or Latest, got " + Quoted(*from.pod_template_hash_value));
    }
    if (from.field_ref) {
      const std::string& field_path = from.field_ref->field_path;
      const FieldPath pp = fp.Child("fieldRef").Child("fieldPath");
      Required(field_path, pp, "a path into the Rollout such as metadata.name");
      if (field_path.starts_with("metadata") && !IsDownwardMetadataPath(field_path)) {
        Add(pp,
            "must be a downward-API metadata path (metadata.name, metadata.namespace, "
            "metadata.uid, metadata.labels['<key>'] or metadata.annotations['<key>']), got " +
                Quoted(field_path));
      }
    }
  }
}

}  // namespace

FieldErrors Validate(const Rollout& rollout) {
  FieldErrors errors;
  Checker(rollout, &errors).Run();
  return errors;
}

}  // namespace devflow::api
