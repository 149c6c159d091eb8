#include "api/analysis_defaults.h"

#include <gtest/gtest.h>

namespace devflow::api {
namespace {

TEST(AnalysisDefaultsTest, EffectiveCount) {
  struct Row {
    const char* name;
    std::optional<IntOrString> count;
    std::string interval;
    std::optional<int32_t> want;  // nullopt: unbounded
  };
  const Row rows[] = {
      {"absent without interval is one", std::nullopt, "", 1},
      {"zero without interval is one", int64_t{0}, "", 1},
      {"absent with interval is unbounded", std::nullopt, "1m", std::nullopt},
      {"zero with interval is unbounded", int64_t{0}, "1m", std::nullopt},
      {"a value is kept", int64_t{5}, "1m", 5},
      {"a value without interval is kept", int64_t{1}, "", 1},
      {"a numeric string reads as its value", IntOrString("3"), "1m", 3},
      {"an unresolved placeholder reads as 0", IntOrString("{{args.n}}"), "", 1},
  };
  for (const Row& row : rows) {
    Metric m;
    m.count = row.count;
    m.interval = row.interval;
    EXPECT_EQ(EffectiveCount(m), row.want) << row.name;
  }
}

TEST(AnalysisDefaultsTest, Limits) {
  struct Row {
    const char* name;
    std::optional<IntOrString> value;
    int32_t failure, inconclusive, consecutive_error, consecutive_success;
  };
  const Row rows[] = {
      {"absent gives the defaults", std::nullopt, 0, 0, 4, 0},
      {"an explicit zero is kept", int64_t{0}, 0, 0, 0, 0},
      {"an integer", int64_t{3}, 3, 3, 3, 3},
      {"a numeric string", IntOrString("7"), 7, 7, 7, 7},
      {"minus one", int64_t{-1}, -1, -1, -1, -1},
      {"a negative string", IntOrString("-1"), -1, -1, -1, -1},
      {"a placeholder reads as 0", IntOrString("{{args.x}}"), 0, 0, 0, 0},
  };
  for (const Row& row : rows) {
    Metric m;
    m.failure_limit = m.inconclusive_limit = m.consecutive_error_limit =
        m.consecutive_success_limit = row.value;
    EXPECT_EQ(FailureLimitOrDefault(m), row.failure) << row.name;
    EXPECT_EQ(InconclusiveLimitOrDefault(m), row.inconclusive) << row.name;
    EXPECT_EQ(ConsecutiveErrorLimitOrDefault(m), row.consecutive_error) << row.name;
    EXPECT_EQ(ConsecutiveSuccessLimitOrDefault(m), row.consecutive_success) << row.name;
  }
}

TEST(AnalysisDefaultsTest, Providers) {
  WebMetric web;
  EXPECT_EQ(WebMethod(web), "GET");
  EXPECT_EQ(WebTimeout(web), std::chrono::seconds(10));
  EXPECT_EQ(JsonPath(web), "{$}");
  web.method = "POST";
  web.timeout_seconds = 3;
  web.json_path = "{$.data}";
  EXPECT_EQ(WebMethod(web), "POST");
  EXPECT_EQ(WebTimeout(web), std::chrono::seconds(3));
  EXPECT_EQ(JsonPath(web), "{$.data}");
  web.timeout_seconds = -1;
  EXPECT_EQ(WebTimeout(web), std::chrono::seconds(10));

  PrometheusMetric prometheus;
  EXPECT_EQ(PrometheusTimeout(prometheus), std::chrono::seconds(30));
  prometheus.timeout = 0;
  EXPECT_EQ(PrometheusTimeout(prometheus), std::chrono::seconds(30));
  prometheus.timeout = 5;
  EXPECT_EQ(PrometheusTimeout(prometheus), std::chrono::seconds(5));
}

TEST(AnalysisDefaultsTest, MetricNameRules) {
  struct Row {
    const char* name;
    const char* rule;
    const char* metric;
    bool want;
  };
  const Row rows[] = {
      {"dot star matches all", ".*", "success-rate", true},
      {"unanchored substring", "rate", "success-rate", true},
      {"anchored", "^rate$", "success-rate", false},
      {"exact anchored", "^success-rate$", "success-rate", true},
      {"alternation", "^(latency|errors)$", "errors", true},
      {"case-sensitive by default", "RATE", "success-rate", false},
      {"(?i) is case-insensitive", "(?i)RATE", "success-rate", true},
      {"a bare star does not compile and matches nothing", "*", "success-rate", false},
      {"empty matches everything, as in Go", "", "x", true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(MetricNameMatches(row.rule, row.metric), row.want) << row.name;
  }
  EXPECT_FALSE(CompileMetricNameRule("*").ok());
  EXPECT_FALSE(CompileMetricNameRule("(a").ok());
  EXPECT_TRUE(CompileMetricNameRule("a|b").ok());
  // Go syntax, not ECMAScript: named groups compile, lookahead does not.
  EXPECT_TRUE(CompileMetricNameRule("(?P<kind>rate)").ok());
  EXPECT_FALSE(CompileMetricNameRule("(?=rate)").ok());
  EXPECT_TRUE(CompileMetricNameRule("*").error().message().starts_with(
      "must be a regular expression (\".*\" matches every metric), got \"*\": "));
}

TEST(AnalysisDefaultsTest, MeasurementRetentionFor) {
  struct Row {
    const char* name;
    std::vector<MeasurementRetention> rules;
    int32_t want;
  };
  const Row rows[] = {
      {"no rules: 10", {}, 10},
      {"a matching rule", {{.metric_name = "^web$", .limit = 3}}, 3},
      {"a rule for another metric", {{.metric_name = "^db$", .limit = 3}}, 10},
      {"the last matching rule wins",
       {{.metric_name = ".*", .limit = 3}, {.metric_name = "web", .limit = 20}},
       20},
      {"a limit of 0 falls back to 10", {{.metric_name = "web", .limit = 0}}, 10},
      {"an invalid regex matches nothing", {{.metric_name = "*", .limit = 3}}, 10},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(MeasurementRetentionFor("web", row.rules), row.want) << row.name;
  }
}

TEST(AnalysisDefaultsTest, IsDryRunMetric) {
  EXPECT_FALSE(IsDryRunMetric("web", {}));
  EXPECT_TRUE(IsDryRunMetric("web", {{.metric_name = ".*"}}));
  EXPECT_TRUE(IsDryRunMetric("web", {{.metric_name = "^db$"}, {.metric_name = "^web$"}}));
  EXPECT_FALSE(IsDryRunMetric("web", {{.metric_name = "^db$"}}));
}

TEST(AnalysisDefaultsTest, Experiment) {
  ExperimentTemplate t;
  EXPECT_EQ(ReplicasOrDefault(t), 1);
  t.replicas = 0;
  EXPECT_EQ(ReplicasOrDefault(t), 0);
  ExperimentSpec spec;
  EXPECT_EQ(ProgressDeadlineSecondsOrDefault(spec), 600);
  EXPECT_EQ(ScaleDownDelaySecondsOrDefault(spec), 30);
  spec.progress_deadline_seconds = 60;
  spec.scale_down_delay_seconds = 0;
  EXPECT_EQ(ProgressDeadlineSecondsOrDefault(spec), 60);
  EXPECT_EQ(ScaleDownDelaySecondsOrDefault(spec), 0);
}

}  // namespace
}  // namespace devflow::api
