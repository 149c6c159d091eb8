// Scoring a canary from its metrics' classifications, as Kayenta's judge does, and the judge as
// one pure function: samples in, verdict out.
//
//   group score   = 100 * Pass / (Pass + High + Low + NoDataFail) of the group's metrics
//                   (NoData metrics are left out; a group with only NoData counts as 100)
//   summary score = sum over groups of group score * weight / 100, rounded to 2 decimals.
//                   groupWeights name some groups; the others share what is left of 100
//                   equally (with no weights, all groups weigh the same).
//   forced to 0   when a metric's classification is critical (metric_classification.h), or
//                 when half or more of the metrics are NoData.
//   verdict       Pass when score >= thresholds.pass, Marginal when >= thresholds.marginal,
//                 Fail otherwise.
// Argo Rollouts' kayenta provider maps these to measurement phases Successful, Inconclusive
// and Failed; VerdictPhase does the same for devflow's judge.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/judge/judge_config.h"
#include "analysis/judge/metric_classification.h"

namespace devflow::analysis::judge {

// One metric's samples, as read over the window (NaN allowed: the metric's nanStrategy
// decides).
struct MetricSamples {
  std::string name;  // metrics[].name
  std::vector<double> canary;
  std::vector<double> baseline;
};

// One metric's result, in its group.
struct MetricOutcome {
  std::string name;
  std::string group;
  MetricClassification classification;
};

struct GroupScore {
  std::string name;
  double weight = 0;     // the weight used, explicit or shared (0..100)
  double score = 0;      // 0..100
  bool no_data = false;  // every metric of the group is NoData (scored as 100)
  int pass = 0;
  int failed = 0;  // High, Low or NoDataFail
  int nodata = 0;  // NoData, left out of the score
};

enum class Verdict { kPass, kMarginal, kFail };

// "Pass", "Marginal", "Fail".
std::string_view VerdictName(Verdict verdict);
// The measurement phase of a verdict: Successful, Inconclusive, Failed (api::analysis_phase).
std::string_view VerdictPhase(Verdict verdict);

struct CanaryScore {
  double score = 0;  // 0..100, rounded to 2 decimals
  Verdict verdict = Verdict::kFail;
  // Why the score was forced to 0 (a critical failure, too many NoData); empty otherwise.
  std::string forced_reason;
  std::vector<GroupScore> groups;      // by group name
  std::vector<MetricOutcome> metrics;  // as given
};

// Scores classified metrics. `group_weights` and `thresholds` are as JudgeConfig holds them
// (validated there: weights >= 0, total <= 100). With no metrics the score is 0 (Fail).
CanaryScore ScoreCanary(std::vector<MetricOutcome> metrics,
                        const std::map<std::string, double>& group_weights,
                        const ScoreThresholds& thresholds);

// The whole judge: classifies every metric of `config` on the samples of the same name (a
// metric without samples is classified on empty ones, so it is NoData) and scores them.
// Samples naming no metric are ignored.
CanaryScore JudgeCanary(const JudgeConfig& config, const std::vector<MetricSamples>& samples);

// The reading as text for measurements[].message: the score, the verdict against the
// thresholds, then each metric that did not pass and why, e.g.
//   "score 50: Fail (pass 95, marginal 75); 1 of 2 metrics passed; p99-latency: High, canary is
//    higher than baseline: 98% interval of the shift [0.08, 0.12], mean ratio 2.01"
std::string DescribeScore(const CanaryScore& score, const ScoreThresholds& thresholds);

}  // namespace devflow::analysis::judge
