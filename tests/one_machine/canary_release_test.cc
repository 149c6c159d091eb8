// The seed 004 canary on one machine (issue 5, "Done when" (b), (c), (e)): the real `devflow
// serve` with its rollout controller and runtime, the demo app as the Rollout's pods, a Gateway
// and an HTTPRoute (the argoproj-labs/gatewayAPI plugin's configuration) served by HAProxy, the
// real `devflow` CLI driving the release, and a load generator counting answers by colour.
//
// Waits are polls with generous deadlines; nothing asserts how long a step takes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
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

// Seed 004's steps, traffic through the HTTPRoute "web".
constexpr char kRollout[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "web"},
  "spec": {
    "replicas": 2,
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
          "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 1}
        }]
      }
    },
    "strategy": {"canary": {
      "canaryService": "web-canary", "stableService": "web-stable",
      "abortScaleDownDelaySeconds": 5, "scaleDownDelaySeconds": 5,
      "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web"}}},
      "steps": [{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {"duration": 10}}]
    }}
  }
})json";

class CanaryReleaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.Start()) << node_.log();
    Result<int> port = testing::CreateCanaryFrontDoor(node_);
    ASSERT_TRUE(port.ok()) << port.status();
    Result<json::Value> created = node_.Create(
        kRollouts, Fill(kRollout, {{"APP", kDemoApp}, {"DATA_DIR", node_.data_dir()}}));
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_TRUE(Poll([&] { return Phase() == "Healthy"; })) << Status() << node_.log();
    gateway_.host = "127.0.0.1";
    gateway_.port = *port;
    ASSERT_TRUE(Poll([&] { return testing::FetchOnce(gateway_).color == "blue"; })) << node_.log();
  }

  std::string Status() {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    return rollout.ok() ? json::WritePretty(*rollout) : rollout.status().ToString();
  }
  std::string Phase() {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    return rollout.ok() ? json::StringAt(*rollout, {"status", "phase"}) : "";
  }
  int64_t StepIndex() {
    Result<json::Value> rollout = node_.Get(kRollouts, "web");
    if (!rollout.ok()) return -1;
    const json::Value* status = rollout->Find("status");
    const json::Value* index = status ? status->Find("currentStepIndex") : nullptr;
    return index && index->is_int() ? index->as_int() : -1;
  }
  testing::CommandOutput Devflow(const std::string& args) { return node_.Devflow(args); }
  // `requests` requests through the gateway, counted by colour.
  LoadCounts Sample(int requests) {
    LoadOptions options = gateway_;
    options.request_limit = requests;
    options.rate = 1000;
    options.connections = 4;
    LoadGenerator load(options);
    load.Start();
    Poll([&] { return load.Done(); }, seconds(30));
    load.Stop();
    return load.Counts();
  }
  static double GreenShare(const LoadCounts& counts) {
    return counts.answered == 0 ? -1 : 100.0 * counts.Of("green") / counts.answered;
  }

  NodeUnderTest node_;
  LoadOptions gateway_;
};

// Given blue under load, `set image` green: the canary takes 25% of 2,000 requests (±3 points)
// and pauses; `promote`: 75% (±3) during the 10 s pause; then all green, stable; and not one
// request of the load fails throughout.
TEST_F(CanaryReleaseTest, TheSeedStepsSplitTrafficAsTheirWeightsAndCompleteWithoutFailures) {
  LoadOptions options = gateway_;
  options.rate = 1000;
  LoadGenerator load(options);
  load.Start();

  ASSERT_EQ(Devflow("set image rollout/web app=rollouts-demo:green").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return Phase() == "Paused" && StepIndex() == 1; })) << Status();
  const LoadCounts at25 = Sample(2000);
  std::cout << "[ measured ] setWeight 25: " << at25.Summary() << std::endl;
  EXPECT_NEAR(GreenShare(at25), 25.0, 3.0) << at25.Summary();

  ASSERT_EQ(Devflow("promote web").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return StepIndex() == 3; })) << Status();
  const LoadCounts at75 = Sample(2000);
  std::cout << "[ measured ] setWeight 75: " << at75.Summary() << std::endl;
  EXPECT_NEAR(GreenShare(at75), 75.0, 3.0) << at75.Summary();

  ASSERT_TRUE(Poll([&] { return Phase() == "Healthy"; })) << Status();
  EXPECT_TRUE(Poll([&] { return GreenShare(Sample(200)) == 100.0; })) << Status();

  load.Stop();
  const LoadCounts total = load.Counts();
  std::cout << "[ measured ] canary release under load: " << total.Summary() << std::endl;
  EXPECT_EQ(total.failed, 0) << total.Summary();
}

// Given the canary at 25%, `abort` sends everything back to stable at once and marks the
// rollout Degraded, with no failed request; `retry rollout` starts the steps again.
TEST_F(CanaryReleaseTest, AbortReturnsAllTrafficToStableAndRetryStartsAgain) {
  ASSERT_EQ(Devflow("set image rollout/web app=rollouts-demo:green").exit_code, 0);
  ASSERT_TRUE(Poll([&] { return Phase() == "Paused" && StepIndex() == 1; })) << Status();
  LoadOptions options = gateway_;
  options.rate = 1000;
  LoadGenerator load(options);
  load.Start();

  ASSERT_EQ(Devflow("abort web").exit_code, 0);
  EXPECT_TRUE(Poll([&] { return Phase() == "Degraded"; })) << Status();
  EXPECT_TRUE(Poll([&] { return GreenShare(Sample(500)) == 0.0; })) << Status();
  load.Stop();
  const LoadCounts total = load.Counts();
  std::cout << "[ measured ] abort under load: " << total.Summary() << std::endl;
  EXPECT_EQ(total.failed, 0) << total.Summary();

  ASSERT_EQ(Devflow("retry rollout web").exit_code, 0);
  EXPECT_TRUE(Poll([&] { return Phase() == "Paused" && StepIndex() == 1; })) << Status();
  const LoadCounts again = Sample(1000);
  EXPECT_NEAR(GreenShare(again), 25.0, 5.0) << again.Summary();
}

}  // namespace
}  // namespace devflow
