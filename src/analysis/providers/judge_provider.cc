#include "analysis/providers/judge_provider.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>

#include "analysis/judge/metric_classification.h"
#include "analysis/providers/web_provider.h"
#include "common/field_path.h"

namespace devflow::analysis::providers {
namespace {

constexpr std::string_view kPath = "provider.judge";

// JSON has no NaN: an effect size that cannot be computed is null.
json::Value NumberOrNull(double v) { return std::isfinite(v) ? json::Value(v) : json::Value(); }

json::Value MetricResult(const judge::MetricOutcome& m) {
  const judge::MetricClassification& c = m.classification;
  json::Object o;
  o.Set("name", m.name);
  o.Set("group", m.group);
  o.Set("classification", judge::ClassificationName(c.classification));
  o.Set("critical", c.critical);
  o.Set("meanRatio", NumberOrNull(c.mean_ratio));
  o.Set("effectSize", NumberOrNull(c.effect_size));
  o.Set("canaryCount", static_cast<int64_t>(c.canary_count));
  o.Set("baselineCount", static_cast<int64_t>(c.baseline_count));
  o.Set("reason", c.reason);
  return o;
}

// One side of one metric: the range query for `scope`, flattened.
Result<std::vector<double>> ReadSide(PrometheusClient& client, const judge::JudgeMetric& metric,
                                     std::string_view side, std::string_view scope,
                                     const PrometheusRange& window) {
  Result<PrometheusQueryResult> answer =
      client.QueryRange(judge::ResolveQuery(metric.query, scope), window);
  if (!answer.ok()) {
    return answer.error().WithContext("judge metric \"" + metric.name + "\", " + std::string(side) +
                                      " query");
  }
  return FlattenSamples(*answer);
}

}  // namespace

Result<PrometheusClientOptions> JudgeClientOptions(const judge::JudgeConfig& config,
                                                   std::string_view default_address) {
  PrometheusClientOptions options;
  options.address = config.address.empty() ? std::string(default_address) : config.address;
  if (options.address.empty()) {
    return InvalidArgumentError(
        "prometheus address is not configured: set it, or the environment variable " +
            std::string(kPrometheusAddressEnv),
        std::string(kPath) + ".address");
  }
  options.timeout = std::chrono::seconds(config.timeout_seconds);
  return options;
}

PrometheusRange JudgeWindow(const judge::JudgeConfig& config, api::TimePoint now) {
  return PrometheusRange{
      .start = now - std::chrono::duration_cast<std::chrono::microseconds>(config.lookback),
      .end = now,
      .step = config.step};
}

std::vector<double> FlattenSamples(const PrometheusQueryResult& answer) {
  std::vector<double> values;
  switch (answer.type) {
    case PrometheusResultType::kScalar:
      values.push_back(answer.scalar.value);
      break;
    case PrometheusResultType::kVector:
    case PrometheusResultType::kMatrix:
      for (const PrometheusSeries& series : answer.series) {
        for (const PrometheusSample& sample : series.samples) values.push_back(sample.value);
      }
      break;
    case PrometheusResultType::kString:
      break;
  }
  return values;
}

std::map<std::string, std::string> JudgeResolvedQueries(const judge::JudgeConfig& config) {
  std::map<std::string, std::string> queries;
  for (const judge::JudgeMetric& m : config.metrics) {
    queries[std::string(kResolvedCanaryQuery) + m.name] =
        judge::ResolveQuery(m.query, config.canary_scope);
    queries[std::string(kResolvedBaselineQuery) + m.name] =
        judge::ResolveQuery(m.query, config.baseline_scope);
  }
  return queries;
}

json::Value JudgeResult(const judge::CanaryScore& score) {
  json::Array metrics;
  for (const judge::MetricOutcome& m : score.metrics) metrics.push_back(MetricResult(m));
  json::Object o;
  o.Set("score", score.score);
  o.Set("verdict", judge::VerdictName(score.verdict));
  o.Set("metrics", std::move(metrics));
  return o;
}

Reading JudgeReading(const judge::JudgeConfig& config, const judge::CanaryScore& score) {
  Reading reading;
  reading.result = JudgeResult(score);
  reading.value = EncodeGoJson(reading.result);
  reading.phase = std::string(judge::VerdictPhase(score.verdict));
  reading.message = judge::DescribeScore(score, config.thresholds);
  reading.metric_metadata = JudgeResolvedQueries(config);
  return reading;
}

Result<Reading> JudgeProvider::Measure(const MeasurementRequest& request) {
  if (!request.metric.provider.judge) {
    return InvalidArgumentError("is not set", std::string(kPath));
  }
  DEVFLOW_ASSIGN_OR_RETURN(judge::JudgeConfig config,
                           judge::ParseJudgeConfig(*request.metric.provider.judge,
                                                   FieldPath("provider").Child("judge")));
  DEVFLOW_ASSIGN_OR_RETURN(PrometheusClientOptions options,
                           JudgeClientOptions(config, options_.default_address));
  DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<PrometheusClient> client,
                           PrometheusClient::Create(std::move(options)));
  const PrometheusRange window = JudgeWindow(config, request.now);
  std::vector<judge::MetricSamples> samples;
  for (const judge::JudgeMetric& metric : config.metrics) {
    judge::MetricSamples s{.name = metric.name};
    DEVFLOW_ASSIGN_OR_RETURN(s.canary,
                             ReadSide(*client, metric, "canary", config.canary_scope, window));
    DEVFLOW_ASSIGN_OR_RETURN(s.baseline,
                             ReadSide(*client, metric, "baseline", config.baseline_scope, window));
    samples.push_back(std::move(s));
  }
  return JudgeReading(config, judge::JudgeCanary(config, samples));
}

}  // namespace devflow::analysis::providers
