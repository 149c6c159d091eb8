// The AnalysisRuns and Experiments a Rollout keeps (../shared/spec/argo-rollouts.md §3.9, §4.7):
// of those it controls that its status does not name as current, it deletes the ones whose
// ReplicaSet is gone (no pod-template-hash label, no ReplicaSet of the Rollout with that hash, or
// that ReplicaSet being deleted), and beyond the newest
// spec.analysis.successfulRunHistoryLimit Successful (default 5) and
// unsuccessfulRunHistoryLimit Failed/Error/Inconclusive ones (default 5). The same rule for both
// kinds, as Argo's FilterAnalysisRunsToDelete and FilterExperimentsToDelete. Pure.
#pragma once

#include <string>
#include <vector>

#include "api/rollout.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// One run or experiment as the rule sees it.
struct HistoryEntry {
  std::string name;
  std::string uid;
  std::optional<std::string> hash;  // its rollouts-pod-template-hash label, if any
  std::string phase;
  api::Time created;
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// Which of `others` to delete (name, uid), newest kept first (creation time, then name).
std::vector<std::pair<std::string, std::string>> HistoryToDelete(
    std::vector<HistoryEntry> others, const std::vector<api::ReplicaSet>& replica_sets,
    int32_t limit_successful, int32_t limit_unsuccessful);

// Adds to `plan` the deletions of the snapshot's runs and experiments that `status` (the status
// this reconcile writes) does not name as current.
void PlanHistoryCleanup(const RolloutSnapshot& snapshot, const api::RolloutStatus& status,
                        RolloutPlan& plan);

}  // namespace devflow::core
