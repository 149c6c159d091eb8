#include "core/pod_restart.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::core {
namespace {

using Names = std::vector<std::string>;

api::Time At(int seconds) { return api::Time{api::TimePoint{std::chrono::seconds(seconds)}}; }

api::Rollout RolloutWith(const std::string& strategy, std::optional<int> restart_at,
                         std::optional<int> restarted_at = std::nullopt) {
  api::Rollout rollout = api::testing::DecodeJsonText<api::Rollout>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": "web", "namespace": "default", "uid": "rollout-uid"},
    "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
      "strategy": )" + strategy + "}}");
  if (restart_at) rollout.spec.restart_at = At(*restart_at);
  if (restarted_at) rollout.status.restarted_at = At(*restarted_at);
  return rollout;
}

api::ReplicaSet ReplicaSet(const std::string& hash, int replicas, int available, int created) {
  api::ReplicaSet rs;
  rs.metadata.name = "web-" + hash;
  rs.metadata.uid = hash + "-uid";
  rs.metadata.labels["rollouts-pod-template-hash"] = hash;
  rs.metadata.creation_timestamp = At(created);
  rs.spec.replicas = replicas;
  rs.status.available_replicas = available;
  return rs;
}

api::Pod Pod(const std::string& name, const std::string& hash, int created, bool deleting = false) {
  api::Pod pod;
  pod.metadata.name = name;
  pod.metadata.uid = name + "-uid";
  pod.metadata.creation_timestamp = At(created);
  pod.metadata.owner_references.push_back(
      {.kind = "ReplicaSet", .name = "web-" + hash, .uid = hash + "-uid", .controller = true});
  if (deleting) pod.metadata.deletion_timestamp = At(created + 1);
  return pod;
}

Names NamesOf(const PodRestart& restart) {
  Names names;
  for (const auto& [name, uid] : restart.pods) names.push_back(name);
  return names;
}

const char kCanary[] = R"({"canary": {"maxUnavailable": 1}})";
const char kBlueGreen[] = R"({"blueGreen": {"activeService": "a"}})";

TEST(PodRestartTest, GivenNoRestartOrOneAlreadyDoneThenNothingHappens) {
  const std::vector<api::ReplicaSet> sets = {ReplicaSet("a", 4, 4, 1)};
  const std::vector<api::Pod> pods = {Pod("p1", "a", 10)};
  EXPECT_EQ(PlanPodRestart(RolloutWith(kCanary, std::nullopt), sets, "a", "a", pods, At(100)),
            PodRestart{});
  EXPECT_EQ(PlanPodRestart(RolloutWith(kCanary, 50, 50), sets, "a", "a", pods, At(100)),
            PodRestart{});
  EXPECT_TRUE(RestartPending(RolloutWith(kCanary, 50, 40)));
  EXPECT_FALSE(RestartPending(RolloutWith(kCanary, 50, 50)));
}

TEST(PodRestartTest, GivenARestartInTheFutureThenItWaitsForItsTime) {
  const PodRestart restart = PlanPodRestart(RolloutWith(kCanary, 200), {ReplicaSet("a", 4, 4, 1)},
                                            "a", "a", {Pod("p1", "a", 10)}, At(100));
  EXPECT_TRUE(restart.pods.empty());
  EXPECT_EQ(restart.requeue_at, At(200));
  EXPECT_FALSE(restart.restarted_at);
}

struct BudgetRow {
  std::string name;
  std::string strategy;
  std::vector<api::ReplicaSet> sets;
  std::vector<api::Pod> pods;
  Names want;
};

TEST(PodRestartTest, GivenPodsOlderThanRestartAtThenTheyAreReplacedWithinTheBudgetInOrder) {
  const std::vector<BudgetRow> rows = {
      {"maxUnavailable 1 of 4 all available: one at a time",
       kCanary,
       {ReplicaSet("a", 4, 4, 1)},
       {Pod("p2", "a", 12), Pod("p1", "a", 11), Pod("p3", "a", 13), Pod("p4", "a", 14)},
       {"p1"}},
      {"maxUnavailable 2: two, oldest first",
       R"({"canary": {"maxUnavailable": 2}})",
       {ReplicaSet("a", 4, 4, 1)},
       {Pod("p2", "a", 12), Pod("p1", "a", 11), Pod("p3", "a", 13)},
       {"p1", "p2"}},
      {"one already unavailable: none until it is back",
       kCanary,
       {ReplicaSet("a", 4, 3, 1)},
       {Pod("p1", "a", 11), Pod("p2", "a", 12)},
       {}},
      {"a pod being deleted uses the budget",
       kCanary,
       {ReplicaSet("a", 4, 4, 1)},
       {Pod("gone", "a", 11, /*deleting=*/true), Pod("p2", "a", 12)},
       {}},
      {"blue/green: one at a time (maxUnavailable counts as 1)",
       kBlueGreen,
       {ReplicaSet("a", 4, 4, 1)},
       {Pod("p1", "a", 11), Pod("p2", "a", 12)},
       {"p1"}},
      {"the stable's pods before the new one's, then the others'",
       R"({"canary": {"maxUnavailable": 3}})",
       {ReplicaSet("new", 2, 2, 5), ReplicaSet("stable", 2, 2, 3), ReplicaSet("old", 1, 1, 1)},
       {Pod("n1", "new", 11), Pod("o1", "old", 10), Pod("s1", "stable", 12)},
       {"s1", "n1", "o1"}},
      {"pods created after restartAt and pods of no ReplicaSet of ours stay",
       R"({"canary": {"maxUnavailable": 3}})",
       {ReplicaSet("a", 4, 4, 1)},
       {Pod("fresh", "a", 60), Pod("foreign", "other", 11), Pod("p1", "a", 11)},
       {"p1"}},
  };
  for (const BudgetRow& row : rows) {
    SCOPED_TRACE(row.name);
    const PodRestart restart = PlanPodRestart(
        RolloutWith(row.strategy, 50), row.sets, "stable",
        row.sets.front().metadata.labels.at("rollouts-pod-template-hash") == "new" ? "new" : "a",
        row.pods, At(100));
    EXPECT_EQ(NamesOf(restart), row.want);
    EXPECT_FALSE(restart.restarted_at) << "pods remain";
    EXPECT_EQ(restart.requeue_at, At(130)) << "looked at again 30 s later";
  }
}

TEST(PodRestartTest, GivenEveryPodNewerThanRestartAtThenTheRestartIsRecorded) {
  const api::Rollout rollout = RolloutWith(kCanary, 50, 40);
  const PodRestart done = PlanPodRestart(rollout, {ReplicaSet("a", 2, 2, 1)}, "a", "a",
                                         {Pod("p1", "a", 60), Pod("p2", "a", 61)}, At(100));
  EXPECT_TRUE(done.pods.empty());
  EXPECT_EQ(done.restarted_at, At(50));
  const PodRestart draining =
      PlanPodRestart(rollout, {ReplicaSet("a", 2, 2, 1)}, "a", "a",
                     {Pod("p1", "a", 60), Pod("old", "a", 10, /*deleting=*/true)}, At(100));
  EXPECT_FALSE(draining.restarted_at) << "not before the last old pod is gone";
  EXPECT_EQ(draining.requeue_at, At(130));
}

}  // namespace
}  // namespace devflow::core
