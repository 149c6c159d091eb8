// Seed 001's A/B test on one machine (issue 6): a canary whose experiment step starts a fresh
// baseline (the stable's pod template, specRef stable) beside a copy of the new version (specRef
// canary), sends each 20% of the traffic through the HTTPRoute, and lets the statistical judge
// compare their latencies, read by a real Prometheus 2.42 from HAProxy's per-server series. Both
// sides start together, so both are equally warm. A new version as fast as the old one passes
// the judge and the rollout completes; one twice as slow fails it and the rollout aborts back to
// all-stable. No request of the steady load fails either way.
//
// Waits are polls with generous deadlines; nothing asserts how long a step takes.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "analysis/providers/prometheus_client.h"
#include "common/json_value.h"
#include "load_generator.h"
#include "node_under_test.h"
#include "release_fixture.h"

namespace devflow {
namespace {

using analysis::providers::PrometheusClient;
using analysis::providers::PrometheusQueryResult;
using std::chrono::seconds;
using testing::DemoContainer;
using testing::Fill;
using testing::FirstMetricResult;
using testing::LoadCounts;
using testing::LoadGenerator;
using testing::Poll;

const kube::ResourceRef& kRollouts = testing::kRolloutsResource;
const kube::ResourceRef& kRuns = testing::kAnalysisRunsResource;
const kube::ResourceRef& kExperiments = testing::kExperimentsResource;

// The latency the judge compares: the mean response time HAProxy reports for the servers (the
// pods) of a side's ReplicaSet, `${scope}`. HAProxy 2.6 computes that mean as the sum of its
// server's last 1,024 response times divided by 1,024, so it climbs from 0 while the server
// answers its first 1,024 requests: only points of servers past that count are judged.
constexpr char kLatencyQuery[] =
    "avg(haproxy_server_response_time_average_seconds{server=~\"${scope}-.*\"}"
    " and on (proxy, server)"
    " (sum by (proxy, server) (haproxy_server_http_responses_total{server=~\"${scope}-.*\"})"
    " >= 1024))";

// The judge over that one metric, once, over the last 30 s at a 2 s step (about 15 points a
// side), taken 50 s after the experiment's pods are available: each side's pod answers its
// 1,024th request some 15 s into the load below. The effect size asks for a 1.5x mean ratio
// before a significant increase counts as High: HAProxy reports whole milliseconds, so two
// identical versions at 20 ms may read a steady 20 and 21 ms, a shift the test alone would call
// significant.
constexpr char kJudgeTemplate[] = R"json({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
  "metadata": {"name": "judge-latency"},
  "spec": {
    "args": [{"name": "baseline-rs"}, {"name": "canary-rs"}, {"name": "prometheus"}],
    "metrics": [{
      "name": "judge", "initialDelay": "50s", "count": 1, "failureLimit": 0,
      "provider": {"judge": {
        "address": "{{args.prometheus}}",
        "canaryScope": "{{args.canary-rs}}", "baselineScope": "{{args.baseline-rs}}",
        "lookback": "30s", "step": "2s", "timeout": 10,
        "metrics": [{"name": "mean-latency", "direction": "increase", "mustHaveData": true,
                     "query": @QUERY@, "effectSize": {"allowedIncrease": 1.5}}]
      }}
    }]
  }
})json";

// setWeight 20, then the experiment: a baseline from the stable ReplicaSet and a canary from the
// new one, 20% of the traffic each while it runs, judged by "judge-latency"; it completes when
// the judge has (requiredForCompletion), well before its 3 minutes.
constexpr char kSteps[] = R"json([{"setWeight": 20},
  {"experiment": {"duration": "3m",
    "templates": [{"name": "baseline", "specRef": "stable", "weight": 20},
                  {"name": "canary", "specRef": "canary", "weight": 20}],
    "analyses": [{"name": "judge", "templateName": "judge-latency", "requiredForCompletion": true,
                  "args": [{"name": "baseline-rs",
                            "value": "{{templates.baseline.replicaset.name}}"},
                           {"name": "canary-rs", "value": "{{templates.canary.replicaset.name}}"},
                           {"name": "prometheus", "value": "@PROMETHEUS@"}]}]}},
  {"setWeight": 100}])json";

// The demo app as version `tag`, answering each request after `latency_ms`.
std::string Container(const std::string& tag, int latency_ms) {
  return DemoContainer(tag, {"--latency-ms", std::to_string(latency_ms)});
}

constexpr int kStableLatencyMs = 20;

// What one running experiment template looked like.
struct TemplateSeen {
  std::string replica_set;
  std::vector<std::string> pods;  // "<name> <image> <args>"
  int64_t answers = 0;            // HAProxy's count of its servers' answers
};

class ExperimentReleaseTest : public testing::ReleaseTest {
 protected:
  void SetUp() override {
    StartRelease({Fill(kJudgeTemplate, {{"QUERY", json::Write(json::Value(kLatencyQuery))}})},
                 testing::CanaryRolloutJson(Container("blue", kStableLatencyMs), "[]"), "blue");
    if (HasFatalFailure()) return;
    StartPrometheus();
    if (HasFatalFailure() || IsSkipped()) return;
    // The steps name Prometheus, which scrapes the HAProxy that serve starts: so they come now.
    Result<json::Value> patched =
        node_.Patch(kRollouts, "web",
                    Fill(R"({"spec": {"strategy": {"canary": {"steps": @STEPS@}}}})",
                         {{"STEPS", Fill(kSteps, {{"PROMETHEUS", prometheus_->address()}})}}));
    ASSERT_TRUE(patched.ok()) << patched.status();
    Result<std::unique_ptr<PrometheusClient>> client =
        PrometheusClient::Create({.address = prometheus_->address()});
    ASSERT_TRUE(client.ok()) << client.error();
    prometheus_client_ = std::move(client).value();
  }

  // The Experiment `name` as stored ({} when unreadable).
  json::Value Experiment(const std::string& name) {
    Result<json::Value> experiment = node_.Get(kExperiments, name);
    return experiment.ok() ? *experiment : json::Value();
  }

  // The value of the instant query `query` now (its first series); -1 when it has none.
  double QueryNow(const std::string& query) {
    Result<PrometheusQueryResult> result = prometheus_client_->Query(
        query,
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    if (!result.ok() || result->series.empty() || result->series[0].samples.empty()) return -1;
    return result->series[0].samples.back().value;
  }

  // The points the judge reads for the pods of `replica_set` (kLatencyQuery) over the last
  // minute at its 2 s step, in whole milliseconds: "21 points: 20 20 21 ...".
  std::string LatencySeries(const std::string& replica_set) {
    std::string query = kLatencyQuery;
    for (size_t at = query.find("${scope}"); at != std::string::npos;
         at = query.find("${scope}", at)) {
      query.replace(at, 8, replica_set);
    }
    const auto now =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    Result<PrometheusQueryResult> result = prometheus_client_->QueryRange(
        query, {.start = now - seconds(60), .end = now, .step = seconds(2)});
    if (!result.ok()) return result.error().ToString();
    if (result->series.empty()) return "no points";
    std::string text = std::to_string(result->series[0].samples.size()) + " points:";
    for (const analysis::providers::PrometheusSample& sample : result->series[0].samples) {
      text += " " + std::to_string(std::llround(sample.value * 1000));
    }
    return text;
  }

  // 400 requests/s over 16 connections: enough connections that the 40 ms version does not
  // hold the rate back, so each experiment pod (20%) answers about 80 requests/s.
  testing::LoadOptions ExperimentLoad() const {
    testing::LoadOptions load = gateway_;
    load.rate = 400;
    load.connections = 16;
    return load;
  }

  // The experiment template `name` of `experiment` once its ReplicaSet's pods have each
  // answered at least 100 requests through HAProxy (Prometheus' reading).
  TemplateSeen AwaitTemplateServing(const std::string& experiment, const std::string& name) {
    TemplateSeen seen;
    seen.replica_set = experiment + "-" + name;
    const std::string answers =
        "sum(haproxy_server_http_responses_total{server=~\"" + seen.replica_set + "-.*\"})";
    EXPECT_TRUE(Poll([&] { return QueryNow(answers) >= 100; }, seconds(60)))
        << answers << " = " << QueryNow(answers) << "\n"
        << json::WritePretty(Experiment(experiment)) << Status();
    seen.answers = std::llround(QueryNow(answers));
    for (const json::Value& pod : node_.Pods("app=web")) {
      const std::string pod_name = testing::NameOf(pod);
      if (pod_name.rfind(seen.replica_set + "-", 0) != 0) continue;
      const json::Value* spec = pod.Find("spec");
      const json::Value* containers = spec != nullptr ? spec->Find("containers") : nullptr;
      if (containers == nullptr || !containers->is_array() || containers->as_array().empty()) {
        continue;
      }
      const json::Value& container = containers->as_array()[0];
      const json::Value* args = container.Find("args");
      seen.pods.push_back(pod_name + " " + json::StringAt(container, {"image"}) + " " +
                          (args != nullptr ? json::Write(*args) : "[]"));
    }
    return seen;
  }

  // Releases green at `latency_ms` under steady load and follows the experiment step until its
  // Experiment has ended: checks, while it runs, that its baseline runs blue at the stable's
  // latency and its canary green at `latency_ms`, each with one pod answering requests. Returns
  // the Experiment's name ("" after a fatal failure).
  std::string ReleaseThroughTheExperiment(int latency_ms) {
    Release(Container("green", latency_ms));
    std::string name;
    EXPECT_TRUE(Poll(
        [&] {
          name = At({"status", "canary", "currentExperiment"});
          return !name.empty() &&
                 json::StringAt(Experiment(name), {"status", "phase"}) == "Running";
        },
        seconds(90)))
        << Status() << node_.log();
    if (name.empty()) return name;

    const TemplateSeen baseline = AwaitTemplateServing(name, "baseline");
    const TemplateSeen canary = AwaitTemplateServing(name, "canary");
    const auto expected_pod = [](const std::string& tag, int latency) {
      return " rollouts-demo:" + tag +
             " [\"--color\",\"$(DEVFLOW_IMAGE_TAG)\",\"--latency-ms\",\"" +
             std::to_string(latency) + "\"]";
    };
    for (const TemplateSeen* seen : {&baseline, &canary}) {
      std::cout << "[ measured ] experiment template " << seen->replica_set << ": " << seen->answers
                << " answers; pods:";
      for (const std::string& pod : seen->pods) std::cout << " " << pod;
      std::cout << "\n";
    }
    EXPECT_TRUE(node_.Get(testing::kReplicaSetsResource, baseline.replica_set).ok());
    EXPECT_TRUE(node_.Get(testing::kReplicaSetsResource, canary.replica_set).ok());
    EXPECT_EQ(baseline.pods.size(), 1u);
    EXPECT_EQ(canary.pods.size(), 1u);
    for (const std::string& pod : baseline.pods) {
      EXPECT_NE(pod.find(expected_pod("blue", kStableLatencyMs)), std::string::npos) << pod;
    }
    for (const std::string& pod : canary.pods) {
      EXPECT_NE(pod.find(expected_pod("green", latency_ms)), std::string::npos) << pod;
    }

    EXPECT_TRUE(Poll(
        [&] {
          const std::string phase = json::StringAt(Experiment(name), {"status", "phase"});
          return phase != "Running" && phase != "Pending" && !phase.empty();
        },
        seconds(180)))
        << json::WritePretty(Experiment(name)) << Status();
    for (const TemplateSeen* seen : {&baseline, &canary}) {
      std::cout << "[ measured ] " << seen->replica_set
                << " latency (ms) over the last minute: " << LatencySeries(seen->replica_set)
                << "\n";
    }
    return name;
  }

  // The judge's AnalysisRun of `experiment` ("<experiment>-judge"), printed.
  json::Value JudgeRun(const std::string& experiment) {
    Result<json::Value> run = node_.Get(kRuns, experiment + "-judge");
    if (!run.ok()) return json::Value();
    const json::Value result = FirstMetricResult(*run);
    if (const json::Value* measurements = result.Find("measurements");
        measurements != nullptr && measurements->is_array()) {
      for (const json::Value& m : measurements->as_array()) {
        std::cout << "[ measured ] judge: " << json::StringAt(m, {"phase"}) << ", "
                  << json::StringAt(m, {"message"}) << "\n             value "
                  << json::StringAt(m, {"value"}) << "\n";
      }
    }
    return *run;
  }

  std::unique_ptr<PrometheusClient> prometheus_client_;
};

// Given blue at 20 ms under steady load, when green is released at the same 20 ms, then the
// experiment runs a fresh blue baseline and a green canary side by side, each answering its
// share of requests; the judge finds no difference in latency, the Experiment is Successful,
// and the rollout completes with every answer green and no request failed.
TEST_F(ExperimentReleaseTest, AVersionAsFastAsTheBaselinePassesTheJudgeAndCompletes) {
  LoadGenerator load(ExperimentLoad());
  load.Start();
  const std::string blue = At({"status", "stableRS"});

  const std::string experiment = ReleaseThroughTheExperiment(kStableLatencyMs);
  ASSERT_FALSE(experiment.empty());
  EXPECT_EQ(json::StringAt(Experiment(experiment), {"status", "phase"}), "Successful")
      << json::WritePretty(Experiment(experiment));
  const json::Value run = JudgeRun(experiment);
  EXPECT_EQ(json::StringAt(run, {"status", "phase"}), "Successful") << json::WritePretty(run);

  ASSERT_TRUE(Poll([&] { return Promoted(blue); }, seconds(90))) << Status() << node_.log();
  // The router drops the other weights one reconcile after promotion (docs/architecture.md).
  ExpectServedOnlyBy("green", 400);
  load.Stop();
  std::cout << "[ measured ] release judged against a fresh baseline: " << load.Counts().Summary()
            << "\n";
  EXPECT_EQ(load.Counts().failed, 0) << load.Counts().Summary();
}

// Given blue at 20 ms under steady load, when green is released at 40 ms, then the experiment's
// green canary answers twice as slowly as its fresh blue baseline; the judge classifies the
// latency High and fails, the Experiment is Failed, and the rollout aborts: Degraded, every
// answer blue again, and no request failed.
TEST_F(ExperimentReleaseTest, AVersionTwiceAsSlowFailsTheJudgeAndTheRolloutAbortsToStable) {
  LoadGenerator load(ExperimentLoad());
  load.Start();

  const std::string experiment = ReleaseThroughTheExperiment(2 * kStableLatencyMs);
  ASSERT_FALSE(experiment.empty());
  EXPECT_EQ(json::StringAt(Experiment(experiment), {"status", "phase"}), "Failed")
      << json::WritePretty(Experiment(experiment));
  const json::Value run = JudgeRun(experiment);
  EXPECT_EQ(json::StringAt(run, {"status", "phase"}), "Failed") << json::WritePretty(run);
  EXPECT_NE(json::StringAt(FirstMetricResult(run), {"message"}).find("mean-latency: High"),
            std::string::npos)
      << json::WritePretty(run);

  ASSERT_TRUE(Poll(
      [&] {
        return At({"status", "phase"}) == "Degraded";
      },
      seconds(60)))
      << Status() << node_.log();
  EXPECT_NE(At({"status", "message"}).find("Experiment analysis phase is failed"),
            std::string::npos)
      << At({"status", "message"});
  ExpectServedOnlyBy("blue", 500);
  load.Stop();
  std::cout << "[ measured ] release judged against a fresh baseline, twice as slow: "
            << load.Counts().Summary() << "\n";
  EXPECT_EQ(load.Counts().failed, 0) << load.Counts().Summary();
}

}  // namespace
}  // namespace devflow
