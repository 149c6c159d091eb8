// The human summary `devflow get experiment NAME` prints without -o (Argo's `get experiment`
// shows the same facts as a tree): the Experiment's phase, each template with its status and
// ReplicaSet, and each analysis with its AnalysisRun's metrics, measurements, values and phases.
//
//   Name:          web-exp
//   Namespace:     default
//   Status:        Running
//   Message:       ...                          (only when set)
//   Available at:  2026-11-23T10:00:00Z         (only when set)
//   Duration:      1h                           (only when spec.duration is set)
//   Terminate:     requested                    (only when spec.terminate is true)
//   Images:        nginx:1.25 (base)
//                  nginx:1.27 (canary)
//
//   Templates:
//     NAME    STATUS   REPLICAS  UPDATED  READY  AVAILABLE  HASH    SERVICE  REPLICASET    MESSAGE
//     base    Running  1/1       1        1      1          5f4b8c  -        web-exp-base
//     canary  Pending  0/2       0        0      0          -       -        -
//
//   Analyses:
//     success-rate
//       Phase:        Successful
//       Message:      ...                        (only when set)
//       Required:     yes                        (requiredForCompletion; else "no")
//       AnalysisRun:  web-exp-success-rate       ("-" before the run exists)
//         Name:       web-exp-success-rate       (the run's FormatAnalysisRun, indented by 6)
//         ...
//         Metric: success-rate
//           ...
//
//     error-rate                                 (a blank line between analyses)
//       ...
//
// Images are the templates' containers' images, merged by image and sorted, each followed by
// the sorted names of the templates that run it. Templates and analyses come in the spec's
// order; one without an entry in status.templateStatuses / status.analysisRuns yet is shown
// Pending (counters 0, HASH and SERVICE "-"); a status entry naming a template or analysis the
// spec lacks follows them. REPLICAS is status replicas / spec.templates[].replicas (default 1;
// "-" for a template the spec lacks); UPDATED, READY, AVAILABLE, HASH (podTemplateHash), SERVICE
// (serviceName) and MESSAGE come from the template's status. REPLICASET names the ReplicaSets
// among `replica_sets` annotated experiment.argoproj.io/template-name=<template>
// (core::kExperimentTemplateNameAnnotation; comma-joined, sorted), "-" when none. An analysis's
// AnalysisRun is the run of `runs` named by its status entry's analysisRun, else the one named
// <experiment>-<analysis> (the name the controller gives it, so a run shows before the experiment's
// status records it); runs matching no analysis are not shown. Messages are written on one line
// (runs of whitespace become one space). "Analyses:" and its blocks are left out when the spec has
// no analyses and the status records none.
#pragma once

#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/experiment.h"
#include "api/workloads.h"

namespace devflow::cli {

// The summary above for `experiment`, ending with a newline. `replica_sets` and `runs` are the
// Experiment's own (the caller keeps those whose controller ownerReference has its uid); others
// would be shown if their annotation or name matched. Pure.
std::string FormatExperiment(const api::Experiment& experiment,
                             const std::vector<api::ReplicaSet>& replica_sets,
                             const std::vector<api::AnalysisRun>& runs);

}  // namespace devflow::cli
