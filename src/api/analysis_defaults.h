// The values Argo Rollouts reads for absent analysis and experiment fields (the constants live
// in defaults.h), and the metric-name rules of dryRun[] and measurementRetention[].
//
// Stored objects keep absent fields absent; code that acts on a metric reads it through these
// getters. Getters of templatable fields (count, limits) expect a run's resolved metrics: a
// string that is not a decimal integer (an unresolved "{{args.x}}") reads as 0, as Go's
// IntOrString.IntValue() does. Validation rejects such strings in literal manifests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/expr/regex.h"
#include "api/analysis.h"
#include "api/experiment.h"
#include "common/result.h"

namespace devflow::api {

// ---- Metric counters and limits ----

// The number of measurements a metric takes: count when > 0; otherwise 1 without an interval,
// and std::nullopt (unbounded: measure until the run is terminated) with one.
std::optional<int32_t> EffectiveCount(const Metric& metric);

// failureLimit, default 0 (defaults::kFailureLimit). -1 means "never Failed by count".
int32_t FailureLimitOrDefault(const Metric& metric);
// inconclusiveLimit, default 0 (defaults::kInconclusiveLimit).
int32_t InconclusiveLimitOrDefault(const Metric& metric);
// consecutiveErrorLimit, default 4 (defaults::kConsecutiveErrorLimit); an explicit 0 is kept.
int32_t ConsecutiveErrorLimitOrDefault(const Metric& metric);
// consecutiveSuccessLimit, default 0 (defaults::kConsecutiveSuccessLimit): disabled.
int32_t ConsecutiveSuccessLimitOrDefault(const Metric& metric);

// ---- Providers ----

// provider.web.method: "GET" when empty.
std::string WebMethod(const WebMetric& web);
// provider.web.timeoutSeconds: 10 s when absent or <= 0.
std::chrono::seconds WebTimeout(const WebMetric& web);
// provider.web.jsonPath: "{$}" (the whole document) when empty.
std::string JsonPath(const WebMetric& web);
// provider.prometheus.timeout: 30 s when absent or <= 0 (validation rejects negative values).
std::chrono::seconds PrometheusTimeout(const PrometheusMetric& prometheus);

// ---- Metric-name rules (dryRun[].metricName, measurementRetention[].metricName) ----

// Compiles a metricName rule: a Go regular expression (RE2 syntax, see expr::Regex) matched
// anywhere in the name, as Go's regexp.MatchString does, so ".*" matches every metric and "^web$"
// only "web". Returns InvalidArgument naming the pattern and Go's complaint when it does not
// compile (e.g. a bare "*").
Result<std::shared_ptr<const expr::Regex>> CompileMetricNameRule(std::string_view pattern);

// True when `rule` matches `metric_name` (unanchored). The string overload compiles the rule on
// each call (false when it does not compile); callers matching many names compile once.
bool MetricNameMatches(const expr::Regex& rule, std::string_view metric_name);
bool MetricNameMatches(std::string_view rule, std::string_view metric_name);

// The number of measurements kept for a metric: the limit of the last rule that matches the
// name (as Argo's map of rules, later rules overwriting earlier ones) when that limit is > 0,
// else 10 (defaults::kMeasurementRetention).
int32_t MeasurementRetentionFor(std::string_view metric_name,
                                const std::vector<MeasurementRetention>& rules);

// True when some dryRun rule matches the metric's name.
bool IsDryRunMetric(std::string_view metric_name, const std::vector<DryRun>& rules);

// ---- Experiment ----

// spec.templates[].replicas, default 1 (defaults::kExperimentReplicas).
int32_t ReplicasOrDefault(const ExperimentTemplate& t);
// spec.progressDeadlineSeconds, default 600.
int32_t ProgressDeadlineSecondsOrDefault(const ExperimentSpec& spec);
// spec.scaleDownDelaySeconds, default 30.
int32_t ScaleDownDelaySecondsOrDefault(const ExperimentSpec& spec);

}  // namespace devflow::api
