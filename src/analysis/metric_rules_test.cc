// dryRun[] and measurementRetention[] (§5.3): Go-regex, unanchored matching, and each error.
#include "analysis/metric_rules.h"

#include <gtest/gtest.h>

#include "analysis/analysis_run_testing.h"

namespace devflow::analysis {
namespace {

using run_testing::PromMetric;

const std::vector<api::Metric> kMetrics = {PromMetric("success-rate"), PromMetric("latency-p99"),
                                           PromMetric("error-rate")};

api::DryRun Dry(std::string pattern) { return api::DryRun{std::move(pattern)}; }
api::MeasurementRetention Keep(std::string pattern, int32_t limit) {
  return api::MeasurementRetention{std::move(pattern), limit};
}

TEST(MetricRulesTest, GivenDryRunRulesWhenResolvedThenMatchingMetricsAreDryRun) {
  struct Row {
    std::string name;
    std::vector<api::DryRun> rules;
    std::set<std::string> want;
  };
  const std::vector<Row> rows = {
      {"no rules", {}, {}},
      {"all metrics", {Dry(".*")}, {"success-rate", "latency-p99", "error-rate"}},
      {"unanchored: a substring matches", {Dry("rate")}, {"success-rate", "error-rate"}},
      {"anchored", {Dry("^error-rate$")}, {"error-rate"}},
      {"RE2 syntax", {Dry(R"((?i)LATENCY-p\d+)")}, {"latency-p99"}},
      {"several rules add up", {Dry("^success"), Dry("p99$")}, {"success-rate", "latency-p99"}},
  };
  for (const Row& row : rows) {
    Result<MetricRules> got = ResolveMetricRules(kMetrics, row.rules, {});
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->dry_run, row.want) << row.name;
    for (const api::Metric& m : kMetrics) {
      EXPECT_EQ(got->IsDryRun(m.name), row.want.count(m.name) == 1) << row.name << " " << m.name;
    }
  }
}

TEST(MetricRulesTest, GivenRetentionRulesWhenResolvedThenEachMetricGetsItsLimit) {
  struct Row {
    std::string name;
    std::vector<api::MeasurementRetention> rules;
    std::map<std::string, int32_t> want;  // RetentionLimit per metric
  };
  const std::vector<Row> rows = {
      {"default 10", {}, {{"success-rate", 10}, {"latency-p99", 10}, {"error-rate", 10}}},
      {"one rule",
       {Keep("latency", 3)},
       {{"success-rate", 10}, {"latency-p99", 3}, {"error-rate", 10}}},
      {"the last matching rule wins",
       {Keep(".*", 20), Keep("rate$", 5)},
       {{"success-rate", 5}, {"latency-p99", 20}, {"error-rate", 5}}},
      {"a later limit of 0 falls back to the default",
       {Keep(".*", 20), Keep("^error", 0)},
       {{"success-rate", 20}, {"latency-p99", 20}, {"error-rate", 10}}},
  };
  for (const Row& row : rows) {
    Result<MetricRules> got = ResolveMetricRules(kMetrics, {}, row.rules);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    for (const auto& [metric, limit] : row.want) {
      EXPECT_EQ(got->RetentionLimit(metric), limit) << row.name << " " << metric;
    }
    EXPECT_TRUE(got->dry_run.empty()) << row.name;
  }
}

TEST(MetricRulesTest, GivenABadRuleWhenResolvedThenTheErrorNamesIt) {
  struct Row {
    std::string name;
    std::vector<api::DryRun> dry_run;
    std::vector<api::MeasurementRetention> retention;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"dry run matching nothing",
       {Dry(".*"), Dry("^cpu$")},
       {},
       "dryRun[1]: Rule didn't match any metric name(s)"},
      {"a bare * is not a regex",
       {Dry("*")},
       {},
       "dryRun[0]: Rule didn't match any metric name(s): metricName \"*\" is not a regular "
       "expression: error parsing regexp: missing argument to repetition operator: `*`"},
      {"duplicate dry run rules",
       {Dry("rate"), Dry("rate")},
       {},
       "dryRun[1]: two Dry-Run metric rules have the same name 'rate'"},
      {"retention matching nothing",
       {},
       {Keep("cpu", 3)},
       "measurementRetention[0]: Rule didn't match any metric name(s)"},
      {"duplicate retention rules",
       {},
       {Keep("rate", 3), Keep("rate", 4)},
       "measurementRetention[1]: two Measurement Retention metric rules have the same name "
       "'rate'"},
      {"dry run is checked first",
       {Dry("cpu")},
       {Keep("cpu", 3)},
       "dryRun[0]: Rule didn't match any metric name(s)"},
  };
  for (const Row& row : rows) {
    Result<MetricRules> got = ResolveMetricRules(kMetrics, row.dry_run, row.retention);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().message(), row.want) << row.name;
  }
}

TEST(MetricRulesTest, GivenTheSamePatternInBothListsWhenResolvedThenItIsNoDuplicate) {
  Result<MetricRules> got = ResolveMetricRules(kMetrics, {Dry("rate")}, {Keep("rate", 2)});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_TRUE(got->IsDryRun("error-rate"));
  EXPECT_EQ(got->RetentionLimit("error-rate"), 2);
}

}  // namespace
}  // namespace devflow::analysis
