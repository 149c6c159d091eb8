#include "analysis/judge/metric_classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace devflow::analysis::judge {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// 1, 2, ..., n, times `scale`, plus `shift`.
std::vector<double> Ramp(int n, double scale = 1, double shift = 0) {
  std::vector<double> v;
  for (int i = 1; i <= n; ++i) v.push_back(i * scale + shift);
  return v;
}

std::vector<double> Times(std::vector<double> v, double factor) {
  for (double& x : v) x *= factor;
  return v;
}

MetricCriteria Criteria(Direction direction = Direction::kEither) {
  MetricCriteria c;
  c.direction = direction;
  return c;
}

TEST(JudgePercentile, GivenSamplesWhenPercentileTakenThenLinearInterpolation) {
  struct Row {
    const char* name;
    std::vector<double> values;
    double p, want;
  };
  const Row rows[] = {
      {"median of an odd count", {3, 1, 2}, 50, 2},
      {"median of an even count interpolates", {1, 2, 3, 4}, 50, 2.5},
      {"first quartile of 1..5 (position 1)", {5, 4, 3, 2, 1}, 25, 2},
      {"first quartile of 1..4 (position 0.75)", {1, 2, 3, 4}, 25, 1.75},
      {"0 and 100 are the extremes", {7, -2, 9}, 0, -2},
      {"100 is the maximum", {7, -2, 9}, 100, 9},
      {"one value is every percentile", {4}, 99, 4},
  };
  for (const Row& row : rows) {
    EXPECT_DOUBLE_EQ(Percentile(row.values, row.p), row.want) << row.name;
  }
}

TEST(JudgeCleanSample, GivenNaNsAndOutliersWhenCleanedThenTheStrategyApplies) {
  MetricCriteria remove;
  MetricCriteria replace;
  replace.nan_strategy = NanStrategy::kReplace;
  MetricCriteria outliers;
  outliers.outlier_factor = 3;
  std::vector<double> ramp_and_far = Ramp(20);
  ramp_and_far.push_back(1000);
  std::vector<double> ramp_and_near = Ramp(20);
  ramp_and_near.push_back(40);
  std::vector<double> far_below = Ramp(20);
  far_below.push_back(-1000);
  struct Row {
    const char* name;
    std::vector<double> values;
    MetricCriteria criteria;
    std::vector<double> want;
  };
  const Row rows[] = {
      {"remove drops NaN", {1, kNaN, 2}, remove, {1, 2}},
      {"replace turns NaN into 0", {1, kNaN, 2}, replace, {1, 0, 2}},
      {"outliers kept without a factor", ramp_and_far, remove, ramp_and_far},
      // Q1 = 6, Q3 = 16, IQR = 10: the upper fence is max(P99 = 804, 16 + 30) = 804.
      {"a far high outlier is removed", ramp_and_far, outliers, Ramp(20)},
      // P99 = 36, Q3 + 3 IQR = 46: 40 stays.
      {"a value inside Q3 + 3 IQR stays", ramp_and_near, outliers, ramp_and_near},
      {"a far low outlier is removed", far_below, outliers, Ramp(20)},
      {"all NaN removed leaves nothing", {kNaN, kNaN}, outliers, {}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CleanSample(row.values, row.criteria), row.want) << row.name;
  }
}

TEST(JudgeClassifyMetric, GivenSamplesAndCriteriaWhenClassifiedThenKayentasLabels) {
  const std::vector<double> base = Ramp(30, 0.01, 0.1);  // 0.11 .. 0.40
  const std::vector<double> doubled = Times(base, 2);
  const std::vector<double> halved = Times(base, 0.5);
  std::vector<double> shuffled = base;
  std::reverse(shuffled.begin(), shuffled.end());
  std::vector<double> base_with_nan = base;
  base_with_nan.push_back(kNaN);

  MetricCriteria must = Criteria();
  must.must_have_data = true;
  MetricCriteria critical = Criteria();
  critical.critical = true;
  MetricCriteria critical_at_5x = critical;
  critical_at_5x.critical_increase = 5;
  MetricCriteria replace = Criteria();
  replace.nan_strategy = NanStrategy::kReplace;
  MetricCriteria allow_150 = Criteria(Direction::kIncrease);
  allow_150.allowed_increase = 1.5;
  MetricCriteria allow_250 = Criteria(Direction::kIncrease);
  allow_250.allowed_increase = 2.5;
  MetricCriteria allow_down_to_040 = Criteria(Direction::kDecrease);
  allow_down_to_040.allowed_decrease = 0.4;
  MetricCriteria cles = Criteria();
  cles.effect_size_measure = EffectSizeMeasure::kCles;
  MetricCriteria cles_unreachable = cles;
  cles_unreachable.allowed_increase = 1.01;

  struct Row {
    const char* name;
    std::vector<double> canary, baseline;
    MetricCriteria criteria;
    Classification want;
    bool want_critical;
  };
  const Row rows[] = {
      {"identical data in another order passes", shuffled, base, Criteria(), Classification::kPass,
       false},
      {"one value throughout passes", {3, 3, 3}, {3, 3}, Criteria(), Classification::kPass, false},
      {"a NaN removed leaves identical data", base_with_nan, base, Criteria(),
       Classification::kPass, false},
      {"no canary data is NoData", {}, base, Criteria(), Classification::kNoData, false},
      {"only NaN baseline is NoData",
       base,
       {kNaN, kNaN},
       Criteria(),
       Classification::kNoData,
       false},
      {"no data with mustHaveData fails the metric",
       {},
       base,
       must,
       Classification::kNoDataFail,
       false},
      {"no data of a critical metric fails the canary",
       {},
       base,
       critical,
       Classification::kNoData,
       true},
      {"no data with nanStrategy replace passes",
       {kNaN},
       {},
       replace,
       Classification::kPass,
       false},
      {"a doubled canary is High", doubled, base, Criteria(), Classification::kHigh, false},
      {"a doubled canary passes when only decreases matter", doubled, base,
       Criteria(Direction::kDecrease), Classification::kPass, false},
      {"a halved canary is Low", halved, base, Criteria(), Classification::kLow, false},
      // R's clamping of the interval to [min(x) - max(y), max(x) - min(y)] = [1, 5] makes three
      // separated values enough (docs/analysis.md, Limits: sample size).
      {"three values above three are High",
       {4, 5, 6},
       {1, 2, 3},
       Criteria(),
       Classification::kHigh,
       false},
      {"a halved canary passes when only increases matter", halved, base,
       Criteria(Direction::kIncrease), Classification::kPass, false},
      {"ratio 2 beyond allowedIncrease 1.5 is High", doubled, base, allow_150,
       Classification::kHigh, false},
      {"ratio 2 within allowedIncrease 2.5 passes", doubled, base, allow_250, Classification::kPass,
       false},
      {"ratio 0.5 within allowedDecrease 0.4 passes", halved, base, allow_down_to_040,
       Classification::kPass, false},
      {"a critical metric's High fails the canary", doubled, base, critical, Classification::kHigh,
       true},
      {"a critical metric's High below criticalIncrease is an ordinary failure", doubled, base,
       critical_at_5x, Classification::kHigh, false},
      {"cles 1 is above the neutral 0.5", doubled, base, cles, Classification::kHigh, false},
      {"cles cannot exceed 1.01", doubled, base, cles_unreachable, Classification::kPass, false},
      // mean(baseline) = 0: the ratio is NaN and does not block the classification.
      {"a shift away from a zero mean is High whatever the ratio", Ramp(21, 1, 9), Ramp(21, 1, -11),
       allow_250, Classification::kHigh, false},
  };
  for (const Row& row : rows) {
    const MetricClassification got = ClassifyMetric(row.canary, row.baseline, row.criteria);
    EXPECT_EQ(ClassificationName(got.classification), ClassificationName(row.want))
        << row.name << ": " << got.reason;
    EXPECT_EQ(got.critical, row.want_critical) << row.name << ": " << got.reason;
  }
}

TEST(JudgeClassifyMetric, GivenADoubledCanaryThenTheReadingNamesTheIntervalAndRatio) {
  const std::vector<double> base = Ramp(30, 0.01, 0.1);
  const MetricClassification got = ClassifyMetric(Times(base, 2), base, Criteria());
  ASSERT_EQ(got.classification, Classification::kHigh);
  ASSERT_TRUE(got.test.has_value());
  EXPECT_DOUBLE_EQ(got.mean_ratio, 2);
  EXPECT_EQ(got.canary_count, 30u);
  EXPECT_EQ(got.baseline_count, 30u);
  EXPECT_GT(got.test->lower, 0);
  EXPECT_NE(got.reason.find("canary is higher than baseline: 98% interval of the shift ["),
            std::string::npos)
      << got.reason;
  EXPECT_NE(got.reason.find("mean ratio 2"), std::string::npos) << got.reason;
}

TEST(JudgeClassifyMetric, GivenASignificantButSmallShiftThenTheToleranceDecides) {
  // 100 values 0.1 apart, canary moved up by 1.15: the 98% interval of the shift is about
  // [0.2, 2.1]: it excludes 0 (significant), but its lower end is below 0.25 * 1.15.
  const std::vector<double> base = Ramp(100, 0.1);
  const std::vector<double> canary = Ramp(100, 0.1, 1.15);
  const MetricClassification with_tolerance = ClassifyMetric(canary, base, Criteria());
  ASSERT_TRUE(with_tolerance.test.has_value());
  ASSERT_GT(with_tolerance.test->lower, 0) << "the premise: the shift is significant";
  ASSERT_LT(with_tolerance.test->lower, 0.25 * std::fabs(with_tolerance.test->estimate))
      << "the premise: the interval reaches below the tolerance";
  EXPECT_EQ(with_tolerance.classification, Classification::kPass) << with_tolerance.reason;

  MetricCriteria no_tolerance = Criteria();
  no_tolerance.tolerance = 0;
  EXPECT_EQ(ClassifyMetric(canary, base, no_tolerance).classification, Classification::kHigh);
}

}  // namespace
}  // namespace devflow::analysis::judge
