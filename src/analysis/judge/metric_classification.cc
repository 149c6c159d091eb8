#include "analysis/judge/metric_classification.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace devflow::analysis::judge {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Mean(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// mean(canary) / mean(baseline); NaN when either mean is 0 (as Kayenta: a ratio to or from
// nothing says nothing about the size of a change).
double MeanRatio(std::span<const double> canary, std::span<const double> baseline) {
  const double canary_mean = Mean(canary);
  const double baseline_mean = Mean(baseline);
  if (canary_mean == 0 || baseline_mean == 0) {
    return kNaN;
  }
  return canary_mean / baseline_mean;
}

// "%.4g" of a double, for reasons.
std::string Number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string_view MeasureName(EffectSizeMeasure measure) {
  return measure == EffectSizeMeasure::kCles ? "cles" : "mean ratio";
}

bool AllowsIncrease(Direction d) { return d == Direction::kIncrease || d == Direction::kEither; }
bool AllowsDecrease(Direction d) { return d == Direction::kDecrease || d == Direction::kEither; }

// effect >= threshold, or true when the effect is unknown (NaN).
bool ReachesUp(double effect, double threshold) {
  return std::isnan(effect) || effect >= threshold;
}
bool ReachesDown(double effect, double threshold) {
  return std::isnan(effect) || effect <= threshold;
}

}  // namespace

double NeutralEffectSize(EffectSizeMeasure measure) {
  return measure == EffectSizeMeasure::kCles ? 0.5 : 1.0;
}

std::string_view ClassificationName(Classification classification) {
  switch (classification) {
    case Classification::kPass:
      return "Pass";
    case Classification::kHigh:
      return "High";
    case Classification::kLow:
      return "Low";
    case Classification::kNoData:
      return "NoData";
    case Classification::kNoDataFail:
      return "NoDataFail";
  }
  return "Unknown";
}

double Percentile(std::span<const double> values, double p) {
  assert(!values.empty());
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double position = p / 100 * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

std::vector<double> CleanSample(std::span<const double> values, const MetricCriteria& criteria) {
  std::vector<double> clean;
  clean.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) {
      clean.push_back(v);
    } else if (criteria.nan_strategy == NanStrategy::kReplace) {
      clean.push_back(0);
    }
  }
  if (!criteria.outlier_factor || clean.empty()) {
    return clean;
  }
  const double k = *criteria.outlier_factor;
  const double q1 = Percentile(clean, 25);
  const double q3 = Percentile(clean, 75);
  const double low_fence = std::min(Percentile(clean, 1), q1 - k * (q3 - q1));
  const double high_fence = std::max(Percentile(clean, 99), q3 + k * (q3 - q1));
  std::erase_if(clean, [&](double v) { return v < low_fence || v > high_fence; });
  return clean;
}

MetricClassification ClassifyMetric(std::span<const double> canary_raw,
                                    std::span<const double> baseline_raw,
                                    const MetricCriteria& criteria) {
  MetricClassification out;
  std::vector<double> canary = CleanSample(canary_raw, criteria);
  std::vector<double> baseline = CleanSample(baseline_raw, criteria);
  out.canary_count = canary.size();
  out.baseline_count = baseline.size();

  if (canary.empty() || baseline.empty()) {
    if (criteria.nan_strategy == NanStrategy::kReplace) {
      return out;  // Pass: with replace, no values means nothing happened on either side
    }
    out.reason = std::string("no data: ") + std::to_string(canary.size()) + " canary and " +
                 std::to_string(baseline.size()) + " baseline values";
    if (criteria.critical) {
      out.classification = Classification::kNoData;
      out.critical = true;
      out.reason += " (critical metric)";
    } else if (criteria.must_have_data) {
      out.classification = Classification::kNoDataFail;
      out.reason += " (mustHaveData)";
    } else {
      out.classification = Classification::kNoData;
    }
    return out;
  }

  out.mean_ratio = MeanRatio(canary, baseline);
  out.effect_size = out.mean_ratio;
  std::vector<double> canary_sorted = canary;
  std::vector<double> baseline_sorted = baseline;
  std::sort(canary_sorted.begin(), canary_sorted.end());
  std::sort(baseline_sorted.begin(), baseline_sorted.end());
  if (canary_sorted == baseline_sorted) {
    out.reason = "canary and baseline data are identical";
    return out;
  }
  if (canary_sorted.front() == canary_sorted.back() &&
      baseline_sorted.front() == baseline_sorted.back() &&
      canary_sorted.front() == baseline_sorted.front()) {
    return out;  // one value throughout: nothing to compare
  }

  Result<MannWhitneyResult> test = MannWhitneyTest(canary, baseline, criteria.confidence_level);
  // Cleaning left only finite values in non-empty samples; a failure is a bug.
  assert(test.ok());
  if (!test.ok()) {
    out.reason = test.error().message();
    return out;
  }
  out.test = *test;
  if (criteria.effect_size_measure == EffectSizeMeasure::kCles) {
    out.effect_size = test->w / (static_cast<double>(canary.size()) * baseline.size());
  }

  const double neutral = NeutralEffectSize(criteria.effect_size_measure);
  const double bound = criteria.tolerance * std::fabs(test->estimate);
  const std::string interval = Number(criteria.confidence_level * 100) +
                               "% interval of the shift [" + Number(test->lower) + ", " +
                               Number(test->upper) + "]";
  const std::string effect =
      std::string(MeasureName(criteria.effect_size_measure)) + " " + Number(out.effect_size);
  const bool high = AllowsIncrease(criteria.direction) && test->lower > bound &&
                    ReachesUp(out.effect_size, criteria.allowed_increase.value_or(neutral));
  const bool low = AllowsDecrease(criteria.direction) && test->upper < -bound &&
                   ReachesDown(out.effect_size, criteria.allowed_decrease.value_or(neutral));
  if (high) {
    out.classification = Classification::kHigh;
    out.reason = "canary is higher than baseline: " + interval + ", " + effect;
    out.critical = criteria.critical &&
                   ReachesUp(out.effect_size, criteria.critical_increase.value_or(neutral));
  } else if (low) {
    out.classification = Classification::kLow;
    out.reason = "canary is lower than baseline: " + interval + ", " + effect;
    out.critical = criteria.critical &&
                   ReachesDown(out.effect_size, criteria.critical_decrease.value_or(neutral));
  }
  if (out.critical) {
    out.reason += " (critical)";
  }
  return out;
}

}  // namespace devflow::analysis::judge
