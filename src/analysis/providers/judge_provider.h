// JudgeProvider: the MetricProvider for `provider.judge`, devflow's statistical judge fed from
// Prometheus (docs/analysis.md, "The statistical judge" and "The judge provider").
//
// A measurement decodes the judge's config (judge/judge_config.h), then for every metric runs
// two range queries over the same window [now - lookback, now] at `step`: the metric's query
// with ${scope} replaced by canaryScope, and by baselineScope. Each answer is flattened into one
// sample (every value of every series, in series order; NaN kept, since the metric's
// nanStrategy decides about it), and the samples go to the pure judge (JudgeCanary). The
// provider decides the phase itself, as Argo's kayenta provider does:
//   Pass -> Successful, Marginal -> Inconclusive, Fail -> Failed      (VerdictPhase)
// with the message DescribeScore(...) and the result
//   {"score": 97.5, "verdict": "Pass", "metrics": [{"name": "p99-latency", "group": "latency",
//    "classification": "Pass", "critical": false, "meanRatio": 1.02, "effectSize": 1.02,
//    "canaryCount": 61, "baselineCount": 61, "reason": ""}, ...]}
// (meanRatio and effectSize are null when they cannot be computed) whose Go JSON encoding is the
// measurement's value. The metric's metadata records every query as sent (JudgeResolvedQueries).
//
// Errors (the measurement becomes an Error, counted towards consecutiveErrorLimit):
//   InvalidArgument  no judge block (field path "provider.judge"), a config ParseJudgeConfig
//                    rejects (its field path under "provider.judge"), no Prometheus address;
//   any error of PrometheusClient (prometheus_client.h) on any query, its message prefixed with
//                    the metric and the side: `judge metric "p99-latency", canary query: ...`.
// Nothing is judged when a query fails: a verdict on half the data would be misleading.
//
// The provider is stateless (a client per measurement), so Measure may be called from several
// threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/judge/canary_score.h"
#include "analysis/judge/judge_config.h"
#include "analysis/metric_provider.h"
#include "analysis/providers/prometheus_client.h"
#include "analysis/providers/prometheus_provider.h"
#include "api/time.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::analysis::providers {

// The judge reads the same Prometheus as the prometheus provider when its address is empty:
// default_address is $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS
// (PrometheusProviderOptions::FromEnvironment).
using JudgeProviderOptions = PrometheusProviderOptions;

// Metric metadata key prefixes: "<prefix><metrics[].name>" holds the query sent for that side.
inline constexpr std::string_view kResolvedCanaryQuery = "ResolvedCanaryQuery.";
inline constexpr std::string_view kResolvedBaselineQuery = "ResolvedBaselineQuery.";

class JudgeProvider : public MetricProvider {
 public:
  explicit JudgeProvider(JudgeProviderOptions options = {}) : options_(std::move(options)) {}

  // Takes one measurement of request.metric.provider.judge at request.now: the Reading of the
  // file comment, or its errors.
  Result<Reading> Measure(const MeasurementRequest& request) override;

 private:
  JudgeProviderOptions options_;
};

// The client options for `config`: its address, else `default_address`; the timeout from
// timeout (seconds). InvalidArgument (field path "provider.judge.address") when neither address
// is set; an address that is not a URL is left for PrometheusClient::Create to reject.
Result<PrometheusClientOptions> JudgeClientOptions(const judge::JudgeConfig& config,
                                                   std::string_view default_address);

// The window both sides are read over: [now - lookback, now] at step.
PrometheusRange JudgeWindow(const judge::JudgeConfig& config, api::TimePoint now);

// One side's sample from a query's answer: every value of every series in series order (a
// range query answers a matrix), the value of a scalar, nothing for a string. NaN and +-Inf are
// kept.
std::vector<double> FlattenSamples(const PrometheusQueryResult& answer);

// The metric metadata naming every query as sent: kResolvedCanaryQuery + name and
// kResolvedBaselineQuery + name for each metric, with ${scope} replaced.
std::map<std::string, std::string> JudgeResolvedQueries(const judge::JudgeConfig& config);

// The result object of the file comment for `score`.
json::Value JudgeResult(const judge::CanaryScore& score);

// The whole Reading for `score` judged under `config`: phase VerdictPhase(verdict), message
// DescribeScore(score, config.thresholds), result JudgeResult(score), value its Go JSON
// encoding, metric_metadata JudgeResolvedQueries(config).
Reading JudgeReading(const judge::JudgeConfig& config, const judge::CanaryScore& score);

}  // namespace devflow::analysis::providers
