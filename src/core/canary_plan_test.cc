// Canary releases walked through PlanCanary in a small simulated world (pods are available one
// pass after they are asked for; a second passes per reconcile): the seed 004 steps by replica
// ratio, the same through a traffic router, abort and retry, promote --full, and the template
// changed back to stable.
#include "core/canary_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "api/codec_testing.h"
#include "api/core_kinds_codec.h"
#include "api/rollout_codec.h"
#include "core/rollout_conditions.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

constexpr char kHash[] = "rollouts-pod-template-hash";

// Seed 004: 25 / pause / 75 / pause 10s.
constexpr char kSeedSteps[] =
    R"([{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {"duration": 10}}])";

api::Rollout CanaryRollout(int replicas, const std::string& steps, const std::string& extra = "") {
  return api::testing::DecodeJsonText<api::Rollout>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": "web", "namespace": "default", "uid": "rollout-uid", "generation": 1},
    "spec": {
      "replicas": )" + std::to_string(replicas) + R"(,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
      "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable",
                              "steps": )" + steps + extra +
                                                    R"(}}
    }})");
}

api::Service ServiceNamed(const std::string& name) {
  return api::testing::DecodeJsonText<api::Service>(
      R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": ")" + name +
      R"(", "uid": ")" + name + R"(-uid"}, "spec": {"selector": {"app": "web"},
          "ports": [{"port": 80}]}})");
}

struct World {
  api::Rollout rollout;
  std::vector<api::ReplicaSet> replica_sets;
  std::map<std::string, api::Service> services;
  api::Time now{api::TimePoint{std::chrono::seconds(1'800'000'000)}};
  std::vector<PlannedEvent> events;
  std::optional<TrafficPlan> traffic;  // what the routers were last told
  int created = 0;

  explicit World(api::Rollout initial) : rollout(std::move(initial)) {
    services["web-canary"] = ServiceNamed("web-canary");
    services["web-stable"] = ServiceNamed("web-stable");
  }

  RolloutPlan Reconcile() {
    RolloutPlan plan = PlanCanary({rollout, replica_sets, services, now});
    Apply(plan);
    now.value += std::chrono::seconds(1);
    return plan;
  }
  static bool Empty(const RolloutPlan& plan) {
    return !plan.create_replica_set && !plan.rollout_revision && plan.service_changes.empty() &&
           plan.replica_set_changes.empty() && plan.replica_set_deletions.empty() && !plan.status;
  }
  // Reconciles until a pass plans nothing (pods becoming available count as a change).
  void Settle(int limit = 60) {
    for (int i = 0; i < limit; ++i) {
      const bool pods_pending = MakePodsAvailable();
      RolloutPlan plan = Reconcile();
      if (Empty(plan) && !pods_pending) return;
    }
    ADD_FAILURE() << "did not settle: " << rollout.status.phase << " " << rollout.status.message;
  }
  void Apply(const RolloutPlan& plan) {
    events.insert(events.end(), plan.events.begin(), plan.events.end());
    if (plan.create_replica_set) {
      api::ReplicaSet rs = *plan.create_replica_set;
      rs.metadata.uid = rs.metadata.name + "-uid";
      rs.metadata.creation_timestamp = api::Time{now.value + std::chrono::microseconds(++created)};
      replica_sets.push_back(rs);
    }
    if (plan.rollout_revision) {
      rollout.metadata.annotations["rollout.argoproj.io/revision"] =
          std::to_string(*plan.rollout_revision);
    }
    for (const ServiceChange& change : plan.service_changes) {
      services[change.name].spec.selector[kHash] = change.hash;
    }
    if (plan.traffic) traffic = plan.traffic;
    for (const ReplicaSetChange& change : plan.replica_set_changes) {
      api::ReplicaSet& rs = Named(change.name);
      if (change.replicas) {
        rs.spec.replicas = *change.replicas;
        // Scaling down removes pods at once; scaling up adds pods that are not yet available.
        rs.status.replicas = std::min(rs.status.replicas, *change.replicas);
        rs.status.available_replicas = std::min(rs.status.available_replicas, *change.replicas);
        rs.status.ready_replicas = rs.status.available_replicas;
      }
      ApplyDelta(change.annotations, rs.metadata.annotations);
      ApplyDelta(change.template_labels, rs.spec.template_.metadata.labels);
      ApplyDelta(change.template_annotations, rs.spec.template_.metadata.annotations);
    }
    for (const auto& [name, uid] : plan.replica_set_deletions) {
      std::erase_if(replica_sets,
                    [&](const api::ReplicaSet& rs) { return rs.metadata.name == name; });
    }
    if (plan.status) rollout.status = *plan.status;
  }
  static void ApplyDelta(const std::map<std::string, std::optional<std::string>>& delta,
                         std::map<std::string, std::string>& map) {
    for (const auto& [key, value] : delta) {
      if (value) {
        map[key] = *value;
      } else {
        map.erase(key);
      }
    }
  }
  // The pods asked for start and become available; returns whether any did.
  bool MakePodsAvailable() {
    bool changed = false;
    for (api::ReplicaSet& rs : replica_sets) {
      const int32_t want = rs.spec.replicas.value_or(1);
      if (rs.status.available_replicas != want || rs.status.replicas != want) changed = true;
      rs.status.replicas = rs.status.ready_replicas = rs.status.available_replicas = want;
    }
    return changed;
  }
  api::ReplicaSet& Named(const std::string& name) {
    return *std::find_if(replica_sets.begin(), replica_sets.end(),
                         [&](const api::ReplicaSet& rs) { return rs.metadata.name == name; });
  }
  int32_t ReplicasOf(const std::string& image) {
    for (api::ReplicaSet& rs : replica_sets) {
      if (rs.spec.template_.spec.containers[0].image == image) return rs.spec.replicas.value_or(1);
    }
    return -1;
  }
  std::string HashOf(const std::string& image) {
    for (api::ReplicaSet& rs : replica_sets) {
      if (rs.spec.template_.spec.containers[0].image == image) return PodTemplateHashOf(rs);
    }
    return "<none>";
  }
  std::string RoleOf(const std::string& image) {
    for (api::ReplicaSet& rs : replica_sets) {
      if (rs.spec.template_.spec.containers[0].image != image) continue;
      auto found = rs.spec.template_.metadata.labels.find("role");
      return found == rs.spec.template_.metadata.labels.end() ? "" : found->second;
    }
    return "<none>";
  }
  std::string Selects(const std::string& service) {
    auto& selector = services[service].spec.selector;
    return selector.count(kHash) ? selector[kHash] : "";
  }
  void SetImage(const std::string& image) {
    rollout.spec.template_.spec.containers[0].image = image;
    ++rollout.metadata.generation;
  }
  int32_t Step() { return rollout.status.current_step_index.value_or(-1); }
  bool HasEvent(const std::string& reason) {
    return std::any_of(events.begin(), events.end(),
                       [&](const PlannedEvent& e) { return e.reason == reason; });
  }
};

TEST(CanaryPlanTest, GivenANewRolloutThenTheFirstDeployIsPromotedWithoutSteps) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);
  EXPECT_EQ(world.rollout.status.stable_rs, blue) << "Initial deploy";
  EXPECT_EQ(world.Step(), 4) << "index = len(steps)";
  EXPECT_EQ(world.rollout.status.phase, "Healthy") << world.rollout.status.message;
  EXPECT_EQ(world.Selects("web-stable"), blue);
  EXPECT_EQ(world.Selects("web-canary"), blue);
  EXPECT_FALSE(world.rollout.status.current_step_hash.empty());
  EXPECT_FALSE(world.HasEvent("RolloutPaused"));
}

TEST(CanaryPlanTest, GivenTheSeedStepsByReplicaRatioThenPodsFollowTheWeightsAndPauses) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");

  world.SetImage("demo:green");
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  EXPECT_EQ(world.Step(), 1) << "setWeight 25 done, paused at step 2";
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_EQ(world.rollout.status.message, "CanaryPauseStep");
  EXPECT_EQ(world.ReplicasOf("demo:green"), 1) << "25% of 4 pods";
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 3);
  EXPECT_EQ(world.Selects("web-canary"), green);
  EXPECT_EQ(world.Selects("web-stable"), blue);

  world.rollout.status.pause_conditions.clear();  // `devflow promote`
  world.Settle();
  EXPECT_EQ(world.Step(), 3) << "setWeight 75 done, in the 10 s pause";
  EXPECT_EQ(world.ReplicasOf("demo:green"), 3);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 1);
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  RolloutPlan waiting = world.Reconcile();
  ASSERT_TRUE(waiting.requeue_at) << "the timed pause's end";

  world.now = *waiting.requeue_at;
  world.now.value += std::chrono::seconds(1);
  world.Settle();
  EXPECT_EQ(world.Step(), 4);
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_EQ(world.ReplicasOf("demo:green"), 4);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 0);
  EXPECT_EQ(world.Selects("web-stable"), green);
  EXPECT_EQ(world.rollout.status.phase, "Healthy") << world.rollout.status.message;
  EXPECT_TRUE(world.HasEvent("RolloutStepCompleted"));
  EXPECT_TRUE(world.HasEvent("RolloutCompleted"));
}

TEST(CanaryPlanTest, GivenATrafficRouterThenWeightsFollowStepsAndStableKeepsAllPods) {
  World world(CanaryRollout(4, kSeedSteps,
                            R"(, "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI":
                                  {"httpRoute": "web", "namespace": "default"}}})"));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  const std::string blue = world.HashOf("demo:blue");
  ASSERT_TRUE(world.traffic);
  EXPECT_EQ(world.traffic->weight, 25);
  EXPECT_EQ(world.traffic->canary_hash, green);
  EXPECT_EQ(world.traffic->stable_hash, blue);
  EXPECT_EQ(world.ReplicasOf("demo:green"), 1) << "ceil(25% of 4)";
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4) << "the stable keeps every pod";
  ASSERT_TRUE(world.rollout.status.canary.weights);
  EXPECT_EQ(world.rollout.status.canary.weights->canary.weight, 25);
  EXPECT_EQ(world.rollout.status.canary.weights->stable.weight, 75);

  world.rollout.status.pause_conditions.clear();
  world.Settle();
  EXPECT_EQ(world.traffic->weight, 75);
  world.now.value += std::chrono::seconds(11);
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_EQ(world.traffic->weight, 0) << "promoted: all traffic to stable, which is green";
  EXPECT_EQ(world.traffic->stable_hash, green);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4) << "the old stable waits out scaleDownDelaySeconds";
  world.now.value += std::chrono::seconds(31);
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 0);
}

TEST(CanaryPlanTest, GivenAnAbortMidCanaryThenAllStableAtOnceAndRetryStartsAgain) {
  World world(CanaryRollout(4, kSeedSteps,
                            R"(, "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI":
                                  {"httpRoute": "web", "namespace": "default"}}})"));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  world.SetImage("demo:green");
  world.Settle();
  ASSERT_EQ(world.traffic->weight, 25);

  world.rollout.status.abort = true;  // `devflow abort`
  world.Reconcile();
  EXPECT_EQ(world.traffic->weight, 0) << "back to 100% stable at once";
  EXPECT_TRUE(world.traffic->remove_managed_routes);
  world.Settle();
  EXPECT_EQ(world.Selects("web-canary"), blue) << "the canary Service points at stable";
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(world.Step(), 0);
  world.now.value += std::chrono::seconds(31);
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0) << "after abortScaleDownDelaySeconds";

  world.rollout.status.abort = false;  // `devflow retry rollout`
  world.Settle();
  EXPECT_EQ(world.traffic->weight, 25);
  EXPECT_EQ(world.rollout.status.phase, "Paused");
}

TEST(CanaryPlanTest, GivenABasicCanaryAbortThenTheCanaryScalesAwayAndStableIsWhole) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  world.rollout.status.abort = true;
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
}

TEST(CanaryPlanTest, GivenPromoteFullThenAllStepsAreSkipped) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  world.rollout.status.promote_full = true;  // `devflow promote --full`
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, world.HashOf("demo:green"));
  EXPECT_EQ(world.ReplicasOf("demo:green"), 4);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 0);
  EXPECT_FALSE(world.rollout.status.promote_full);
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(CanaryPlanTest, GivenCanaryAndStableMetadataThenPodTemplatesCarryTheirRoleAsItChanges) {
  World world(CanaryRollout(4, kSeedSteps,
                            R"(, "canaryMetadata": {"labels": {"role": "canary"}},
                                "stableMetadata": {"labels": {"role": "stable"}})"));
  world.Settle();
  EXPECT_EQ(world.RoleOf("demo:blue"), "stable") << "the first deploy is the stable";
  world.SetImage("demo:green");
  world.Settle();
  ASSERT_EQ(world.Step(), 1) << "paused at the first pause";
  EXPECT_EQ(world.RoleOf("demo:green"), "canary") << "created with the canary's metadata";
  EXPECT_EQ(world.RoleOf("demo:blue"), "stable");
  world.rollout.status.promote_full = true;
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, world.HashOf("demo:green"));
  EXPECT_EQ(world.RoleOf("demo:green"), "stable") << "promoted: the stable's metadata";
  EXPECT_EQ(world.RoleOf("demo:blue"), "") << "an old ReplicaSet loses what was injected";
  EXPECT_EQ(world.ReplicasOf("demo:green"), 4) << "no new ReplicaSet for a metadata change";
  EXPECT_EQ(world.replica_sets.size(), 2u);
}

TEST(CanaryPlanTest, GivenTheTemplateChangedBackToStableThenStepsAreSkipped) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  world.SetImage("demo:blue");  // `devflow undo`
  world.Settle();
  EXPECT_TRUE(world.HasEvent("SkipSteps"));
  EXPECT_EQ(world.Step(), 4);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0);
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(CanaryPlanTest, GivenAStepsChangeThenTheStepsRestart) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  ASSERT_EQ(world.Step(), 1);
  world.rollout.spec.strategy.canary->steps.insert(
      world.rollout.spec.strategy.canary->steps.begin(), api::CanaryStep{.set_weight = 50});
  RolloutPlan reset = world.Reconcile();
  ASSERT_TRUE(reset.status);
  EXPECT_EQ(reset.status->current_step_index, 0);
  EXPECT_TRUE(reset.status->pause_conditions.empty());
}

TEST(CanaryPlanTest, GivenDynamicStableScaleThenTheStableShrinksOnlyAfterTrafficLeftIt) {
  World world(CanaryRollout(4, kSeedSteps,
                            R"(, "dynamicStableScale": true,
                               "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI":
                                  {"httpRoute": "web"}}})"));
  world.Settle();
  world.SetImage("demo:green");
  for (int i = 0; i < 3 && world.ReplicasOf("demo:green") != 1; ++i) {
    world.MakePodsAvailable();
    world.Reconcile();
  }
  ASSERT_EQ(world.ReplicasOf("demo:green"), 1);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4) << "traffic has not left the stable yet";
  world.Settle();
  ASSERT_EQ(world.traffic->weight, 25);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 3) << "75% of 4 pods once 25% moved to the canary";

  world.rollout.status.pause_conditions.clear();
  world.Settle();
  EXPECT_EQ(world.traffic->weight, 75);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 1);
  EXPECT_EQ(world.ReplicasOf("demo:green"), 3);
  world.now.value += std::chrono::seconds(11);
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, world.HashOf("demo:green"));
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 0) << "no scale-down delay under dynamicStableScale";
}

TEST(CanaryPlanTest, GivenASettledRolloutThenThePlanIsEmpty) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  EXPECT_EQ(PlanCanary({world.rollout, world.replica_sets, world.services, world.now}),
            RolloutPlan{});
}

}  // namespace
}  // namespace devflow::core
