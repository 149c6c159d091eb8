// An Experiment's phase, message and conditions (../shared/spec/argo-rollouts.md §5.7), from its
// templates' and analyses' statuses, as Argo Rollouts' calculateStatus decides them. Pure.
#pragma once

#include <string>
#include <utility>

#include "api/experiment.h"
#include "api/time.h"

namespace devflow::core {

// The templates' verdict: the worst template status (Successful < Running < Progressing <
// Error < Failed; a template with no status counts as Progressing) as a phase (Progressing ->
// Pending, Running, Successful, Failed, Error) and that template's message.
std::pair<std::string, std::string> AssessTemplates(const api::ExperimentSpec& spec,
                                                    const api::ExperimentStatus& status);

// The analyses' verdict: the worst phase of spec.analyses' statuses (analysis phase order), and
// its message; Successful with "Required AnalysisRuns completed" when every
// requiredForCompletion analysis is Successful and every analysis is; Pending reads
// Running. Successful when there are no analyses.
std::pair<std::string, std::string> AssessAnalyses(const api::ExperimentSpec& spec,
                                                   const api::ExperimentStatus& status);

// `next` (the templates' and analyses' statuses of this pass) with phase, message, availableAt
// and conditions decided:
//   - no phase yet: Pending, nothing else this pass;
//   - Pending/Running: availableAt = now once the templates are Running; then
//       templates completed: the analyses' verdict if the templates are Successful and the
//         analyses completed (or some analysis is required), else the templates';
//       templates not completed: the analyses' verdict when it is a completed non-Successful
//         phase or every required analysis is Successful, else the templates';
//   - completed phases never change;
//   - conditions: Progressing False ExperimentCompleted once Successful; Progressing True
//     ReplicaSetUpdated while template counts change; Progressing True NewReplicaSetAvailable
//     while available and the duration has not passed. `before` is the experiment as read.
api::ExperimentStatus DecideExperimentStatus(const api::Experiment& before,
                                             api::ExperimentStatus next, api::Time now);

// Sets (or updates) the experiment condition `type`: unchanged when status and reason are the
// same; lastTransitionTime kept while the status stays.
void SetExperimentCondition(api::ExperimentStatus& status, api::ExperimentCondition condition);

}  // namespace devflow::core
