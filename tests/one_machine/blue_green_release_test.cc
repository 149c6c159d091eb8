// The seed 000/004 blue/green release on one machine (issue 5, "Done when" (a), (d), (e)): the
// real `devflow serve` with its rollout controller and runtime, the demo app as the Rollout's
// pods, HAProxy serving the active and preview Services, the real `devflow` CLI driving the
// release, and a load generator counting answers by colour on each Service.
//
// Waits are polls with generous deadlines; nothing asserts how long a step takes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "command_runner.h"
#include "common/eventually_testing.h"
#include "load_generator.h"
#include "node_under_test.h"

namespace devflow {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Fill;
using testing::LoadCounts;
using testing::LoadGenerator;
using testing::LoadOptions;
using testing::NodeUnderTest;
using testing::Poll;

const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const std::string kDemoApp = DEVFLOW_DEMO_APP;

// The seed's Rollout: the demo app answers its image tag as its colour.
constexpr char kRollout[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "web"},
  "spec": {
    "replicas": 2,
    "revisionHistoryLimit": 3,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "terminationGracePeriodSeconds": 5,
        "containers": [{
          "name": "app",
          "image": "rollouts-demo:blue",
          "command": ["@APP@"],
          "args": ["--color", "$(DEVFLOW_IMAGE_TAG)"],
          "env": [{"name": "E2E_DATA_DIR", "value": "@DATA_DIR@"}],
          "ports": [{"name": "http", "containerPort": 8080}],
          "readinessProbe": {
  "httpGet" : {"path" : "/healthz", "port" : "http"}, "periodSeconds" : 1
}
}]
}
}
, "strategy" : {
  "blueGreen" : {
    "activeService" : "web-active",
                      "previewService" : "web-preview",
                                         "autoPromotionEnabled" : false,
                                                                  "scaleDownDelaySeconds" : 10
  }
}
}
})json";

class BlueGreenReleaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.Start()) << node_.log();
    ASSERT_TRUE(
        node_.Create(testing::kServicesResource, testing::WebServiceJson("web-active")).ok());
    ASSERT_TRUE(
        node_.Create(testing::kServicesResource, testing::WebServiceJson("web-preview")).ok());
    Result<json::Value> created = node_.Create(
        kRollouts, Fill(kRollout, {{"APP", kDemoApp}, {"DATA_DIR", node_.data_dir()}}));
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_TRUE(Poll([&] { return Phase() == "Healthy"; })) << Status() << node_.log();
    active_ = Target("web-active");
    preview_ = Target("web-preview");
    ASSERT_TRUE(Poll([&] { return testing::FetchOnce(active_).color == "blue"; })) << node_.log();
  }

  LoadOptions Target(const std::string& service) {
    LoadOptions options;
    options.host = node_.ClusterIp(service);
    options.port = 80;
    return options;
  }

  std::string Status() {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    return rollout.ok() ? json::WritePretty(*rollout) : rollout.status().ToString();
  }
  // The Rollout's ReplicaSets and events, for failure messages.
  std::string Children() {
    std::string text;
    Result<kube::ObjectList> list =
        node_.client().List(testing::kReplicaSetsResource, "default", kube::ListRequest{});
    if (list.ok()) {
      for (const json::Value& rs : list->items) {
        text += json::StringAt(rs, {"metadata", "name"}) + " " +
                json::Write(*rs.Find("metadata")->Find("annotations")) + " replicas " +
                json::Write(*rs.Find("spec")->Find("replicas")) + "\n";
      }
    }
    testing::CommandOutput events = Devflow("get events");
    return text + events.out;
  }
  std::string RolloutField(const std::string& status_field) {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    return rollout.ok() ? json::StringAt(*rollout, {"status", status_field}) : "";
  }
  std::string Phase() {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    return rollout.ok() ? json::StringAt(*rollout, {"status", "phase"}) : "";
  }

  testing::CommandOutput Devflow(const std::string& args) { return node_.Devflow(args); }

  // The colours `target` answers over its next `requests` requests.
  static LoadCounts Sample(LoadOptions target, int requests) {
    target.request_limit = requests;
    target.rate = 500;
    target.connections = 2;
    LoadGenerator load(target);
    load.Start();
    Poll([&] { return load.Done(); }, seconds(30));
    load.Stop();
    return load.Counts();
  }
  static bool AllOf(const LoadCounts& counts, const std::string& color) {
    return counts.answered > 0 && counts.Of(color) == counts.answered;
  }

  // The replicas of the ReplicaSet of the Rollout running `color`, -1 when there is none.
  int ReplicasOf(const std::string& color) {
    kube::ListRequest request;
    request.label_selector = "app=web";
    Result<kube::ObjectList> list =
        node_.client().List(testing::kReplicaSetsResource, "default", request);
    if (!list.ok()) return -1;
    for (const json::Value& rs : list->items) {
      const json::Value* containers =
          rs.Find("spec")->Find("template")->Find("spec")->Find("containers");
      if (json::StringAt(containers->as_array()[0], {"image"}) == "rollouts-demo:" + color) {
        const json::Value* replicas = rs.Find("spec")->Find("replicas");
        return replicas != nullptr && replicas->is_int() ? static_cast<int>(replicas->as_int()) : 1;
      }
    }
    return -1;
  }

  NodeUnderTest node_;
  LoadOptions active_;
  LoadOptions preview_;
};

// Given blue serving on the active Service under load, when `devflow set image` makes green,
// then the preview serves green while active still serves blue (the rollout paused); when
// `devflow promote`, then active serves green, the rollout is Healthy, blue is scaled to 0 once
// scaleDownDelaySeconds has passed, and not one request of the load failed throughout.
TEST_F(BlueGreenReleaseTest, SetImageThenPromoteSwitchesActiveWithoutFailedRequests) {
  LoadOptions options = active_;
  options.rate = 1000;
  LoadGenerator load(options);
  load.Start();

  testing::CommandOutput set = Devflow("set image rollout/web app=rollouts-demo:green");
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  ASSERT_TRUE(Poll([&] { return Phase() == "Paused"; })) << Status();
  EXPECT_TRUE(Poll([&] { return AllOf(Sample(preview_, 100), "green"); })) << node_.log();
  const LoadCounts paused = Sample(active_, 200);
  EXPECT_TRUE(AllOf(paused, "blue")) << paused.Summary();

  testing::CommandOutput promote = Devflow("promote web");
  ASSERT_EQ(promote.exit_code, 0) << promote.out << promote.err;
  EXPECT_TRUE(Poll([&] { return AllOf(Sample(active_, 100), "green"); })) << Status();
  EXPECT_TRUE(Poll([&] { return Phase() == "Healthy"; })) << Status();
  EXPECT_EQ(ReplicasOf("blue"), 2) << "blue waits out scaleDownDelaySeconds";
  EXPECT_TRUE(Poll([&] { return ReplicasOf("blue") == 0; })) << Status();

  load.Stop();
  const LoadCounts total = load.Counts();
  std::cout << "[ measured ] blue/green release under load: " << total.Summary() << std::endl;
  EXPECT_EQ(total.failed, 0) << total.Summary();
  EXPECT_GT(total.Of("blue"), 0);
  EXPECT_GT(total.Of("green"), 0);
}

// Given green promoted and blue still up within its scale-down delay, `devflow undo` switches
// active back to blue at once, re-using blue's ReplicaSet (no new pods, no pause).
TEST_F(BlueGreenReleaseTest, UndoWhileTheOldReplicaSetIsUpSwitchesBackWithoutNewPods) {
  const std::string blue_hash = RolloutField("stableRS");
  ASSERT_FALSE(blue_hash.empty()) << Status();
  ASSERT_EQ(Devflow("set image rollout/web app=rollouts-demo:green").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return Phase() == "Paused"; })) << Status();
  ASSERT_EQ(Devflow("promote web").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return AllOf(Sample(active_, 100), "green"); })) << Status();
  const std::vector<std::string> blue_pods =
      node_.ReadyPods("rollouts-pod-template-hash=" + blue_hash);
  ASSERT_EQ(blue_pods.size(), 2u) << "blue still up within scaleDownDelaySeconds";

  LoadOptions options = active_;
  options.rate = 1000;
  LoadGenerator load(options);
  load.Start();
  testing::CommandOutput undo = Devflow("undo web");
  ASSERT_EQ(undo.exit_code, 0) << undo.out << undo.err;
  EXPECT_TRUE(Poll([&] { return AllOf(Sample(active_, 100), "blue"); })) << Status() << Children();
  EXPECT_TRUE(Poll([&] { return Phase() == "Healthy"; })) << Status();
  EXPECT_EQ(ReplicasOf("blue"), 2);
  EXPECT_EQ(node_.ReadyPods("rollouts-pod-template-hash=" + blue_hash), blue_pods)
      << "the same blue pods serve again: none was started for the undo";
  load.Stop();
  const LoadCounts total = load.Counts();
  std::cout << "[ measured ] undo under load: " << total.Summary() << std::endl;
  EXPECT_EQ(total.failed, 0) << total.Summary();
  EXPECT_GT(total.Of("blue"), 0);
}

// Given the rollout paused on green, `devflow abort` keeps active on blue and marks the rollout
// Degraded; `devflow retry rollout` pauses on green again.
TEST_F(BlueGreenReleaseTest, AbortKeepsStableAndRetryStartsAgain) {
  ASSERT_EQ(Devflow("set image rollout/web app=rollouts-demo:green").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return Phase() == "Paused"; })) << Status();
  testing::CommandOutput abort = Devflow("abort web");
  ASSERT_EQ(abort.exit_code, 0) << abort.out << abort.err;
  EXPECT_TRUE(Poll([&] { return Phase() == "Degraded"; })) << Status();
  EXPECT_TRUE(AllOf(Sample(active_, 200), "blue"));

  testing::CommandOutput retry = Devflow("retry rollout web");
  ASSERT_EQ(retry.exit_code, 0) << retry.out << retry.err;
  EXPECT_TRUE(Poll([&] { return Phase() == "Paused"; })) << Status();
  EXPECT_TRUE(AllOf(Sample(active_, 200), "blue"));
}

}  // namespace
}  // namespace devflow
