// spec.strategy.canary.steps[]: one step of a canary update.
//
// A step has one "primary" action (setWeight, pause, analysis or experiment) and may combine it
// with the modifiers setCanaryScale, setHeaderRoute, setMirrorRoute and plugin; a step with
// none of the eight is invalid (rollout_validation.h).
//
// Plain value types (copyable, comparable). Go pointer fields are std::optional; `extra` keeps
// members devflow does not model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/rollout_analysis.h"
#include "common/json_value.h"

namespace devflow::api {

// steps[].pause
struct RolloutPause {
  // duration: an integer or numeric string (seconds) or a Go duration ("30s", "5m", "1h");
  // absent means "until promoted". Resolve with ParsePauseDuration (duration.h).
  std::optional<IntOrString> duration;
  json::Object extra;
  friend bool operator==(const RolloutPause&, const RolloutPause&) = default;
};

// Labels and annotations put on pods while they play a role (canaryMetadata, stableMetadata,
// previewMetadata, activeMetadata) or on an experiment's ReplicaSet (templates[].metadata).
struct PodTemplateMetadata {
  std::map<std::string, std::string> labels;       // labels
  std::map<std::string, std::string> annotations;  // annotations
  json::Object extra;
  friend bool operator==(const PodTemplateMetadata&, const PodTemplateMetadata&) = default;
};

// experiment.templates[].service: a Service created for the template's pods.
struct RolloutExperimentTemplateService {
  std::string name;  // name: default "<experiment>-<template>"
  json::Object extra;
  friend bool operator==(const RolloutExperimentTemplateService&,
                         const RolloutExperimentTemplateService&) = default;
};

// experiment.templates[]: a ReplicaSet the step's Experiment runs.
struct RolloutExperimentTemplate {
  std::string name;                       // name: required, unique in the step
  std::string spec_ref;                   // specRef: "canary" (the new pod template) or "stable"
  std::optional<int32_t> replicas;        // replicas: default 1
  PodTemplateMetadata metadata;           // metadata: added to the ReplicaSet's pods
  std::optional<LabelSelector> selector;  // selector: default the Rollout's
  // weight: percent of traffic for this template; needs trafficRouting (smi, alb, istio,
  // plugins).
  std::optional<int32_t> weight;
  std::optional<RolloutExperimentTemplateService> service;  // service
  json::Object extra;
  friend bool operator==(const RolloutExperimentTemplate&,
                         const RolloutExperimentTemplate&) = default;
};

// experiment.analyses[]: an AnalysisRun the step's Experiment runs.
struct RolloutExperimentAnalysis {
  std::string name;                           // name: required, unique in the step
  std::string template_name;                  // templateName: required
  std::optional<bool> cluster_scope;          // clusterScope: default false
  std::vector<RolloutAnalysisArgument> args;  // args
  // requiredForCompletion: the Experiment completes only when this run does
  bool required_for_completion = false;
  json::Object extra;
  friend bool operator==(const RolloutExperimentAnalysis&,
                         const RolloutExperimentAnalysis&) = default;
};

// steps[].experiment
struct RolloutExperimentStep {
  std::vector<RolloutExperimentTemplate> templates;  // templates: at least one
  // duration: a Go duration ("30m"); empty means until the analyses complete.
  std::string duration;
  std::vector<RolloutExperimentAnalysis> analyses;   // analyses
  std::vector<RolloutDryRun> dry_run;                // dryRun
  RolloutAnalysisRunMetadata analysis_run_metadata;  // analysisRunMetadata
  // scaleDownDelaySeconds: default 30 (defaults::kExperimentScaleDownDelaySeconds)
  std::optional<int32_t> scale_down_delay_seconds;
  json::Object extra;
  friend bool operator==(const RolloutExperimentStep&, const RolloutExperimentStep&) = default;
};

// steps[].setCanaryScale: scales the canary apart from its traffic weight (trafficRouting only).
struct SetCanaryScale {
  std::optional<int32_t> weight;    // weight: percent of spec.replicas, 0..100
  std::optional<int32_t> replicas;  // replicas: an absolute count
  // matchTrafficWeight: cancel an earlier weight/replicas; follow setWeight again
  bool match_traffic_weight = false;
  json::Object extra;
  friend bool operator==(const SetCanaryScale&, const SetCanaryScale&) = default;
};

// A string condition: exactly one of exact, prefix and regex.
struct RolloutStringMatch {
  std::string exact;   // exact
  std::string prefix;  // prefix
  std::string regex;   // regex: RE2 syntax
  json::Object extra;
  friend bool operator==(const RolloutStringMatch&, const RolloutStringMatch&) = default;
};

// setHeaderRoute.match[]
struct HeaderRoutingMatch {
  std::string header_name;                         // headerName: required
  std::optional<RolloutStringMatch> header_value;  // headerValue: required
  json::Object extra;
  friend bool operator==(const HeaderRoutingMatch&, const HeaderRoutingMatch&) = default;
};

// steps[].setHeaderRoute: send requests matching headers to the canary (istio, alb, apisix,
// plugins). The route name must be in trafficRouting.managedRoutes; no match removes the route.
struct SetHeaderRoute {
  std::string name;                       // name
  std::vector<HeaderRoutingMatch> match;  // match
  json::Object extra;
  friend bool operator==(const SetHeaderRoute&, const SetHeaderRoute&) = default;
};

// setMirrorRoute.match[]: all given conditions must hold.
struct MirrorRouteMatch {
  std::optional<RolloutStringMatch> method;           // method
  std::optional<RolloutStringMatch> path;             // path
  std::map<std::string, RolloutStringMatch> headers;  // headers: header name -> condition
  json::Object extra;
  friend bool operator==(const MirrorRouteMatch&, const MirrorRouteMatch&) = default;
};

// steps[].setMirrorRoute: mirror matching requests to the canary (istio, plugins). The route
// name must be in trafficRouting.managedRoutes; no match removes the route.
struct SetMirrorRoute {
  std::string name;                     // name: required
  std::vector<MirrorRouteMatch> match;  // match
  std::optional<int32_t> percentage;    // percentage: of matching requests, 0..100; default 100
  json::Object extra;
  friend bool operator==(const SetMirrorRoute&, const SetMirrorRoute&) = default;
};

// steps[].plugin: a step run by a step plugin (configured in argo-rollouts-config).
struct CanaryPluginStep {
  std::string name;    // name: required; the plugin's registered name
  json::Value config;  // config: schemaless, kept as written
  json::Object extra;
  friend bool operator==(const CanaryPluginStep&, const CanaryPluginStep&) = default;
};

// spec.strategy.canary.steps[]
struct CanaryStep {
  std::optional<int32_t> set_weight;                // setWeight: 0..maxTrafficWeight
  std::optional<RolloutPause> pause;                // pause
  std::optional<RolloutExperimentStep> experiment;  // experiment
  std::optional<RolloutAnalysis> analysis;          // analysis: the step ends when it succeeds
  std::optional<SetCanaryScale> set_canary_scale;   // setCanaryScale
  std::optional<SetHeaderRoute> set_header_route;   // setHeaderRoute
  std::optional<SetMirrorRoute> set_mirror_route;   // setMirrorRoute
  std::optional<CanaryPluginStep> plugin;           // plugin
  json::Object extra;
  friend bool operator==(const CanaryStep&, const CanaryStep&) = default;
};

}  // namespace devflow::api
