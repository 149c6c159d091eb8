// Argo Rollouts' Experiment kind (argoproj.io/v1alpha1, namespaced, shortName exp): runs one
// ReplicaSet per template for a while, optionally with AnalysisRuns, and records the outcome.
//
// Plain value types (copyable, comparable). Absent optional fields stay absent; the defaults
// (replicas 1, progressDeadlineSeconds 600, scaleDownDelaySeconds 30) are read through
// analysis_defaults.h. `extra` keeps every member devflow does not model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/meta.h"
#include "api/pod.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// spec.templates[].service: create a Service for the template's ReplicaSet.
struct ExperimentTemplateService {
  std::string name;  // name: default the ReplicaSet's name (<experiment>-<template>)
  json::Object extra;
  friend bool operator==(const ExperimentTemplateService&,
                         const ExperimentTemplateService&) = default;
};

// spec.templates[]: one ReplicaSet, named <experiment>-<template name>.
struct ExperimentTemplate {
  std::string name;                       // name: unique in the experiment
  std::optional<int32_t> replicas;        // replicas: default 1 (defaults::kExperimentReplicas)
  int32_t min_ready_seconds = 0;          // minReadySeconds
  std::optional<LabelSelector> selector;  // selector: must match template.metadata.labels
  PodTemplateSpec template_;              // template
  std::optional<ExperimentTemplateService> service;  // service
  json::Object extra;
  friend bool operator==(const ExperimentTemplate&, const ExperimentTemplate&) = default;
};

// spec.analyses[]: an AnalysisRun named <experiment>-<name>, created once every template is
// available.
struct ExperimentAnalysisTemplateRef {
  std::string name;            // name: unique in the experiment
  std::string template_name;   // templateName: the AnalysisTemplate (or cluster one)
  bool cluster_scope = false;  // clusterScope: a ClusterAnalysisTemplate when true
  // args: may use {{templates.<t>.podTemplateHash}}, {{templates.<t>.replicaset.name}},
  // {{experiment.availableAt}} and {{experiment.finishedAt}}.
  std::vector<Argument> args;
  // requiredForCompletion: the experiment completes when every such analysis is Successful.
  bool required_for_completion = false;
  json::Object extra;
  friend bool operator==(const ExperimentAnalysisTemplateRef&,
                         const ExperimentAnalysisTemplateRef&) = default;
};

// Experiment spec.
struct ExperimentSpec {
  std::vector<ExperimentTemplate> templates;  // templates: non-empty
  // duration: Go duration the templates run once available; empty runs until terminated or
  // until the required analyses complete.
  std::string duration;
  // progressDeadlineSeconds: default 600; a template not available by then is Failed.
  std::optional<int32_t> progress_deadline_seconds;
  bool terminate = false;                               // terminate: stop the experiment
  std::vector<ExperimentAnalysisTemplateRef> analyses;  // analyses
  // scaleDownDelaySeconds: default 30; delay before scaling the templates to 0 at the end.
  std::optional<int32_t> scale_down_delay_seconds;
  std::vector<DryRun> dry_run;                              // dryRun: applied to every analysis
  std::vector<MeasurementRetention> measurement_retention;  // measurementRetention
  AnalysisRunMetadata analysis_run_metadata;                // analysisRunMetadata
  json::Object extra;
  friend bool operator==(const ExperimentSpec&, const ExperimentSpec&) = default;
};

// status.templateStatuses[]
struct ExperimentTemplateStatus {
  std::string name;                        // name
  int32_t replicas = 0;                    // replicas
  int32_t updated_replicas = 0;            // updatedReplicas
  int32_t ready_replicas = 0;              // readyReplicas
  int32_t available_replicas = 0;          // availableReplicas
  std::optional<int32_t> collision_count;  // collisionCount
  // status: Progressing, Running, Successful, Failed or Error.
  std::string status;
  std::string message;                       // message
  std::optional<Time> last_transition_time;  // lastTransitionTime
  std::string service_name;                  // serviceName
  std::string pod_template_hash;             // podTemplateHash
  json::Object extra;
  friend bool operator==(const ExperimentTemplateStatus&,
                         const ExperimentTemplateStatus&) = default;
};

// status.analysisRuns[]
struct ExperimentAnalysisRunStatus {
  std::string name;          // name: spec.analyses[].name
  std::string analysis_run;  // analysisRun: the AnalysisRun's name
  std::string phase;         // phase: analysis_phase::*
  std::string message;       // message
  json::Object extra;
  friend bool operator==(const ExperimentAnalysisRunStatus&,
                         const ExperimentAnalysisRunStatus&) = default;
};

// status.conditions[]: types Progressing and InvalidSpec.
struct ExperimentCondition {
  std::string type;           // type
  std::string status;         // status: "True", "False", "Unknown"
  Time last_update_time;      // lastUpdateTime
  Time last_transition_time;  // lastTransitionTime
  std::string reason;         // reason: ReplicaSetUpdated, NewReplicaSetAvailable, ...
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const ExperimentCondition&, const ExperimentCondition&) = default;
};

// Experiment status. The CLI's "retry" sets it to null.
struct ExperimentStatus {
  std::string phase;    // phase: analysis_phase::* (Pending at first)
  std::string message;  // message
  std::vector<ExperimentTemplateStatus> template_statuses;  // templateStatuses
  std::vector<ExperimentAnalysisRunStatus> analysis_runs;   // analysisRuns
  std::optional<Time> available_at;             // availableAt: when every template became Running
  std::vector<ExperimentCondition> conditions;  // conditions
  json::Object extra;
  friend bool operator==(const ExperimentStatus&, const ExperimentStatus&) = default;
};

// kind Experiment.
struct Experiment {
  std::string api_version;  // apiVersion: argoproj.io/v1alpha1
  std::string kind;         // kind: Experiment
  ObjectMeta metadata;      // metadata
  ExperimentSpec spec;      // spec
  ExperimentStatus status;  // status
  json::Object extra;
  friend bool operator==(const Experiment&, const Experiment&) = default;
};

}  // namespace devflow::api
