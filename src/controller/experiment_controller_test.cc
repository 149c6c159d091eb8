// ExperimentController against the embedded API server (controller_testing.h): the test plays
// the ReplicaSet controller and the AnalysisRun controller (it writes the runs' phases), and
// checks what the experiment controller writes. The rules themselves are walked in
// core/experiment_plan_test.cc.
#include "controller/experiment_controller.h"

#include "controller/controller_testing.h"

namespace devflow::controller {
namespace {

using namespace testing;  // NOLINT: the fixture's names

const kube::ResourceRef kExperiments{"argoproj.io", "v1alpha1", "experiments", "Experiment", true};
const kube::ResourceRef kRuns{"argoproj.io", "v1alpha1", "analysisruns", "AnalysisRun", true};
const kube::ResourceRef kTemplates{"argoproj.io", "v1alpha1", "analysistemplates",
                                   "AnalysisTemplate", true};

class ExperimentControllerTest : public EmbeddedServerTest {
 protected:
  void StartControllers() override {
    controller_ = ExperimentController::Start(
        *client_, *informers_,
        ExperimentControllerOptions{.workers = 2, .recorder = recorder_.get()});
  }
  void StopControllers() override { controller_.reset(); }

  std::string ExperimentAt(std::initializer_list<std::string_view> path) {
    return json::StringAt(Get(kExperiments, "exp"), path);
  }
  // As the AnalysisRun controller would: the run's phase (merge patch, no status subresource).
  void SetRunPhase(const std::string& name, const std::string& phase) {
    auto patched = client_->Patch(kRuns, kNs, name, kube::PatchType::kMerge,
                                  Json(R"({"status": {"phase": ")" + phase + R"("}})"));
    ASSERT_TRUE(patched.ok()) << patched.error();
  }

  int64_t Replicas(const std::string& replica_set) {
    const json::Value rs = Get(kReplicaSets, replica_set);
    const json::Value* replicas = rs.is_null() ? nullptr : rs.Find("spec")->Find("replicas");
    return replicas != nullptr ? replicas->as_int() : -1;
  }

  std::unique_ptr<ExperimentController> controller_;
};

constexpr char kTemplate[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "compare"},
  "spec": {"args": [{"name": "canary-hash"}],
           "metrics": [{"name": "m", "provider": {"web": {"url": "http://127.0.0.1:1/{{args.canary-hash}}"}}}]}})";

constexpr char kExperiment[] = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
  "metadata": {"name": "exp"},
  "spec": {
    "scaleDownDelaySeconds": 1,
    "templates": [
      {"name": "baseline", "selector": {"matchLabels": {"app": "web"}},
       "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}}},
      {"name": "canary", "replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "service": {},
       "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "app", "image": "demo:green",
                                             "ports": [{"containerPort": 8080}]}]}}}],
    "analyses": [{"name": "compare", "templateName": "compare", "requiredForCompletion": true,
                  "args": [{"name": "canary-hash", "value": "{{templates.canary.podTemplateHash}}"}]}]
  }})";

TEST_F(ExperimentControllerTest,
       GivenAnExperimentThenItsTemplatesRunItsAnalysisDecidesAndItScalesDown) {
  Create(kTemplates, kTemplate);
  Create(kExperiments, kExperiment);

  ASSERT_TRUE(Until([&] {
    return !ExperimentAt({"status", "availableAt"}).empty();
  })) << json::WritePretty(Get(kExperiments, "exp"))
      << controller_->LastError();
  const json::Value canary_rs = Get(kReplicaSets, "exp-canary");
  EXPECT_EQ(json::StringAt(canary_rs.Find("metadata")->Find("ownerReferences")->as_array().at(0),
                           {"kind"}),
            "Experiment");
  EXPECT_EQ(json::StringAt(canary_rs,
                           {"metadata", "annotations", "experiment.argoproj.io/template-name"}),
            "canary");
  const std::string canary_hash =
      json::StringAt(canary_rs, {"metadata", "labels", "rollouts-pod-template-hash"});
  ASSERT_FALSE(canary_hash.empty());
  EXPECT_EQ(json::StringAt(Get(kServices, "exp-canary"),
                           {"spec", "selector", "rollouts-pod-template-hash"}),
            canary_hash);
  EXPECT_EQ(ExperimentAt({"status", "phase"}), "Running");

  // The run starts with the canary's hash resolved into its argument.
  ASSERT_TRUE(Until([&] { return !Get(kRuns, "exp-compare").is_null(); }))
      << json::WritePretty(Get(kExperiments, "exp")) << controller_->LastError();
  const json::Value run = Get(kRuns, "exp-compare");
  EXPECT_EQ(json::StringAt(run.Find("spec")->Find("args")->as_array().at(0), {"value"}),
            canary_hash);
  SetRunPhase("exp-compare", "Successful");
  ASSERT_TRUE(Until([&] {
    return ExperimentAt({"status", "phase"}) == "Successful";
  })) << json::WritePretty(Get(kExperiments, "exp"))
      << controller_->LastError();
  EXPECT_EQ(ExperimentAt({"status", "message"}), "Required AnalysisRuns completed");

  // After scaleDownDelaySeconds, every template is at 0 and the Service is gone.
  ASSERT_TRUE(Until([&] {
    return Replicas("exp-canary") == 0 && Replicas("exp-baseline") == 0 &&
           Get(kServices, "exp-canary").is_null();
  })) << json::WritePretty(Get(kReplicaSets, "exp-canary"))
      << controller_->LastError();
  EXPECT_TRUE(devflow::testing::Eventually([&] { return HasEvent("TemplateRunning"); }));
  EXPECT_TRUE(controller_->LastError().ok()) << controller_->LastError();
}

TEST_F(ExperimentControllerTest, GivenAFailingRunThenTheExperimentFailsWithTheRunsMessage) {
  Create(kTemplates, kTemplate);
  Create(kExperiments, kExperiment);
  ASSERT_TRUE(Until([&] { return !Get(kRuns, "exp-compare").is_null(); }))
      << json::WritePretty(Get(kExperiments, "exp")) << controller_->LastError();
  auto patched =
      client_->Patch(kRuns, kNs, "exp-compare", kube::PatchType::kMerge,
                     Json(R"({"status": {"phase": "Failed", "message": "too many errors"}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  ASSERT_TRUE(Until([&] {
    return ExperimentAt({"status", "phase"}) == "Failed";
  })) << json::WritePretty(Get(kExperiments, "exp"));
  EXPECT_EQ(ExperimentAt({"status", "message"}), "too many errors");
}

TEST_F(ExperimentControllerTest, GivenATerminatedExperimentThenItsRunIsTerminatedToo) {
  Create(kTemplates, kTemplate);
  Create(kExperiments, kExperiment);
  ASSERT_TRUE(Until([&] { return !Get(kRuns, "exp-compare").is_null(); }))
      << controller_->LastError();
  SetRunPhase("exp-compare", "Running");
  auto patched = client_->Patch(kExperiments, kNs, "exp", kube::PatchType::kMerge,
                                Json(R"({"spec": {"terminate": true}})"));
  ASSERT_TRUE(patched.ok()) << patched.error();
  EXPECT_TRUE(Until([&] {
    const json::Value run = Get(kRuns, "exp-compare");
    const json::Value* terminate = run.is_null() ? nullptr : run.Find("spec")->Find("terminate");
    return terminate != nullptr && terminate->is_bool() && terminate->as_bool();
  })) << json::WritePretty(Get(kRuns, "exp-compare"));
}

}  // namespace
}  // namespace devflow::controller
