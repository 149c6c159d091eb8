// The canary `experiment` step (../shared/spec/argo-rollouts.md §4.8): at such a step the
// Rollout runs an Experiment built from the step (templates from the new ReplicaSet's pod
// template, specRef canary, or the stable's, specRef stable) and waits for its outcome:
//   Successful    the step completes (canary_steps.h reads the phase);
//   Inconclusive  the rollout pauses (InconclusiveExperiment) until a user promotes it;
//   Failed/Error  the rollout aborts: "Experiment analysis phase is failed|error[: message]".
// While the Experiment is Running, its templates with a `weight` are extra traffic destinations
// (their Services), taken from the stable's share. Experiments are terminated once the rollout
// has left their step, is aborted, or is promoted in full. Pure.
#pragma once

#include <string>
#include <vector>

#include "api/experiment.h"
#include "api/rollout.h"
#include "common/result.h"
#include "core/owned_replica_sets.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// The Experiment for the experiment step at `step_index`: named
// "<rollout>-<new hash>-<revision>-<step index>"; the Rollout's labels, the new hash label and
// the controller-instance-id; the revision annotation; owned by the Rollout; duration,
// dryRun, analysisRunMetadata and scaleDownDelaySeconds from the step, progressDeadlineSeconds
// from the Rollout; each template from its ReplicaSet (pod template, minReadySeconds, the
// step's selector or the ReplicaSet's, the step's metadata merged into the labels, selector and
// annotations, a Service when it has a weight or a service), each analysis with its args
// resolved as a Rollout analysis' are.
// Errors: a specRef other than canary/stable, an argument that does not resolve.
Result<api::Experiment> NewStepExperiment(const api::Rollout& rollout, int32_t step_index,
                                          const api::ReplicaSet& new_rs,
                                          const api::ReplicaSet& stable_rs, int64_t revision);

// Creates, follows and terminates the step's Experiment (status.canary.currentExperiment),
// applying its outcome to `status`. `abort_message` is set when its failure aborts the rollout
// now.
void ReconcileCanaryExperiment(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                               api::RolloutStatus& status, RolloutPlan& plan,
                               std::string& abort_message);

// The phase of the current step's Experiment as the status names it ("" when none).
std::string CurrentExperimentPhase(const RolloutSnapshot& snapshot,
                                   const api::RolloutStatus& status);

// The extra traffic destinations of the running step Experiment: its templates with a weight,
// by their Service and pod-template hash (from its templateStatuses). Empty unless the current
// step is an experiment step whose Experiment is Running.
std::vector<api::RolloutWeightDestination> ExperimentDestinations(const RolloutSnapshot& snapshot,
                                                                  const api::RolloutStatus& status);

}  // namespace devflow::core
