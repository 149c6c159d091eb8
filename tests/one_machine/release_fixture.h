// ReleaseTest: the fixture of the one-machine release tests that check themselves (analysis
// steps, experiment steps): the real `devflow serve` (NodeUnderTest) with the canary front door
// (CreateCanaryFrontDoor: Services web-stable and web-canary, a Gateway, the HTTPRoute "web"),
// the demo app as the Rollout "web"'s pods, readers of the Rollout's status, a steady load and
// samples through the Gateway, and optionally a real Prometheus 2.42 scraping HAProxy's
// exporter (the one the runtime records in <data_dir>/haproxy/instance.json).
//
// Cleanup: Prometheus is stopped first, then the node (serve, `devflow down`), also when a test
// fails half-way.
//
// Thread-safety: the test's thread only.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/providers/prometheus_testing.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "load_generator.h"
#include "node_under_test.h"

namespace devflow::testing {

inline const kube::ResourceRef kRolloutsResource{"argoproj.io", "v1alpha1", "rollouts", "Rollout",
                                                 true};
inline const kube::ResourceRef kAnalysisTemplatesResource{
    "argoproj.io", "v1alpha1", "analysistemplates", "AnalysisTemplate", true};
inline const kube::ResourceRef kAnalysisRunsResource{"argoproj.io", "v1alpha1", "analysisruns",
                                                     "AnalysisRun", true};
inline const kube::ResourceRef kExperimentsResource{"argoproj.io", "v1alpha1", "experiments",
                                                    "Experiment", true};

// The JSON of the container "app": the demo app (DEVFLOW_DEMO_APP) as image
// rollouts-demo:<tag>, answering <tag> as its colour, with `flags` appended to its arguments
// (e.g. {"--error-rate", "0.3"}), ready once /healthz answers.
std::string DemoContainer(const std::string& tag, const std::vector<std::string>& flags);

// The JSON of the Rollout "web": 2 replicas labelled app=web running `container`, a canary
// through the HTTPRoute "web" (the argoproj-labs/gatewayAPI plugin) with Services web-canary and
// web-stable, 5 s scale-down delays, and `steps` (a JSON array) as its steps.
std::string CanaryRolloutJson(const std::string& container, std::string_view steps);

// The integer at `path` of `value`; 0 when absent (the codecs omit zero counters).
int64_t IntAt(const json::Value& value, std::initializer_list<std::string_view> path);
// An AnalysisRun's first metric result ({} before there is one).
json::Value FirstMetricResult(const json::Value& run);

class ReleaseTest : public ::testing::Test {
 protected:
  void TearDown() override { prometheus_.reset(); }

  // Starts serve and the front door, creates each of `analysis_templates` (JSON texts) and then
  // `rollout` (JSON text of the Rollout "web"), and waits until the Rollout is Healthy and the
  // Gateway answers `color`. Fails the test (fatally) otherwise.
  void StartRelease(const std::vector<std::string>& analysis_templates, const std::string& rollout,
                    const std::string& color);
  // Starts a real Prometheus scraping HAProxy's exporter into prometheus_. Skips the test when
  // /usr/bin/prometheus is absent (IsSkipped() afterwards); fails it when Prometheus does not
  // start. REQUIRES: StartRelease succeeded.
  void StartPrometheus();

  // The Rollout "web" as pretty JSON (or the error reading it), for failure messages.
  std::string Status();
  // The string at `path` of the Rollout "web" ("" when absent or unreadable).
  std::string At(std::initializer_list<std::string_view> path);
  // Releases a new version, as `devflow set image` would: the Rollout's container becomes
  // `container` (JSON text).
  void Release(const std::string& container);
  // The current step's AnalysisRun as stored ({} before the Rollout names one).
  json::Value StepRun();

  // 200 requests/s over 2 connections through the Gateway, for LoadGenerator.
  LoadOptions SteadyLoad() const;
  // `requests` requests through the Gateway (500/s over 2 connections), counted by colour.
  LoadCounts Sample(int requests);
  // The release is over: Healthy, with a stable ReplicaSet other than `old_stable` that is the
  // current one.
  bool Promoted(const std::string& old_stable);
  // Every answer is `color` now: waits (30 s: HAProxy takes a route's new weights a moment after
  // the status changes) until 100 sampled answers are all `color`, then checks that `requests`
  // more are, none failed. Returns that sample (empty when the wait failed).
  LoadCounts ExpectServedOnlyBy(const std::string& color, int requests);

  NodeUnderTest node_;
  LoadOptions gateway_;  // the Gateway's address
  // Set by StartPrometheus.
  std::unique_ptr<analysis::providers::testing::PrometheusProcess> prometheus_;
};

}  // namespace devflow::testing
