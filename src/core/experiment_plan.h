// One reconcile of an Experiment (../shared/spec/argo-rollouts.md §5.7): what it reads
// (ExperimentSnapshot) and what it decides to write (ExperimentPlan), as Argo Rollouts'
// experiment controller does:
//   1. each template: its ReplicaSet created (at the replicas it wants) or scaled (to 0 once the
//      experiment ends, after scaleDownDelaySeconds: the ReplicaSet carries a
//      scale-down-deadline meanwhile), its Service created or deleted, its status
//      (experiment_templates.h NextTemplateStatus);
//   2. each analysis: before every template is available, its template is checked to exist;
//      then its AnalysisRun is created ("<experiment>-<analysis>"), its phase followed, and it is
//      terminated once the experiment ends;
//   3. phase, message, availableAt and conditions (experiment_phase.h);
//   4. when to look again: the duration's end, a template's progress deadline, a scale-down
//      deadline.
// Pure; the controller (src/controller/experiment_controller.h) gathers the snapshot and
// performs the writes in the order of the plan's fields. Every write is idempotent given the
// snapshot (a create that finds the object made counts as done), so a crash between writes
// converges on the next reconcile.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/analysis.h"
#include "api/core_kinds.h"
#include "api/experiment.h"
#include "api/field_error.h"
#include "api/time.h"
#include "api/workloads.h"
#include "core/rollout_plan.h"

namespace devflow::core {

struct ExperimentSnapshot {
  api::Experiment experiment;
  // The ReplicaSets the experiment controls, and any other ReplicaSet named like one of its
  // templates' ("<experiment>-<template>": a name taken by another owner is waited on).
  std::vector<api::ReplicaSet> replica_sets;
  // Likewise for Services: those it controls, and any named like a template's Service.
  std::vector<api::Service> services;
  // The AnalysisRuns of its namespace whose names start with "<experiment>-" (whatever their
  // owner: the names a new run may not take).
  std::vector<api::AnalysisRun> analysis_runs;
  // The templates its analyses name, by name (and those they include).
  std::map<std::string, api::AnalysisTemplateSpec> analysis_templates;
  std::map<std::string, api::AnalysisTemplateSpec> cluster_analysis_templates;
  api::Time now;
};

struct ExperimentPlan {
  // 1. ReplicaSets to create (AlreadyExists counts as done), then changes to existing ones.
  std::vector<api::ReplicaSet> create_replica_sets;
  std::vector<ReplicaSetChange> replica_set_changes;
  // 2. Services to create (AlreadyExists counts as done) and to delete (name, uid).
  std::vector<api::Service> create_services;
  std::vector<std::pair<std::string, std::string>> delete_services;
  // 3. AnalysisRuns to create (AlreadyExists counts as done) and to terminate (name, uid).
  std::vector<api::AnalysisRun> create_analysis_runs;
  std::vector<std::pair<std::string, std::string>> terminate_analysis_runs;
  // 4. The new status, when it differs from the one read (written over the resourceVersion
  //    read, so a user's terminate or retry meanwhile wins and the next reconcile decides again).
  std::optional<api::ExperimentStatus> status;
  std::optional<api::Time> requeue_at;
  std::vector<PlannedEvent> events;
  friend bool operator==(const ExperimentPlan&, const ExperimentPlan&) = default;
};

ExperimentPlan PlanExperiment(const ExperimentSnapshot& snapshot);

// The reconcile of an Experiment whose spec is invalid: the InvalidSpec condition (True,
// reason InvalidSpec, the first error as "<path>: <message>") and nothing else.
ExperimentPlan PlanInvalidExperiment(const api::Experiment& experiment,
                                     const api::FieldErrors& errors, api::Time now);

}  // namespace devflow::core
