// A canary that checks itself (issue 6 on one machine): the real `devflow serve` with its
// rollout and analysis controllers, the demo app as pods behind HAProxy, an HTTPRoute carrying
// the weights, and an analysis step whose `haproxy` metric reads the canary's error ratio from
// the data plane's own counters while a load generator sends traffic. A healthy version passes
// and completes; a version answering 30% of requests with 500 fails the analysis, and the
// rollout aborts back to all-stable. The same runs through a real Prometheus, including one that
// stops answering mid-analysis: its Error measurements end the run in Error and abort the rollout.
//
// Waits are polls with generous deadlines; nothing asserts how long a step takes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "common/json_value.h"
#include "load_generator.h"
#include "node_under_test.h"
#include "release_fixture.h"

namespace devflow {
namespace {

using std::chrono::seconds;
using testing::DemoContainer;
using testing::Fill;
using testing::FirstMetricResult;
using testing::IntAt;
using testing::LoadCounts;
using testing::LoadGenerator;
using testing::Poll;

const kube::ResourceRef& kRollouts = testing::kRolloutsResource;
const kube::ResourceRef& kTemplates = testing::kAnalysisTemplatesResource;
const kube::ResourceRef& kRuns = testing::kAnalysisRunsResource;

// Two measurements of the canary's 5xx ratio, 2 s apart, each over a 2 s window.
constexpr char kTemplate[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "error-rate"},
  "spec": {
    "args": [{"name": "canary-hash"}],
    "metrics": [{
      "name": "error-rate", "interval": "2s", "count": 2, "failureLimit": 0,
      "successCondition": "default(result, 0) <= 0.05",
      "provider": {"haproxy": {"podTemplateHash": "{{args.canary-hash}}",
                               "metric": "errorRate", "window": "2s"}}
    }]
  }
})json";

constexpr char kSteps[] = R"json([{"setWeight": 50},
  {"analysis": {"templates": [{"templateName": "error-rate"}],
                "args": [{"name": "canary-hash",
                          "valueFrom": {"podTemplateHashValue": "Latest"}}]}},
  {"setWeight": 100}])json";

// The demo app as version `tag`, answering `error_rate` of its requests with 500.
std::string Container(const std::string& tag, const std::string& error_rate) {
  return DemoContainer(tag, {"--error-rate", error_rate});
}

// The Rollout "web" at blue, whose analysis step runs the template "error-rate".
class AnalysisReleaseTest : public testing::ReleaseTest {
 protected:
  void SetUp() override {
    StartRelease({kTemplate}, testing::CanaryRolloutJson(Container("blue", "0"), kSteps), "blue");
  }
  // Releases `tag` answering `error_rate` of its requests with 500.
  void Release(const std::string& tag, const std::string& error_rate) {
    ReleaseTest::Release(Container(tag, error_rate));
  }
};

// Given steady traffic, a version that answers every request passes its analysis (two
// measurements of a 0 error ratio) and the rollout completes.
TEST_F(AnalysisReleaseTest, AHealthyVersionPassesItsAnalysisAndCompletes) {
  LoadGenerator load(SteadyLoad());
  load.Start();
  const std::string blue = At({"status", "stableRS"});
  Release("green", "0");
  ASSERT_TRUE(Poll([&] { return Promoted(blue); }, seconds(90))) << Status() << node_.log();
  load.Stop();
  const LoadCounts counts = load.Counts();
  std::cout << "[ measured ] healthy canary under analysis: " << counts.Summary() << "\n";
  EXPECT_EQ(counts.failed, 0) << counts.Summary();

  const json::Value runs = [&] {
    auto list = node_.client().List(kRuns, "default");
    return list.ok() && !list->items.empty() ? list->items.front() : json::Value();
  }();
  EXPECT_EQ(json::StringAt(runs, {"status", "phase"}), "Successful") << json::WritePretty(runs);
  const json::Value* results =
      runs.Find("status") ? runs.Find("status")->Find("metricResults") : nullptr;
  ASSERT_TRUE(results != nullptr && results->is_array() && !results->as_array().empty());
  EXPECT_EQ(json::StringAt(results->as_array()[0], {"phase"}), "Successful");
  // The router drops the canary's weight one reconcile after promotion (docs/architecture.md).
  ExpectServedOnlyBy("green", 400);
}

// Given steady traffic, a version answering 30% of requests with 500 fails its first
// measurement; the rollout aborts: all traffic is back on the stable version, Degraded.
TEST_F(AnalysisReleaseTest, AFailingVersionFailsItsAnalysisAndTheRolloutAbortsToStable) {
  LoadGenerator load(SteadyLoad());
  load.Start();
  Release("green", "0.3");
  ASSERT_TRUE(Poll(
      [&] {
        return At({"status", "phase"}) == "Degraded";
      },
      seconds(90)))
      << Status() << node_.log();
  load.Stop();
  std::cout << "[ measured ] failing canary under analysis (its 500s count as failures): "
            << load.Counts().Summary() << "\n";
  EXPECT_NE(At({"status", "message"}).find("Step-based analysis phase failed"), std::string::npos)
      << At({"status", "message"});
  Result<json::Value> rollout = node_.Get(kRollouts, "web");
  ASSERT_TRUE(rollout.ok());
  auto list = node_.client().List(kRuns, "default");
  ASSERT_TRUE(list.ok() && list->items.size() == 1u);
  const json::Value& run = list->items.front();
  EXPECT_EQ(json::StringAt(run, {"status", "phase"}), "Failed") << json::WritePretty(run);

  // Back on stable: every answer blue, none failed.
  const LoadCounts after = ExpectServedOnlyBy("blue", 500);
  std::cout << "[ measured ] after the abort: " << after.Summary() << "\n";
}

// Given steady traffic, a version whose process exits at once (an invalid flag) crash-loops; the
// rollout aborts without waiting for its analysis or the progress deadline, and every answer
// afterwards comes from the stable version.
TEST_F(AnalysisReleaseTest, ACrashLoopingCanaryRollsBackToStable) {
  LoadGenerator load(SteadyLoad());
  load.Start();
  Release("green", "2");  // --error-rate 2 is rejected: the app exits with an error
  ASSERT_TRUE(Poll(
      [&] {
        return At({"status", "phase"}) == "Degraded";
      },
      seconds(90)))
      << Status() << node_.log();
  load.Stop();
  const LoadCounts during = load.Counts();
  std::cout << "[ measured ] crash-looping canary: " << during.Summary() << "\n";
  EXPECT_NE(At({"status", "message"}).find("canary pods are failing"), std::string::npos)
      << At({"status", "message"});
  EXPECT_NE(At({"status", "message"}).find("CrashLoopBackOff"), std::string::npos)
      << At({"status", "message"});
  EXPECT_EQ(during.failed, 0) << "the canary never became ready, so it never got traffic: "
                              << during.Summary();
  const LoadCounts after = Sample(500);
  EXPECT_EQ(after.Of("blue"), 500) << after.Summary();
  EXPECT_EQ(after.failed, 0) << after.Summary();
}

// ---- The same through a real Prometheus 2.42 scraping HAProxy's exporter (seed 001) ----

// Seed 001's success-rate: the share of the canary's answers that are 2xx, from HAProxy's
// per-server counters (servers are named after their pods, <rollout>-<hash>-<suffix>).
constexpr char kSuccessRateTemplate[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "success-rate"},
  "spec": {
    "args": [{"name": "canary-hash"}, {"name": "prometheus"}],
    "metrics": [{
      "name": "success-rate", "initialDelay": "6s", "interval": "5s", "count": 2,
      "failureLimit": 0, "successCondition": "result[0] >= 0.95",
      "provider": {"prometheus": {"address": "{{args.prometheus}}",
        "query": "sum(rate(haproxy_server_http_responses_total{server=~\"web-{{args.canary-hash}}-.*\",code=\"2xx\"}[10s])) / sum(rate(haproxy_server_http_responses_total{server=~\"web-{{args.canary-hash}}-.*\"}[10s]))"}}
    }]
  }
})json";

class PrometheusAnalysisTest : public AnalysisReleaseTest {
 protected:
  void SetUp() override {
    AnalysisReleaseTest::SetUp();
    if (HasFatalFailure()) return;
    StartPrometheus();
    if (HasFatalFailure() || IsSkipped()) return;
    ASSERT_TRUE(node_.Create(kTemplates, kSuccessRateTemplate).ok());
    AnalyseWith("success-rate");
  }
  // The Rollout's analysis step uses the template `name`, with Prometheus' address as an arg.
  void AnalyseWith(const std::string& name) {
    Result<json::Value> patched =
        node_.Patch(kRollouts, "web",
                    Fill(R"({"spec": {"strategy":
        {"canary": {"steps": [{"setWeight": 50},
          {"analysis": {"templates": [{"templateName": "@TEMPLATE@"}],
                        "args": [{"name": "canary-hash",
                                  "valueFrom": {"podTemplateHashValue": "Latest"}},
                                 {"name": "prometheus", "value": "@ADDRESS@"}]}},
          {"setWeight": 100}]}}}})",
                         {{"TEMPLATE", name}, {"ADDRESS", prometheus_->address()}}));
    ASSERT_TRUE(patched.ok()) << patched.status();
  }
};

TEST_F(PrometheusAnalysisTest, AHealthyCanaryPassesSeed001sSuccessRateAndCompletes) {
  LoadGenerator load(SteadyLoad());
  load.Start();
  const std::string blue = At({"status", "stableRS"});
  Release("green", "0");
  ASSERT_TRUE(Poll([&] { return Promoted(blue); }, seconds(120)))
      << Status() << json::WritePretty(StepRun()) << prometheus_->Log();
  load.Stop();
  std::cout << "[ measured ] healthy canary, Prometheus success-rate: " << load.Counts().Summary()
            << "\n";
  EXPECT_EQ(load.Counts().failed, 0) << load.Counts().Summary();
}

TEST_F(PrometheusAnalysisTest, ACanaryAnswering30PercentErrorsFailsItsFirstAnalysisAndRollsBack) {
  LoadGenerator load(SteadyLoad());
  load.Start();
  Release("green", "0.3");
  ASSERT_TRUE(Poll(
      [&] {
        return At({"status", "phase"}) == "Degraded";
      },
      seconds(120)))
      << Status() << json::WritePretty(StepRun()) << prometheus_->Log();
  load.Stop();
  auto list = node_.client().List(kRuns, "default");
  ASSERT_TRUE(list.ok() && list->items.size() == 1u);
  const json::Value& run = list->items.front();
  EXPECT_EQ(json::StringAt(run, {"status", "phase"}), "Failed") << json::WritePretty(run);
  const json::Value* results = run.Find("status")->Find("metricResults");
  ASSERT_TRUE(results != nullptr && results->is_array() && !results->as_array().empty());
  const json::Value& measurements = *results->as_array()[0].Find("measurements");
  EXPECT_EQ(measurements.as_array().size(), 1u) << "failed at its first measurement";
  std::cout << "[ measured ] failing canary: measured success rate "
            << json::StringAt(measurements.as_array()[0], {"value"}) << "\n";
  ExpectServedOnlyBy("blue", 500);
}

// The same success rate, measured every 2 s for as long as the step lasts (count 100 bounds it,
// as a step analysis must be), giving up after 2 errors in a row.
constexpr char kSuccessRateUntilOutageTemplate[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "success-rate-every-2s"},
  "spec": {
    "args": [{"name": "canary-hash"}, {"name": "prometheus"}],
    "metrics": [{
      "name": "success-rate", "initialDelay": "6s", "interval": "2s", "count": 100,
      "failureLimit": 0, "consecutiveErrorLimit": 2, "successCondition": "result[0] >= 0.95",
      "provider": {"prometheus": {"address": "{{args.prometheus}}",
        "query": "sum(rate(haproxy_server_http_responses_total{server=~\"web-{{args.canary-hash}}-.*\",code=\"2xx\"}[10s])) / sum(rate(haproxy_server_http_responses_total{server=~\"web-{{args.canary-hash}}-.*\"}[10s]))"}}
    }]
  }
})json";

// Given a healthy canary whose Prometheus analysis has Successful measurements, when Prometheus
// stops answering (its process is stopped), then each later measurement is an Error, and past
// consecutiveErrorLimit (the 3rd error in a row, 10 s apart) the run ends in Error naming the
// cause; the rollout aborts back to stable (Degraded, status.abort) and no request fails.
TEST_F(PrometheusAnalysisTest, APrometheusThatStopsAnsweringErrorsTheRunAndTheRolloutAborts) {
  ASSERT_TRUE(node_.Create(kTemplates, kSuccessRateUntilOutageTemplate).ok());
  AnalyseWith("success-rate-every-2s");
  if (HasFatalFailure()) return;
  LoadGenerator load(SteadyLoad());
  load.Start();
  Release("green", "0");

  // Given: the step analysis is Running with at least two Successful measurements.
  ASSERT_TRUE(Poll(
      [&] {
        const json::Value run = StepRun();
        return json::StringAt(run, {"status", "phase"}) == "Running" &&
               IntAt(FirstMetricResult(run), {"successful"}) >= 2;
      },
      seconds(120)))
      << Status() << json::WritePretty(StepRun()) << prometheus_->Log();
  const std::string run_name = At({"status", "canary", "currentStepAnalysisRunStatus", "name"});
  const std::string prometheus_host_port = "127.0.0.1:" + std::to_string(prometheus_->port());

  // When: Prometheus stops answering.
  prometheus_->Stop();

  // Then: errors accumulate one by one (consecutiveError 1, 2, 3) until the run completes.
  std::vector<int64_t> consecutive_errors_seen;
  json::Value run;
  ASSERT_TRUE(Poll(
      [&] {
        Result<json::Value> got = node_.Get(kRuns, run_name);
        if (!got.ok()) return false;
        run = *got;
        const int64_t errors = IntAt(FirstMetricResult(run), {"consecutiveError"});
        if (errors > 0 &&
            (consecutive_errors_seen.empty() || consecutive_errors_seen.back() != errors)) {
          consecutive_errors_seen.push_back(errors);
        }
        const std::string phase = json::StringAt(run, {"status", "phase"});
        return !phase.empty() && phase != "Running" && phase != "Pending";
      },
      seconds(120)))
      << json::WritePretty(run);
  EXPECT_EQ(consecutive_errors_seen, (std::vector<int64_t>{1, 2, 3})) << json::WritePretty(run);

  // The run: Error past consecutiveErrorLimit, its message naming the limit and the cause.
  EXPECT_EQ(json::StringAt(run, {"status", "phase"}), "Error") << json::WritePretty(run);
  const std::string message = json::StringAt(run, {"status", "message"});
  std::cout << "[ measured ] analysis run after the outage: " << message << "\n";
  EXPECT_NE(message.find("Metric \"success-rate\" assessed Error due to consecutiveErrors (3) > "
                         "consecutiveErrorLimit (2)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Error Message: "), std::string::npos) << message;
  EXPECT_NE(message.find(prometheus_host_port), std::string::npos)
      << "names the unreachable Prometheus: " << message;

  // The metric: Successful measurements, then the last three Error ones.
  const json::Value result = FirstMetricResult(run);
  EXPECT_EQ(json::StringAt(result, {"phase"}), "Error") << json::WritePretty(result);
  EXPECT_GE(IntAt(result, {"successful"}), 2) << json::WritePretty(result);
  EXPECT_EQ(IntAt(result, {"error"}), 3) << json::WritePretty(result);
  EXPECT_EQ(IntAt(result, {"consecutiveError"}), 3) << json::WritePretty(result);
  std::vector<std::string> phases;
  if (const json::Value* measurements = result.Find("measurements");
      measurements != nullptr && measurements->is_array()) {
    for (const json::Value& m : measurements->as_array()) {
      phases.push_back(json::StringAt(m, {"phase"}));
      if (phases.back() == "Error") {
        EXPECT_NE(json::StringAt(m, {"message"}).find(prometheus_host_port), std::string::npos)
            << json::WritePretty(m);
      }
    }
  }
  ASSERT_GE(phases.size(), 4u) << json::WritePretty(result);
  EXPECT_EQ(phases[phases.size() - 4], "Successful") << json::WritePretty(result);
  EXPECT_EQ(std::vector<std::string>(phases.end() - 3, phases.end()),
            (std::vector<std::string>{"Error", "Error", "Error"}))
      << json::WritePretty(result);

  // The rollout aborts: Degraded, status.abort, its message carrying the run's.
  ASSERT_TRUE(Poll(
      [&] {
        return At({"status", "phase"}) == "Degraded";
      },
      seconds(60)))
      << Status() << node_.log();
  Result<json::Value> rollout = node_.Get(kRollouts, "web");
  ASSERT_TRUE(rollout.ok()) << rollout.status();
  const json::Value* abort = rollout->Find("status")->Find("abort");
  EXPECT_TRUE(abort != nullptr && abort->is_bool() && abort->as_bool()) << Status();
  EXPECT_NE(At({"status", "message"}).find("Step-based analysis phase error"), std::string::npos)
      << At({"status", "message"});

  // Back on stable: every answer blue; no request failed, during the release or after.
  ExpectServedOnlyBy("blue", 500);
  load.Stop();
  std::cout << "[ measured ] healthy canary whose Prometheus stopped: " << load.Counts().Summary()
            << "\n";
  EXPECT_EQ(load.Counts().failed, 0) << load.Counts().Summary();
}

}  // namespace
}  // namespace devflow
