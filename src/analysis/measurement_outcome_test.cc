// Argo's EvaluateResult (§5.5 "Outcome rules"): one row per rule and per error path, so
// dropping or reordering a rule fails a row.
#include "analysis/measurement_outcome.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"
#include "common/json_reader.h"

namespace devflow::analysis {

void PrintTo(const MeasurementOutcome& o, std::ostream* os) {
  *os << "{" << o.phase << ", \"" << o.message << "\"}";
}

namespace {

using run_testing::At;

json::Value Json(const std::string& text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::Value();
}

constexpr char kNoData[] =
    "metric result is nil or empty: no data returned from the metric provider";

TEST(MeasurementOutcomeTest, GivenConditionsAndAResultWhenEvaluatedThenThePhaseFollowsArgosRules) {
  struct Row {
    std::string name;
    std::string success;
    std::string failure;
    std::string result;
    MeasurementOutcome want;
  };
  const std::vector<Row> rows = {
      {"no conditions: always successful", "", "", "0", {"Successful", ""}},
      {"no conditions: even with no data", "", "", "null", {"Successful", ""}},
      {"success only, true", "result[0] >= 0.9", "", "[0.95]", {"Successful", ""}},
      {"success only, false is a failure", "result[0] >= 0.9", "", "[0.5]", {"Failed", ""}},
      {"failure only, true", "", "result[0] < 0.9", "[0.5]", {"Failed", ""}},
      {"failure only, false is a success", "", "result[0] < 0.9", "[0.95]", {"Successful", ""}},
      {"both, failure true beats success true", "result > 1", "result > 2", "3", {"Failed", ""}},
      {"both, success true and failure false",
       "result > 1",
       "result > 2",
       "1.5",
       {"Successful", ""}},
      {"both false: inconclusive", "result > 2", "result < 1", "1.5", {"Inconclusive", ""}},
      {"success errors on data",
       "result[3] > 1",
       "",
       "[0.5]",
       {"Error",
        "could not evaluate successCondition \"result[3] > 1\": index out of range: 3 with "
        "length 1"}},
      {"success errors on an empty list",
       "result[0] > 1",
       "",
       "[]",
       {"Error", std::string("could not evaluate successCondition \"result[0] > 1\": ") + kNoData}},
      {"success errors on nil",
       "result[0] > 1",
       "",
       "null",
       {"Error", std::string("could not evaluate successCondition \"result[0] > 1\": ") + kNoData}},
      {"an empty map is data",
       "result.x > 1",
       "",
       "{}",
       {"Error",
        "could not evaluate successCondition \"result.x > 1\": invalid operation: <nil> > int"}},
      {"failure errors",
       "result > 1",
       "result.x",
       "3",
       {"Error", "could not evaluate failureCondition \"result.x\": cannot fetch x from int"}},
      {"a success error stops before the failure condition",
       "result.y",
       "result.x",
       "3",
       {"Error", "could not evaluate successCondition \"result.y\": cannot fetch y from int"}},
      {"not a bool",
       "result",
       "",
       "0.5",
       {"Error", "could not evaluate successCondition \"result\": expected bool, but got float64"}},
      {"a condition that does not compile",
       "result >",
       "",
       "1",
       {"Error",
        "could not evaluate successCondition \"result >\": syntax error at offset 8: unexpected "
        "end of expression, expected an operand"}},
  };
  for (const Row& row : rows) {
    api::Metric metric = run_testing::PromMetric("m");
    metric.success_condition = row.success;
    metric.failure_condition = row.failure;
    EXPECT_EQ(EvaluateMeasurement(metric, Json(row.result), At(0)), row.want) << row.name;
  }
}

TEST(MeasurementOutcomeTest, GivenCompiledConditionsWhenEvaluatedTwiceThenEachResultIsJudgedAlone) {
  api::Metric metric = run_testing::PromMetric("m");
  metric.success_condition = "result[0] >= 0.9";
  const CompiledConditions conditions(metric);
  EXPECT_EQ(conditions.Evaluate(Json("[0.95]"), At(0)), (MeasurementOutcome{"Successful", ""}));
  EXPECT_EQ(conditions.Evaluate(Json("[0.5]"), At(0)), (MeasurementOutcome{"Failed", ""}));
}

TEST(MeasurementOutcomeTest, GivenAConditionUsingNowWhenEvaluatedThenNowIsTheGivenTime) {
  api::Metric metric = run_testing::PromMetric("m");
  // 2026-11-23T10:00:00Z is At(0): the condition holds at that time and not an hour later.
  metric.success_condition = "hasPrefix(string(now()), \"2026-11-23 10:00:00\")";
  EXPECT_EQ(EvaluateMeasurement(metric, json::Value(1), At(0)).phase, "Successful");
  EXPECT_EQ(EvaluateMeasurement(metric, json::Value(1), At(3600)).phase, "Failed");
}

}  // namespace
}  // namespace devflow::analysis
