// A realistic canary Rollout shared by the benchmarks: a pod template with probes, env and
// resources, traffic routing, analysis and a status as the controller writes it (2,400 bytes of
// compact JSON).
#pragma once

namespace devflow::bench {

inline constexpr const char* kRolloutYaml = R"(
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: checkout
  namespace: shop
  uid: 6f1d3c1e-2b7a-4f0e-9d55-0c8c4a3b2e11
  resourceVersion: "123456"
  generation: 7
  creationTimestamp: "2026-11-23T03:16:00Z"
  labels: {app: checkout, team: payments}
  annotations:
    rollout.argoproj.io/revision: "7"
spec:
  replicas: 5
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
      - name: checkout
        image: registry.example.com/shop/checkout:v7
        ports:
        - {name: http, containerPort: 8080}
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 256Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 5
  strategy:
    canary:
      canaryService: checkout-canary
      stableService: checkout-stable
      trafficRouting:
        plugins:
          argoproj-labs/gatewayAPI: {httpRoute: checkout, namespace: shop}
      analysis:
        templates: [{templateName: success-rate}]
        startingStep: 1
        args: [{name: service-name, value: checkout}]
      steps:
      - setWeight: 10
      - pause: {duration: 1m}
      - setWeight: 30
      - pause: {duration: 1m}
      - setWeight: 60
      - pause: {}
status:
  phase: Paused
  message: CanaryPauseStep
  observedGeneration: "7"
  currentPodHash: 6c8d9b7f5f
  stableRS: 5f4b8c6d9d
  currentStepIndex: 5
  currentStepHash: 7d9c8b6f4
  replicas: 6
  updatedReplicas: 2
  readyReplicas: 6
  availableReplicas: 6
  HPAReplicas: 6
  selector: app=checkout
  pauseConditions: [{reason: CanaryPauseStep, startTime: "2026-11-23T03:20:00Z"}]
  canary:
    weights:
      canary: {weight: 60, serviceName: checkout-canary, podTemplateHash: 6c8d9b7f5f}
      stable: {weight: 40, serviceName: checkout-stable, podTemplateHash: 5f4b8c6d9d}
  conditions:
  - {type: Available, status: "True", reason: AvailableReason, message: Rollout has minimum availability, lastUpdateTime: "2026-11-23T03:17:00Z", lastTransitionTime: "2026-11-23T03:17:00Z"}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated, message: ReplicaSet "checkout-6c8d9b7f5f" is progressing., lastUpdateTime: "2026-11-23T03:20:00Z", lastTransitionTime: "2026-11-23T03:19:00Z"}
)";

}  // namespace devflow::bench
