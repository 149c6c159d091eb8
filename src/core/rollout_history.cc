#include "core/rollout_history.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/defaults.h"
#include "api/rollout_defaults.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

std::optional<std::string> HashLabel(const api::ObjectMeta& meta) {
  auto found = meta.labels.find(std::string(api::defaults::kPodTemplateHashLabel));
  if (found == meta.labels.end()) return std::nullopt;
  return found->second;
}

HistoryEntry EntryOf(const api::ObjectMeta& meta, const std::string& phase) {
  return HistoryEntry{.name = meta.name,
                      .uid = meta.uid,
                      .hash = HashLabel(meta),
                      .phase = phase,
                      .created = meta.creation_timestamp};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> HistoryToDelete(
    std::vector<HistoryEntry> others, const std::vector<api::ReplicaSet>& replica_sets,
    int32_t limit_successful, int32_t limit_unsuccessful) {
  std::map<std::string, bool> deleting_by_hash;
  for (const api::ReplicaSet& rs : replica_sets) {
    if (std::optional<std::string> hash = HashLabel(rs.metadata)) {
      deleting_by_hash[*hash] = rs.metadata.deletion_timestamp != api::Time{};
    }
  }
  std::stable_sort(others.begin(), others.end(), [](const HistoryEntry& a, const HistoryEntry& b) {
    return a.created != b.created ? a.created > b.created : a.name > b.name;
  });
  int32_t kept_successful = 0;
  int32_t kept_unsuccessful = 0;
  std::vector<std::pair<std::string, std::string>> deletions;
  for (const HistoryEntry& entry : others) {
    const auto rs = entry.hash ? deleting_by_hash.find(*entry.hash) : deleting_by_hash.end();
    if (rs == deleting_by_hash.end() || rs->second) {
      deletions.emplace_back(entry.name, entry.uid);
    } else if (entry.phase == api::analysis_phase::kSuccessful) {
      if (kept_successful++ >= limit_successful) deletions.emplace_back(entry.name, entry.uid);
    } else if (entry.phase == api::analysis_phase::kFailed ||
               entry.phase == api::analysis_phase::kError ||
               entry.phase == api::analysis_phase::kInconclusive) {
      if (kept_unsuccessful++ >= limit_unsuccessful) {
        deletions.emplace_back(entry.name, entry.uid);
      }
    }
  }
  return deletions;
}

void PlanHistoryCleanup(const RolloutSnapshot& snapshot, const api::RolloutStatus& status,
                        RolloutPlan& plan) {
  const api::Rollout& rollout = snapshot.rollout;
  std::set<std::string> current;
  for (const auto* field : {&status.canary.current_step_analysis_run_status,
                            &status.canary.current_background_analysis_run_status,
                            &status.blue_green.pre_promotion_analysis_run_status,
                            &status.blue_green.post_promotion_analysis_run_status}) {
    if (*field) current.insert((*field)->name);
  }
  std::set<std::string> created;  // made this pass: never stale
  for (const api::AnalysisRun& run : plan.create_analysis_runs) created.insert(run.metadata.name);
  for (const api::Experiment& e : plan.create_experiments) created.insert(e.metadata.name);

  std::vector<HistoryEntry> runs;
  for (const api::AnalysisRun& run : snapshot.analysis_runs) {
    if (current.contains(run.metadata.name) || created.contains(run.metadata.name) ||
        run.metadata.deletion_timestamp != api::Time{}) {
      continue;
    }
    runs.push_back(EntryOf(run.metadata, run.status.phase));
  }
  std::vector<HistoryEntry> experiments;
  for (const api::Experiment& experiment : snapshot.experiments) {
    if (experiment.metadata.name == status.canary.current_experiment ||
        created.contains(experiment.metadata.name) ||
        experiment.metadata.deletion_timestamp != api::Time{}) {
      continue;
    }
    experiments.push_back(EntryOf(experiment.metadata, experiment.status.phase));
  }
  const int32_t successful = api::SuccessfulRunHistoryLimitOrDefault(rollout);
  const int32_t unsuccessful = api::UnsuccessfulRunHistoryLimitOrDefault(rollout);
  plan.delete_analysis_runs =
      HistoryToDelete(std::move(runs), snapshot.replica_sets, successful, unsuccessful);
  plan.delete_experiments =
      HistoryToDelete(std::move(experiments), snapshot.replica_sets, successful, unsuccessful);
}

}  // namespace devflow::core
