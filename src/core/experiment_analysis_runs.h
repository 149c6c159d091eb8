// The AnalysisRuns an Experiment starts (../shared/spec/argo-rollouts.md §5.4, §5.7): one per
// spec.analyses[] entry, once every template is available, named "<experiment>-<analysis>"
// (collisions get ".1", ".2", ... as a Rollout's runs do). Pure.
#pragma once

#include <map>
#include <string>

#include "analysis/template_flattening.h"
#include "api/analysis.h"
#include "api/experiment.h"
#include "api/workloads.h"
#include "common/result.h"

namespace devflow::core {

// The values of the placeholders an experiment analysis' args may use, by tag:
//   experiment.availableAt            status.availableAt (RFC 3339), once set;
//   experiment.finishedAt             availableAt + duration, once availableAt is set and there
//                                     is a duration;
//   templates.<t>.podTemplateHash     the template's ReplicaSet's rollouts-pod-template-hash;
//   templates.<t>.replicaset.name     its name;
// for the templates whose ReplicaSet exists (`replica_sets`: template name -> ReplicaSet).
std::map<std::string, std::string> ExperimentArgumentTags(
    const api::Experiment& experiment,
    const std::map<std::string, const api::ReplicaSet*>& replica_sets);

// The run for spec.analyses[index]:
//   metadata: name "<experiment>-<analysis name>", the experiment's namespace; labels: the
//     experiment's controller-instance-id label if any, then analysisRunMetadata.labels;
//     annotations: analysisRunMetadata.annotations; the Experiment is its controller;
//   spec: the flattened template's metrics; args: the analysis' args with their placeholders
//     resolved (ExperimentArgumentTags; valueFrom kept) laid over the template's
//     (analysis::MergeArguments); dryRun and measurementRetention: the experiment's, then the
//     template's for other metric names.
// Errors: the flattening's (a missing template names it), an unresolved placeholder
// ("failed to resolve {{...}}") at spec.analyses[index].args[i].value, MergeArguments'.
Result<api::AnalysisRun> NewExperimentAnalysisRun(
    const api::Experiment& experiment, size_t index,
    const std::map<std::string, const api::ReplicaSet*>& replica_sets,
    const analysis::TemplateLookup& lookup);

}  // namespace devflow::core
