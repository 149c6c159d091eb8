// The Rollout side of analysis: how a Rollout asks for an AnalysisRun (RolloutAnalysis), used by
// canary steps (steps[].analysis), background analysis (canary.analysis) and blue/green
// pre/post-promotion analysis.
//
// These are not the AnalysisTemplate's own types (analysis.h): a Rollout argument may take its
// value from the pod-template hash of a ReplicaSet or from a field of the Rollout, which a
// template argument cannot. Names carry a Rollout prefix so both sets live in devflow::api.
//
// Plain value types (copyable, comparable). Go pointer fields are std::optional; `extra` keeps
// members devflow does not model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json_value.h"

namespace devflow::api {

// args[].valueFrom.fieldRef
struct RolloutArgumentFieldRef {
  // fieldPath: a path into the Rollout. "metadata.*" paths resolve as the downward API does
  // (metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'],
  // metadata.annotations['k']); any other path is read from the Rollout's JSON.
  std::string field_path;
  json::Object extra;
  friend bool operator==(const RolloutArgumentFieldRef&, const RolloutArgumentFieldRef&) = default;
};

// args[].valueFrom: exactly one of the two.
struct RolloutArgumentValueFrom {
  // podTemplateHashValue: "Stable" (the stable ReplicaSet's hash) or "Latest" (the new one's).
  std::optional<std::string> pod_template_hash_value;
  std::optional<RolloutArgumentFieldRef> field_ref;  // fieldRef
  json::Object extra;
  friend bool operator==(const RolloutArgumentValueFrom&,
                         const RolloutArgumentValueFrom&) = default;
};

// args[]: an argument passed to the AnalysisRun. Exactly one of value and valueFrom.
struct RolloutAnalysisArgument {
  std::string name;  // name: unique in the list; matches a template argument
  // value: a literal. Optional so that an explicit "" is kept apart from an absent value.
  std::optional<std::string> value;
  std::optional<RolloutArgumentValueFrom> value_from;  // valueFrom
  json::Object extra;
  friend bool operator==(const RolloutAnalysisArgument&, const RolloutAnalysisArgument&) = default;
};

// templates[]: an AnalysisTemplate (or ClusterAnalysisTemplate) to merge into the run.
struct RolloutAnalysisTemplateRef {
  std::string template_name;          // templateName: required
  std::optional<bool> cluster_scope;  // clusterScope: default false (namespaced template)
  json::Object extra;
  friend bool operator==(const RolloutAnalysisTemplateRef&,
                         const RolloutAnalysisTemplateRef&) = default;
};

// dryRun[]: metrics whose failures do not fail the run.
struct RolloutDryRun {
  std::string metric_name;  // metricName: a metric name or a regular expression (".*")
  json::Object extra;
  friend bool operator==(const RolloutDryRun&, const RolloutDryRun&) = default;
};

// measurementRetention[]: how many measurements the run keeps for a metric.
struct RolloutMeasurementRetention {
  std::string metric_name;  // metricName: a metric name or a regular expression
  int32_t limit = 0;        // limit: measurements kept (the run's default is 10)
  json::Object extra;
  friend bool operator==(const RolloutMeasurementRetention&,
                         const RolloutMeasurementRetention&) = default;
};

// analysisRunMetadata: labels and annotations copied onto the AnalysisRuns created.
struct RolloutAnalysisRunMetadata {
  std::map<std::string, std::string> labels;       // labels
  std::map<std::string, std::string> annotations;  // annotations
  json::Object extra;
  friend bool operator==(const RolloutAnalysisRunMetadata&,
                         const RolloutAnalysisRunMetadata&) = default;
};

// An analysis the Rollout runs: steps[].analysis, blueGreen.prePromotionAnalysis,
// blueGreen.postPromotionAnalysis, and (with startingStep) canary.analysis.
struct RolloutAnalysis {
  std::vector<RolloutAnalysisTemplateRef> templates;                // templates: at least one
  std::vector<RolloutAnalysisArgument> args;                        // args
  std::vector<RolloutDryRun> dry_run;                               // dryRun
  std::vector<RolloutMeasurementRetention> measurement_retention;   // measurementRetention
  std::optional<RolloutAnalysisRunMetadata> analysis_run_metadata;  // analysisRunMetadata
  json::Object extra;
  friend bool operator==(const RolloutAnalysis&, const RolloutAnalysis&) = default;
};

// canary.analysis: a background run over the whole update. Go embeds RolloutAnalysis inline, so
// its members sit beside startingStep in the manifest; the base class mirrors that.
struct RolloutAnalysisBackground : RolloutAnalysis {
  // startingStep: the step index at which the run starts; default 0. 0..len(steps).
  std::optional<int32_t> starting_step;
  friend bool operator==(const RolloutAnalysisBackground&,
                         const RolloutAnalysisBackground&) = default;
};

}  // namespace devflow::api
