// Validation of a Rollout: every rule of Argo Rollouts' spec validation that needs no lookup in
// the cluster (Services, AnalysisTemplates and Ingresses are checked by the controller when it
// reads them), plus devflow's checks of the same kind (names present, enumerations, ranges).
//
// Rules, by field (paths under spec; each error carries the full path and says what is wrong
// and what is allowed):
//   replicas, minReadySeconds, revisionHistoryLimit, rollbackWindow.revisions, analysis.*
//                       >= 0
//   progressDeadlineSeconds  > minReadySeconds (600 when absent)
//   selector            required unless workloadRef; non-empty and well formed; must select
//                       template.metadata.labels
//   template            a valid ReplicaSet pod template (pod_validation.h); with workloadRef it
//                       must be empty (no labels, no annotations)
//   workloadRef         kind apps/Deployment, apps/ReplicaSet or PodTemplate; name required;
//                       scaleDown never|onsuccess|progressively
//   strategy            exactly one of blueGreen and canary (Argo's messages)
//   blueGreen           activeService required and != previewService; Service names DNS labels;
//                       counts and delays >= 0; scaleDownDelayRevisionLimit <= revisionHistory-
//                       Limit; maxUnavailable an integer >= 0 or a percentage <= 100%;
//                       antiAffinity; analyses; ephemeral metadata label syntax
//   canary              maxSurge (>= 0) / maxUnavailable (<= 100%) well formed and not both 0;
//                       canaryService != stableService; both required by alb (without pingPong),
//                       istio host-level, smi, apisix, ambassador, nginx, appMesh, traefik;
//                       scaleDownDelaySeconds, dynamicStableScale, minPodsPerReplicaSet only with
//                       trafficRouting; dynamicStableScale excludes scaleDownDelaySeconds;
//                       maxTrafficWeight only with nginx or plugins; pingPong needs alb, istio or
//                       plugins, both services, distinct, and alb.rootService with alb;
//                       replicaProgressThreshold Percent (0..100) or Pods (>= 0); background
//                       analysis startingStep 0..len(steps)
//   trafficRouting      at least one router; istio exactly one of virtualService(s), names and
//                       destinationRule subsets present and distinct; nginx exactly one of
//                       stableIngress(es); alb exactly one of ingress(es), servicePort 1..65535,
//                       stickiness 1..604800 s; ambassador mappings; traefik, apisix and appMesh
//                       names; managedRoutes names present and unique
//   steps[i]            at most one of setWeight/pause/experiment/analysis and at least one of
//                       the eight step keys; setWeight 0..maxTrafficWeight; pause.duration
//                       parses and >= 0; setCanaryScale needs trafficRouting (weight 0..100,
//                       replicas >= 0); setHeaderRoute needs istio, alb, apisix or plugins,
//                       setMirrorRoute istio or plugins, and their names are in managedRoutes;
//                       string matches hold exactly one of exact/prefix/regex, the regex compiles,
//                       and alb takes exact only; mirror percentage 0..100; plugin name required
//   experiment          templates present, named, unique, specRef canary|stable, replicas >= 0,
//                       weight 0..100 and only with smi, alb, istio or plugins; duration a Go
//                       duration unless it holds "{{...}}"; analyses named, unique, with
//                       templateName
//   analyses            at least one template, each with templateName; args named, unique, with
//                       exactly one of value and valueFrom; valueFrom exactly one of
//                       podTemplateHashValue (Stable|Latest) and fieldRef (fieldPath required;
//                       metadata.* must be a downward-API path); dryRun/measurementRetention
//                       metricName required, limit >= 0
//   antiAffinity        exactly one kind; preferred weight 1..100
#pragma once

#include "api/field_error.h"
#include "api/rollout.h"

namespace devflow::api {

// Returns every problem of `rollout`'s spec (status is not validated); empty when valid.
FieldErrors Validate(const Rollout& rollout);

}  // namespace devflow::api
