// Canary releases walked through PlanCanary in a small simulated world (pods are available one
// pass after they are asked for; a second passes per reconcile): the seed 004 steps by replica
// ratio, the same through a traffic router, abort and retry, promote --full, and the template
// changed back to stable.
#include "core/canary_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"
#include "api/core_kinds_codec.h"
#include "api/rollout_codec.h"
#include "core/failing_pods.h"
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

  // The AnalysisRuns (the test plays their controller with SetRunPhase) and the templates.
  std::vector<api::AnalysisRun> runs;
  std::map<std::string, api::AnalysisTemplateSpec> templates;
  std::vector<api::Pod> pods;                // only the failing ones matter to the planner
  std::vector<api::Experiment> experiments;  // the test plays their controller too

  RolloutPlan Reconcile() {
    RolloutSnapshot snapshot{rollout, replica_sets, services, now};
    snapshot.pods = pods;
    snapshot.analysis_runs = runs;
    snapshot.analysis_templates = templates;
    snapshot.experiments = experiments;
    RolloutPlan plan = PlanCanary(snapshot);
    for (const api::Experiment& experiment : plan.create_experiments) {
      api::Experiment created = experiment;
      created.metadata.uid = experiment.metadata.name + "-uid";
      experiments.push_back(created);
    }
    for (const auto& [name, uid] : plan.terminate_experiments) {
      ExperimentNamed(name).spec.terminate = true;
    }
    for (const api::AnalysisRun& run : plan.create_analysis_runs) {
      api::AnalysisRun created = run;
      created.metadata.uid = run.metadata.name + "-uid";
      runs.push_back(created);
    }
    for (const auto& [name, uid] : plan.terminate_analysis_runs)
      RunNamed(name).spec.terminate = true;
    Apply(plan);
    now.value += std::chrono::seconds(1);
    return plan;
  }
  static bool Empty(const RolloutPlan& plan) {
    return !plan.create_replica_set && !plan.rollout_revision && plan.service_changes.empty() &&
           plan.replica_set_changes.empty() && plan.replica_set_deletions.empty() && !plan.status &&
           plan.create_analysis_runs.empty() && plan.terminate_analysis_runs.empty() &&
           plan.create_experiments.empty() && plan.terminate_experiments.empty();
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
  api::AnalysisRun& RunNamed(const std::string& name) {
    return *std::find_if(runs.begin(), runs.end(),
                         [&](const api::AnalysisRun& run) { return run.metadata.name == name; });
  }
  void SetRunPhase(const std::string& name, const std::string& phase,
                   const std::string& message = "") {
    RunNamed(name).status.phase = phase;
    RunNamed(name).status.message = message;
  }
  api::Experiment& ExperimentNamed(const std::string& name) {
    return *std::find_if(experiments.begin(), experiments.end(),
                         [&](const api::Experiment& e) { return e.metadata.name == name; });
  }
  std::vector<std::string> RunNames() {
    std::vector<std::string> names;
    for (const api::AnalysisRun& run : runs) names.push_back(run.metadata.name);
    return names;
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

// ---- Analysis (§4.7): the test plays the AnalysisRun controller ----

constexpr char kAnalysisSteps[] = R"([{"setWeight": 25},
    {"analysis": {"templates": [{"templateName": "success-rate"}],
                  "args": [{"name": "hash",
                            "valueFrom": {"podTemplateHashValue": "Latest"}}]}},
    {"setWeight": 75}])";

World AnalysisWorld(const std::string& steps, const std::string& extra = "",
                    std::optional<int32_t> progress_deadline = std::nullopt) {
  World world(CanaryRollout(4, steps, extra));
  world.rollout.spec.progress_deadline_seconds = progress_deadline;
  world.templates["success-rate"] = api::testing::DecodeJsonText<api::AnalysisTemplate>(R"({
      "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
      "metadata": {"name": "success-rate"},
      "spec": {"args": [{"name": "hash"}],
               "metrics": [{"name": "ok", "successCondition": "result[0] >= 0.95",
                            "provider": {"web": {"url": "http://x/{{args.hash}}"}}}]}})")
                                        .spec;
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  return world;
}

TEST(CanaryPlanTest, GivenAnAnalysisStepThenARunIsCreatedAndItsSuccessMovesOn) {
  World world = AnalysisWorld(kAnalysisSteps);
  const std::string green = world.HashOf("demo:green");
  ASSERT_EQ(world.Step(), 1) << "waiting at the analysis step";
  const std::string name = "web-" + green + "-2-1";
  ASSERT_EQ(world.RunNames(), std::vector<std::string>{name});
  const api::AnalysisRun& run = world.RunNamed(name);
  EXPECT_EQ(run.metadata.labels.at("rollout-type"), "Step");
  EXPECT_EQ(run.metadata.labels.at("step-index"), "1");
  ASSERT_EQ(run.spec.args.size(), 1u);
  EXPECT_EQ(run.spec.args[0].value, green) << "podTemplateHashValue: Latest";
  EXPECT_EQ(world.rollout.status.canary.current_step_analysis_run_status->name, name);
  EXPECT_EQ(world.rollout.status.phase, "Progressing");

  world.SetRunPhase(name, "Running");
  world.Settle();
  EXPECT_EQ(world.Step(), 1) << "a running analysis holds the step";
  EXPECT_EQ(world.rollout.status.canary.current_step_analysis_run_status->status, "Running");

  world.SetRunPhase(name, "Successful");
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, green) << world.rollout.status.message;
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
  EXPECT_EQ(world.RunNames().size(), 1u) << "no second run";
  EXPECT_TRUE(world.HasEvent("AnalysisRunSuccessful"));
}

TEST(CanaryPlanTest, GivenAFailedAnalysisThenTheRolloutAbortsAndARetryRunsItAgain) {
  World world = AnalysisWorld(kAnalysisSteps);
  const std::string green = world.HashOf("demo:green");
  const std::string name = "web-" + green + "-2-1";
  world.SetRunPhase(name, "Failed",
                    R"(Metric "ok" assessed Failed due to failed (1) > failureLimit (0))");
  world.Settle();
  EXPECT_TRUE(world.rollout.status.abort);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(world.rollout.status.message,
            "RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase "
            "failed: Metric \"ok\" assessed Failed due to failed (1) > failureLimit (0)");
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0) << "the canary goes away";
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);
  EXPECT_FALSE(world.rollout.status.canary.current_step_analysis_run_status);

  world.rollout.status.abort = false;  // `devflow retry rollout`
  world.Settle();
  EXPECT_EQ(world.Step(), 1);
  EXPECT_EQ(world.RunNames(), (std::vector<std::string>{name, name + ".1"}))
      << "the failed run keeps its name; the new one is suffixed";
}

TEST(CanaryPlanTest, GivenAnInconclusiveAnalysisThenTheRolloutPausesUntilPromotedWithANewRun) {
  World world = AnalysisWorld(kAnalysisSteps);
  const std::string name = "web-" + world.HashOf("demo:green") + "-2-1";
  world.SetRunPhase(name, "Inconclusive");
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_EQ(world.rollout.status.message, "InconclusiveAnalysisRun");
  EXPECT_TRUE(world.rollout.status.controller_pause);
  EXPECT_FALSE(world.rollout.status.abort);

  world.rollout.status.pause_conditions.clear();  // `devflow promote`
  world.Settle();
  EXPECT_EQ(world.RunNames(), (std::vector<std::string>{name, name + ".1"}));
  EXPECT_EQ(world.Step(), 1) << "the new run decides";
  world.SetRunPhase(name + ".1", "Successful");
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(CanaryPlanTest, GivenBackgroundAnalysisThenItRunsFromItsStartingStepUntilPromoted) {
  World world = AnalysisWorld(kSeedSteps, R"(, "analysis": {"startingStep": 2,
      "templates": [{"templateName": "success-rate"}],
      "args": [{"name": "hash", "value": "x"}]})");
  EXPECT_EQ(world.Step(), 1);
  EXPECT_TRUE(world.runs.empty()) << "before startingStep";
  world.rollout.status.pause_conditions.clear();  // promote past the first pause
  world.Settle();
  ASSERT_EQ(world.Step(), 3);
  const std::string name = "web-" + world.HashOf("demo:green") + "-2";
  ASSERT_EQ(world.RunNames(), std::vector<std::string>{name});
  EXPECT_EQ(world.RunNamed(name).metadata.labels.at("rollout-type"), "Background");
  world.SetRunPhase(name, "Running");
  world.now.value += std::chrono::seconds(10);  // the 10 s pause ends
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
  EXPECT_TRUE(world.RunNamed(name).spec.terminate) << "terminated once fully promoted";
  EXPECT_FALSE(world.rollout.status.canary.current_background_analysis_run_status);
}

TEST(CanaryPlanTest, GivenAMissingTemplateThenTheRolloutAbortsSayingWhy) {
  World world = AnalysisWorld(
      R"([{"setWeight": 25}, {"analysis": {"templates": [{"templateName": "absent"}]}}])");
  EXPECT_TRUE(world.rollout.status.abort);
  EXPECT_NE(world.rollout.status.message.find("Step-based analysis could not start"),
            std::string::npos)
      << world.rollout.status.message;
  EXPECT_NE(world.rollout.status.message.find("absent"), std::string::npos);
  EXPECT_TRUE(world.runs.empty());
}

TEST(CanaryPlanTest, GivenACanaryPodInCrashLoopThenTheRolloutAbortsToStableSayingWhich) {
  World world(CanaryRollout(4, kSeedSteps));
  world.Settle();
  world.SetImage("demo:green");
  world.Reconcile();  // the canary's ReplicaSet
  const api::ReplicaSet& canary = world.Named("web-" + world.HashOf("demo:green"));
  api::Pod pod;
  pod.metadata.name = canary.metadata.name + "-x";
  pod.metadata.owner_references.push_back(
      {.kind = "ReplicaSet", .uid = canary.metadata.uid, .controller = true});
  api::ContainerStatus container;
  container.name = "app";
  container.state.waiting = api::ContainerStateWaiting{"CrashLoopBackOff", "back-off 10s"};
  pod.status.container_statuses.push_back(container);
  world.Reconcile();  // the release starts (status reset for the new template)
  world.Reconcile();  // scaled up; its pod is not available
  const api::Time now = world.now;
  const RolloutPlan waiting = world.Reconcile();
  ASSERT_TRUE(waiting.requeue_at.has_value());
  EXPECT_LE(waiting.requeue_at->value, now.value + kFailingPodsRecheck)
      << "looked at again soon while pods are not up";
  world.pods.push_back(pod);
  world.Settle();
  EXPECT_TRUE(world.rollout.status.abort);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(world.rollout.status.message,
            "RolloutAborted: Rollout aborted update to revision 2: canary pods are failing: pod " +
                pod.metadata.name + ": container app: CrashLoopBackOff: back-off 10s");
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0);
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

// Seed 001's A/B test as a canary step: a fresh baseline (specRef stable) beside the canary,
// compared by an analysis.
constexpr char kExperimentSteps[] = R"([{"setWeight": 25}, {"experiment": {
    "duration": "10m",
    "templates": [{"name": "baseline", "specRef": "stable"},
                  {"name": "canary", "specRef": "canary", "replicas": 2,
                   "metadata": {"labels": {"ab": "canary"}}}],
    "analyses": [{"name": "compare", "templateName": "success-rate", "requiredForCompletion": true,
                  "args": [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]}]}},
    {"setWeight": 50}])";

TEST(CanaryPlanTest,
     GivenAnExperimentStepThenItsExperimentRunsBaselineAndCanaryAndItsSuccessMovesOn) {
  World world = AnalysisWorld(kExperimentSteps, "", 300);
  const std::string blue = world.HashOf("demo:blue");
  const std::string green = world.HashOf("demo:green");
  ASSERT_EQ(world.Step(), 1) << "waiting at the experiment step";
  const std::string name = "web-" + green + "-2-1";
  ASSERT_EQ(world.experiments.size(), 1u);
  const api::Experiment& experiment = world.experiments[0];
  EXPECT_EQ(experiment.metadata.name, name);
  EXPECT_EQ(experiment.metadata.owner_references.at(0).uid, "rollout-uid");
  EXPECT_EQ(experiment.metadata.labels.at(kHash), green);
  EXPECT_EQ(experiment.metadata.annotations.at("rollout.argoproj.io/revision"), "2");
  EXPECT_EQ(experiment.spec.duration, "10m");
  EXPECT_EQ(experiment.spec.progress_deadline_seconds, 300);
  ASSERT_EQ(experiment.spec.templates.size(), 2u);
  const api::ExperimentTemplate& baseline = experiment.spec.templates[0];
  EXPECT_EQ(baseline.template_.spec.containers[0].image, "demo:blue") << "specRef stable";
  EXPECT_EQ(baseline.selector->match_labels.at(kHash), blue);
  const api::ExperimentTemplate& canary = experiment.spec.templates[1];
  EXPECT_EQ(canary.template_.spec.containers[0].image, "demo:green") << "specRef canary";
  EXPECT_EQ(canary.replicas, 2);
  EXPECT_EQ(canary.template_.metadata.labels.at("ab"), "canary");
  EXPECT_EQ(canary.selector->match_labels.at("ab"), "canary");
  EXPECT_FALSE(canary.service) << "no weight, no service: no Service";
  ASSERT_EQ(experiment.spec.analyses.size(), 1u);
  EXPECT_TRUE(experiment.spec.analyses[0].required_for_completion);
  EXPECT_EQ(experiment.spec.analyses[0].args.at(0).value, green);
  EXPECT_EQ(world.rollout.status.canary.current_experiment, name);
  EXPECT_TRUE(world.HasEvent("ExperimentCreated"));
  EXPECT_EQ(world.rollout.status.phase, "Progressing");

  world.ExperimentNamed(name).status.phase = "Running";
  world.Settle();
  EXPECT_EQ(world.Step(), 1) << "a running experiment holds the step";
  EXPECT_EQ(world.experiments.size(), 1u) << "and no second one is made";

  world.ExperimentNamed(name).status.phase = "Successful";
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, green) << world.rollout.status.message;
  EXPECT_EQ(world.rollout.status.canary.current_experiment, "");
  EXPECT_FALSE(world.ExperimentNamed(name).spec.terminate) << "a completed one is left alone";
}

TEST(CanaryPlanTest, GivenAFailedExperimentThenTheRolloutAbortsWithItsMessage) {
  World world = AnalysisWorld(kExperimentSteps);
  const std::string name = "web-" + world.HashOf("demo:green") + "-2-1";
  world.ExperimentNamed(name).status.phase = "Failed";
  world.ExperimentNamed(name).status.message = "Metric \"ok\" assessed Failed";
  world.Settle();
  EXPECT_TRUE(world.rollout.status.abort);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(world.rollout.status.message,
            "RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is "
            "failed: Metric \"ok\" assessed Failed");
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 4);

  world.rollout.status.abort = false;  // `devflow retry rollout`
  world.Settle();
  ASSERT_EQ(world.experiments.size(), 2u) << "a retry runs the experiment again";
  EXPECT_EQ(world.experiments[1].metadata.name, name + "-1") << "past the failed one's name";
}

TEST(CanaryPlanTest, GivenAnInconclusiveExperimentThenTheRolloutPauses) {
  World world = AnalysisWorld(kExperimentSteps);
  const std::string name = "web-" + world.HashOf("demo:green") + "-2-1";
  world.ExperimentNamed(name).status.phase = "Inconclusive";
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_EQ(world.rollout.status.message, "InconclusiveExperiment");
  EXPECT_FALSE(world.rollout.status.abort);
}

TEST(CanaryPlanTest, GivenAPromoteOutOfTheExperimentStepThenTheExperimentIsTerminated) {
  World world = AnalysisWorld(kExperimentSteps);
  const std::string name = "web-" + world.HashOf("demo:green") + "-2-1";
  world.ExperimentNamed(name).status.phase = "Running";
  world.rollout.status.current_step_index = 2;  // `devflow promote` skips the step
  world.Settle();
  EXPECT_TRUE(world.ExperimentNamed(name).spec.terminate);
  EXPECT_EQ(world.rollout.status.canary.current_experiment, "");
}

TEST(CanaryPlanTest, GivenAWeightedExperimentTemplateThenItsServiceTakesTrafficFromStable) {
  const std::string steps = R"([{"setWeight": 20}, {"experiment": {
      "templates": [{"name": "baseline", "specRef": "stable", "weight": 10},
                    {"name": "canary", "specRef": "canary", "weight": 10}]}}])";
  World world = AnalysisWorld(steps, R"(, "trafficRouting": {"plugins": {
      "argoproj-labs/gatewayAPI": {"httpRoute": "web", "namespace": "default"}}})");
  const std::string name = "web-" + world.HashOf("demo:green") + "-2-1";
  ASSERT_TRUE(world.ExperimentNamed(name).spec.templates[0].service) << "weight needs a Service";
  api::Experiment& experiment = world.ExperimentNamed(name);
  experiment.status.phase = "Pending";  // its Services exist, its pods are not all up yet
  experiment.status.template_statuses = {
      {.name = "baseline", .service_name = name + "-baseline", .pod_template_hash = "b1"},
      {.name = "canary", .service_name = name + "-canary", .pod_template_hash = "c1"}};
  world.Settle();
  ASSERT_TRUE(world.rollout.status.canary.weights);
  EXPECT_TRUE(world.rollout.status.canary.weights->additional.empty())
      << "no traffic before the experiment runs";
  world.ExperimentNamed(name).status.phase = "Running";
  world.Settle();
  ASSERT_TRUE(world.rollout.status.canary.weights);
  const api::RolloutTrafficWeights& weights = *world.rollout.status.canary.weights;
  EXPECT_EQ(weights.canary.weight, 20);
  EXPECT_EQ(weights.stable.weight, 60) << "100 - 20 - 10 - 10";
  ASSERT_EQ(weights.additional.size(), 2u);
  EXPECT_EQ(weights.additional[0].service_name, name + "-baseline");
  EXPECT_EQ(weights.additional[0].pod_template_hash, "b1");
  ASSERT_TRUE(world.traffic);
  EXPECT_EQ(world.traffic->additional, weights.additional);

  world.ExperimentNamed(name).status.phase = "Successful";
  world.Settle();
  EXPECT_TRUE(world.rollout.status.canary.weights->additional.empty())
      << "a finished experiment takes no traffic";
}

}  // namespace
}  // namespace devflow::core
