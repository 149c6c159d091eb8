// An Experiment's templates (../shared/spec/argo-rollouts.md §5.7): the ReplicaSet and Service
// each one runs as, how many pods it wants, and its status (Progressing -> Running ->
// Successful, or Failed past its progress deadline), as Argo Rollouts' experiment controller
// decides them. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/core_kinds.h"
#include "api/experiment.h"
#include "api/time.h"
#include "api/workloads.h"

namespace devflow::core {

// Annotations on a template's ReplicaSet and Service naming the Experiment and the template.
inline constexpr std::string_view kExperimentNameAnnotation = "experiment.argoproj.io/name";
inline constexpr std::string_view kExperimentTemplateNameAnnotation =
    "experiment.argoproj.io/template-name";

// Template statuses (status.templateStatuses[].status).
namespace template_status {
inline constexpr std::string_view kProgressing = "Progressing";
inline constexpr std::string_view kRunning = "Running";
inline constexpr std::string_view kSuccessful = "Successful";
inline constexpr std::string_view kFailed = "Failed";
inline constexpr std::string_view kError = "Error";
}  // namespace template_status

// Successful, Failed or Error: a template never leaves these.
bool IsCompletedTemplateStatus(std::string_view status);

// The experiment is ending: spec.terminate, a completed phase, a Failed/Error template, a
// Failed/Error/Inconclusive analysis, or every requiredForCompletion analysis Successful (Argo's
// IsTerminating). Templates then scale down and no new run starts.
bool IsTerminating(const api::Experiment& experiment);

// Whether some analysis is requiredForCompletion, and whether all of those are Successful in
// `status` (false when there is none).
bool HasRequiredAnalyses(const api::ExperimentSpec& spec);
bool RequiredAnalysesSuccessful(const api::ExperimentSpec& spec,
                                const api::ExperimentStatus& status);

// When the experiment's duration ends: status.availableAt + spec.duration; unset without a
// duration, before availableAt, or for a duration that does not parse.
std::optional<api::TimePoint> DurationEnd(const api::Experiment& experiment);

// The pods the template wants now: 0 once the experiment is terminating or the template has
// completed, else its replicas (default 1).
int32_t DesiredTemplateReplicas(const api::Experiment& experiment,
                                const api::ExperimentTemplate& tmpl);

// The ReplicaSet a template runs as: named "<experiment>-<template>", at `replicas`; the pod
// template's labels and the selector gain rollouts-pod-template-hash (computed over the
// template without that label, with the template status' collisionCount); the ReplicaSet's
// labels are the pod template's; annotations name the experiment and the template, on the
// ReplicaSet and (unlike Argo) on the pod template too, so an experiment's pods never share a
// hash with the Rollout's and its Services do not select them; the Experiment is its controller.
api::ReplicaSet NewTemplateReplicaSet(const api::Experiment& experiment,
                                      const api::ExperimentTemplate& tmpl, int32_t replicas);

// The Service of a template with spec.templates[].service: named service.name or the ReplicaSet's
// name, selecting the ReplicaSet's labels, one port per container port (TCP unless said), owned
// by the Experiment and annotated like the ReplicaSet. nullopt when no container declares a
// port (Argo then creates none).
std::optional<api::Service> NewTemplateService(const api::Experiment& experiment,
                                               const api::ExperimentTemplate& tmpl,
                                               const api::ReplicaSet& replica_set);

// The template's status after this pass (Argo's reconcileTemplate), from the status before it,
// the ReplicaSet as read (nullptr: none yet) and whether the pass changed its size:
//   counts: replicas/updated = the ReplicaSet's status.replicas, ready, available;
//   lastTransitionTime = now when the counts changed, the size changed, or it was just created;
//   status (unless already completed):
//     available == desired -> Successful when the duration has passed or the experiment is
//                             terminating, else Running;
//     otherwise            -> Failed ("Template '<t>' exceeded its progressDeadlineSeconds (<n>)")
//                             once lastTransitionTime + progressDeadlineSeconds has passed,
//                             Successful when terminating, else Progressing.
api::ExperimentTemplateStatus NextTemplateStatus(const api::Experiment& experiment,
                                                 const api::ExperimentTemplate& tmpl,
                                                 const api::ReplicaSet* replica_set, bool resized,
                                                 api::Time now);

// The status of template `name` in `status`, or nullptr.
const api::ExperimentTemplateStatus* FindTemplateStatus(const api::ExperimentStatus& status,
                                                        std::string_view name);

}  // namespace devflow::core
