// The parts of a Rollout's new status that both strategies compute the same way
// (../shared/spec/argo-rollouts.md §2, §2.2, §3.3): pause conditions and controllerPause, the
// paused-state bookkeeping on the Progressing and Paused conditions, the Available, Completed
// and Healthy conditions, progress and its deadline, and the abort condition. Pure: each takes
// the status being built and the time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/time.h"
#include "api/workloads.h"
#include "core/rollout_plan.h"

namespace devflow::core {

inline constexpr char kBlueGreenPause[] = "BlueGreenPause";
inline constexpr char kCanaryPauseStep[] = "CanaryPauseStep";
inline constexpr char kInconclusiveAnalysisRun[] = "InconclusiveAnalysisRun";
inline constexpr char kInconclusiveExperiment[] = "InconclusiveExperiment";

// The pause conditions a reconcile adds and removes.
struct PauseChanges {
  std::vector<std::string> add;     // reasons added (kept with their startTime if present)
  std::vector<std::string> remove;  // reasons removed
  bool clear = false;               // all removed (promotion, abort, template change)
  friend bool operator==(const PauseChanges&, const PauseChanges&) = default;
};

// Applies `changes` to `status.pauseConditions` (read as the reconcile found them) and sets
// controllerPause as Argo does: true while the controller holds a pause (it added one now, or
// had one before and some remain), false once none remain. A user who clears pauseConditions
// leaves controllerPause true until the reconcile that acts on the resume writes it false.
void ApplyPauseChanges(api::RolloutStatus& status, const PauseChanges& changes, api::Time now);

// Whether a pause condition of `reason` exists.
bool HasPauseCondition(const api::RolloutStatus& status, const std::string& reason);
const api::RolloutPauseCondition* FindPauseCondition(const api::RolloutStatus& status,
                                                     const std::string& reason);

// checkPausedConditions (§2.2): the Progressing condition becomes Unknown RolloutPaused or
// RolloutResumed when the paused state (spec.paused or any pause condition) flips, unless
// aborted or completed; Unknown RolloutRetry once an abort was cleared; the Paused condition
// follows the paused state. `status` is the status being built from `rollout.status`.
void SyncPausedConditions(const api::Rollout& rollout, api::RolloutStatus& status, api::Time now);

// Progressing=False RolloutAborted "Rollout aborted update to revision N[: message]".
void SetAbortedCondition(api::RolloutStatus& status, int64_t revision, const std::string& message,
                         api::Time now);

// Available: True "Rollout has minimum availability" when `available`, else False.
void SetAvailableCondition(api::RolloutStatus& status, bool available, api::Time now);

// Completed: True iff stableRS is set and equals currentPodHash (reason and message
// RolloutCompleted).
void SetCompletedCondition(api::RolloutStatus& status, api::Time now);

// Healthy: True RolloutHealthy "Rollout is healthy" when `healthy` and not paused; otherwise
// False "Rollout is not healthy" if the condition already existed.
void SetHealthyCondition(const api::Rollout& rollout, api::RolloutStatus& status, bool healthy,
                         api::Time now);

// Whether the counts moved (§2.2 "progress"): updatedReplicas changed, old replicas decreased,
// ready or available increased, or one of `other_changes` (selectors, stableRS, step).
bool MadeProgress(const api::RolloutStatus& before, const api::RolloutStatus& after,
                  bool other_changes);

// The Progressing condition of a pass that is neither aborted nor paused: NewReplicaSetAvailable
// when `healthy`; else ReplicaSetUpdated (its lastUpdateTime refreshed on progress) or, past the
// progress deadline, False ProgressDeadlineExceeded (with a Warning event message returned).
// Returns the event message when the deadline has just been exceeded, else "".
std::string SetProgressingCondition(const api::Rollout& rollout, api::RolloutStatus& status,
                                    const std::string& new_rs_name, bool healthy, bool progressed,
                                    bool indefinite, api::Time now);

// ReplicaFailure (§2.2): copied from a ReplicaSet's ReplicaFailure condition (status True),
// preferring the new ReplicaSet's; removed when no ReplicaSet has one.
void SyncReplicaFailureCondition(api::RolloutStatus& status, const api::ReplicaSet& new_rs,
                                 const std::vector<api::ReplicaSet>& all, api::Time now);

// How a reconcile ends, the same for both strategies: the abort (abortedAt once, with its
// Warning event, and Progressing=False RolloutAborted) or, unless paused, the Progressing
// condition with the progress deadline (its event and its requeue time); then Completed,
// Healthy, the phase and message; and `status` becomes the plan's when it differs from the one
// read.
struct ReconcileEnd {
  std::string new_rs_name;
  int64_t revision = 0;       // the new ReplicaSet's revision
  bool healthy = false;       // the strategy's "RolloutHealthy"
  bool progressed = false;    // MadeProgress
  bool indefinite = false;    // the deadline does not run (see ProgressDeadlinePassed)
  std::string abort_message;  // why the rollout aborted this pass (a failed analysis), or ""
};
void FinishStatus(const api::Rollout& rollout, api::RolloutStatus status, const ReconcileEnd& end,
                  api::Time now, RolloutPlan& plan);

}  // namespace devflow::core
