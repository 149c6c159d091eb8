// §5.2 step 3: a provider's answer becomes a measurement, and the metric's counters follow.
#include "analysis/measurement_recording.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::At;
using run_testing::Counters;
using run_testing::Finished;
using run_testing::InFlight;
using run_testing::MetricResultOf;
using run_testing::TimeAt;
namespace phase = api::analysis_phase;

Reading Value(double v) {
  Reading r;
  r.result = json::Value(json::Array{json::Value(v)});
  r.value = "[" + std::to_string(v).substr(0, 4) + "]";
  return r;
}

Reading Decided(std::string p, std::string message = "", std::optional<int> resume_at = {}) {
  Reading r;
  r.phase = std::move(p);
  r.message = std::move(message);
  r.metadata["job-name"] = "job-1";
  r.metadata["attempt"] = "2";
  if (resume_at) r.resume_at = TimeAt(*resume_at);
  return r;
}

api::Measurement Want(std::string p, std::string message, int started, std::optional<int> finished,
                      std::string value = "", std::map<std::string, std::string> metadata = {},
                      std::optional<int> resume_at = {}) {
  api::Measurement m;
  m.phase = std::move(p);
  m.message = std::move(message);
  m.started_at = TimeAt(started);
  if (finished) m.finished_at = TimeAt(*finished);
  m.value = std::move(value);
  m.metadata = std::move(metadata);
  if (resume_at) m.resume_at = TimeAt(*resume_at);
  return m;
}

TEST(ToMeasurementTest, GivenAProviderAnswerWhenRecordedThenTheMeasurementFollowsTheRules) {
  struct Row {
    std::string name;
    MeasurementAction action;
    Result<Reading> reading;
    api::Measurement want;
  };
  const std::map<std::string, std::string> job = {{"job-name", "job-1"}};
  const std::map<std::string, std::string> job2 = {{"attempt", "2"}, {"job-name", "job-1"}};
  const std::vector<Row> rows = {
      {"conditions decide: success", MeasurementAction::kMeasure, Value(0.99),
       Want("Successful", "", 50, 50, "[0.99]")},
      {"conditions decide: failure", MeasurementAction::kMeasure, Value(0.5),
       Want("Failed", "", 50, 50, "[0.50]")},
      {"conditions decide: error", MeasurementAction::kMeasure, Reading{},
       Want("Error",
            "could not evaluate successCondition \"result[0] >= 0.9\": metric result is nil or "
            "empty: no data returned from the metric provider",
            50, 50)},
      {"provider error", MeasurementAction::kMeasure,
       UnavailableError("Post \"http://prom\": connection refused"),
       Want("Error", "Post \"http://prom\": connection refused", 50, 50)},
      {"secrets are masked", MeasurementAction::kMeasure,
       UnavailableError("401 for token s3cr3t (s3cr3t) with key k3y"),
       Want("Error", "401 for token ***** (*****) with key *****", 50, 50)},
      {"the provider decides", MeasurementAction::kMeasure, Decided("Failed", "job failed"),
       Want("Failed", "job failed", 50, 50, "", job2)},
      {"started in flight", MeasurementAction::kMeasure, Decided("Running", "", 60),
       Want("Running", "", 50, std::nullopt, "", job2, 60)},
      {"resumed, still in flight: new resumeAt", MeasurementAction::kResume,
       Decided("Running", "", 70), Want("Running", "", 0, std::nullopt, "", job2, 70)},
      {"resumed and done: keeps startedAt", MeasurementAction::kResume, Decided("Successful"),
       Want("Successful", "", 0, 50, "", job2)},
      {"resumed with an error: keeps the in-flight data", MeasurementAction::kResume,
       UnavailableError("jobs.batch \"job-1\" not found"),
       Want("Error", "jobs.batch \"job-1\" not found", 0, 50, "", job)},
      {"terminated inconclusive", MeasurementAction::kTerminate,
       Decided("Inconclusive", "job deleted"),
       Want("Inconclusive", "Metric Terminated", 0, 50, "", job2)},
      {"terminated successful", MeasurementAction::kTerminate, Decided("Successful"),
       Want("Successful", "Metric Terminated", 0, 50, "", job2)},
      {"terminated failed keeps its message", MeasurementAction::kTerminate,
       Decided("Failed", "job failed"), Want("Failed", "job failed", 0, 50, "", job2)},
  };
  api::Metric metric = run_testing::PromMetric("m");
  metric.success_condition = "result[0] >= 0.9";
  const CompiledConditions conditions(metric);
  const std::vector<std::string> secrets = {"", "s3cr3t", "k3y"};
  for (const Row& row : rows) {
    MeasurementTask task{"m", row.action, std::nullopt};
    if (row.action != MeasurementAction::kMeasure) task.in_flight = InFlight(0, 40);
    EXPECT_EQ(ToMeasurement(task, row.reading, conditions, secrets, At(50)), row.want) << row.name;
  }
}

TEST(ToMeasurementTest, GivenASubSecondNowWhenRecordedThenTimesAreWholeSeconds) {
  const CompiledConditions none(run_testing::PromMetric("m"));
  const api::Measurement m =
      ToMeasurement({"m", MeasurementAction::kMeasure, std::nullopt}, Reading{}, none, {},
                    At(50) + std::chrono::microseconds(999999));
  EXPECT_EQ(m.started_at, std::optional(TimeAt(50)));
  EXPECT_EQ(m.finished_at, std::optional(TimeAt(50)));
}

TEST(RecordMeasurementTest, GivenAMeasurementWhenRecordedThenCountersFollow) {
  struct Row {
    std::string name;
    Counters before;
    std::string measured;
    Counters after;
  };
  const Counters streak = {.successful = 2,
                           .failed = 1,
                           .inconclusive = 1,
                           .error = 3,
                           .consecutive_error = 2,
                           .consecutive_success = 0};
  const Counters wins = {.successful = 2, .consecutive_success = 2};
  const std::vector<Row> rows = {
      {"success resets errors in a row", streak, "Successful", {3, 1, 1, 3, 0, 1}},
      {"failure resets errors in a row", streak, "Failed", {2, 2, 1, 3, 0, 0}},
      {"inconclusive resets errors in a row", streak, "Inconclusive", {2, 1, 2, 3, 0, 0}},
      {"error adds to errors in a row", streak, "Error", {2, 1, 1, 4, 3, 0}},
      {"successes in a row", wins, "Successful", {3, 0, 0, 0, 0, 3}},
      {"failure breaks the success streak", wins, "Failed", {2, 1, 0, 0, 0, 0}},
      {"error breaks the success streak", wins, "Error", {2, 0, 0, 1, 1, 0}},
      {"in flight changes nothing", streak, "Running", streak},
  };
  for (const Row& row : rows) {
    api::MetricResult result = MetricResultOf("m", phase::kRunning, {}, row.before);
    RecordMeasurement(Finished(row.measured, 5), false, &result);
    const api::MetricResult want =
        MetricResultOf("m", phase::kRunning, {Finished(row.measured, 5)}, row.after);
    EXPECT_EQ(result, want) << row.name;
  }
}

TEST(RecordMeasurementTest, GivenAnInFlightMeasurementWhenContinuedThenItIsReplacedNotAppended) {
  api::MetricResult result = MetricResultOf(
      "m", phase::kRunning, {Finished(phase::kSuccessful, 0), InFlight(10, 20)}, {.successful = 1});
  RecordMeasurement(Finished(phase::kSuccessful, 30), true, &result);
  EXPECT_EQ(result,
            MetricResultOf("m", phase::kRunning,
                           {Finished(phase::kSuccessful, 0), Finished(phase::kSuccessful, 30)},
                           {.successful = 2, .consecutive_success = 1}));
}

}  // namespace
}  // namespace devflow::analysis
