#include "release_fixture.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "common/json_reader.h"

namespace devflow::testing {
namespace {

using std::chrono::seconds;

const std::string kDemoApp = DEVFLOW_DEMO_APP;

constexpr char kContainer[] = R"json({
  "name": "app", "image": "rollouts-demo:@TAG@", "command": ["@APP@"],
  "args": ["--color", "$(DEVFLOW_IMAGE_TAG)"@FLAGS@],
  "ports": [{"name": "http", "containerPort": 8080}],
  "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 1}
})json";

constexpr char kRollout[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "web"},
  "spec": {
    "replicas": 2,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {"terminationGracePeriodSeconds": 5, "containers": [@CONTAINER@]}
    },
    "strategy": {"canary": {
      "canaryService": "web-canary", "stableService": "web-stable",
      "abortScaleDownDelaySeconds": 5, "scaleDownDelaySeconds": 5,
      "trafficRouting": {"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web"}}},
      "steps": @STEPS@
    }}
  }
})json";

}  // namespace

std::string DemoContainer(const std::string& tag, const std::vector<std::string>& flags) {
  std::string quoted;
  for (const std::string& flag : flags) quoted += ", " + json::Write(json::Value(flag));
  return Fill(kContainer, {{"TAG", tag}, {"APP", kDemoApp}, {"FLAGS", quoted}});
}

std::string CanaryRolloutJson(const std::string& container, std::string_view steps) {
  return Fill(kRollout, {{"CONTAINER", container}, {"STEPS", std::string(steps)}});
}

int64_t IntAt(const json::Value& value, std::initializer_list<std::string_view> path) {
  const json::Value* at = &value;
  for (std::string_view key : path) {
    at = at->Find(key);
    if (at == nullptr) return 0;
  }
  return at->is_int() ? at->as_int() : 0;
}

json::Value FirstMetricResult(const json::Value& run) {
  const json::Value* status = run.Find("status");
  const json::Value* results = status != nullptr ? status->Find("metricResults") : nullptr;
  if (results == nullptr || !results->is_array() || results->as_array().empty()) {
    return json::Value();
  }
  return results->as_array()[0];
}

void ReleaseTest::StartRelease(const std::vector<std::string>& analysis_templates,
                               const std::string& rollout, const std::string& color) {
  ASSERT_TRUE(node_.Start()) << node_.log();
  Result<int> port = CreateCanaryFrontDoor(node_);
  ASSERT_TRUE(port.ok()) << port.status();
  for (const std::string& analysis_template : analysis_templates) {
    Result<json::Value> created = node_.Create(kAnalysisTemplatesResource, analysis_template);
    ASSERT_TRUE(created.ok()) << created.status();
  }
  Result<json::Value> created = node_.Create(kRolloutsResource, rollout);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(Poll([&] {
    return At({"status", "phase"}) == "Healthy";
  })) << Status()
      << node_.log();
  gateway_.host = "127.0.0.1";
  gateway_.port = *port;
  ASSERT_TRUE(Poll([&] { return FetchOnce(gateway_).color == color; })) << node_.log();
}

void ReleaseTest::StartPrometheus() {
  // HAProxy's exporter port, as the runtime recorded it.
  std::ifstream in(node_.data_dir() + "/haproxy/instance.json");
  std::stringstream text;
  text << in.rdbuf();
  Result<json::Value> instance = json::Parse(text.str());
  ASSERT_TRUE(instance.ok()) << text.str();
  const json::Value* port = instance->Find("stats_port");
  ASSERT_TRUE(port != nullptr && port->is_int()) << text.str();
  auto prometheus =
      analysis::providers::testing::PrometheusProcess::Start(static_cast<int>(port->as_int()));
  if (!prometheus.ok() && prometheus.error().code() == StatusCode::kFailedPrecondition) {
    GTEST_SKIP() << prometheus.error();
  }
  ASSERT_TRUE(prometheus.ok()) << prometheus.error();
  prometheus_ = std::move(prometheus).value();
}

std::string ReleaseTest::Status() {
  Result<json::Value> rollout = node_.Get(kRolloutsResource, "web");
  return rollout.ok() ? json::WritePretty(*rollout) : rollout.status().ToString();
}

std::string ReleaseTest::At(std::initializer_list<std::string_view> path) {
  Result<json::Value> rollout = node_.Get(kRolloutsResource, "web");
  return rollout.ok() ? json::StringAt(*rollout, path) : "";
}

void ReleaseTest::Release(const std::string& container) {
  Result<json::Value> patched =
      node_.Patch(kRolloutsResource, "web",
                  Fill(R"({"spec": {"template": {"spec": {"containers": [@CONTAINER@]}}}})",
                       {{"CONTAINER", container}}));
  ASSERT_TRUE(patched.ok()) << patched.status();
}

json::Value ReleaseTest::StepRun() {
  const std::string name = At({"status", "canary", "currentStepAnalysisRunStatus", "name"});
  if (name.empty()) return json::Value();
  Result<json::Value> run = node_.Get(kAnalysisRunsResource, name);
  return run.ok() ? *run : json::Value();
}

LoadOptions ReleaseTest::SteadyLoad() const {
  LoadOptions steady = gateway_;
  steady.rate = 200;
  steady.connections = 2;
  return steady;
}

bool ReleaseTest::Promoted(const std::string& old_stable) {
  const std::string stable = At({"status", "stableRS"});
  return At({"status", "phase"}) == "Healthy" && stable != old_stable &&
         stable == At({"status", "currentPodHash"});
}

LoadCounts ReleaseTest::ExpectServedOnlyBy(const std::string& color, int requests) {
  if (!Poll([&] { return Sample(100).Of(color) == 100; }, seconds(30))) {
    ADD_FAILURE() << "not all answers are " << color << " within 30 s: " << Status();
    return {};
  }
  const LoadCounts after = Sample(requests);
  EXPECT_EQ(after.Of(color), requests) << after.Summary();
  EXPECT_EQ(after.failed, 0) << after.Summary();
  return after;
}

LoadCounts ReleaseTest::Sample(int requests) {
  LoadOptions options = gateway_;
  options.request_limit = requests;
  options.rate = 500;
  options.connections = 2;
  LoadGenerator load(options);
  load.Start();
  Poll([&] { return load.Done(); }, seconds(30));
  load.Stop();
  return load.Counts();
}

}  // namespace devflow::testing
