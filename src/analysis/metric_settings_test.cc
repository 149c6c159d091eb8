// Reading a run's metric numbers: accepted forms with their values, and one rejected row per
// check, each with its exact message.
#include "analysis/metric_settings.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::MakeMetric;
using run_testing::MetricFields;
using std::chrono::seconds;

TEST(MetricSettingsTest, GivenAValidMetricWhenParsedThenEveryNumberIsRead) {
  struct Row {
    std::string name;
    api::Metric metric;
    MetricSettings want;
  };
  const std::vector<Row> rows = {
      {"defaults: one measurement, Argo's limits", MakeMetric("m", {}),
       MetricSettings{std::nullopt, std::nullopt, 1, 0, 0, 4, 0}},
      {"an interval without count is unbounded", MakeMetric("m", {.interval = "30s"}),
       MetricSettings{seconds(30), std::nullopt, std::nullopt, 0, 0, 4, 0}},
      {"count 0 with an interval is unbounded", MakeMetric("m", {.interval = "1m", .count = 0}),
       MetricSettings{seconds(60), std::nullopt, std::nullopt, 0, 0, 4, 0}},
      {"count 0 without interval is one", MakeMetric("m", {.count = 0}),
       MetricSettings{std::nullopt, std::nullopt, 1, 0, 0, 4, 0}},
      {"strings of digits are integers",
       MakeMetric("m", {.interval = "10s",
                        .initial_delay = "0s",
                        .count = "5",
                        .failure_limit = "2",
                        .inconclusive_limit = "1",
                        .consecutive_error_limit = "0",
                        .consecutive_success_limit = "+3"}),
       MetricSettings{seconds(10), seconds(0), 5, 2, 1, 0, 3}},
      {"failureLimit -1 with consecutiveSuccessLimit",
       MakeMetric(
           "m",
           {.interval = "10s", .count = 3, .failure_limit = -1, .consecutive_success_limit = 3}),
       MetricSettings{seconds(10), std::nullopt, 3, -1, 0, 4, 3}},
  };
  for (const Row& row : rows) {
    Result<MetricSettings> got = ParseMetricSettings(row.metric);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(MetricSettingsTest, GivenAnInvalidMetricWhenParsedThenTheErrorNamesTheField) {
  struct Row {
    std::string name;
    api::Metric metric;
    std::string want;
  };
  api::Metric no_provider = MakeMetric("m", {});
  no_provider.provider = {};
  api::Metric two_providers = MakeMetric("m", {});
  two_providers.provider.web = api::WebMetric{};
  const std::vector<Row> rows = {
      {"bad interval", MakeMetric("m", {.interval = "often"}),
       "interval: must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"often\""},
      {"unresolved interval", MakeMetric("m", {.interval = "{{args.i}}"}),
       "interval: must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got "
       "\"{{args.i}}\""},
      {"negative interval", MakeMetric("m", {.interval = "-5s"}),
       "interval: must not be negative, got \"-5s\""},
      {"bad initialDelay", MakeMetric("m", {.initial_delay = "soon"}),
       "initialDelay: must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got "
       "\"soon\""},
      {"unresolved count", MakeMetric("m", {.interval = "1s", .count = "{{args.n}}"}),
       "count: must be an integer, got \"{{args.n}}\""},
      {"count too large", MakeMetric("m", {.interval = "1s", .count = int64_t{1} << 40}),
       "count: must be an integer, got \"1099511627776\""},
      {"negative count", MakeMetric("m", {.interval = "1s", .count = -2}),
       "count: must be >= 0, got -2"},
      {"bad failureLimit", MakeMetric("m", {.failure_limit = "x"}),
       "failureLimit: must be an integer, got \"x\""},
      {"failureLimit below -1", MakeMetric("m", {.failure_limit = -2}),
       "failureLimit: must be >= -1, got -2"},
      {"negative inconclusiveLimit", MakeMetric("m", {.inconclusive_limit = -1}),
       "inconclusiveLimit: must be >= 0, got -1"},
      {"negative consecutiveErrorLimit", MakeMetric("m", {.consecutive_error_limit = -1}),
       "consecutiveErrorLimit: must be >= 0, got -1"},
      {"negative consecutiveSuccessLimit", MakeMetric("m", {.consecutive_success_limit = -1}),
       "consecutiveSuccessLimit: must be >= 0, got -1"},
      {"both limits disabled", MakeMetric("m", {.failure_limit = -1}),
       "failureLimit: -1 (disabled) needs consecutiveSuccessLimit > 0: failureLimit and "
       "consecutiveSuccessLimit cannot both be disabled"},
      {"count below failureLimit + consecutiveSuccessLimit",
       MakeMetric(
           "m", {.interval = "1s", .count = 3, .failure_limit = 2, .consecutive_success_limit = 2}),
       "count: must be >= failureLimit + consecutiveSuccessLimit (2 + 2), got 3"},
      {"count below consecutiveSuccessLimit when failureLimit is -1",
       MakeMetric(
           "m",
           {.interval = "1s", .count = 2, .failure_limit = -1, .consecutive_success_limit = 3}),
       "count: must be >= consecutiveSuccessLimit (3), got 2"},
      {"count below inconclusiveLimit",
       MakeMetric("m", {.interval = "1s", .count = 2, .inconclusive_limit = 3}),
       "count: must be >= inconclusiveLimit (3), got 2"},
      {"count > 1 without interval", MakeMetric("m", {.count = 2}),
       "count: 2 needs an interval between measurements"},
      {"no provider", no_provider, "provider: no provider specified"},
      {"two providers", two_providers, "provider: multiple providers specified"},
  };
  for (const Row& row : rows) {
    Result<MetricSettings> got = ParseMetricSettings(row.metric);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.want) << row.name;
  }
}

TEST(MetricSettingsTest, GivenARunsMetricsWhenParsedThenErrorsNameTheMetricIndex) {
  struct Row {
    std::string name;
    std::vector<api::Metric> metrics;
    std::string want_error;  // empty: ok
  };
  const std::vector<Row> rows = {
      {"two good metrics", {MakeMetric("a", {}), MakeMetric("b", {.interval = "5s"})}, ""},
      {"no metrics", {}, "metrics: no metrics specified"},
      {"duplicate names",
       {MakeMetric("a", {}), MakeMetric("a", {})},
       "metrics[1].name: duplicate name \"a\""},
      {"second metric invalid",
       {MakeMetric("a", {}), MakeMetric("b", {.count = 2})},
       "metrics[1].count: 2 needs an interval between measurements"},
  };
  for (const Row& row : rows) {
    Result<std::vector<MetricSettings>> got = ParseRunMetrics(row.metrics);
    if (row.want_error.empty()) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
      EXPECT_EQ(got->size(), row.metrics.size()) << row.name;
      EXPECT_EQ(got->back().interval, std::optional<std::chrono::nanoseconds>(seconds(5)))
          << row.name;
    } else {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().message(), row.want_error) << row.name;
    }
  }
}

}  // namespace
}  // namespace devflow::analysis
