// The canary experiment step through the API: the RolloutController creates the step's
// Experiment, the ExperimentController runs it, and the outcome moves the Rollout on. The test
// plays the ReplicaSet controller and the AnalysisRun controller (controller_testing.h).
#include "controller/controller_testing.h"
#include "controller/experiment_controller.h"
#include "controller/rollout_controller.h"

namespace devflow::controller {
namespace {

using namespace testing;  // NOLINT: the fixture's names

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const kube::ResourceRef kExperiments{"argoproj.io", "v1alpha1", "experiments", "Experiment", true};
const kube::ResourceRef kRuns{"argoproj.io", "v1alpha1", "analysisruns", "AnalysisRun", true};
const kube::ResourceRef kTemplates{"argoproj.io", "v1alpha1", "analysistemplates",
                                   "AnalysisTemplate", true};

class ExperimentStepTest : public EmbeddedServerTest {
 protected:
  void StartControllers() override {
    rollouts_ = RolloutController::Start(*client_, *informers_,
                                         RolloutControllerOptions{.recorder = recorder_.get()});
    experiments_ = ExperimentController::Start(
        *client_, *informers_, ExperimentControllerOptions{.recorder = recorder_.get()});
  }
  void StopControllers() override {
    experiments_.reset();
    rollouts_.reset();
  }
  std::string RolloutAt(std::initializer_list<std::string_view> path) {
    return json::StringAt(Get(kRollouts, "web"), path);
  }
  std::string Errors() {
    return rollouts_->LastError().ToString() + " / " + experiments_->LastError().ToString();
  }
  void SetImage(const std::string& image) {
    auto patched = client_->Patch(
        kRollouts, kNs, "web", kube::PatchType::kJson,
        Json(R"([{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": ")" +
             image + R"("}])"));
    ASSERT_TRUE(patched.ok()) << patched.error();
  }

  std::unique_ptr<RolloutController> rollouts_;
  std::unique_ptr<ExperimentController> experiments_;
};

constexpr char kTemplate[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "compare"},
  "spec": {"args": [{"name": "baseline-hash"}, {"name": "canary-hash"}],
           "metrics": [{"name": "m", "provider": {"web": {"url": "http://127.0.0.1:1/{{args.baseline-hash}}/{{args.canary-hash}}"}}}]}})";

constexpr char kRollout[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "web"},
  "spec": {
    "replicas": 2,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}},
                 "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
    "strategy": {"canary": {"steps": [
      {"setWeight": 50},
      {"experiment": {
        "scaleDownDelaySeconds": 0,
        "templates": [{"name": "baseline", "specRef": "stable"},
                      {"name": "canary", "specRef": "canary"}],
        "analyses": [{"name": "compare", "templateName": "compare", "requiredForCompletion": true,
                      "args": [{"name": "baseline-hash",
                                "value": "{{templates.baseline.podTemplateHash}}"},
                               {"name": "canary-hash",
                                "value": "{{templates.canary.podTemplateHash}}"}]}]}}]}}
  }})";

TEST_F(ExperimentStepTest,
       GivenAnExperimentStepThenTheRolloutWaitsForItsExperimentAndMovesOnWhenItSucceeds) {
  Create(kTemplates, kTemplate);
  Create(kRollouts, kRollout);
  ASSERT_TRUE(Until([&] { return RolloutAt({"status", "phase"}) == "Healthy"; })) << Errors();
  const std::string blue = RolloutAt({"status", "stableRS"});

  SetImage("demo:green");
  ASSERT_TRUE(Until([&] {
    return !RolloutAt({"status", "canary", "currentExperiment"}).empty();
  })) << json::WritePretty(Get(kRollouts, "web"))
      << Errors();
  const std::string green = RolloutAt({"status", "currentPodHash"});
  const std::string name = RolloutAt({"status", "canary", "currentExperiment"});
  EXPECT_EQ(name, "web-" + green + "-2-1");

  // The Experiment runs a baseline of the stable version beside the canary.
  ASSERT_TRUE(Until([&] {
    return json::StringAt(Get(kExperiments, name), {"status", "phase"}) == "Running" &&
           !Get(kRuns, name + "-compare").is_null();
  })) << json::WritePretty(Get(kExperiments, name))
      << Errors();
  const json::Value baseline = Get(kReplicaSets, name + "-baseline");
  const json::Value canary = Get(kReplicaSets, name + "-canary");
  EXPECT_EQ(json::StringAt(baseline.Find("spec")
                               ->Find("template")
                               ->Find("spec")
                               ->Find("containers")
                               ->as_array()
                               .at(0),
                           {"image"}),
            "demo:blue");
  EXPECT_EQ(
      json::StringAt(
          canary.Find("spec")->Find("template")->Find("spec")->Find("containers")->as_array().at(0),
          {"image"}),
      "demo:green");
  const std::string baseline_hash =
      json::StringAt(baseline, {"metadata", "labels", "rollouts-pod-template-hash"});
  EXPECT_NE(baseline_hash, blue) << "a fresh baseline, not the stable's pods";
  const json::Value run = Get(kRuns, name + "-compare");
  EXPECT_EQ(json::StringAt(run.Find("spec")->Find("args")->as_array().at(0), {"value"}),
            baseline_hash);
  EXPECT_EQ(Get(kRollouts, "web").Find("status")->Find("currentStepIndex")->as_int(), 1);

  // The analysis succeeds: the Experiment completes, and so does the Rollout.
  auto patched = client_->Patch(kRuns, kNs, name + "-compare", kube::PatchType::kMerge,
                                Json(R"({"status": {"phase": "Successful"}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "phase"}) == "Healthy" &&
           RolloutAt({"status", "stableRS"}) == green;
  })) << json::WritePretty(Get(kRollouts, "web"))
      << Errors();
  EXPECT_EQ(json::StringAt(Get(kExperiments, name), {"status", "phase"}), "Successful");
  EXPECT_TRUE(Until([&] {
    const json::Value rs = Get(kReplicaSets, name + "-canary");
    return rs.Find("spec")->Find("replicas")->as_int() == 0;
  })) << "the experiment's pods go once it has ended";
  EXPECT_TRUE(HasEvent("ExperimentCreated"));
}

TEST_F(ExperimentStepTest, GivenAFailingExperimentThenTheRolloutAbortsToStable) {
  Create(kTemplates, kTemplate);
  Create(kRollouts, kRollout);
  ASSERT_TRUE(Until([&] { return RolloutAt({"status", "phase"}) == "Healthy"; })) << Errors();
  SetImage("demo:green");
  ASSERT_TRUE(Until([&] {
    return !RolloutAt({"status", "canary", "currentExperiment"}).empty();
  })) << Errors();
  const std::string name = RolloutAt({"status", "canary", "currentExperiment"});
  ASSERT_TRUE(Until([&] { return !Get(kRuns, name + "-compare").is_null(); })) << Errors();
  auto patched = client_->Patch(
      kRuns, kNs, name + "-compare", kube::PatchType::kMerge,
      Json(R"({"status": {"phase": "Failed", "message": "canary slower than baseline"}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Until([&] {
    return RolloutAt({"status", "phase"}) == "Degraded";
  })) << json::WritePretty(Get(kRollouts, "web"))
      << Errors();
  EXPECT_EQ(RolloutAt({"status", "message"}),
            "RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is "
            "failed: canary slower than baseline");
}

}  // namespace
}  // namespace devflow::controller
