// A blue/green release walked through PlanBlueGreen: a small world applies each plan as the API
// server and the ReplicaSet controller would (pods become available at once), a second passes
// per reconcile, and the tests read what the Services select, what sizes the ReplicaSets have and
// what the status says at each stage.
#include "core/blue_green_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"
#include "api/core_kinds_codec.h"
#include "api/rollout_codec.h"
#include "core/rollout_conditions.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

constexpr char kHash[] = "rollouts-pod-template-hash";

api::Rollout BlueGreenRollout(const std::string& strategy_extra) {
  return api::testing::DecodeJsonText<api::Rollout>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": "web", "namespace": "default", "uid": "rollout-uid", "generation": 1},
    "spec": {
      "replicas": 2,
      "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
      "strategy": {"blueGreen": {"activeService": "web-active", "previewService": "web-preview")" +
                                                    strategy_extra + R"(}}
    }})");
}

api::Service ServiceNamed(const std::string& name) {
  return api::testing::DecodeJsonText<api::Service>(
      R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": ")" + name +
      R"(", "uid": ")" + name + R"(-uid"}, "spec": {"selector": {"app": "web"},
          "ports": [{"port": 80}]}})");
}

// The API server, the ReplicaSet controller and instantly ready pods.
struct World {
  api::Rollout rollout;
  std::vector<api::ReplicaSet> replica_sets;
  std::map<std::string, api::Service> services;
  api::Time now{api::TimePoint{std::chrono::seconds(1'800'000'000)}};
  std::vector<PlannedEvent> events;
  int created = 0;
  std::string broken_image;  // pods of this image never become available

  explicit World(api::Rollout initial) : rollout(std::move(initial)) {
    services["web-active"] = ServiceNamed("web-active");
    services["web-preview"] = ServiceNamed("web-preview");
  }

  // The AnalysisRuns (the test plays their controller with SetRunPhase) and the templates.
  std::vector<api::AnalysisRun> runs;
  std::map<std::string, api::AnalysisTemplateSpec> templates;

  RolloutPlan Reconcile() {
    RolloutSnapshot snapshot{rollout, replica_sets, services, now};
    snapshot.analysis_runs = runs;
    snapshot.analysis_templates = templates;
    RolloutPlan plan = PlanBlueGreen(snapshot);
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

  // Reconciles until a pass plans nothing (or `limit` passes).
  void Settle(int limit = 30) {
    for (int i = 0; i < limit; ++i) {
      RolloutPlan plan = Reconcile();
      if (!plan.create_replica_set && !plan.rollout_revision && plan.service_changes.empty() &&
          plan.replica_set_changes.empty() && plan.replica_set_deletions.empty() && !plan.status &&
          plan.create_analysis_runs.empty() && plan.terminate_analysis_runs.empty()) {
        return;
      }
    }
    ADD_FAILURE() << "did not settle";
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
      rs.metadata.namespace_ = "default";
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
    for (const ReplicaSetChange& change : plan.replica_set_changes) {
      api::ReplicaSet& rs = Named(change.name);
      if (change.replicas) rs.spec.replicas = *change.replicas;
      for (const auto& [key, value] : change.annotations) {
        if (value) {
          rs.metadata.annotations[key] = *value;
        } else {
          rs.metadata.annotations.erase(key);
        }
      }
    }
    for (const auto& [name, uid] : plan.replica_set_deletions) {
      std::erase_if(replica_sets,
                    [&](const api::ReplicaSet& rs) { return rs.metadata.name == name; });
    }
    if (plan.status) rollout.status = *plan.status;
    for (api::ReplicaSet& rs : replica_sets) {  // pods start and become available at once
      const int32_t want = rs.spec.replicas.value_or(1);
      const bool broken = rs.spec.template_.spec.containers[0].image == broken_image;
      rs.status.replicas = want;
      rs.status.ready_replicas = rs.status.available_replicas = broken ? 0 : want;
      rs.status.observed_generation = rs.metadata.generation;
    }
  }

  api::ReplicaSet& Named(const std::string& name) {
    return *std::find_if(replica_sets.begin(), replica_sets.end(),
                         [&](const api::ReplicaSet& rs) { return rs.metadata.name == name; });
  }
  // The ReplicaSet running `image`.
  api::ReplicaSet* Running(const std::string& image) {
    for (api::ReplicaSet& rs : replica_sets) {
      if (rs.spec.template_.spec.containers[0].image == image) return &rs;
    }
    return nullptr;
  }
  std::string HashOf(const std::string& image) {
    api::ReplicaSet* rs = Running(image);
    return rs ? PodTemplateHashOf(*rs) : "<none>";
  }
  int32_t ReplicasOf(const std::string& image) {
    api::ReplicaSet* rs = Running(image);
    return rs ? rs->spec.replicas.value_or(1) : -1;
  }
  std::string Selects(const std::string& service) {
    auto& selector = services[service].spec.selector;
    return selector.count(kHash) ? selector[kHash] : "";
  }
  void SetImage(const std::string& image) {
    rollout.spec.template_.spec.containers[0].image = image;
    ++rollout.metadata.generation;
  }
  bool HasEvent(const std::string& reason) {
    return std::any_of(events.begin(), events.end(),
                       [&](const PlannedEvent& e) { return e.reason == reason; });
  }
  std::string Condition(const std::string& type) {
    const api::RolloutCondition* c = FindCondition(rollout.status.conditions, type);
    return c ? c->status + "/" + c->reason : "";
  }
};

TEST(BlueGreenPlanTest, GivenANewRolloutThenItIsDeployedSwitchedAndHealthyWithoutAPause) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false)"));
  RolloutPlan first = world.Reconcile();
  ASSERT_TRUE(first.create_replica_set);
  EXPECT_EQ(first.create_replica_set->spec.replicas, 0) << "created at 0, scaled afterwards";
  EXPECT_EQ(first.rollout_revision, 1);

  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  EXPECT_EQ(world.Selects("web-active"), blue) << "first deploy is fast-tracked";
  EXPECT_EQ(world.Selects("web-preview"), blue);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 2);
  EXPECT_EQ(world.rollout.status.stable_rs, blue) << "Initial deploy";
  EXPECT_EQ(world.rollout.status.phase, "Healthy") << world.rollout.status.message;
  EXPECT_TRUE(world.rollout.status.pause_conditions.empty());
  EXPECT_EQ(world.Condition("Available"), "True/AvailableReason");
  EXPECT_EQ(world.Condition("Progressing"), "True/NewReplicaSetAvailable");
  EXPECT_EQ(world.Condition("Healthy"), "True/RolloutHealthy");
  EXPECT_EQ(world.Condition("Completed"), "True/RolloutCompleted");
  EXPECT_EQ(world.rollout.status.observed_generation, "1");
  EXPECT_EQ(world.rollout.status.available_replicas, 2);
  EXPECT_EQ(world.rollout.status.selector, "app=web,rollouts-pod-template-hash=" + blue);
}

TEST(BlueGreenPlanTest,
     GivenAnUpdateWithManualPromotionThenPreviewPausePromoteAndDelayedScaleDown) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false, "scaleDownDelaySeconds": 30)"));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");

  world.SetImage("demo:green");
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  ASSERT_NE(green, "<none>");
  EXPECT_EQ(world.Selects("web-preview"), green) << "preview follows the new ReplicaSet";
  EXPECT_EQ(world.Selects("web-active"), blue) << "active waits for promotion";
  EXPECT_EQ(world.ReplicasOf("demo:green"), 2);
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 2);
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_EQ(world.rollout.status.message, "BlueGreenPause");
  ASSERT_EQ(world.rollout.status.pause_conditions.size(), 1u);
  EXPECT_TRUE(world.rollout.status.controller_pause);
  EXPECT_EQ(world.Condition("Progressing"), "Unknown/RolloutPaused");
  EXPECT_EQ(world.Condition("Paused"), "True/RolloutPaused");
  EXPECT_EQ(world.rollout.metadata.annotations["rollout.argoproj.io/revision"], "2");

  // `devflow promote`: the pause conditions are cleared.
  world.rollout.status.pause_conditions.clear();
  world.Reconcile();
  EXPECT_EQ(world.Selects("web-active"), green) << "promote switches at once";
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_FALSE(world.rollout.status.controller_pause);
  EXPECT_EQ(world.rollout.status.phase, "Healthy") << world.rollout.status.message;
  EXPECT_TRUE(world.HasEvent("RolloutCompleted"));
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 2) << "the old active waits out its delay";
  EXPECT_TRUE(world.Running("demo:blue")->metadata.annotations.count("scale-down-deadline"));

  world.now.value += std::chrono::seconds(31);
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:blue"), 0) << "scaled down after scaleDownDelaySeconds";
  EXPECT_FALSE(world.Running("demo:blue")->metadata.annotations.count("scale-down-deadline"));
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(BlueGreenPlanTest, GivenAutoPromotionSecondsThenThePauseEndsByItself) {
  World world(BlueGreenRollout(R"(, "autoPromotionSeconds": 20)"));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_NE(world.Selects("web-active"), green);
  RolloutPlan waiting = world.Reconcile();
  ASSERT_TRUE(waiting.requeue_at) << "the pause's end is a requeue time";

  world.now = *waiting.requeue_at;
  world.Settle();
  EXPECT_EQ(world.Selects("web-active"), green);
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_TRUE(world.rollout.status.pause_conditions.empty());
}

TEST(BlueGreenPlanTest, GivenDefaultAutoPromotionThenTheSwitchFollowsSaturationWithoutAPause) {
  World world(BlueGreenRollout(""));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  EXPECT_EQ(world.Selects("web-active"), green);
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_FALSE(world.HasEvent("RolloutPaused"));
}

TEST(BlueGreenPlanTest, GivenAnAbortDuringThePauseThenActiveStaysStableAndPreviewScalesDownLater) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false)"));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  world.SetImage("demo:green");
  world.Settle();

  world.rollout.status.abort = true;  // `devflow abort`
  world.Settle();
  EXPECT_EQ(world.Selects("web-active"), blue);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(
      world.rollout.status.message.rfind("RolloutAborted: Rollout aborted update to revision 2", 0),
      0u)
      << world.rollout.status.message;
  EXPECT_TRUE(world.rollout.status.aborted_at);
  EXPECT_TRUE(world.rollout.status.pause_conditions.empty());
  EXPECT_EQ(world.ReplicasOf("demo:green"), 2) << "abortScaleDownDelaySeconds (30 s) first";

  world.now.value += std::chrono::seconds(31);
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:green"), 0);
  EXPECT_EQ(world.Selects("web-active"), blue);

  // `devflow retry`: abort cleared; the preview scales up and pauses again.
  world.rollout.status.abort = false;
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:green"), 2);
  EXPECT_EQ(world.rollout.status.phase, "Paused");
}

TEST(BlueGreenPlanTest, GivenAnUndoToTheOldVersionStillUpThenItSwitchesWithoutPauseOrNewPods) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false, "scaleDownDelaySeconds": 60)"));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  world.rollout.status.pause_conditions.clear();
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  ASSERT_EQ(world.ReplicasOf("demo:blue"), 2) << "still within its scale-down delay";
  const size_t replica_sets = world.replica_sets.size();

  world.SetImage("demo:blue");  // `devflow undo`
  world.Settle();
  EXPECT_EQ(world.replica_sets.size(), replica_sets) << "the old ReplicaSet is re-used";
  EXPECT_EQ(world.Selects("web-active"), blue);
  EXPECT_EQ(world.rollout.status.stable_rs, blue);
  EXPECT_FALSE(world.HasEvent("RolloutPaused") && world.rollout.status.phase == "Paused");
  EXPECT_EQ(world.rollout.metadata.annotations["rollout.argoproj.io/revision"], "3");
  EXPECT_EQ(
      world.Running("demo:blue")->metadata.annotations["rollout.argoproj.io/revision-history"],
      "1");
}

TEST(BlueGreenPlanTest, GivenPreviewReplicaCountThenThePreviewRunsSmallUntilPromoted) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false, "previewReplicaCount": 1)"));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  EXPECT_EQ(world.ReplicasOf("demo:green"), 1);
  EXPECT_EQ(world.rollout.status.phase, "Paused");

  world.rollout.status.pause_conditions.clear();
  world.Settle();
  const std::string green = world.HashOf("demo:green");
  EXPECT_EQ(world.ReplicasOf("demo:green"), 2) << "scaled up before the switch";
  EXPECT_EQ(world.Selects("web-active"), green);
  EXPECT_EQ(world.rollout.status.stable_rs, green);
}

TEST(BlueGreenPlanTest, GivenSpecPausedThenNothingSwitches) {
  World world(BlueGreenRollout(""));
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  world.rollout.spec.paused = true;
  world.SetImage("demo:green");
  world.Settle();
  EXPECT_EQ(world.Selects("web-active"), blue);
  EXPECT_EQ(world.Selects("web-preview"), blue) << "halted: the preview is not moved either";
  EXPECT_EQ(world.rollout.status.phase, "Paused");
  EXPECT_EQ(world.rollout.status.message, "manually paused");
}

TEST(BlueGreenPlanTest, GivenATemplateChangeDuringThePauseThenTheStatusResetsAndPreviewMoves) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": false)"));
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  ASSERT_EQ(world.rollout.status.phase, "Paused");
  world.SetImage("demo:yellow");
  world.Reconcile();  // creates the yellow ReplicaSet
  RolloutPlan reset = world.Reconcile();
  ASSERT_TRUE(reset.status);
  EXPECT_TRUE(reset.status->pause_conditions.empty());
  EXPECT_EQ(reset.status->current_pod_hash, world.HashOf("demo:yellow"));
  world.Settle();
  EXPECT_EQ(world.Selects("web-preview"), world.HashOf("demo:yellow"));
  EXPECT_EQ(world.rollout.status.phase, "Paused") << "the new version pauses in its turn";
}

// ---- Pre- and post-promotion analysis (§3.4): the test plays the AnalysisRun controller ----

World AnalysedWorld(const std::string& analyses) {
  World world(BlueGreenRollout(R"(, "autoPromotionEnabled": true, )" + analyses));
  world.templates["smoke"] = api::testing::DecodeJsonText<api::AnalysisTemplate>(R"({
      "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
      "metadata": {"name": "smoke"},
      "spec": {"metrics": [{"name": "ok", "provider": {"web": {"url": "http://x"}}}]}})")
                                 .spec;
  world.Settle();
  world.SetImage("demo:green");
  world.Settle();
  return world;
}

TEST(BlueGreenPlanTest, GivenPrePromotionAnalysisThenTheSwitchWaitsForItsSuccess) {
  World world =
      AnalysedWorld(R"("prePromotionAnalysis": {"templates": [{"templateName": "smoke"}]})");
  const std::string blue = world.HashOf("demo:blue");
  const std::string green = world.HashOf("demo:green");
  const std::string name = "web-" + green + "-2-pre";
  ASSERT_EQ(world.RunNames(), std::vector<std::string>{name}) << "started once the preview is up";
  EXPECT_EQ(world.RunNamed(name).metadata.labels.at("rollout-type"), "PrePromotion");
  EXPECT_EQ(world.Selects("web-active"), blue) << "not before the analysis succeeds";
  world.SetRunPhase(name, "Successful");
  world.Settle();
  EXPECT_EQ(world.Selects("web-active"), green);
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(BlueGreenPlanTest, GivenAFailedPrePromotionAnalysisThenTheRolloutAbortsAndActiveStays) {
  World world =
      AnalysedWorld(R"("prePromotionAnalysis": {"templates": [{"templateName": "smoke"}]})");
  const std::string blue = world.HashOf("demo:blue");
  world.SetRunPhase("web-" + world.HashOf("demo:green") + "-2-pre", "Error", "boom");
  world.Settle();
  EXPECT_TRUE(world.rollout.status.abort);
  EXPECT_EQ(world.rollout.status.phase, "Degraded");
  EXPECT_EQ(world.rollout.status.message,
            "RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion "
            "analysis phase error: boom");
  EXPECT_EQ(world.Selects("web-active"), blue);
}

TEST(BlueGreenPlanTest, GivenPrePromotionAnalysisThenNoRunStartsBeforeThePreviewIsUp) {
  World world(
      BlueGreenRollout(R"(, "prePromotionAnalysis": {"templates": [{"templateName": "smoke"}]})"));
  world.templates["smoke"] = api::testing::DecodeJsonText<api::AnalysisTemplate>(R"({
      "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
      "metadata": {"name": "smoke"},
      "spec": {"metrics": [{"name": "ok", "provider": {"web": {"url": "http://x"}}}]}})")
                                 .spec;
  world.Settle();
  world.broken_image = "demo:broken";
  world.SetImage("demo:broken");
  world.Settle();
  EXPECT_TRUE(world.runs.empty()) << "the preview's pods never became available";
  EXPECT_FALSE(world.rollout.status.abort) << world.rollout.status.message;
  EXPECT_FALSE(world.rollout.status.blue_green.pre_promotion_analysis_run_status);
}

TEST(BlueGreenPlanTest, GivenRevisionHistoryLimitThenTheOldestReplicaSetsAreDeleted) {
  World world(BlueGreenRollout(R"(, "scaleDownDelaySeconds": 0)"));
  world.rollout.spec.revision_history_limit = 1;
  world.Settle();
  for (const char* image : {"demo:green", "demo:red", "demo:white"}) {
    world.SetImage(image);
    world.Settle();
    world.rollout.status.pause_conditions.clear();  // promote
    world.Settle();
  }
  EXPECT_EQ(world.replica_sets.size(), 2u) << "the current one and one old one";
  EXPECT_EQ(world.HashOf("demo:blue"), "<none>");
  EXPECT_EQ(world.HashOf("demo:green"), "<none>");
  EXPECT_NE(world.HashOf("demo:red"), "<none>");
}

TEST(BlueGreenPlanTest, GivenPostPromotionAnalysisThenTheNewVersionIsStableOnlyAfterIt) {
  World world =
      AnalysedWorld(R"("postPromotionAnalysis": {"templates": [{"templateName": "smoke"}]})");
  const std::string green = world.HashOf("demo:green");
  const std::string name = "web-" + green + "-2-post";
  EXPECT_EQ(world.Selects("web-active"), green) << "switched first";
  ASSERT_EQ(world.RunNames(), std::vector<std::string>{name});
  EXPECT_NE(world.rollout.status.stable_rs, green) << "stable waits for the analysis";
  world.SetRunPhase(name, "Successful");
  world.Settle();
  EXPECT_EQ(world.rollout.status.stable_rs, green);
  EXPECT_EQ(world.rollout.status.phase, "Healthy");
}

TEST(BlueGreenPlanTest, GivenAReconcileThatChangesNothingThenThePlanIsEmpty) {
  World world(BlueGreenRollout(""));
  world.Settle();
  RolloutPlan plan = PlanBlueGreen({world.rollout, world.replica_sets, world.services, world.now});
  EXPECT_EQ(plan, RolloutPlan{});
}

TEST(BlueGreenPlanTest, GivenPodsThatNeverBecomeAvailableThenTheProgressDeadlineDegrades) {
  World world(BlueGreenRollout(""));
  world.rollout.spec.progress_deadline_seconds = 30;
  world.Settle();
  const std::string blue = world.HashOf("demo:blue");
  world.broken_image = "demo:broken";
  world.SetImage("demo:broken");
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Progressing");
  RolloutPlan waiting = world.Reconcile();
  ASSERT_TRUE(waiting.requeue_at) << "the deadline is a requeue time";

  world.now = *waiting.requeue_at;
  world.Settle();
  EXPECT_EQ(world.rollout.status.phase, "Degraded")
      << world.rollout.status.message << " " << world.Condition("Progressing") << " "
      << api::FormatRfc3339(
             FindCondition(world.rollout.status.conditions, "Progressing")->last_update_time.value)
      << " now " << api::FormatRfc3339(world.now.value);
  EXPECT_EQ(world.rollout.status.message.rfind("ProgressDeadlineExceeded: ReplicaSet", 0), 0u)
      << world.rollout.status.message;
  EXPECT_TRUE(world.HasEvent("ProgressDeadlineExceeded"));
  EXPECT_EQ(world.Selects("web-active"), blue) << "the active never moved to pods not ready";
}

}  // namespace
}  // namespace devflow::core
