// The configuration of devflow's `judge` metric provider (spec.metrics[].provider.judge), typed
// and validated. The judge compares the canary with a baseline (the stable version, or a fresh
// baseline started with the canary) on several metrics read from Prometheus over the same window,
// and scores the canary 0-100 as Kayenta does (canary_score.h). Field names follow Kayenta's
// canary config where it has one.
//
//   judge:
//     address: http://prometheus.monitoring:9090   # default: $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS
//     canaryScope: "{{args.canary-hash}}"          # required: replaces ${scope} for the canary
//     baselineScope: "{{args.stable-hash}}"        # required: replaces ${scope} for the baseline
//     lookback: 15m           # the window [now - lookback, now]; default 15m
//     step: 15s               # the range query's resolution; default 15s (61 points)
//     timeout: 30             # seconds per query; default 30
//     thresholds: {pass: 95, marginal: 75}         # defaults 95 and 75
//     groupWeights: {latency: 60, errors: 40}      # default: groups share 100 equally
//     metrics:
//     - name: p99-latency                           # required, unique
//       query: histogram_quantile(0.99, sum by (le) (rate(
//              http_request_duration_seconds_bucket{rollouts_pod_template_hash="${scope}"}[1m])))
//       group: latency        # default "default"
//       direction: increase   # increase | decrease | either (default)
//       critical: false       # a failure gives score 0
//       mustHaveData: false   # no data counts as a failure
//       nanStrategy: remove   # remove (default) | replace (NaN becomes 0)
//       outliers: {strategy: remove, outlierFactor: 3}   # strategy keep (default) | remove
//       effectSize: {measure: meanRatio, allowedIncrease: 1.1, criticalIncrease: 5}
//
// Checks (paths relative to the judge object, e.g. spec.metrics[0].provider.judge.thresholds.pass):
//   every object                  unknown fields rejected, naming the known ones
//   address                       an http:// or https:// URL when set
//   canaryScope, baselineScope    required; different from each other
//   lookback, step                Go durations > 0; lookback / step <= 10999 (Prometheus
//                                 answers at most 11,000 points per series)
//   timeout                       an integer > 0
//   thresholds.pass, .marginal    numbers 0..100; marginal <= pass
//   groupWeights.<group>          numbers >= 0 naming groups of metrics[]; total <= 100, and
//                                 exactly 100 when every group has a weight
//   metrics                       at least one
//   metrics[].name                required; unique
//   metrics[].query               required; contains ${scope} (else both sides read the same
//                                 series and the judge can only pass)
//   metrics[].direction, nanStrategy, outliers.strategy, effectSize.measure   one of the above
//   metrics[].outliers.outlierFactor   a number > 0
//   metrics[].effectSize.*        meanRatio: allowedIncrease >= 1, 0 < allowedDecrease <= 1;
//                                 cles: values 0..1 with allowedIncrease >= 0.5 and
//                                 allowedDecrease <= 0.5; criticalIncrease >= allowedIncrease,
//                                 criticalDecrease <= allowedDecrease
// Fields holding "{{...}}" placeholders (at admission, before the run substitutes its args) are
// accepted without their literal checks.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/judge/metric_classification.h"
#include "api/field_error.h"
#include "common/field_path.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::analysis::judge {

// The defaults (judge_defaults::*) live in metric_classification.h, the lowest header using them.

// The text in metrics[].query that is replaced by canaryScope or baselineScope.
inline constexpr std::string_view kScopePlaceholder = "${scope}";

// thresholds
struct ScoreThresholds {
  double pass = judge_defaults::kPassThreshold;          // pass: score >= pass is Pass
  double marginal = judge_defaults::kMarginalThreshold;  // marginal: >= marginal is Marginal
  friend bool operator==(const ScoreThresholds&, const ScoreThresholds&) = default;
};

// metrics[]
struct JudgeMetric {
  std::string name;                                         // name
  std::string query;                                        // query: PromQL holding ${scope}
  std::string group = std::string(judge_defaults::kGroup);  // group
  // direction, critical, mustHaveData, nanStrategy, outliers, effectSize
  MetricCriteria criteria;
  friend bool operator==(const JudgeMetric&, const JudgeMetric&) = default;
};

// provider.judge
struct JudgeConfig {
  std::string address;         // address: empty means $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS
  std::string canary_scope;    // canaryScope
  std::string baseline_scope;  // baselineScope
  std::chrono::nanoseconds lookback = judge_defaults::kLookback;  // lookback
  std::chrono::nanoseconds step = judge_defaults::kStep;          // step
  int64_t timeout_seconds = judge_defaults::kTimeoutSeconds;      // timeout
  ScoreThresholds thresholds;                                     // thresholds
  std::map<std::string, double> group_weights;                    // groupWeights
  std::vector<JudgeMetric> metrics;                               // metrics
  friend bool operator==(const JudgeConfig&, const JudgeConfig&) = default;
};

// Decodes and checks the judge object `judge` found at `path` (e.g.
// "spec.metrics[0].provider.judge"). Appends every problem to *errors, each with its full path;
// a field that fails keeps its default. Returns the config (meaningful when no error was added).
JudgeConfig DecodeJudgeConfig(const json::Value& judge, const FieldPath& path,
                              api::FieldErrors* errors);

// DecodeJudgeConfig for callers that want one Status: the config, or InvalidArgument whose
// field_path and message are the first error's, the message followed by the other errors as
// "; <path>: <message>". ToString() reads
// "InvalidArgument: spec.metrics[0].provider.judge.thresholds.pass: must be 0..100, got 120".
Result<JudgeConfig> ParseJudgeConfig(const json::Value& judge, const FieldPath& path);

// `query` with every ${scope} replaced by `scope`.
std::string ResolveQuery(std::string_view query, std::string_view scope);

}  // namespace devflow::analysis::judge
