// Classifying one metric: canary samples against baseline samples, in the manner of Kayenta's
// NetflixACAJudge (docs/analysis.md, "The statistical judge").
//
// Steps, in order:
//   1. cleaning, each sample on its own: NaN values removed (nanStrategy remove, the default) or
//      replaced with 0 (replace: for counters, where no value means no events); then, with
//      outliers.strategy remove, values outside [min(P1, Q1 - k IQR), max(P99, Q3 + k IQR)]
//      removed (k = outliers.outlierFactor, default 3; taking P1/P99 keeps a tight sample from
//      losing its tails);
//   2. no data: an empty sample gives NoData with nanStrategy remove (NoDataFail when the metric
//      mustHaveData and is not critical; a critical metric's NoData fails the canary), and Pass
//      with nanStrategy replace;
//   3. identical samples (same values in any order), or all values equal: Pass;
//   4. the Mann-Whitney test (mann_whitney.h, confidence 0.98) on the shift canary - baseline:
//        High  when direction allows increase, CI lower > tolerance * |estimate| and
//              effect >= allowedIncrease;
//        Low   when direction allows decrease, CI upper < -tolerance * |estimate| and
//              effect <= allowedDecrease;
//        Pass  otherwise.
//      An effect size that cannot be computed (a zero mean) does not block High or Low.
//   5. critical: a High (Low) of a metric marked critical whose effect also reaches
//      criticalIncrease (criticalDecrease) fails the whole canary.
// Pure: samples in, classification out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/judge/mann_whitney.h"

namespace devflow::analysis::judge {

// Every default of the judge (judge_config.h documents the fields), in one place.
namespace judge_defaults {
inline constexpr double kPassThreshold = 95;           // thresholds.pass
inline constexpr double kMarginalThreshold = 75;       // thresholds.marginal
inline constexpr std::string_view kGroup = "default";  // metrics[].group
inline constexpr std::chrono::minutes kLookback{15};   // lookback
inline constexpr std::chrono::seconds kStep{15};       // step
inline constexpr int64_t kTimeoutSeconds = 30;         // timeout
inline constexpr double kOutlierFactor = 3;            // outliers.outlierFactor
inline constexpr double kTolerance = 0.25;             // fixed, as in Kayenta
inline constexpr double kConfidenceLevel = 0.98;       // fixed, as in Kayenta
inline constexpr int64_t kMaxPointsPerSeries = 11000;  // Prometheus' limit per range query
}  // namespace judge_defaults

// metrics[].direction: which change counts as a regression.
enum class Direction { kIncrease, kDecrease, kEither };
// metrics[].nanStrategy
enum class NanStrategy { kRemove, kReplace };
// metrics[].effectSize.measure: meanRatio = mean(canary) / mean(baseline) (NaN when either
// mean is 0); cles = W / (n m), the probability that a canary value exceeds a baseline value.
enum class EffectSizeMeasure { kMeanRatio, kCles };

// How one metric is judged: the per-metric fields of the judge's config (judge_config.h
// decodes them; the defaults below are the documented ones).
struct MetricCriteria {
  Direction direction = Direction::kEither;
  NanStrategy nan_strategy = NanStrategy::kRemove;
  // outliers.strategy remove sets this to outliers.outlierFactor (default 3); unset keeps
  // every value.
  std::optional<double> outlier_factor;
  bool critical = false;        // critical: a failure of this metric fails the canary
  bool must_have_data = false;  // mustHaveData: no data counts as a failure
  EffectSizeMeasure effect_size_measure = EffectSizeMeasure::kMeanRatio;
  // effectSize.*: unset means the measure's neutral value (1.0 for meanRatio, 0.5 for cles),
  // so any significant change in the monitored direction fails.
  std::optional<double> allowed_increase;
  std::optional<double> allowed_decrease;
  std::optional<double> critical_increase;
  std::optional<double> critical_decrease;
  double tolerance = judge_defaults::kTolerance;               // Kayenta's fixed tolerance
  double confidence_level = judge_defaults::kConfidenceLevel;  // Kayenta's fixed level
  friend bool operator==(const MetricCriteria&, const MetricCriteria&) = default;
};

// The neutral effect size of a measure: 1.0 for meanRatio, 0.5 for cles.
double NeutralEffectSize(EffectSizeMeasure measure);

// Kayenta's classification labels.
enum class Classification {
  kPass,
  kHigh,        // the canary is significantly higher than the baseline
  kLow,         // significantly lower
  kNoData,      // a sample was empty: left out of the score
  kNoDataFail,  // empty and mustHaveData: counts as a failing metric
};

// "Pass", "High", "Low", "NoData", "NoDataFail".
std::string_view ClassificationName(Classification classification);

// The outcome of one metric.
struct MetricClassification {
  Classification classification = Classification::kPass;
  // True when this result fails the whole canary (score 0): a critical metric with NoData, or
  // classified High/Low beyond its critical effect size.
  bool critical = false;
  // Why, for humans: "canary is higher than baseline: 98% interval of the shift [0.08, 0.12]
  // excludes 0 and mean ratio 2.01 >= allowed 1.1". Empty for a plain pass.
  std::string reason;
  // mean(canary) / mean(baseline) after cleaning; NaN when it cannot be computed.
  double mean_ratio = 1;
  // The effect size in the configured measure; NaN when it cannot be computed.
  double effect_size = 1;
  std::optional<MannWhitneyResult> test;  // set when the test ran
  size_t canary_count = 0;                // values left after cleaning
  size_t baseline_count = 0;
};

// Step 1 for one sample: the sample without NaN values (or with NaN replaced by 0), then
// without the outliers when criteria.outlier_factor is set.
std::vector<double> CleanSample(std::span<const double> values, const MetricCriteria& criteria);

// The p-th percentile (0..100) by linear interpolation between order statistics (R's type 7,
// numpy's default). REQUIRES: values non-empty and free of NaN.
double Percentile(std::span<const double> values, double p);

// Steps 1-5: classifies raw samples (as read, NaN allowed) of one metric.
MetricClassification ClassifyMetric(std::span<const double> canary,
                                    std::span<const double> baseline,
                                    const MetricCriteria& criteria);

}  // namespace devflow::analysis::judge
