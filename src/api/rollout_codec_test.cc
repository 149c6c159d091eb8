#include "api/rollout_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "api/decode.h"
#include "api/manifest_reader.h"

namespace devflow::api {
namespace {

json::Value Parse(std::string_view yaml) {
  auto manifests = ReadManifests(yaml, "test.yaml");
  EXPECT_TRUE(manifests.ok()) << manifests.error().ToString();
  if (!manifests.ok() || manifests->empty()) return json::Value();
  return (*manifests)[0].object;
}

std::vector<std::string> Paths(const std::vector<FieldPath>& paths) {
  std::vector<std::string> out;
  for (const FieldPath& p : paths) out.push_back(p.str());
  return out;
}

std::vector<std::string> Rendered(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(ToString(e));
  return out;
}

// Every field of sections 1 and 2 of the Argo Rollouts spec, each with a non-empty value (an
// empty one would be omitted on encoding, as Go's omitempty does). Both strategies are set: the
// codec does not care, validation would.
constexpr std::string_view kEveryField = R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: full
  namespace: default
  generation: 3
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:v1
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web, scaleDown: progressively}
  minReadySeconds: 5
  rollbackWindow: {revisions: 2}
  strategy:
    blueGreen:
      activeService: web-active
      previewService: web-preview
      previewReplicaCount: 1
      autoPromotionEnabled: false
      autoPromotionSeconds: 30
      maxUnavailable: 1
      scaleDownDelaySeconds: 60
      scaleDownDelayRevisionLimit: 2
      prePromotionAnalysis: &analysis
        templates:
        - templateName: success-rate
          clusterScope: true
        args:
        - name: service
          value: web
        - name: hash
          valueFrom:
            podTemplateHashValue: Latest
        - name: ns
          valueFrom:
            fieldRef: {fieldPath: metadata.namespace}
        dryRun:
        - metricName: latency
        measurementRetention:
        - metricName: ".*"
          limit: 20
        analysisRunMetadata:
          labels: {team: a}
          annotations: {note: b}
      antiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution: {weight: 50}
        requiredDuringSchedulingIgnoredDuringExecution: {}
      postPromotionAnalysis: *analysis
      previewMetadata: {labels: {role: preview}, annotations: {a: b}}
      activeMetadata: {labels: {role: active}, annotations: {a: b}}
      abortScaleDownDelaySeconds: 10
    canary:
      canaryService: web-canary
      stableService: web-stable
      steps:
      - setWeight: 10
      - pause: {duration: 1h}
      - pause: {}
      - experiment:
          templates:
          - name: baseline
            specRef: stable
            replicas: 1
            metadata: {labels: {exp: b}, annotations: {x: z}}
            selector: {matchLabels: {app: web}}
            weight: 5
            service: {name: baseline-svc}
          duration: 30m
          analyses:
          - name: compare
            templateName: judge
            clusterScope: true
            args: [{name: a, value: b}]
            requiredForCompletion: true
          dryRun: [{metricName: m}]
          analysisRunMetadata: {labels: {k: v}, annotations: {k: v}}
          scaleDownDelaySeconds: 15
      - analysis: *analysis
      - setCanaryScale: {weight: 20, replicas: 2, matchTrafficWeight: true}
      - setHeaderRoute:
          name: header-route
          match:
          - headerName: X-Canary
            headerValue: {exact: "yes", prefix: "y", regex: "y.*"}
      - setMirrorRoute:
          name: mirror-route
          match:
          - method: {exact: GET}
            path: {prefix: /api}
            headers:
              X-Debug: {regex: "1|true"}
          percentage: 50
      - plugin:
          name: my-plugin
          config: {key: value, n: 1, list: [1, "two"]}
      trafficRouting:
        istio:
          virtualService:
            name: vs
            routes: [primary]
            tlsRoutes: [{port: 443, sniHosts: [a.example.com]}]
            tcpRoutes: [{port: 9000}]
          destinationRule:
            name: dr
            canarySubsetName: canary
            stableSubsetName: stable
            additionalSubsetNames: [extra]
          virtualServices: [{name: vs2, routes: [r2]}]
        nginx:
          annotationPrefix: custom.nginx
          stableIngress: web
          additionalIngressAnnotations: {canary-by-header: X-Canary}
          stableIngresses: [web2]
          canaryIngressAnnotations: {example.com/annotation: v}
        alb:
          ingress: web
          servicePort: 80
          rootService: web-root
          annotationPrefix: custom.alb
          stickinessConfig: {enabled: true, durationSeconds: 3600}
          ingresses: [web2]
        smi: {rootService: web, trafficSplitName: split}
        ambassador: {mappings: [web-mapping]}
        appMesh:
          virtualService: {name: vsvc, routes: [r]}
          virtualNodeGroup:
            canaryVirtualNodeRef: {name: canary-vn}
            stableVirtualNodeRef: {name: stable-vn}
        traefik: {weightedTraefikServiceName: wts}
        managedRoutes: [{name: header-route}, {name: mirror-route}]
        apisix: {route: {name: route, rules: [rule1]}}
        plugins:
          argoproj-labs/gatewayAPI: {httpRoute: web, namespace: default}
        maxTrafficWeight: 1000
      maxUnavailable: "10%"
      maxSurge: 2
      analysis:
        templates: [{templateName: bg}]
        args: [{name: x, value: v}]
        dryRun: [{metricName: m}]
        measurementRetention: [{metricName: m, limit: 5}]
        analysisRunMetadata: {labels: {a: b}}
        startingStep: 2
      antiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution: {}
      canaryMetadata: {labels: {role: canary}, annotations: {a: b}}
      stableMetadata: {labels: {role: stable}, annotations: {a: b}}
      scaleDownDelaySeconds: 45
      scaleDownDelayRevisionLimit: 3
      abortScaleDownDelaySeconds: 20
      dynamicStableScale: true
      pingPong: {pingService: ping, pongService: pong}
      minPodsPerReplicaSet: 2
      replicaProgressThreshold: {type: Percent, value: 90}
  revisionHistoryLimit: 5
  paused: true
  progressDeadlineSeconds: 300
  progressDeadlineAbort: true
  restartAt: "2026-01-02T03:04:05Z"
  analysis: {successfulRunHistoryLimit: 3, unsuccessfulRunHistoryLimit: 4}
status:
  abort: true
  pauseConditions: [{reason: CanaryPauseStep, startTime: "2026-01-02T03:04:05Z"}]
  controllerPause: true
  abortedAt: "2026-01-02T03:04:06Z"
  currentPodHash: 6d4f8c9b7
  currentStepHash: 5f7b9c
  replicas: 5
  updatedReplicas: 2
  readyReplicas: 4
  availableReplicas: 3
  currentStepIndex: 1
  collisionCount: 1
  observedGeneration: "3"
  conditions:
  - type: Progressing
    status: "True"
    lastUpdateTime: "2026-01-02T03:04:05Z"
    lastTransitionTime: "2026-01-02T03:00:00Z"
    reason: ReplicaSetUpdated
    message: ReplicaSet "web-6d4f8c9b7" is progressing.
  canary:
    currentStepAnalysisRunStatus: {name: ar1, status: Running, message: m}
    currentBackgroundAnalysisRunStatus: {name: ar2, status: Successful, message: m}
    currentExperiment: exp1
    weights:
      canary: {weight: 10, serviceName: web-canary, podTemplateHash: 6d4f8c9b7}
      stable: {weight: 90, serviceName: web-stable, podTemplateHash: 5c8b7d6f4}
      additional: [{weight: 5, serviceName: baseline-svc, podTemplateHash: 7f}]
      verified: true
    stablePingPong: ping
    stepPluginStatuses:
    - index: 7
      name: my-plugin
      operation: Run
      phase: Running
      message: m
      startedAt: "2026-01-02T03:04:05Z"
      updatedAt: "2026-01-02T03:04:06Z"
      finishedAt: "2026-01-02T03:04:07Z"
      backoff: 10s
      executions: 2
      disabled: true
      status: {progress: 50}
  blueGreen:
    previewSelector: 6d4f8c9b7
    activeSelector: 5c8b7d6f4
    scaleUpPreviewCheckPoint: true
    prePromotionAnalysisRunStatus: {name: pre, status: Successful, message: ok}
    postPromotionAnalysisRunStatus: {name: post, status: Running, message: m}
  HPAReplicas: 5
  selector: app=web
  stableRS: 5c8b7d6f4
  restartedAt: "2026-01-02T03:04:08Z"
  promoteFull: true
  phase: Paused
  message: CanaryPauseStep
  workloadObservedGeneration: "2"
  alb: &albstatus
    loadBalancer: {name: lb, arn: "arn:lb", fullName: app/lb/1}
    canaryTargetGroup: {name: tg-c, arn: "arn:c", fullName: tgc}
    stableTargetGroup: {name: tg-s, arn: "arn:s", fullName: tgs}
    ingress: web
  albs: [*albstatus]
  duration:
    rolloutStartedAt: "2026-01-02T03:00:00Z"
    manualPauseStartedAt: "2026-01-02T03:01:00Z"
    totalManualPauseDurationSeconds: 12
    finishedAt: "2026-01-02T03:10:00Z"
    completionStatus: Promoted
)yaml";

TEST(RolloutCodecTest, EveryDocumentedFieldIsTyped) {
  json::Value in = Parse(kEveryField);
  FieldErrors errors;
  Rollout r = Decode<Rollout>(in, &errors);
  EXPECT_EQ(Rendered(errors), std::vector<std::string>{});
  EXPECT_EQ(Paths(UnknownRolloutFields(r)), std::vector<std::string>{});
  EXPECT_EQ(Encode(r), in) << json::WritePretty(Encode(r));
}

TEST(RolloutCodecTest, DecodesTypedValues) {
  Rollout r = Decode<Rollout>(Parse(kEveryField));
  EXPECT_EQ(r.spec.replicas, 4);
  EXPECT_EQ(r.spec.workload_ref->scale_down, "progressively");
  const BlueGreenStrategy& bg = *r.spec.strategy.blue_green;
  EXPECT_EQ(bg.auto_promotion_enabled, false);
  EXPECT_EQ(bg.max_unavailable, IntOrString(int64_t{1}));
  EXPECT_EQ(bg.pre_promotion_analysis->args[1].value_from->pod_template_hash_value, "Latest");
  EXPECT_EQ(bg.pre_promotion_analysis, bg.post_promotion_analysis);
  const CanaryStrategy& c = *r.spec.strategy.canary;
  EXPECT_EQ(c.max_surge, IntOrString(int64_t{2}));
  EXPECT_EQ(c.max_unavailable, IntOrString("10%"));
  EXPECT_EQ(c.steps[0].set_weight, 10);
  EXPECT_EQ(c.steps[1].pause->duration, IntOrString("1h"));
  ASSERT_TRUE(c.steps[2].pause.has_value()) << "pause: {} is a pause without duration";
  EXPECT_FALSE(c.steps[2].pause->duration.has_value());
  EXPECT_EQ(c.steps[3].experiment->templates[0].spec_ref, "stable");
  EXPECT_EQ(c.steps[7].set_mirror_route->match[0].headers.at("X-Debug").regex, "1|true");
  EXPECT_EQ(c.steps[8].plugin->config.Find("n")->as_int(), 1);
  EXPECT_EQ(c.analysis->starting_step, 2);
  EXPECT_EQ(c.analysis->templates[0].template_name, "bg");
  EXPECT_TRUE(c.anti_affinity->required_during_scheduling_ignored_during_execution.has_value());
  EXPECT_EQ(
      c.traffic_routing->plugins.at("argoproj-labs/gatewayAPI").Find("httpRoute")->as_string(),
      "web");
  EXPECT_EQ(c.traffic_routing->max_traffic_weight, 1000);
  EXPECT_EQ(r.status.observed_generation, "3");
  EXPECT_EQ(r.status.hpa_replicas, 5);
  EXPECT_EQ(r.status.canary.weights->additional[0].weight, 5);
  EXPECT_EQ(r.status.conditions[0].last_transition_time.value,
            *ParseRfc3339("2026-01-02T03:00:00Z"));
  EXPECT_EQ(r.status.duration->total_manual_pause_duration_seconds, 12);
}

TEST(RolloutCodecTest, ObservedGenerationIsWrittenAsAString) {
  Rollout r;
  r.status.observed_generation = "7";
  r.status.hpa_replicas = 2;
  json::Value encoded = Encode(r.status);
  EXPECT_EQ(*encoded.Find("observedGeneration"), json::Value("7"));
  EXPECT_EQ(*encoded.Find("HPAReplicas"), json::Value(2));
}

TEST(RolloutCodecTest, UnknownMembersSurviveAtEveryLevel) {
  json::Value in = Parse(R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  managedFields: [{manager: kubectl}]
topExtra: {a: 1}
spec:
  replicas: 2
  specExtra: true
  selector:
    matchLabels: {app: web}
  template:
    templateExtra: x
    metadata:
      labels: {app: web}
    spec:
      futurePodField: {y: 2}
      containers:
      - name: web
        image: web:v1
        containerExtra: [1, 2]
  strategy:
    canary:
      steps:
      - setWeight: 20
        stepExtra: {z: 3}
      - pause: {duration: 10, pauseExtra: 1}
status:
  phase: Healthy
  statusExtra: "s"
  canary: {canaryStatusExtra: 1}
)yaml");
  FieldErrors errors;
  Rollout r = Decode<Rollout>(in, &errors);
  EXPECT_EQ(Rendered(errors), std::vector<std::string>{});
  EXPECT_EQ(Encode(r), in) << json::WritePretty(Encode(r));
  EXPECT_EQ(Paths(UnknownRolloutFields(r)),
            (std::vector<std::string>{
                "spec.template.templateExtra", "spec.strategy.canary.steps[0].stepExtra",
                "spec.strategy.canary.steps[1].pause.pauseExtra", "spec.specExtra",
                "status.canary.canaryStatusExtra", "status.statusExtra", "topExtra"}));
}

TEST(RolloutCodecTest, WrongTypesAreReportedWithTheirPaths) {
  json::Value in = Parse(R"yaml(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: three
  strategy:
    canary:
      steps:
      - setWeight: 20
      - setWeight: ten
      trafficRouting:
        managedRoutes: {name: x}
status:
  observedGeneration: 3
)yaml");
  FieldErrors errors;
  Rollout r = Decode<Rollout>(in, &errors);
  std::vector<std::string> paths;
  for (const FieldError& e : errors) paths.push_back(e.path.str());
  EXPECT_EQ(paths,
            (std::vector<std::string>{"spec.replicas", "spec.strategy.canary.steps[1].setWeight",
                                      "spec.strategy.canary.trafficRouting.managedRoutes",
                                      "status.observedGeneration"}));
  EXPECT_EQ(r.spec.strategy.canary->steps[0].set_weight, 20) << "good fields still decode";
}

TEST(RolloutCodecTest, AnalysisCodecIsExported) {
  json::Value in = Parse(R"yaml(
templates: [{templateName: t}]
args: [{name: a, value: ""}]
)yaml");
  RolloutAnalysis a = Decode<RolloutAnalysis>(in);
  ASSERT_EQ(a.args.size(), 1u);
  EXPECT_EQ(a.args[0].value, std::optional<std::string>(""))
      << "an explicit empty value is kept apart from an absent one";
  EXPECT_EQ(Encode(a), in);
}

}  // namespace
}  // namespace devflow::api
