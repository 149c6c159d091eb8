// §5.2 step 5 and §5.3: the run's phase, message, summaries and events from its metrics.
#include "analysis/run_assessment.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::At;
using run_testing::Finished;
using run_testing::InFlight;
using run_testing::MakeMetric;
using run_testing::MetricFields;
using run_testing::MetricResultOf;
using run_testing::TimeAt;
namespace phase = api::analysis_phase;

api::MetricResult DryRun(api::MetricResult r) {
  r.dry_run = true;
  return r;
}

struct RunShape {
  std::vector<api::Metric> metrics;
  std::vector<api::MetricResult> results;
  bool terminate = false;
  std::vector<api::DryRun> dry_run = {};
};

api::AnalysisRun MakeRun(const RunShape& shape) {
  api::AnalysisRun run;
  run.spec.metrics = shape.metrics;
  run.spec.terminate = shape.terminate;
  run.spec.dry_run = shape.dry_run;
  run.status.metric_results = shape.results;
  run.status.started_at = TimeAt(0);
  return run;
}

RunAssessment Assess(const api::AnalysisRun& run, int now) {
  Result<std::vector<MetricSettings>> settings = ParseRunMetrics(run.spec.metrics);
  Result<MetricRules> rules = ResolveMetricRules(run.spec.metrics, run.spec.dry_run, {});
  EXPECT_TRUE(settings.ok() && rules.ok());
  return AssessRun(run, *settings, *rules, At(now));
}

AnalysisEvent Normal(std::string reason, std::string message) {
  return {"Normal", std::move(reason), std::move(message)};
}
AnalysisEvent Warning(std::string reason, std::string message) {
  return {"Warning", std::move(reason), std::move(message)};
}

const MetricFields kThree = {.interval = "10s", .count = 3};

struct Want {
  std::string phase;
  std::string message;
  std::vector<std::string> metric_phases;  // in status order
  api::RunSummary run_summary;
  api::RunSummary dry_run_summary;
  std::vector<AnalysisEvent> events;
};

TEST(AssessRunTest, GivenMetricResultsWhenTheRunIsAssessedThenPhaseMessageSummariesAndEvents) {
  struct Row {
    std::string name;
    RunShape run;
    Want want;
  };
  const std::vector<Row> rows = {
      {"a metric still measuring: running",
       {{MakeMetric("a", kThree)},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       {"Running", "", {"Running"}, {1, 0, 0, 0, 0}, {}, {}}},
      {"all successful",
       {{MakeMetric("a", {})},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       {"Successful",
        "",
        {"Successful"},
        {1, 1, 0, 0, 0},
        {},
        {Normal("MetricSuccessful", "Metric 'a' Completed. Result: Successful"),
         Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
      {"failure limit exceeded",
       {{MakeMetric("a", kThree)},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kFailed, 0)}, {.failed = 1})}},
       {"Failed",
        "Metric \"a\" assessed Failed due to failed (1) > failureLimit (0)",
        {"Failed"},
        {1, 0, 1, 0, 0},
        {},
        {Warning("MetricFailed", "Metric 'a' Completed. Result: Failed"),
         Warning("AnalysisRunFailed", "Analysis Completed. Result: Failed")}}},
      {"consecutive errors, with the last error's message",
       {{MakeMetric("a", kThree)},
        {MetricResultOf("a", phase::kRunning,
                        {Finished(phase::kError, 0, "dial tcp: connection refused")},
                        {.error = 5, .consecutive_error = 5})}},
       {"Error",
        "Metric \"a\" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "
        "\"Error Message: dial tcp: connection refused\"",
        {"Error"},
        {1, 0, 0, 0, 1},
        {},
        {Warning("MetricError", "Metric 'a' Completed. Result: Error"),
         Warning("AnalysisRunError", "Analysis Completed. Result: Error")}}},
      {"inconclusive is a normal event",
       {{MakeMetric("a", kThree)},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kInconclusive, 0)},
                        {.inconclusive = 1})}},
       {"Inconclusive",
        "Metric \"a\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)",
        {"Inconclusive"},
        {1, 0, 0, 1, 0},
        {},
        {Normal("MetricInconclusive", "Metric 'a' Completed. Result: Inconclusive"),
         Normal("AnalysisRunInconclusive", "Analysis Completed. Result: Inconclusive")}}},
      {"a metric fails while another measures: still running this pass",
       {{MakeMetric("a", kThree), MakeMetric("b", kThree)},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kFailed, 0)}, {.failed = 1}),
         MetricResultOf("b", phase::kRunning, {InFlight(0)})}},
       {"Running",
        "",
        {"Failed", "Running"},
        {2, 0, 1, 0, 0},
        {},
        {Warning("MetricFailed", "Metric 'a' Completed. Result: Failed")}}},
      {"a failed metric terminates the run: others end successful",
       {{MakeMetric("a", kThree), MakeMetric("b", kThree)},
        {MetricResultOf("a", phase::kFailed, {Finished(phase::kFailed, 0)}, {.failed = 1}),
         MetricResultOf("b", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       {"Failed",
        "Metric \"a\" assessed Failed due to failed (1) > failureLimit (0)",
        {"Failed", "Successful"},
        {2, 1, 1, 0, 0},
        {},
        {Normal("MetricSuccessful", "Metric 'b' Completed. Result: Successful"),
         Warning("AnalysisRunFailed", "Analysis Completed. Result: Failed")}}},
      {"the worst phase wins: Failed > Error > Inconclusive",
       {{MakeMetric("i", kThree), MakeMetric("e", kThree), MakeMetric("f", kThree)},
        {MetricResultOf("i", phase::kInconclusive, {Finished(phase::kInconclusive, 0)},
                        {.inconclusive = 1}),
         MetricResultOf("e", phase::kError, {Finished(phase::kError, 0)},
                        {.error = 5, .consecutive_error = 5}),
         MetricResultOf("f", phase::kFailed, {Finished(phase::kFailed, 0)}, {.failed = 1})}},
       {"Failed",
        "Metric \"f\" assessed Failed due to failed (1) > failureLimit (0)",
        {"Inconclusive", "Error", "Failed"},
        {3, 0, 1, 1, 1},
        {},
        {Warning("AnalysisRunFailed", "Analysis Completed. Result: Failed")}}},
      {"Error beats Inconclusive",
       {{MakeMetric("i", kThree), MakeMetric("e", kThree)},
        {MetricResultOf("i", phase::kInconclusive, {Finished(phase::kInconclusive, 0)},
                        {.inconclusive = 1}),
         MetricResultOf("e", phase::kError, {Finished(phase::kError, 0)},
                        {.error = 5, .consecutive_error = 5})}},
       {"Error",
        "Metric \"e\" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)",
        {"Inconclusive", "Error"},
        {2, 0, 0, 1, 1},
        {},
        {Warning("AnalysisRunError", "Analysis Completed. Result: Error")}}},
      {"equally bad: the first metric names the message",
       {{MakeMetric("a", kThree), MakeMetric("b", kThree)},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kFailed, 0)}, {.failed = 1}),
         MetricResultOf("b", phase::kRunning, {Finished(phase::kFailed, 0)}, {.failed = 1})}},
       {"Failed",
        "Metric \"a\" assessed Failed due to failed (1) > failureLimit (0)",
        {"Failed", "Failed"},
        {2, 0, 2, 0, 0},
        {},
        {Warning("MetricFailed", "Metric 'a' Completed. Result: Failed"),
         Warning("MetricFailed", "Metric 'b' Completed. Result: Failed"),
         Warning("AnalysisRunFailed", "Analysis Completed. Result: Failed")}}},
      {"a dry-run failure neither fails nor terminates the run",
       {{MakeMetric("a", kThree), MakeMetric("b", {})},
        {DryRun(MetricResultOf("a", phase::kFailed, {Finished(phase::kFailed, 0)}, {.failed = 1})),
         MetricResultOf("b", phase::kRunning, {InFlight(0)})},
        false,
        {{"^a$"}}},
       {"Running", "", {"Failed", "Running"}, {1, 0, 0, 0, 0}, {1, 0, 1, 0, 0}, {}}},
      {"a dry-run metric's breach is its own message; the run succeeds",
       {{MakeMetric("a", kThree), MakeMetric("b", {})},
        {DryRun(MetricResultOf("a", phase::kRunning, {Finished(phase::kFailed, 0)}, {.failed = 1})),
         MetricResultOf("b", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})},
        false,
        {{"^a$"}}},
       {"Successful",
        "",
        {"Failed", "Successful"},
        {1, 1, 0, 0, 0},
        {1, 0, 1, 0, 0},
        {Warning("MetricFailed", "Metric 'a' Completed. Result: Failed"),
         Normal("MetricSuccessful", "Metric 'b' Completed. Result: Successful"),
         Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
      {"only dry-run metrics, all failed: successful",
       {{MakeMetric("a", {})},
        {DryRun(MetricResultOf("a", phase::kFailed, {Finished(phase::kFailed, 0)}, {.failed = 1}))},
        false,
        {{".*"}}},
       {"Successful",
        "",
        {"Failed"},
        {0, 0, 0, 0, 0},
        {1, 0, 1, 0, 0},
        {Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
      {"a metric not measured yet keeps the run running",
       {{MakeMetric("a", {}), MakeMetric("b", {.initial_delay = "1m"})},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       {"Running",
        "",
        {"Successful"},
        {2, 1, 0, 0, 0},
        {},
        {Normal("MetricSuccessful", "Metric 'a' Completed. Result: Successful")}}},
      {"terminate with nothing completed: successful, Run Terminated",
       {{MakeMetric("a", {.initial_delay = "1h"}), MakeMetric("b", {.interval = "10s"})},
        {MetricResultOf("b", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})},
        true},
       {"Successful",
        "Run Terminated",
        {"Successful"},
        {2, 1, 0, 0, 0},
        {},
        {Normal("MetricSuccessful", "Metric 'b' Completed. Result: Successful"),
         Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
      {"terminate while a measurement is in flight: completes anyway",
       {{MakeMetric("a", kThree)}, {MetricResultOf("a", phase::kRunning, {InFlight(0)})}, true},
       {"Successful",
        "Run Terminated",
        {"Running"},
        {1, 0, 0, 0, 0},
        {},
        {Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
      {"terminate keeps the worst result and its message",
       {{MakeMetric("a", kThree)},
        {MetricResultOf("a", phase::kRunning,
                        {Finished(phase::kInconclusive, 0, "Metric Terminated")},
                        {.inconclusive = 1})},
        true},
       {"Inconclusive",
        "Metric \"a\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): "
        "\"Error Message: Metric Terminated\"",
        {"Inconclusive"},
        {1, 0, 0, 1, 0},
        {},
        {Normal("MetricInconclusive", "Metric 'a' Completed. Result: Inconclusive"),
         Normal("AnalysisRunInconclusive", "Analysis Completed. Result: Inconclusive")}}},
      {"a successful worst result under terminate keeps Run Terminated",
       {{MakeMetric("a", {})},
        {MetricResultOf("a", phase::kSuccessful, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})},
        true},
       {"Successful",
        "Run Terminated",
        {"Successful"},
        {1, 1, 0, 0, 0},
        {},
        {Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}}},
  };
  for (const Row& row : rows) {
    const api::AnalysisRun run = MakeRun(row.run);
    const RunAssessment got = Assess(run, 100);
    EXPECT_EQ(got.status.phase, row.want.phase) << row.name;
    EXPECT_EQ(got.status.message, row.want.message) << row.name;
    std::vector<std::string> phases;
    for (const api::MetricResult& r : got.status.metric_results) phases.push_back(r.phase);
    EXPECT_EQ(phases, row.want.metric_phases) << row.name;
    EXPECT_EQ(got.status.run_summary, row.want.run_summary) << row.name;
    EXPECT_EQ(got.status.dry_run_summary, std::optional(row.want.dry_run_summary)) << row.name;
    EXPECT_EQ(got.events, row.want.events) << row.name;
    const bool completed = api::IsCompletedPhase(row.want.phase);
    EXPECT_EQ(got.status.completed_at, completed ? std::optional(TimeAt(100)) : std::nullopt)
        << row.name;
  }
}

TEST(AssessRunTest, GivenAMetricThatCompletesWhenAssessedThenItTakesItsLastMeasurementsMessage) {
  api::AnalysisRun run =
      MakeRun({{MakeMetric("a", kThree), MakeMetric("d", kThree)},
               {MetricResultOf("a", phase::kRunning, {Finished(phase::kError, 0, "timeout")},
                               {.error = 5, .consecutive_error = 5}),
                DryRun(MetricResultOf("d", phase::kRunning, {Finished(phase::kFailed, 0, "low")},
                                      {.failed = 1}))},
               false,
               {{"d"}}});
  const RunAssessment got = Assess(run, 100);
  ASSERT_EQ(got.status.metric_results.size(), 2u);
  EXPECT_EQ(got.status.metric_results[0].message, "timeout");
  EXPECT_EQ(got.status.metric_results[1].message,
            "Metric assessed Failed due to failed (1) > failureLimit (0)");
}

TEST(AssessRunTest, GivenRunTimesWhenAssessedThenStartedAtIsSetOnceAndCompletedAtKept) {
  api::AnalysisRun run = MakeRun({{MakeMetric("a", kThree)}, {}});
  run.status.started_at.reset();
  RunAssessment first = Assess(run, 7);
  EXPECT_EQ(first.status.started_at, std::optional(TimeAt(7)));
  EXPECT_EQ(first.status.phase, "Running");
  EXPECT_EQ(first.status.metric_results.size(), 0u);

  run.status.started_at = TimeAt(3);
  EXPECT_EQ(Assess(run, 9).status.started_at, std::optional(TimeAt(3)));

  // Phase unchanged: no event and the message stays.
  run.status.phase = "Running";
  run.status.message = "kept";
  RunAssessment same = Assess(run, 9);
  EXPECT_EQ(same.status.message, "kept");
  EXPECT_TRUE(same.events.empty());

  // Sub-second times are truncated, as metav1.Time stores them.
  run.status.started_at.reset();
  EXPECT_EQ(Assess(run, 9).status.started_at, std::optional(TimeAt(9)));
  EXPECT_EQ(
      AssessRun(run, *ParseRunMetrics(run.spec.metrics), {}, At(9) + std::chrono::milliseconds(700))
          .status.started_at,
      std::optional(TimeAt(9)));
}

TEST(IsWorsePhaseTest, GivenTwoPhasesWhenComparedThenArgosOrderDecides) {
  const std::vector<std::string> order = {"Successful",   "Running", "Pending",
                                          "Inconclusive", "Error",   "Failed"};
  for (size_t i = 0; i < order.size(); ++i) {
    for (size_t j = 0; j < order.size(); ++j) {
      EXPECT_EQ(IsWorsePhase(order[i], order[j]), j > i) << order[i] << " vs " << order[j];
    }
  }
}

TEST(IsTerminatingTest, GivenARunWhenAskedThenTerminateOrACompletedBadMetricTerminates) {
  struct Row {
    std::string name;
    bool terminate;
    std::vector<api::MetricResult> results;
    bool want;
  };
  const std::vector<Row> rows = {
      {"nothing", false, {MetricResultOf("a", phase::kRunning, {})}, false},
      {"spec.terminate", true, {}, true},
      {"a successful metric", false, {MetricResultOf("a", phase::kSuccessful, {})}, false},
      {"a failed metric", false, {MetricResultOf("a", phase::kFailed, {})}, true},
      {"an error metric", false, {MetricResultOf("a", phase::kError, {})}, true},
      {"an inconclusive metric", false, {MetricResultOf("a", phase::kInconclusive, {})}, true},
      {"a failed dry-run metric", false, {DryRun(MetricResultOf("a", phase::kFailed, {}))}, false},
  };
  for (const Row& row : rows) {
    api::AnalysisRun run;
    run.spec.terminate = row.terminate;
    run.status.metric_results = row.results;
    EXPECT_EQ(IsTerminating(run), row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis
