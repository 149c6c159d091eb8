#include "core/failing_pods.h"

#include <gtest/gtest.h>

namespace devflow::core {
namespace {

api::ReplicaSet Canary() {
  api::ReplicaSet rs;
  rs.metadata.name = "web-new";
  rs.metadata.uid = "new-uid";
  return rs;
}

api::Pod PodWaiting(const std::string& name, const std::string& owner_uid,
                    const std::string& reason, const std::string& message = "", bool init = false,
                    bool deleting = false) {
  api::Pod pod;
  pod.metadata.name = name;
  pod.metadata.owner_references.push_back(
      {.kind = "ReplicaSet", .uid = owner_uid, .controller = true});
  if (deleting)
    pod.metadata.deletion_timestamp = api::Time{api::TimePoint{std::chrono::seconds(5)}};
  api::ContainerStatus container;
  container.name = init ? "setup" : "app";
  if (!reason.empty()) container.state.waiting = api::ContainerStateWaiting{reason, message};
  (init ? pod.status.init_container_statuses : pod.status.container_statuses).push_back(container);
  return pod;
}

struct Row {
  std::string name;
  std::vector<api::Pod> pods;
  std::optional<std::string> want;
};

TEST(FailingPodOfTest, GivenPodsWaitingForAReasonThenOnlyThoseThatWillNotComeUpCount) {
  const std::vector<Row> rows = {
      {"crash loop, with the kubelet's message",
       {PodWaiting("web-new-a", "new-uid", "CrashLoopBackOff", "back-off 10s")},
       "pod web-new-a: container app: CrashLoopBackOff: back-off 10s"},
      {"an image that cannot be pulled",
       {PodWaiting("web-new-a", "new-uid", "ImagePullBackOff")},
       "pod web-new-a: container app: ImagePullBackOff"},
      {"an init container failing",
       {PodWaiting("web-new-a", "new-uid", "CrashLoopBackOff", "", true)},
       "pod web-new-a: container setup: CrashLoopBackOff"},
      {"still being created: not failing",
       {PodWaiting("web-new-a", "new-uid", "ContainerCreating")},
       std::nullopt},
      {"running: not failing", {PodWaiting("web-new-a", "new-uid", "")}, std::nullopt},
      {"another ReplicaSet's pod (the stable's)",
       {PodWaiting("web-old-a", "old-uid", "CrashLoopBackOff")},
       std::nullopt},
      {"a pod being deleted",
       {PodWaiting("web-new-a", "new-uid", "CrashLoopBackOff", "", false, true)},
       std::nullopt},
      {"the first by name",
       {PodWaiting("web-new-b", "new-uid", "ErrImagePull"),
        PodWaiting("web-new-a", "new-uid", "CrashLoopBackOff")},
       "pod web-new-a: container app: CrashLoopBackOff"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FailingPodOf(Canary(), row.pods), row.want) << row.name;
  }
}

TEST(CanaryPodsToCheckTest, GivenTheRolloutAndItsReplicaSetsThenPodsAreReadOnlyWhenSomeAreDown) {
  api::Rollout rollout;
  rollout.spec.strategy.canary = api::CanaryStrategy{};
  rollout.status.stable_rs = "old";
  rollout.status.current_pod_hash = "new";
  api::ReplicaSet canary = Canary();
  canary.metadata.labels["rollouts-pod-template-hash"] = "new";
  canary.spec.replicas = 2;
  canary.status.available_replicas = 1;
  EXPECT_TRUE(CanaryPodsToCheck(rollout, {canary})) << "one of two is down";
  canary.status.available_replicas = 2;
  EXPECT_FALSE(CanaryPodsToCheck(rollout, {canary})) << "all up";
  canary.status.available_replicas = 0;
  api::Rollout promoted = rollout;
  promoted.status.stable_rs = "new";
  EXPECT_FALSE(CanaryPodsToCheck(promoted, {canary})) << "no canary in progress";
  api::Rollout blue_green = rollout;
  blue_green.spec.strategy.canary.reset();
  blue_green.spec.strategy.blue_green = api::BlueGreenStrategy{};
  EXPECT_FALSE(CanaryPodsToCheck(blue_green, {canary})) << "blue/green";
  EXPECT_FALSE(CanaryPodsToCheck(rollout, {})) << "its ReplicaSet not seen yet";
}

}  // namespace
}  // namespace devflow::core
