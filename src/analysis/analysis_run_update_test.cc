// Whole reconciles: PlanMeasurements -> a scripted provider -> ApplyReadings, walked over
// simulated time, plus the invalid-spec, retention and TTL rules.
#include "analysis/analysis_run_update.h"

#include <gtest/gtest.h>

#include <functional>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::At;
using run_testing::Finished;
using run_testing::MakeMetric;
using run_testing::MetricResultOf;
using run_testing::TimeAt;
namespace phase = api::analysis_phase;

using Provider = std::function<Result<Reading>(const MeasurementTask&)>;

// One reconcile at `now`: plans, asks `provider` for each task, applies, and stores the new
// status in `run` as the controller's write would.
AnalysisRunUpdate Reconcile(api::AnalysisRun* run, int now, const Provider& provider,
                            const std::vector<std::string>& secrets = {}) {
  const std::vector<MeasurementTask> tasks = PlanMeasurements(*run, At(now));
  std::vector<Result<Reading>> readings;
  for (const MeasurementTask& task : tasks) readings.push_back(provider(task));
  AnalysisRunUpdate update = ApplyReadings(*run, tasks, readings, At(now), secrets);
  run->status = update.status;
  return update;
}

Reading Scalar(double v) {
  Reading r;
  r.result = json::Value(json::Array{json::Value(v)});
  r.value = "[" + std::to_string(v) + "]";
  return r;
}

Reading JobAnswer(std::string p, std::optional<int> resume_at = {}) {
  Reading r;
  r.phase = std::move(p);
  r.metadata["job-name"] = "uid.job.1";
  if (resume_at) r.resume_at = TimeAt(*resume_at);
  return r;
}

// A provider that must not be called.
Result<Reading> NoCall(const MeasurementTask& task) {
  ADD_FAILURE() << "unexpected task for " << task.metric_name;
  return InternalError("unexpected");
}

api::Metric SuccessRate(std::string_view interval, int count) {
  api::Metric m = MakeMetric("success-rate", {.interval = std::string(interval), .count = count});
  m.success_condition = "result[0] >= 0.9";
  return m;
}

api::Metric JobMetric(std::string name) {
  api::Metric m = MakeMetric(std::move(name), {});
  m.provider = {};
  m.provider.job = api::JobMetric{};
  return m;
}

AnalysisEvent Normal(std::string reason, std::string message) {
  return {"Normal", std::move(reason), std::move(message)};
}
AnalysisEvent Warning(std::string reason, std::string message) {
  return {"Warning", std::move(reason), std::move(message)};
}

TEST(AnalysisRunUpdateTest, GivenCountThreeWhenTheSecondMeasurementFailsThenTheRunFails) {
  api::AnalysisRun run;
  run.spec.metrics = {SuccessRate("10s", 3)};
  std::vector<double> answers = {0.95, 0.5};
  auto provider = [&](const MeasurementTask& task) -> Result<Reading> {
    EXPECT_EQ(task.action, MeasurementAction::kMeasure);
    double v = answers.front();
    answers.erase(answers.begin());
    return Scalar(v);
  };

  // t=0: first measurement, successful.
  AnalysisRunUpdate u = Reconcile(&run, 0, provider);
  EXPECT_EQ(run.status.phase, "Running");
  EXPECT_EQ(run.status.message, "");
  EXPECT_EQ(run.status.started_at, std::optional(TimeAt(0)));
  ASSERT_EQ(run.status.metric_results.size(), 1u);
  EXPECT_EQ(run.status.metric_results[0].phase, "Running");
  EXPECT_EQ(run.status.metric_results[0].count, 1);
  EXPECT_EQ(run.status.metric_results[0].successful, 1);
  EXPECT_TRUE(u.events.empty());
  EXPECT_EQ(u.requeue_at, std::optional(At(10)));

  // t=9: not due yet; nothing is measured and nothing changes.
  const api::AnalysisRunStatus before = run.status;
  u = Reconcile(&run, 9, NoCall);
  EXPECT_EQ(run.status, before);
  EXPECT_EQ(u.requeue_at, std::optional(At(10)));

  // t=10: second measurement fails; failureLimit 0 fails the run.
  u = Reconcile(&run, 10, provider);
  EXPECT_EQ(run.status.phase, "Failed");
  EXPECT_EQ(run.status.message,
            "Metric \"success-rate\" assessed Failed due to failed (1) > failureLimit (0)");
  EXPECT_EQ(run.status.completed_at, std::optional(TimeAt(10)));
  EXPECT_EQ(run.status.run_summary, (api::RunSummary{1, 0, 1, 0, 0}));
  EXPECT_EQ(run.status.dry_run_summary, std::optional(api::RunSummary{}));
  const api::MetricResult& m = run.status.metric_results[0];
  EXPECT_EQ(m.phase, "Failed");
  EXPECT_EQ(m.count, 2);
  EXPECT_EQ(m.failed, 1);
  EXPECT_EQ(m.measurements.size(), 2u);
  EXPECT_EQ(m.measurements[1].phase, "Failed");
  EXPECT_EQ(m.measurements[1].value, "[0.500000]");
  EXPECT_EQ(u.events,
            (std::vector<AnalysisEvent>{
                Warning("MetricFailed", "Metric 'success-rate' Completed. Result: Failed"),
                Warning("AnalysisRunFailed", "Analysis Completed. Result: Failed")}));
  EXPECT_EQ(u.requeue_at, std::nullopt);

  // t=20: completed; the third measurement is never taken.
  const api::AnalysisRunStatus done = run.status;
  u = Reconcile(&run, 20, NoCall);
  EXPECT_EQ(run.status, done);
  EXPECT_TRUE(u.events.empty());
  EXPECT_EQ(u.requeue_at, std::nullopt);
}

TEST(AnalysisRunUpdateTest, GivenCountThreeWhenAllSucceedThenTheRunSucceedsAtTheThird) {
  api::AnalysisRun run;
  run.spec.metrics = {SuccessRate("10s", 3)};
  auto good = [](const MeasurementTask&) -> Result<Reading> { return Scalar(0.99); };
  EXPECT_EQ(Reconcile(&run, 0, good).requeue_at, std::optional(At(10)));
  EXPECT_EQ(Reconcile(&run, 10, good).requeue_at, std::optional(At(20)));
  AnalysisRunUpdate u = Reconcile(&run, 20, good);
  EXPECT_EQ(run.status.phase, "Successful");
  EXPECT_EQ(run.status.message, "");
  EXPECT_EQ(run.status.metric_results[0].count, 3);
  EXPECT_EQ(run.status.run_summary, (api::RunSummary{1, 1, 0, 0, 0}));
  EXPECT_EQ(u.events,
            (std::vector<AnalysisEvent>{
                Normal("MetricSuccessful", "Metric 'success-rate' Completed. Result: Successful"),
                Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful")}));
}

TEST(AnalysisRunUpdateTest, GivenAJobInFlightWhenTheRunIsTerminatedThenItEndsInconclusive) {
  api::AnalysisRun run;
  run.spec.metrics = {JobMetric("job"), MakeMetric("background", {.interval = "10s"})};
  int job_calls = 0;
  auto provider = [&](const MeasurementTask& task) -> Result<Reading> {
    if (task.metric_name == "background") return Scalar(1);
    ++job_calls;
    if (task.action == MeasurementAction::kMeasure) return JobAnswer("Running", 5);
    EXPECT_EQ(task.action, MeasurementAction::kTerminate);
    EXPECT_TRUE(task.in_flight.has_value());
    return JobAnswer("Inconclusive");
  };

  AnalysisRunUpdate u = Reconcile(&run, 0, provider);
  EXPECT_EQ(run.status.phase, "Running");
  EXPECT_EQ(run.status.metric_results[0].measurements[0].finished_at, std::nullopt);
  EXPECT_EQ(u.requeue_at, std::optional(At(5)));

  // The rollout cancels the analysis before the Job's next poll.
  run.spec.terminate = true;
  u = Reconcile(&run, 3, provider);
  EXPECT_EQ(job_calls, 2);
  EXPECT_EQ(run.status.phase, "Inconclusive");
  EXPECT_EQ(run.status.message,
            "Metric \"job\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit "
            "(0): \"Error Message: Metric Terminated\"");
  const api::Measurement& terminated = run.status.metric_results[0].measurements[0];
  EXPECT_EQ(terminated.message, "Metric Terminated");
  EXPECT_EQ(terminated.started_at, std::optional(TimeAt(0)));
  EXPECT_EQ(terminated.finished_at, std::optional(TimeAt(3)));
  EXPECT_EQ(run.status.metric_results[1].phase, "Successful");
  EXPECT_EQ(u.events,
            (std::vector<AnalysisEvent>{
                Normal("MetricInconclusive", "Metric 'job' Completed. Result: Inconclusive"),
                Normal("MetricSuccessful", "Metric 'background' Completed. Result: Successful"),
                Normal("AnalysisRunInconclusive", "Analysis Completed. Result: Inconclusive")}));
  EXPECT_EQ(u.requeue_at, std::nullopt);
}

TEST(AnalysisRunUpdateTest, GivenQueryMetricsWhenTerminatedMidRunThenRunTerminatedSuccessful) {
  api::AnalysisRun run;
  run.spec.metrics = {SuccessRate("10s", 5)};
  auto good = [](const MeasurementTask&) -> Result<Reading> { return Scalar(0.99); };
  Reconcile(&run, 0, good);
  Reconcile(&run, 10, good);
  run.spec.terminate = true;
  AnalysisRunUpdate u = Reconcile(&run, 20, NoCall);
  EXPECT_EQ(run.status.phase, "Successful");
  EXPECT_EQ(run.status.message, "Run Terminated");
  EXPECT_EQ(run.status.metric_results[0].count, 2);
  EXPECT_EQ(run.status.completed_at, std::optional(TimeAt(20)));
  EXPECT_EQ(u.events.back(),
            Normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful"));
}

TEST(AnalysisRunUpdateTest, GivenAFailureWhileAJobRunsWhenReconciledThenTheNextPassEndsTheRun) {
  api::AnalysisRun run;
  run.spec.metrics = {SuccessRate("10s", 3), JobMetric("job")};
  std::vector<MeasurementAction> job_actions;
  auto provider = [&](const MeasurementTask& task) -> Result<Reading> {
    if (task.metric_name == "success-rate") return Scalar(0.1);
    job_actions.push_back(task.action);
    return JobAnswer(task.action == MeasurementAction::kMeasure ? "Running" : "Inconclusive", 60);
  };
  // Pass 1: the query fails; the run is now terminating but the Job is in flight, so the run
  // stays Running and asks to come back at once.
  AnalysisRunUpdate u = Reconcile(&run, 0, provider);
  EXPECT_EQ(run.status.phase, "Running");
  EXPECT_EQ(run.status.metric_results[0].phase, "Failed");
  EXPECT_EQ(u.requeue_at, std::optional(At(0)));
  // Pass 2: the Job is terminated and the run completes with the failure's message.
  u = Reconcile(&run, 0, provider);
  EXPECT_EQ(job_actions, (std::vector<MeasurementAction>{MeasurementAction::kMeasure,
                                                         MeasurementAction::kTerminate}));
  EXPECT_EQ(run.status.phase, "Failed");
  EXPECT_EQ(run.status.message,
            "Metric \"success-rate\" assessed Failed due to failed (1) > failureLimit (0)");
  EXPECT_EQ(run.status.metric_results[1].phase, "Inconclusive");
  EXPECT_EQ(u.requeue_at, std::nullopt);
}

TEST(AnalysisRunUpdateTest, GivenAProviderThatKeepsFailingWhenRetriedThenTheFifthErrorEndsTheRun) {
  api::AnalysisRun run;
  run.spec.metrics = {SuccessRate("1m", 3)};
  auto down = [](const MeasurementTask&) -> Result<Reading> {
    return UnavailableError("Get \"http://prom/?token=hunter2\": connection refused");
  };
  for (int i = 0; i < 4; ++i) {
    AnalysisRunUpdate u = Reconcile(&run, i * 10, down, {"hunter2"});
    EXPECT_EQ(run.status.phase, "Running") << i;
    EXPECT_EQ(u.requeue_at, std::optional(At(i * 10 + 10))) << "10s after an error, " << i;
  }
  Reconcile(&run, 40, down, {"hunter2"});
  EXPECT_EQ(run.status.phase, "Error");
  EXPECT_EQ(run.status.message,
            "Metric \"success-rate\" assessed Error due to consecutiveErrors (5) > "
            "consecutiveErrorLimit (4): \"Error Message: Get \"http://prom/?token=*****\": "
            "connection refused\"");
  EXPECT_EQ(run.status.metric_results[0].error, 5);
  EXPECT_EQ(run.status.metric_results[0].count, 0);
}

TEST(AnalysisRunUpdateTest, GivenAnInvalidSpecWhenReconciledThenTheRunErrors) {
  struct Row {
    std::string name;
    api::AnalysisRun run;
    std::string want_message;
  };
  api::AnalysisRun bad_interval;
  bad_interval.spec.metrics = {MakeMetric("m", {.interval = "{{args.interval}}"})};
  api::AnalysisRun bad_count;
  bad_count.spec.metrics = {MakeMetric("a", {}), MakeMetric("b", {.interval = "1m", .count = "x"})};
  api::AnalysisRun bad_dry_run;
  bad_dry_run.spec.metrics = {MakeMetric("m", {})};
  bad_dry_run.spec.dry_run = {{"*"}, {"nothing"}};
  api::AnalysisRun bad_retention;
  bad_retention.spec.metrics = {MakeMetric("m", {})};
  bad_retention.spec.measurement_retention = {{"other", 3}};
  const std::vector<Row> rows = {
      {"unresolved interval", bad_interval,
       "Analysis spec invalid: metrics[0].interval: must be a duration like \"30s\", \"1m30s\", "
       "\"2h\" or \"300ms\", got \"{{args.interval}}\""},
      {"count not an integer", bad_count,
       "Analysis spec invalid: metrics[1].count: must be an integer, got \"x\""},
      {"dryRun rule matching nothing", bad_dry_run,
       "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s): metricName "
       "\"*\" is not a regular expression: error parsing regexp: missing argument to repetition "
       "operator: `*`"},
      {"retention rule matching nothing", bad_retention,
       "Analysis spec invalid: measurementRetention[0]: Rule didn't match any metric name(s)"},
  };
  for (const Row& row : rows) {
    EXPECT_TRUE(PlanMeasurements(row.run, At(5)).empty()) << row.name;
    const AnalysisRunUpdate u = ApplyReadings(row.run, {}, {}, At(5));
    EXPECT_EQ(u.status.phase, "Error") << row.name;
    EXPECT_EQ(u.status.message, row.want_message) << row.name;
    EXPECT_EQ(u.status.completed_at, std::optional(TimeAt(5))) << row.name;
    EXPECT_EQ(u.events, (std::vector<AnalysisEvent>{
                            Warning("AnalysisRunError", "Analysis Completed. Result: Error")}))
        << row.name;
    EXPECT_EQ(u.requeue_at, std::nullopt) << row.name;
  }
}

TEST(AnalysisRunUpdateTest, GivenALongRunWhenMeasurementsExceedTheRetentionThenTheOldestGo) {
  struct Row {
    std::string name;
    std::vector<api::MeasurementRetention> retention;
    size_t keep;
  };
  const std::vector<Row> rows = {{"default 10", {}, 10}, {"a rule keeping 3", {{"rate", 3}}, 3}};
  for (const Row& row : rows) {
    api::AnalysisRun run;
    run.spec.metrics = {MakeMetric("rate", {.interval = "10s"})};
    run.spec.measurement_retention = row.retention;
    auto good = [](const MeasurementTask&) -> Result<Reading> { return Scalar(1); };
    for (size_t i = 0; i < row.keep; ++i) {
      EXPECT_TRUE(Reconcile(&run, static_cast<int>(i) * 10, good).garbage_collect.empty())
          << row.name << " " << i;
    }
    const int now = static_cast<int>(row.keep) * 10;
    AnalysisRunUpdate u = Reconcile(&run, now, good);
    EXPECT_EQ(u.garbage_collect,
              (std::vector<MeasurementTrim>{{"rate", static_cast<int32_t>(row.keep)}}))
        << row.name;
    const api::MetricResult& r = run.status.metric_results[0];
    ASSERT_EQ(r.measurements.size(), row.keep) << row.name;
    EXPECT_EQ(r.measurements.front().started_at, std::optional(TimeAt(10))) << row.name;
    EXPECT_EQ(r.measurements.back().started_at, std::optional(TimeAt(now))) << row.name;
    EXPECT_EQ(r.count, static_cast<int32_t>(row.keep) + 1) << row.name;
  }
}

TEST(AnalysisRunUpdateTest, GivenAFirstReadingWhenRecordedThenTheResultCarriesDryRunAndMetadata) {
  api::AnalysisRun run;
  run.spec.metrics = {MakeMetric("shadow", {}), MakeMetric("real", {})};
  run.spec.dry_run = {{"^shadow$"}};
  auto provider = [](const MeasurementTask& task) -> Result<Reading> {
    Reading r = Scalar(1);
    r.metric_metadata["ResolvedPrometheusQuery"] = "up{job=\"" + task.metric_name + "\"}";
    return r;
  };
  Reconcile(&run, 0, provider);
  ASSERT_EQ(run.status.metric_results.size(), 2u);
  EXPECT_EQ(run.status.metric_results[0].name, "shadow");
  EXPECT_TRUE(run.status.metric_results[0].dry_run);
  EXPECT_FALSE(run.status.metric_results[1].dry_run);
  EXPECT_EQ(run.status.metric_results[1].metadata,
            (std::map<std::string, std::string>{{"ResolvedPrometheusQuery", "up{job=\"real\"}"}}));
  EXPECT_EQ(run.status.run_summary, (api::RunSummary{1, 1, 0, 0, 0}));
  EXPECT_EQ(run.status.dry_run_summary, std::optional(api::RunSummary{1, 1, 0, 0, 0}));
}

TEST(AnalysisRunUpdateTest, GivenAnInitialDelayWhenReconciledThenTheFirstMeasurementWaits) {
  api::AnalysisRun run;
  run.spec.metrics = {MakeMetric("m", {.initial_delay = "30s"})};
  AnalysisRunUpdate u = Reconcile(&run, 0, NoCall);
  EXPECT_EQ(run.status.phase, "Running");
  EXPECT_EQ(run.status.started_at, std::optional(TimeAt(0)));
  EXPECT_EQ(u.requeue_at, std::optional(At(30)));
  int calls = 0;
  Reconcile(&run, 30, [&](const MeasurementTask&) -> Result<Reading> {
    ++calls;
    return Scalar(1);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(run.status.phase, "Successful");
}

TEST(AnalysisRunUpdateTest, GivenACompletedRunWhenReadingsArriveThenNothingChanges) {
  api::AnalysisRun run;
  run.spec.metrics = {MakeMetric("m", {})};
  run.status.phase = phase::kSuccessful;
  run.status.metric_results = {MetricResultOf(
      "m", phase::kSuccessful, {Finished(phase::kSuccessful, 0)}, {.successful = 1})};
  const std::vector<MeasurementTask> tasks = {{"m", MeasurementAction::kMeasure, std::nullopt}};
  const AnalysisRunUpdate u = ApplyReadings(run, tasks, {Scalar(0)}, At(100));
  EXPECT_EQ(u, (AnalysisRunUpdate{run.status, {}, {}, std::nullopt}));
}

TEST(DeletionTimeTest, GivenACompletedRunWhenItsTtlIsReadThenThePhasesTtlApplies) {
  struct Row {
    std::string name;
    std::string phase;
    bool completed_at;
    std::optional<api::TtlStrategy> ttl;
    std::optional<int> want;  // seconds after completedAt (at 100)
  };
  const api::TtlStrategy all = {
      .seconds_after_completion = 60, .seconds_after_failure = 600, .seconds_after_success = 30};
  const api::TtlStrategy completion_only = {.seconds_after_completion = 60};
  const api::TtlStrategy success_only = {.seconds_after_success = 30};
  const std::vector<Row> rows = {
      {"successful: secondsAfterSuccess", "Successful", true, all, 130},
      {"failed: secondsAfterFailure", "Failed", true, all, 700},
      {"error: secondsAfterCompletion", "Error", true, all, 160},
      {"inconclusive: secondsAfterCompletion", "Inconclusive", true, all, 160},
      {"successful without its own: secondsAfterCompletion", "Successful", true, completion_only,
       160},
      {"failed without any that applies", "Failed", true, success_only, std::nullopt},
      {"no ttlStrategy", "Successful", true, std::nullopt, std::nullopt},
      {"running", "Running", true, all, std::nullopt},
      {"no completedAt", "Successful", false, all, std::nullopt},
  };
  for (const Row& row : rows) {
    api::AnalysisRun run;
    run.status.phase = row.phase;
    if (row.completed_at) run.status.completed_at = TimeAt(100);
    run.spec.ttl_strategy = row.ttl;
    std::optional<api::TimePoint> want;
    if (row.want) want = At(*row.want);
    EXPECT_EQ(DeletionTime(run), want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis
