// §5.2 step 4: one row per rule of AssessMetric, in order, and the limit precedence of
// CheckLimits (Error > Inconclusive > Failed).
#include "analysis/metric_assessment.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::Counters;
using run_testing::Finished;
using run_testing::InFlight;
using run_testing::MetricResultOf;
namespace phase = api::analysis_phase;

MetricSettings Settings(std::optional<int32_t> count, int32_t failure_limit = 0,
                        int32_t consecutive_success_limit = 0) {
  MetricSettings s;
  s.interval = std::chrono::seconds(10);
  s.count = count;
  s.failure_limit = failure_limit;
  s.consecutive_success_limit = consecutive_success_limit;
  return s;
}

// A running result whose last measurement is finished, with these counters.
api::MetricResult Counted(const Counters& c, std::string_view last = phase::kSuccessful) {
  return MetricResultOf("m", phase::kRunning, {Finished(last, 0)}, c);
}

TEST(CheckLimitsTest, GivenCountersWhenCheckedThenTheWorstExceededLimitIsReported) {
  struct Row {
    std::string name;
    MetricSettings settings;
    Counters counters;
    std::optional<LimitBreach> want;
  };
  MetricSettings limits = Settings(10, 1);
  limits.inconclusive_limit = 1;
  limits.consecutive_error_limit = 2;
  const std::vector<Row> rows = {
      {"nothing exceeded (limits are inclusive)",
       limits,
       {.successful = 1, .failed = 1, .inconclusive = 1, .error = 2, .consecutive_error = 2},
       std::nullopt},
      {"failed", limits, {.failed = 2}, LimitBreach{"Failed", "failed (2) > failureLimit (1)"}},
      {"failureLimit -1 never fails", Settings(10, -1, 2), {.failed = 9}, std::nullopt},
      {"inconclusive",
       limits,
       {.inconclusive = 2},
       LimitBreach{"Inconclusive", "inconclusive (2) > inconclusiveLimit (1)"}},
      {"consecutive errors",
       limits,
       {.error = 3, .consecutive_error = 3},
       LimitBreach{"Error", "consecutiveErrors (3) > consecutiveErrorLimit (2)"}},
      {"errors not in a row do not count",
       limits,
       {.error = 9, .consecutive_error = 1},
       std::nullopt},
      {"inconclusive beats failed",
       limits,
       {.failed = 2, .inconclusive = 2},
       LimitBreach{"Inconclusive", "inconclusive (2) > inconclusiveLimit (1)"}},
      {"error beats inconclusive and failed",
       limits,
       {.failed = 2, .inconclusive = 2, .error = 3, .consecutive_error = 3},
       LimitBreach{"Error", "consecutiveErrors (3) > consecutiveErrorLimit (2)"}},
      {"default limits: the 5th error in a row",
       Settings(10),
       {.error = 5, .consecutive_error = 5},
       LimitBreach{"Error", "consecutiveErrors (5) > consecutiveErrorLimit (4)"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CheckLimits(row.settings, Counted(row.counters)), row.want) << row.name;
  }
}

TEST(AssessMetricTest, GivenAMetricResultWhenAssessedThenTheFirstMatchingRuleDecides) {
  struct Row {
    std::string name;
    MetricSettings settings;
    api::MetricResult result;
    bool terminating;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"completed stays completed, even when terminating", Settings(3),
       MetricResultOf("m", phase::kInconclusive, {Finished(phase::kSuccessful, 0)},
                      {.successful = 3}),
       true, "Inconclusive"},
      {"no measurements: pending", Settings(3), MetricResultOf("m", phase::kRunning, {}), false,
       "Pending"},
      {"no measurements, terminating: successful", Settings(3),
       MetricResultOf("m", phase::kRunning, {}), true, "Successful"},
      {"in flight: running, even past a limit", Settings(3),
       MetricResultOf("m", phase::kRunning, {InFlight(0)}, {.failed = 2}), false, "Running"},
      {"failed past failureLimit", Settings(3), Counted({.failed = 1}, phase::kFailed), false,
       "Failed"},
      {"limit beats a reached count", Settings(1), Counted({.failed = 1}, phase::kFailed), false,
       "Failed"},
      {"consecutiveSuccessLimit reached before count", Settings(10, 2, 3),
       Counted({.successful = 3, .failed = 1, .consecutive_success = 3}), false, "Successful"},
      {"count reached", Settings(3), Counted({.successful = 3}), false, "Successful"},
      {"count reached with failures under the limit", Settings(3, 1),
       Counted({.successful = 2, .failed = 1}, phase::kFailed), false, "Successful"},
      {"count reached, consecutiveSuccessLimit missed, failureLimit applies: inconclusive",
       Settings(4, 2, 3), Counted({.successful = 2, .failed = 2, .consecutive_success = 2}), false,
       "Inconclusive"},
      {"count reached, consecutiveSuccessLimit missed, failureLimit -1: failed", Settings(4, -1, 3),
       Counted({.successful = 2, .failed = 2, .consecutive_success = 2}), false, "Failed"},
      {"count not reached: running", Settings(3), Counted({.successful = 2}), false, "Running"},
      {"unbounded: running", Settings(std::nullopt), Counted({.successful = 50}), false, "Running"},
      {"unbounded and terminating: successful", Settings(std::nullopt), Counted({.successful = 50}),
       true, "Successful"},
      {"bounded, count not reached, terminating: successful (as Argo's code)", Settings(3),
       Counted({.successful = 1}), true, "Successful"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(AssessMetric(row.settings, row.result, row.terminating), row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis
