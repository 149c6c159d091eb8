// Validation of a Rollout's spec, strategies and traffic routers. Steps, analyses and experiments
// are in rollout_step_validation_test.cc.
#include "api/rollout_validation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "api/rollout_codec.h"
#include "api/rollout_testing.h"

namespace devflow::api {
namespace {

using namespace rollout_testing;  // NOLINT: test helpers

const std::string C = kCanary;
const std::string B = kBlueGreen;
const std::string kDnsLabelRule =
    "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or "
    "digit, got ";
const std::string kLabelValueRule =
    "must be empty or at most 63 letters, digits, '-', '_' and '.', starting and ending with a "
    "letter or digit, got ";
std::vector<std::string> Paths(const std::vector<FieldPath>& paths) {
  std::vector<std::string> out;
  for (const FieldPath& p : paths) out.push_back(p.str());
  return out;
}

const std::string kQualifiedNameRule =
    "must be [prefix/]name with a name of at most 63 letters, digits, '-', '_' and '.', starting "
    "and ending with a letter or digit, got ";

TEST(RolloutValidationTest, Spec) {
  RunValidationTable({
      {"valid base", [](Rollout&) {}, {}},
      {"negative replicas",
       [](Rollout& r) { r.spec.replicas = -1; },
       {"spec.replicas: must be >= 0, got -1"}},
      {"zero replicas", [](Rollout& r) { r.spec.replicas = 0; }, {}},
      {"selector missing",
       [](Rollout& r) { r.spec.selector.reset(); },
       {"spec.selector: is required: a label selector matching spec.template.metadata.labels (or "
        "take both from spec.workloadRef)"}},
      {"selector empty",
       [](Rollout& r) { r.spec.selector = LabelSelector{}; },
       {"spec.selector: must not be empty: set matchLabels or matchExpressions selecting the "
        "template's labels"}},
      {"selector malformed",
       [](Rollout& r) {
         r.spec.selector->match_expressions.push_back({"tier", "Like", {"a"}, {}});
       },
       {"spec.selector.matchExpressions[0].operator: must be In, NotIn, Exists or DoesNotExist, "
        "got \"Like\""}},
      {"selector does not match the template",
       [](Rollout& r) {
         r.spec.selector->match_labels = {{"app", "other"}};
       },
       {"spec.selector: does not match spec.template.metadata.labels: the selector app=other "
        "does not select the labels {app=web}; the template's labels must satisfy the "
        "selector"}},
      {"selector expression matches",
       [](Rollout& r) {
         r.spec.selector->match_expressions.push_back({"app", "In", {"web", "api"}, {}});
       },
       {}},
      {"template validated as a ReplicaSet's",
       [](Rollout& r) { r.spec.template_.spec.containers.clear(); },
       {"spec.template.spec.containers: must have at least one container"}},
      {"workloadRef with a template",
       [](Rollout& r) {
         r.spec.workload_ref = RolloutWorkloadRef{"apps/v1", "Deployment", "web"};
       },
       {"spec.template: must be empty when spec.workloadRef is set (the pod template comes from "
        "the referenced workload): remove spec.template"}},
      {"workloadRef without template or selector",
       [](Rollout& r) {
         r.spec.workload_ref = RolloutWorkloadRef{"apps/v1", "Deployment", "web", "onsuccess"};
         r.spec.template_ = PodTemplateSpec{};
         r.spec.selector.reset();
       },
       {}},
      {"workloadRef to a PodTemplate with its own selector",
       [](Rollout& r) {
         r.spec.workload_ref = RolloutWorkloadRef{"v1", "PodTemplate", "web"};
         r.spec.template_ = PodTemplateSpec{};
       },
       {}},
      {"workloadRef kind unsupported",
       [](Rollout& r) {
         r.spec.workload_ref = RolloutWorkloadRef{"apps/v1", "StatefulSet", "web"};
         r.spec.template_ = PodTemplateSpec{};
       },
       {"spec.workloadRef.kind: workload of type apps/StatefulSet is not supported: use apps/v1 "
        "Deployment, apps/v1 ReplicaSet or v1 PodTemplate"}},
      {"workloadRef name and scaleDown",
       [](Rollout& r) {
         r.spec.workload_ref = RolloutWorkloadRef{"apps/v1", "ReplicaSet", "", "always"};
         r.spec.template_ = PodTemplateSpec{};
       },
       {"spec.workloadRef.name: is required: the name of the workload holding the pod template",
        "spec.workloadRef.scaleDown: must be never, onsuccess or progressively, got \"always\""}},
      {"negative minReadySeconds",
       [](Rollout& r) { r.spec.min_ready_seconds = -1; },
       {"spec.minReadySeconds: must be >= 0, got -1"}},
      {"negative revisionHistoryLimit",
       [](Rollout& r) { r.spec.revision_history_limit = -1; },
       {"spec.revisionHistoryLimit: must be >= 0, got -1"}},
      {"progressDeadlineSeconds not above minReadySeconds",
       [](Rollout& r) {
         r.spec.min_ready_seconds = 30;
         r.spec.progress_deadline_seconds = 30;
       },
       {"spec.progressDeadlineSeconds: must be greater than minReadySeconds (30), got 30"}},
      {"default progressDeadlineSeconds not above minReadySeconds",
       [](Rollout& r) { r.spec.min_ready_seconds = 600; },
       {"spec.progressDeadlineSeconds: must be greater than minReadySeconds (600), got 600 (the "
        "default)"}},
      {"negative rollbackWindow",
       [](Rollout& r) { r.spec.rollback_window.emplace().revisions = -1; },
       {"spec.rollbackWindow.revisions: must be >= 0, got -1"}},
      {"negative run history limits",
       [](Rollout& r) {
         r.spec.analysis.emplace().successful_run_history_limit = -1;
         r.spec.analysis->unsuccessful_run_history_limit = -2;
       },
       {"spec.analysis.successfulRunHistoryLimit: must be >= 0, got -1",
        "spec.analysis.unsuccessfulRunHistoryLimit: must be >= 0, got -2"}},
      {"no strategy",
       [](Rollout& r) { r.spec.strategy = RolloutStrategy{}; },
       {"spec.strategy: Rollout has missing field '.spec.strategy.canary or "
        ".spec.strategy.blueGreen'"}},
      {"two strategies",
       [](Rollout& r) { r.spec.strategy.blue_green.emplace().active_service = "web"; },
       {"spec.strategy: Multiple Strategies can not be listed: set either blueGreen or canary"}},
  });
}

TEST(RolloutValidationTest, BlueGreen) {
  RunValidationTable({
      {"valid", [](Rollout& r) { MakeBlueGreen(r); }, {}},
      {"activeService missing",
       [](Rollout& r) { MakeBlueGreen(r).active_service.clear(); },
       {B + "activeService: is required: the Service that sends live traffic to the active "
            "ReplicaSet"}},
      {"activeService equals previewService",
       [](Rollout& r) { MakeBlueGreen(r).preview_service = "web-active"; },
       {B + "activeService: This rollout uses the same service for the active and preview "
            "services, but two different services are required."}},
      {"no previewService", [](Rollout& r) { MakeBlueGreen(r).preview_service.clear(); }, {}},
      {"Service names are DNS labels",
       [](Rollout& r) {
         MakeBlueGreen(r).active_service = "Web_Active";
         r.spec.strategy.blue_green->preview_service = "web.preview";
       },
       {B + "activeService: must be a Service name: " + kDnsLabelRule + "\"Web_Active\"",
        B + "previewService: must be a Service name: " + kDnsLabelRule + "\"web.preview\""}},
      {"negative counts and delays",
       [](Rollout& r) {
         BlueGreenStrategy& bg = MakeBlueGreen(r);
         bg.preview_replica_count = -1;
         bg.auto_promotion_seconds = -2;
         bg.scale_down_delay_seconds = -3;
         bg.abort_scale_down_delay_seconds = -4;
         bg.scale_down_delay_revision_limit = -5;
       },
       {B + "previewReplicaCount: must be >= 0, got -1",
        B + "autoPromotionSeconds: must be >= 0, got -2",
        B + "scaleDownDelaySeconds: must be >= 0, got -3",
        B + "abortScaleDownDelaySeconds: must be >= 0, got -4",
        B + "scaleDownDelayRevisionLimit: must be >= 0, got -5"}},
      {"zero delays are valid",
       [](Rollout& r) {
         MakeBlueGreen(r).scale_down_delay_seconds = 0;
         r.spec.strategy.blue_green->abort_scale_down_delay_seconds = 0;
       },
       {}},
      {"scaleDownDelayRevisionLimit above the default history",
       [](Rollout& r) { MakeBlueGreen(r).scale_down_delay_revision_limit = 11; },
       {B + "scaleDownDelayRevisionLimit: must be <= revisionHistoryLimit (10), got 11"}},
      {"scaleDownDelayRevisionLimit above an explicit history",
       [](Rollout& r) {
         MakeBlueGreen(r).scale_down_delay_revision_limit = 3;
         r.spec.revision_history_limit = 2;
       },
       {B + "scaleDownDelayRevisionLimit: must be <= revisionHistoryLimit (2), got 3"}},
      {"scaleDownDelayRevisionLimit equal to the history",
       [](Rollout& r) {
         MakeBlueGreen(r).scale_down_delay_revision_limit = 2;
         r.spec.revision_history_limit = 2;
       },
       {}},
      {"maxUnavailable over 100%",
       [](Rollout& r) { MakeBlueGreen(r).max_unavailable = "150%"; },
       {B + "maxUnavailable: must be at most 100%, got \"150%\""}},
      {"maxUnavailable not a number",
       [](Rollout& r) { MakeBlueGreen(r).max_unavailable = "many"; },
       {B + "maxUnavailable: must be an integer or a percentage like \"25%\", got \"many\""}},
      {"maxUnavailable negative",
       [](Rollout& r) { MakeBlueGreen(r).max_unavailable = IntOrString(int64_t{-1}); },
       {B + "maxUnavailable: must be >= 0, got -1"}},
      {"antiAffinity with both kinds",
       [](Rollout& r) {
         RolloutAntiAffinity& a = MakeBlueGreen(r).anti_affinity.emplace();
         a.preferred_during_scheduling_ignored_during_execution.emplace().weight = 50;
         a.required_during_scheduling_ignored_during_execution.emplace();
       },
       {B + "antiAffinity: must set exactly one of "
            "preferredDuringSchedulingIgnoredDuringExecution or "
            "requiredDuringSchedulingIgnoredDuringExecution, got both"}},
      {"antiAffinity with neither kind",
       [](Rollout& r) { MakeBlueGreen(r).anti_affinity.emplace(); },
       {B + "antiAffinity: must set exactly one of "
            "preferredDuringSchedulingIgnoredDuringExecution or "
            "requiredDuringSchedulingIgnoredDuringExecution, got neither"}},
      {"antiAffinity weight out of range",
       [](Rollout& r) {
         MakeBlueGreen(r)
             .anti_affinity.emplace()
             .preferred_during_scheduling_ignored_during_execution.emplace()
             .weight = 0;
       },
       {B + "antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight: must be 1..100, "
            "got 0"}},
      {"prePromotionAnalysis without templates",
       [](Rollout& r) { MakeBlueGreen(r).pre_promotion_analysis.emplace(); },
       {B + "prePromotionAnalysis.templates: must list at least one template: {templateName: "
            "<name>}"}},
      {"postPromotionAnalysis template without a name",
       [](Rollout& r) {
         MakeBlueGreen(r).post_promotion_analysis.emplace().templates.emplace_back();
       },
       {B + "postPromotionAnalysis.templates[0].templateName: is required: the AnalysisTemplate "
            "(or, with clusterScope: true, ClusterAnalysisTemplate) to run"}},
      {"ephemeral metadata label syntax",
       [](Rollout& r) {
         MakeBlueGreen(r).preview_metadata.emplace().labels = {{"bad key", "x"}};
         r.spec.strategy.blue_green->active_metadata.emplace().labels = {{"role", "-active"}};
         r.spec.strategy.blue_green->active_metadata->annotations = {{"a b", "free text"}};
       },
       {B + "previewMetadata.labels[bad key]: key: " + kQualifiedNameRule + "\"bad key\"",
        B + "activeMetadata.labels.role: " + kLabelValueRule + "\"-active\"",
        B + "activeMetadata.annotations[a b]: key: " + kQualifiedNameRule + "\"a b\""}},
  });
}

TEST(RolloutValidationTest, CanaryStrategy) {
  RunValidationTable({
      {"maxSurge and maxUnavailable both 0",
       [](Rollout& r) {
         CanaryOf(r).max_surge = IntOrString(int64_t{0});
         CanaryOf(r).max_unavailable = IntOrString(int64_t{0});
       },
       {C + "maxSurge: MaxSurge and MaxUnavailable both can not be zero: set maxSurge or "
            "maxUnavailable above 0"}},
      {"both 0 as strings",
       [](Rollout& r) {
         CanaryOf(r).max_surge = "0%";
         CanaryOf(r).max_unavailable = "0";
       },
       {C + "maxSurge: MaxSurge and MaxUnavailable both can not be zero: set maxSurge or "
            "maxUnavailable above 0"}},
      {"maxSurge 0 alone", [](Rollout& r) { CanaryOf(r).max_surge = IntOrString(int64_t{0}); }, {}},
      {"maxSurge not a percentage",
       [](Rollout& r) { CanaryOf(r).max_surge = "x%"; },
       {C + "maxSurge: must be an integer or a percentage like \"25%\", got \"x%\""}},
      {"maxSurge may exceed 100% (as for Deployments)",
       [](Rollout& r) { CanaryOf(r).max_surge = "150%"; },
       {}},
      {"maxUnavailable over 100%",
       [](Rollout& r) { CanaryOf(r).max_unavailable = "101%"; },
       {C + "maxUnavailable: must be at most 100%, got \"101%\""}},
      {"maxSurge negative",
       [](Rollout& r) { CanaryOf(r).max_surge = IntOrString(int64_t{-1}); },
       {C + "maxSurge: must be >= 0, got -1"}},
      {"canaryService equals stableService",
       [](Rollout& r) {
         CanaryOf(r).canary_service = "web";
         CanaryOf(r).stable_service = "web";
       },
       {C + "stableService: This rollout uses the same service for the stable and canary "
            "services, but two different services are required."}},
      {"Service names are DNS labels",
       [](Rollout& r) {
         CanaryOf(r).canary_service = "Canary";
         CanaryOf(r).stable_service = "stable-";
       },
       {C + "canaryService: must be a Service name: " + kDnsLabelRule + "\"Canary\"",
        C + "stableService: must be a Service name: " + kDnsLabelRule + "\"stable-\""}},
      {"scaleDownDelaySeconds without trafficRouting",
       [](Rollout& r) { CanaryOf(r).scale_down_delay_seconds = 30; },
       {C + "scaleDownDelaySeconds: is only allowed with trafficRouting: remove it or configure "
            "a router"}},
      {"dynamicStableScale without trafficRouting",
       [](Rollout& r) { CanaryOf(r).dynamic_stable_scale = true; },
       {C + "dynamicStableScale: is only allowed with trafficRouting: remove it or configure a "
            "router"}},
      {"minPodsPerReplicaSet without trafficRouting",
       [](Rollout& r) { CanaryOf(r).min_pods_per_replica_set = 2; },
       {C + "minPodsPerReplicaSet: is only allowed with trafficRouting: remove it or configure "
            "a router"}},
      {"routed: the three are allowed",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).scale_down_delay_seconds = 30;
         CanaryOf(r).min_pods_per_replica_set = 2;
       },
       {}},
      {"dynamicStableScale with scaleDownDelaySeconds",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).dynamic_stable_scale = true;
         CanaryOf(r).scale_down_delay_seconds = 30;
       },
       {C + "dynamicStableScale: cannot be combined with scaleDownDelaySeconds: remove one of "
            "the two"}},
      {"negative delays and counts",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryStrategy& c = CanaryOf(r);
         c.scale_down_delay_seconds = -1;
         c.abort_scale_down_delay_seconds = -2;
         c.scale_down_delay_revision_limit = -3;
         c.min_pods_per_replica_set = -4;
       },
       {C + "scaleDownDelaySeconds: must be >= 0, got -1",
        C + "abortScaleDownDelaySeconds: must be >= 0, got -2",
        C + "scaleDownDelayRevisionLimit: must be >= 0, got -3",
        C + "minPodsPerReplicaSet: must be >= 0, got -4"}},
      {"replicaProgressThreshold type",
       [](Rollout& r) {
         CanaryOf(r).replica_progress_threshold = {"Ratio", 1, {}};
       },
       {C + "replicaProgressThreshold.type: must be Percent or Pods, got \"Ratio\""}},
      {"replicaProgressThreshold percent over 100",
       [](Rollout& r) {
         CanaryOf(r).replica_progress_threshold = {"Percent", 150, {}};
       },
       {C + "replicaProgressThreshold.value: must be 0..100, got 150"}},
      {"replicaProgressThreshold negative pods",
       [](Rollout& r) {
         CanaryOf(r).replica_progress_threshold = {"Pods", -1, {}};
       },
       {C + "replicaProgressThreshold.value: must be >= 0, got -1"}},
      {"replicaProgressThreshold pods above 100",
       [](Rollout& r) {
         CanaryOf(r).replica_progress_threshold = {"Pods", 150, {}};
       },
       {}},
      {"background analysis startingStep past the steps",
       [](Rollout& r) {
         RolloutAnalysisBackground& a = CanaryOf(r).analysis.emplace();
         static_cast<RolloutAnalysis&>(a) = ValidAnalysis();
         a.starting_step = 3;
       },
       {C + "analysis.startingStep: must be 0..2 (a step index, at most the number of steps), "
            "got 3"}},
      {"background analysis startingStep negative",
       [](Rollout& r) {
         RolloutAnalysisBackground& a = CanaryOf(r).analysis.emplace();
         static_cast<RolloutAnalysis&>(a) = ValidAnalysis();
         a.starting_step = -1;
       },
       {C + "analysis.startingStep: must be 0..2 (a step index, at most the number of steps), "
            "got -1"}},
      {"background analysis startingStep at the end",
       [](Rollout& r) {
         RolloutAnalysisBackground& a = CanaryOf(r).analysis.emplace();
         static_cast<RolloutAnalysis&>(a) = ValidAnalysis();
         a.starting_step = 2;
       },
       {}},
      {"background analysis is an analysis",
       [](Rollout& r) { CanaryOf(r).analysis.emplace(); },
       {C + "analysis.templates: must list at least one template: {templateName: <name>}"}},
      {"antiAffinity",
       [](Rollout& r) { CanaryOf(r).anti_affinity.emplace(); },
       {C + "antiAffinity: must set exactly one of "
            "preferredDuringSchedulingIgnoredDuringExecution or "
            "requiredDuringSchedulingIgnoredDuringExecution, got neither"}},
      {"ephemeral metadata",
       [](Rollout& r) {
         CanaryOf(r).canary_metadata.emplace().labels = {{"role", "canary!"}};
         CanaryOf(r).stable_metadata.emplace().annotations = {{"/x", "y"}};
       },
       {C + "canaryMetadata.labels.role: " + kLabelValueRule + "\"canary!\"",
        C + "stableMetadata.annotations[/x]: key: prefix before '/' must be a DNS subdomain "
            "(lowercase letters, digits, '-', '.'), got \"/x\""}},
  });
}

TEST(RolloutValidationTest, CanaryAndStableServicesRequiredByRouter) {
  auto without_services = [](const std::string& router) {
    return std::vector<std::string>{C + "canaryService: is required: trafficRouting." + router +
                                        " sends canary traffic to this Service",
                                    C + "stableService: is required: trafficRouting." + router +
                                        " sends stable traffic to this Service"};
  };
  RunValidationTable({
      {"nginx", [](Rollout& r) { Routing(r).nginx.emplace().stable_ingress = "web"; },
       without_services("nginx")},
      {"alb",
       [](Rollout& r) {
         AlbTrafficRouting& alb = Routing(r).alb.emplace();
         alb.ingress = "web";
         alb.service_port = 80;
       },
       without_services("alb")},
      {"istio host-level",
       [](Rollout& r) { Routing(r).istio.emplace().virtual_service.emplace().name = "web"; },
       without_services("istio (host-level split)")},
      {"smi", [](Rollout& r) { Routing(r).smi.emplace(); }, without_services("smi")},
      {"apisix", [](Rollout& r) { Routing(r).apisix.emplace().route.emplace().name = "web"; },
       without_services("apisix")},
      {"ambassador", [](Rollout& r) { Routing(r).ambassador.emplace().mappings = {"web"}; },
       without_services("ambassador")},
      {"traefik",
       [](Rollout& r) { Routing(r).traefik.emplace().weighted_traefik_service_name = "web"; },
       without_services("traefik")},
      {"appMesh",
       [](Rollout& r) {
         AppMeshTrafficRouting& mesh = Routing(r).app_mesh.emplace();
         mesh.virtual_service.emplace().name = "web";
         mesh.virtual_node_group.emplace().canary_virtual_node_ref.emplace().name = "canary";
         mesh.virtual_node_group->stable_virtual_node_ref.emplace().name = "stable";
       },
       without_services("appMesh")},
      {"istio subsets need none", [](Rollout& r) { UseIstioSubsets(r); }, {}},
      {"plugins need none",
       [](Rollout& r) { Routing(r).plugins["argoproj-labs/gatewayAPI"] = json::Object{}; },
       {}},
      {"alb with pingPong needs none",
       [](Rollout& r) {
         AlbTrafficRouting& alb = Routing(r).alb.emplace();
         alb.ingress = "web";
         alb.service_port = 80;
         alb.root_service = "web";
         CanaryOf(r).ping_pong = CanaryPingPong{"ping", "pong", {}};
       },
       {}},
      {"only the missing one",
       [](Rollout& r) {
         UseNginx(r);
         CanaryOf(r).stable_service.clear();
       },
       {C + "stableService: is required: trafficRouting.nginx sends stable traffic to this "
            "Service"}},
  });
}

TEST(RolloutValidationTest, PingPong) {
  const std::string only_routers =
      C +
      "pingPong: requires trafficRouting with alb, istio or plugins (the routers that "
      "support ping-pong)";
  RunValidationTable({
      {"with istio",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).ping_pong = CanaryPingPong{"ping", "pong", {}};
       },
       {}},
      {"without trafficRouting",
       [](Rollout& r) {
         CanaryOf(r).ping_pong = CanaryPingPong{"ping", "pong", {}};
       },
       {only_routers}},
      {"with nginx",
       [](Rollout& r) {
         UseNginx(r);
         CanaryOf(r).ping_pong = CanaryPingPong{"ping", "pong", {}};
       },
       {only_routers}},
      {"services missing",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).ping_pong.emplace();
       },
       {C + "pingPong.pingService: is required: the first of the two swapping Services",
        C + "pingPong.pongService: is required: the second of the two swapping Services"}},
      {"same service twice",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).ping_pong = CanaryPingPong{"web", "web", {}};
       },
       {C + "pingPong.pingService: This rollout uses the same service for the ping and pong "
            "services, but two different services are required."}},
      {"service names",
       [](Rollout& r) {
         UseIstioSubsets(r);
         CanaryOf(r).ping_pong = CanaryPingPong{"Ping", "pong", {}};
       },
       {C + "pingPong.pingService: must be a Service name: " + kDnsLabelRule + "\"Ping\""}},
      {"alb without rootService",
       [](Rollout& r) {
         AlbTrafficRouting& alb = Routing(r).alb.emplace();
         alb.ingress = "web";
         alb.service_port = 80;
         CanaryOf(r).ping_pong = CanaryPingPong{"ping", "pong", {}};
       },
       {C + "trafficRouting.alb.rootService: is required with pingPong: the Service the ALB "
            "action is written for"}},
  });
}

TEST(RolloutValidationTest, TrafficRouting) {
  const std::string tr = C + "trafficRouting.";
  RunValidationTable({
      {"no router",
       [](Rollout& r) { Routing(r); },
       {C + "trafficRouting: must configure at least one router: istio, nginx, alb, smi, "
            "ambassador, traefik, apisix, appMesh or plugins"}},
      {"maxTrafficWeight with nginx",
       [](Rollout& r) {
         UseNginx(r);
         Routing(r).max_traffic_weight = 1000;
       },
       {}},
      {"maxTrafficWeight with istio",
       [](Rollout& r) {
         UseIstioSubsets(r);
         Routing(r).max_traffic_weight = 1000;
       },
       {tr + "maxTrafficWeight: is only supported with the nginx router or plugins: remove it or "
             "use one of those"}},
      {"maxTrafficWeight zero",
       [](Rollout& r) {
         UseNginx(r);
         Routing(r).max_traffic_weight = 0;
       },
       {tr + "maxTrafficWeight: must be >= 1, got 0"}},
      {"managedRoutes names",
       [](Rollout& r) {
         UseIstioSubsets(r);
         AddManagedRoute(r, "");
         AddManagedRoute(r, "a");
         AddManagedRoute(r, "a");
       },
       {tr + "managedRoutes[0].name: is required: the route's name, referenced by setHeaderRoute "
             "or setMirrorRoute",
        tr + "managedRoutes[2].name: must be unique; \"a\" is also managedRoutes[1]"}},
      {"istio with virtualService and virtualServices",
       [](Rollout& r) {
         UseIstioSubsets(r).virtual_services.push_back({"other", {}, {}, {}, {}});
       },
       {tr + "istio: must set exactly one of virtualService or virtualServices, got both"}},
      {"istio with neither",
       [](Rollout& r) { UseIstioSubsets(r).virtual_service.reset(); },
       {tr + "istio: must set exactly one of virtualService or virtualServices, got neither"}},
      {"istio virtualServices list",
       [](Rollout& r) {
         IstioTrafficRouting& istio = UseIstioSubsets(r);
         istio.virtual_service.reset();
         istio.virtual_services = {{"a", {}, {}, {}, {}}, {"", {}, {}, {}, {}}};
       },
       {tr + "istio.virtualServices[1].name: is required: the VirtualService whose routes carry "
             "the weights"}},
      {"istio virtualService name",
       [](Rollout& r) { UseIstioSubsets(r).virtual_service->name.clear(); },
       {tr + "istio.virtualService.name: is required: the VirtualService whose routes carry the "
             "weights"}},
      {"istio destinationRule fields",
       [](Rollout& r) { UseIstioSubsets(r).destination_rule = IstioDestinationRuleRef{}; },
       {tr + "istio.destinationRule.name: is required: the DestinationRule holding the subsets",
        tr + "istio.destinationRule.canarySubsetName: is required: the subset that selects "
             "canary pods",
        tr + "istio.destinationRule.stableSubsetName: is required: the subset that selects "
             "stable pods"}},
      {"istio destinationRule same subset",
       [](Rollout& r) { UseIstioSubsets(r).destination_rule->stable_subset_name = "canary"; },
       {tr + "istio.destinationRule.stableSubsetName: must differ from canarySubsetName: two "
             "subsets are required, got \"canary\" for both"}},
      {"nginx with both ingress fields",
       [](Rollout& r) { UseNginx(r).stable_ingresses = {"web2"}; },
       {tr + "nginx: must set exactly one of stableIngress or stableIngresses, got both"}},
      {"nginx with neither",
       [](Rollout& r) { UseNginx(r).stable_ingress.clear(); },
       {tr + "nginx: must set exactly one of stableIngress or stableIngresses, got neither"}},
      {"nginx with a list",
       [](Rollout& r) {
         NginxTrafficRouting& nginx = UseNginx(r);
         nginx.stable_ingress.clear();
         nginx.stable_ingresses = {"a", "b"};
       },
       {}},
      {"alb with both ingress fields",
       [](Rollout& r) { UseAlb(r).ingresses = {"web2"}; },
       {tr + "alb: must set exactly one of ingress or ingresses, got both"}},
      {"alb with neither",
       [](Rollout& r) { UseAlb(r).ingress.clear(); },
       {tr + "alb: must set exactly one of ingress or ingresses, got neither"}},
      {"alb servicePort",
       [](Rollout& r) { UseAlb(r).service_port = 0; },
       {tr + "alb.servicePort: must be 1..65535, got 0"}},
      {"alb stickiness duration",
       [](Rollout& r) {
         UseAlb(r).stickiness_config = AlbStickinessConfig{true, 604801, {}};
       },
       {tr + "alb.stickinessConfig.durationSeconds: must be 1..604800, got 604801"}},
      {"alb stickiness disabled ignores the duration",
       [](Rollout& r) {
         UseAlb(r).stickiness_config = AlbStickinessConfig{false, 0, {}};
       },
       {}},
      {"ambassador mappings",
       [](Rollout& r) {
         SetServices(r);
         Routing(r).ambassador.emplace();
       },
       {tr + "ambassador.mappings: must list at least one Mapping: the base Mappings to copy for "
             "the canary"}},
      {"traefik service",
       [](Rollout& r) {
         SetServices(r);
         Routing(r).traefik.emplace();
       },
       {tr + "traefik.weightedTraefikServiceName: is required: the weighted TraefikService that "
             "splits the traffic"}},
      {"apisix route missing",
       [](Rollout& r) {
         SetServices(r);
         Routing(r).apisix.emplace();
       },
       {tr + "apisix.route: is required: the ApisixRoute whose backend weights are set"}},
      {"apisix route name",
       [](Rollout& r) {
         SetServices(r);
         Routing(r).apisix.emplace().route.emplace();
       },
       {tr + "apisix.route.name: is required: the ApisixRoute to edit"}},
      {"appMesh parts missing",
       [](Rollout& r) {
         SetServices(r);
         Routing(r).app_mesh.emplace();
       },
       {tr + "appMesh.virtualService: is required: the AppMesh VirtualService to route",
        tr + "appMesh.virtualNodeGroup: is required: the canary and stable VirtualNodes the "
             "weights go to"}},
      {"appMesh names missing",
       [](Rollout& r) {
         SetServices(r);
         AppMeshTrafficRouting& mesh = Routing(r).app_mesh.emplace();
         mesh.virtual_service.emplace();
         mesh.virtual_node_group.emplace().canary_virtual_node_ref.emplace();
       },
       {tr + "appMesh.virtualService.name: is required: the AppMesh VirtualService to route",
        tr + "appMesh.virtualNodeGroup.canaryVirtualNodeRef.name: is required: the VirtualNode "
             "of the canary pods",
        tr + "appMesh.virtualNodeGroup.stableVirtualNodeRef.name: is required: the VirtualNode "
             "of the stable pods"}},
  });
}

TEST(RolloutValidationTest, CollectsEveryError) {
  Rollout r = ValidCanaryRollout();
  r.spec.replicas = -1;
  CanaryOf(r).steps[0].set_weight = 120;
  CanaryOf(r).scale_down_delay_seconds = 5;
  EXPECT_EQ(Rendered(Validate(r)),
            (std::vector<std::string>{
                "spec.replicas: must be >= 0, got -1",
                C + "scaleDownDelaySeconds: is only allowed with trafficRouting: remove it or "
                    "configure a router",
                C + "steps[0].setWeight: must be 0..100, got 120"}));
}

// The seed articles' Rollouts, as shipped in examples/, are valid.
TEST(RolloutValidationTest, ExamplesAreValid) {
  for (const char* file :
       {"examples/bluegreen/rollout.yaml", "examples/bluegreen-auto/rollout.yaml",
        "examples/canary/rollout.yaml", "examples/istio-canary/rollout.yaml"}) {
    std::ifstream in(std::string(DEVFLOW_SOURCE_DIR) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    auto manifests = ReadManifests(text.str(), file);
    ASSERT_TRUE(manifests.ok()) << manifests.error().ToString();
    int rollouts = 0;
    for (const Manifest& m : *manifests) {
      if (m.object.Find("kind") == nullptr || *m.object.Find("kind") != json::Value("Rollout")) {
        continue;
      }
      ++rollouts;
      FieldErrors decode_errors;
      Rollout r = Decode<Rollout>(m.object, &decode_errors);
      EXPECT_EQ(Rendered(decode_errors), std::vector<std::string>{}) << file;
      EXPECT_EQ(Paths(UnknownRolloutFields(r)), std::vector<std::string>{}) << file;
      EXPECT_EQ(Rendered(Validate(r)), std::vector<std::string>{}) << file;
      EXPECT_EQ(Encode(r), m.object) << file;
    }
    EXPECT_EQ(rollouts, 1) << file;
  }
}

// The seed shapes, written out here so the test does not depend on examples/ alone.
TEST(RolloutValidationTest, SeedShapesAreValid) {
  const char* kSeeds[] = {
      R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: my-app}
spec:
  replicas: 5
  strategy:
    blueGreen:
      activeService: my-app-active
      previewService: my-app-preview
      autoPromotionEnabled: false
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec:
      containers: [{name: my-app, image: "my-app:v2"}]
)yaml",
      R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary}
spec:
  replicas: 3
  strategy:
    canary:
      steps:
      - setWeight: 25
      - pause: {}
      - setWeight: 75
      - pause: {duration: 10}
  selector: {matchLabels: {app: canary}}
  template:
    metadata: {labels: {app: canary}}
    spec:
      containers: [{name: app, image: "app:v1"}]
)yaml",
      R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: reviews}
spec:
  replicas: 4
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {app: reviews}}
    spec:
      containers: [{name: reviews, image: "reviews:v1"}]
  strategy:
    canary:
      trafficRouting:
        istio:
          virtualService: {name: reviews, routes: [primary]}
          destinationRule: {name: reviews, canarySubsetName: canary, stableSubsetName: stable}
      steps:
      - setWeight: 10
      - analysis:
          templates: [{templateName: error-rate}]
          args:
          - {name: service, value: reviews}
          - name: namespace
            valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
      - setWeight: 50
      - pause: {duration: 1m}
      - setWeight: 100
)yaml",
  };
  for (const char* seed : kSeeds) {
    auto manifests = ReadManifests(seed, "seed.yaml");
    ASSERT_TRUE(manifests.ok()) << manifests.error().ToString();
    FieldErrors decode_errors;
    Rollout r = Decode<Rollout>((*manifests)[0].object, &decode_errors);
    EXPECT_EQ(Rendered(decode_errors), std::vector<std::string>{}) << seed;
    EXPECT_EQ(Rendered(Validate(r)), std::vector<std::string>{}) << seed;
  }
}

}  // namespace
}  // namespace devflow::api
