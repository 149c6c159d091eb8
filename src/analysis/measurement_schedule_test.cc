// §5.2 steps 2 and 7: which metric is measured, resumed or terminated now, and when to come
// back. Each row is one rule; the boundary rows show due times are inclusive.
#include "analysis/measurement_schedule.h"

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

struct RunShape {
  std::vector<api::Metric> metrics;
  std::vector<api::MetricResult> results;
  std::optional<int> started_at = 0;  // seconds; nullopt: not started
};

api::AnalysisRun MakeRun(const RunShape& shape) {
  api::AnalysisRun run;
  run.spec.metrics = shape.metrics;
  run.status.metric_results = shape.results;
  if (shape.started_at) run.status.started_at = TimeAt(*shape.started_at);
  return run;
}

std::vector<MetricSettings> Settings(const api::AnalysisRun& run) {
  Result<std::vector<MetricSettings>> s = ParseRunMetrics(run.spec.metrics);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::vector<MetricSettings>();
}

MeasurementTask Measure(std::string name) {
  return {std::move(name), MeasurementAction::kMeasure, std::nullopt};
}
MeasurementTask Resume(std::string name, api::Measurement m) {
  return {std::move(name), MeasurementAction::kResume, std::move(m)};
}
MeasurementTask Terminate(std::string name, api::Measurement m) {
  return {std::move(name), MeasurementAction::kTerminate, std::move(m)};
}

const MetricFields kEvery30s = {.interval = "30s", .count = 3};

TEST(ScheduleMeasurementsTest, GivenARunWhenScheduledThenEachMetricGetsItsTask) {
  struct Row {
    std::string name;
    RunShape run;
    bool terminating;
    int now;
    std::vector<MeasurementTask> want;
  };
  const api::Measurement in_flight = InFlight(0, 20);
  const api::Measurement in_flight_no_resume = InFlight(0);
  const std::vector<Row> rows = {
      {"never measured: measure at once", {{MakeMetric("m", {})}, {}}, false, 0, {Measure("m")}},
      {"initialDelay waits for startedAt",
       {{MakeMetric("m", {.initial_delay = "30s"})}, {}, std::nullopt},
       false,
       100,
       {}},
      {"initialDelay 0s also waits for startedAt",
       {{MakeMetric("m", {.initial_delay = "0s"})}, {}, std::nullopt},
       false,
       100,
       {}},
      {"initialDelay not yet elapsed",
       {{MakeMetric("m", {.initial_delay = "30s"})}, {}, 0},
       false,
       29,
       {}},
      {"initialDelay elapsed (inclusive)",
       {{MakeMetric("m", {.initial_delay = "30s"})}, {}, 0},
       false,
       30,
       {Measure("m")}},
      {"completed metric is left alone",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kFailed, {Finished(phase::kFailed, 0)}, {.failed = 1})}},
       false,
       100,
       {}},
      {"in flight before resumeAt",
       {{MakeMetric("m", kEvery30s)}, {MetricResultOf("m", phase::kRunning, {in_flight})}},
       false,
       19,
       {}},
      {"in flight at resumeAt: resume",
       {{MakeMetric("m", kEvery30s)}, {MetricResultOf("m", phase::kRunning, {in_flight})}},
       false,
       20,
       {Resume("m", in_flight)}},
      {"in flight without resumeAt: resume at once",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kRunning, {in_flight_no_resume})}},
       false,
       1,
       {Resume("m", in_flight_no_resume)}},
      {"terminating: in flight is terminated before its resumeAt",
       {{MakeMetric("m", kEvery30s)}, {MetricResultOf("m", phase::kRunning, {in_flight})}},
       true,
       5,
       {Terminate("m", in_flight)}},
      {"terminating: no new measurement when due",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       true,
       100,
       {}},
      {"terminating: a never-measured metric is not measured",
       {{MakeMetric("m", {})}, {}},
       true,
       0,
       {}},
      {"count reached",
       {{MakeMetric("m", {.interval = "30s", .count = 2})},
        {MetricResultOf("m", phase::kRunning,
                        {Finished(phase::kSuccessful, 0), Finished(phase::kSuccessful, 30)},
                        {.successful = 2})}},
       false,
       1000,
       {}},
      {"errors do not count towards count",
       {{MakeMetric("m", {.interval = "30s", .count = 2})},
        {MetricResultOf("m", phase::kRunning,
                        {Finished(phase::kSuccessful, 0), Finished(phase::kError, 30)},
                        {.successful = 1, .error = 1, .consecutive_error = 1})}},
       false,
       1000,
       {Measure("m")}},
      {"interval not yet elapsed",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 10)},
                        {.successful = 1})}},
       false,
       39,
       {}},
      {"interval elapsed (inclusive)",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 10)},
                        {.successful = 1})}},
       false,
       40,
       {Measure("m")}},
      {"after an error: retry after 10s, not the interval",
       {{MakeMetric("m", {.interval = "1m", .count = 3})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kError, 10)},
                        {.error = 1, .consecutive_error = 1})}},
       false,
       20,
       {Measure("m")}},
      {"after an error: not before 10s",
       {{MakeMetric("m", {.interval = "1m", .count = 3})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kError, 10)},
                        {.error = 1, .consecutive_error = 1})}},
       false,
       19,
       {}},
      {"unbounded metric keeps measuring",
       {{MakeMetric("m", {.interval = "5s"})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 100)},
                        {.successful = 40})}},
       false,
       105,
       {Measure("m")}},
      {"several metrics in spec order",
       {{MakeMetric("b", {}), MakeMetric("a", kEvery30s), MakeMetric("c", kEvery30s)},
        {MetricResultOf("c", phase::kRunning, {in_flight}),
         MetricResultOf("a", phase::kRunning, {Finished(phase::kSuccessful, 0)},
                        {.successful = 1})}},
       false,
       30,
       {Measure("b"), Measure("a"), Resume("c", in_flight)}},
  };
  for (const Row& row : rows) {
    const api::AnalysisRun run = MakeRun(row.run);
    EXPECT_EQ(ScheduleMeasurements(run, Settings(run), row.terminating, At(row.now)), row.want)
        << row.name;
  }
}

TEST(NextMeasurementTimeTest, GivenARunWhenAskedThenTheEarliestDueTimeIsReturned) {
  struct Row {
    std::string name;
    RunShape run;
    int now;
    std::optional<int> want;  // seconds
  };
  const std::vector<Row> rows = {
      {"completed metric: nothing",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kSuccessful, {Finished(phase::kSuccessful, 0)},
                        {.successful = 3})}},
       0,
       std::nullopt},
      {"initialDelay after startedAt",
       {{MakeMetric("m", {.initial_delay = "30s"})}, {}, 5},
       10,
       35},
      {"initialDelay after now when not started",
       {{MakeMetric("m", {.initial_delay = "30s"})}, {}, std::nullopt},
       100,
       130},
      {"never measured without delay: nothing to wait for",
       {{MakeMetric("m", {})}, {}},
       0,
       std::nullopt},
      {"in flight: its resumeAt",
       {{MakeMetric("m", kEvery30s)}, {MetricResultOf("m", phase::kRunning, {InFlight(0, 50)})}},
       0,
       50},
      {"in flight without resumeAt: nothing",
       {{MakeMetric("m", kEvery30s)}, {MetricResultOf("m", phase::kRunning, {InFlight(0)})}},
       0,
       std::nullopt},
      {"last finished + interval",
       {{MakeMetric("m", kEvery30s)},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 10)},
                        {.successful = 1})}},
       10,
       40},
      {"10s after an error, whatever the interval",
       {{MakeMetric("m", {.interval = "1m", .count = 3})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kError, 10)},
                        {.error = 1, .consecutive_error = 1})}},
       10,
       20},
      {"10s after an error without interval",
       {{MakeMetric("m", {})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kError, 10)},
                        {.error = 1, .consecutive_error = 1})}},
       10,
       20},
      {"count reached: nothing",
       {{MakeMetric("m", {.interval = "30s", .count = 1})},
        {MetricResultOf("m", phase::kRunning, {Finished(phase::kSuccessful, 10)},
                        {.successful = 1})}},
       10,
       std::nullopt},
      {"the earliest over metrics",
       {{MakeMetric("a", kEvery30s), MakeMetric("b", {.interval = "20s"}),
         MakeMetric("c", {.initial_delay = "1h"})},
        {MetricResultOf("a", phase::kRunning, {Finished(phase::kSuccessful, 10)},
                        {.successful = 1}),
         MetricResultOf("b", phase::kRunning, {Finished(phase::kSuccessful, 15)},
                        {.successful = 1})},
        0},
       15,
       35},
  };
  for (const Row& row : rows) {
    const api::AnalysisRun run = MakeRun(row.run);
    std::optional<api::TimePoint> want;
    if (row.want) want = At(*row.want);
    EXPECT_EQ(NextMeasurementTime(run, Settings(run), At(row.now)), want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis
