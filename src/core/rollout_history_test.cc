#include "core/rollout_history.h"

#include <gtest/gtest.h>

namespace devflow::core {
namespace {

using Deletions = std::vector<std::pair<std::string, std::string>>;

api::Time At(int seconds) { return api::Time{api::TimePoint{std::chrono::seconds(seconds)}}; }

HistoryEntry Entry(const std::string& name, std::optional<std::string> hash,
                   const std::string& phase, int created) {
  return HistoryEntry{
      .name = name, .uid = name + "-uid", .hash = hash, .phase = phase, .created = At(created)};
}

api::ReplicaSet ReplicaSet(const std::string& hash, bool deleting = false) {
  api::ReplicaSet rs;
  rs.metadata.name = "web-" + hash;
  rs.metadata.labels["rollouts-pod-template-hash"] = hash;
  if (deleting) rs.metadata.deletion_timestamp = At(1);
  return rs;
}

std::vector<std::string> Names(const Deletions& deletions) {
  std::vector<std::string> names;
  for (const auto& [name, uid] : deletions) names.push_back(name);
  return names;
}

TEST(HistoryToDeleteTest, Table) {
  const std::vector<api::ReplicaSet> sets = {ReplicaSet("a"), ReplicaSet("b"),
                                             ReplicaSet("gone", /*deleting=*/true)};
  struct Row {
    std::string name;
    std::vector<HistoryEntry> others;
    int32_t successful;
    int32_t unsuccessful;
    std::vector<std::string> want;
  };
  const std::vector<Row> rows = {
      {"nothing to delete", {Entry("r1", "a", "Successful", 1)}, 5, 5, {}},
      {"no hash label", {Entry("r1", std::nullopt, "Successful", 1)}, 5, 5, {"r1"}},
      {"its ReplicaSet is gone", {Entry("r1", "zzz", "Running", 1)}, 5, 5, {"r1"}},
      {"its ReplicaSet is being deleted", {Entry("r1", "gone", "Successful", 1)}, 5, 5, {"r1"}},
      {"beyond the successful limit, oldest go",
       {Entry("r1", "a", "Successful", 1), Entry("r3", "a", "Successful", 3),
        Entry("r2", "b", "Successful", 2)},
       2,
       5,
       {"r1"}},
      {"unsuccessful counted apart, every failed phase",
       {Entry("f1", "a", "Failed", 1), Entry("e2", "a", "Error", 2),
        Entry("i3", "a", "Inconclusive", 3), Entry("s4", "a", "Successful", 4)},
       1,
       1,
       {"e2", "f1"}},
      {"running ones are never over the limit",
       {Entry("r1", "a", "Running", 1), Entry("r2", "a", "Running", 2)},
       0,
       0,
       {}},
      {"a limit of 0 deletes every completed one",
       {Entry("s1", "a", "Successful", 1), Entry("f2", "a", "Failed", 2)},
       0,
       0,
       {"f2", "s1"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Names(HistoryToDelete(row.others, sets, row.successful, row.unsuccessful)), row.want)
        << row.name;
  }
}

TEST(PlanHistoryCleanupTest, TheRunsAndExperimentsTheStatusNamesAreKept) {
  RolloutSnapshot snapshot;
  snapshot.rollout.spec.analysis = api::RolloutAnalysisRunStrategy{};
  snapshot.rollout.spec.analysis->successful_run_history_limit = 0;
  snapshot.replica_sets = {ReplicaSet("a")};
  api::AnalysisRun current;
  current.metadata.name = "step-run";
  current.metadata.labels["rollouts-pod-template-hash"] = "a";
  current.status.phase = "Successful";
  api::AnalysisRun old = current;
  old.metadata.name = "old-run";
  snapshot.analysis_runs = {current, old};
  api::Experiment experiment;
  experiment.metadata.name = "exp";
  experiment.status.phase = "Successful";  // no hash label: deleted unless current
  api::Experiment current_experiment = experiment;
  current_experiment.metadata.name = "current-exp";
  snapshot.experiments = {experiment, current_experiment};
  api::RolloutStatus status;
  status.canary.current_step_analysis_run_status =
      api::RolloutAnalysisRunStatus{.name = "step-run"};
  status.canary.current_experiment = "current-exp";
  RolloutPlan plan;
  PlanHistoryCleanup(snapshot, status, plan);
  EXPECT_EQ(Names(plan.delete_analysis_runs), std::vector<std::string>{"old-run"});
  EXPECT_EQ(Names(plan.delete_experiments), std::vector<std::string>{"exp"});
}

}  // namespace
}  // namespace devflow::core
