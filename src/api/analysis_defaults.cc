#include "api/analysis_defaults.h"

#include <limits>

#include "api/defaults.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

// Go's IntOrString.IntValue(): an int as is; a string through strconv.Atoi, 0 when it fails.
int32_t IntValue(const IntOrString& v) {
  int64_t n = 0;
  if (v.is_int()) {
    n = v.int_value();
  } else {
    std::string_view s = v.string_value();
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
      negative = s[0] == '-';
      s.remove_prefix(1);
    }
    if (s.empty() || s.size() > 10) return 0;
    for (char c : s) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + (c - '0');
    }
    if (negative) n = -n;
  }
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
    return 0;
  }
  return static_cast<int32_t>(n);
}

int32_t OrDefault(const std::optional<IntOrString>& v, int32_t fallback) {
  return v ? IntValue(*v) : fallback;
}

}  // namespace

std::optional<int32_t> EffectiveCount(const Metric& metric) {
  int32_t count = metric.count ? IntValue(*metric.count) : 0;
  if (count > 0) return count;
  if (metric.interval.empty()) return 1;
  return std::nullopt;
}

int32_t FailureLimitOrDefault(const Metric& metric) {
  return OrDefault(metric.failure_limit, defaults::kFailureLimit);
}
int32_t InconclusiveLimitOrDefault(const Metric& metric) {
  return OrDefault(metric.inconclusive_limit, defaults::kInconclusiveLimit);
}
int32_t ConsecutiveErrorLimitOrDefault(const Metric& metric) {
  return OrDefault(metric.consecutive_error_limit, defaults::kConsecutiveErrorLimit);
}
int32_t ConsecutiveSuccessLimitOrDefault(const Metric& metric) {
  return OrDefault(metric.consecutive_success_limit, defaults::kConsecutiveSuccessLimit);
}

std::string WebMethod(const WebMetric& web) {
  return web.method.empty() ? std::string(defaults::kWebMethod) : web.method;
}
std::chrono::seconds WebTimeout(const WebMetric& web) {
  return std::chrono::seconds(web.timeout_seconds > 0 ? web.timeout_seconds
                                                      : defaults::kWebTimeoutSeconds);
}
std::string JsonPath(const WebMetric& web) {
  return web.json_path.empty() ? std::string(defaults::kWebJsonPath) : web.json_path;
}
std::chrono::seconds PrometheusTimeout(const PrometheusMetric& prometheus) {
  if (prometheus.timeout && *prometheus.timeout > 0) {
    return std::chrono::seconds(*prometheus.timeout);
  }
  return std::chrono::seconds(defaults::kPrometheusTimeoutSeconds);
}

Result<std::shared_ptr<const expr::Regex>> CompileMetricNameRule(std::string_view pattern) {
  auto compiled = expr::Regex::Compile(pattern);
  if (!compiled.ok()) {
    return InvalidArgumentError("must be a regular expression (\".*\" matches every metric), got " +
                                Quoted(pattern) + ": " + compiled.error().message());
  }
  return *compiled;
}

bool MetricNameMatches(const expr::Regex& rule, std::string_view metric_name) {
  expr::Budget budget;
  Result<bool> found = rule.Search(metric_name, budget);
  return found.ok() && *found;
}

bool MetricNameMatches(std::string_view rule, std::string_view metric_name) {
  auto re = CompileMetricNameRule(rule);
  return re.ok() && MetricNameMatches(**re, metric_name);
}

int32_t MeasurementRetentionFor(std::string_view metric_name,
                                const std::vector<MeasurementRetention>& rules) {
  const MeasurementRetention* last = nullptr;
  for (const MeasurementRetention& rule : rules) {
    if (MetricNameMatches(rule.metric_name, metric_name)) last = &rule;
  }
  if (last != nullptr && last->limit > 0) return last->limit;
  return defaults::kMeasurementRetention;
}

bool IsDryRunMetric(std::string_view metric_name, const std::vector<DryRun>& rules) {
  for (const DryRun& rule : rules) {
    if (MetricNameMatches(rule.metric_name, metric_name)) return true;
  }
  return false;
}

int32_t ReplicasOrDefault(const ExperimentTemplate& t) {
  return t.replicas.value_or(defaults::kExperimentReplicas);
}
int32_t ProgressDeadlineSecondsOrDefault(const ExperimentSpec& spec) {
  return spec.progress_deadline_seconds.value_or(defaults::kExperimentProgressDeadlineSeconds);
}
int32_t ScaleDownDelaySecondsOrDefault(const ExperimentSpec& spec) {
  return spec.scale_down_delay_seconds.value_or(defaults::kExperimentScaleDownDelaySeconds);
}

}  // namespace devflow::api
