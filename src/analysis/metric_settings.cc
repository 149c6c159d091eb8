#include "analysis/metric_settings.h"

#include <limits>
#include <set>
#include <string>

#include "api/analysis_defaults.h"
#include "api/defaults.h"
#include "api/duration.h"
#include "api/validation_util.h"

namespace devflow::analysis {
namespace {

// An IntOrString field as an int32: an integer, or a string of decimal digits with an optional
// sign. `fallback` when absent.
Result<int32_t> ReadInt(const std::optional<api::IntOrString>& field, std::string_view name,
                        int32_t fallback) {
  if (!field) return fallback;
  int64_t n = 0;
  bool ok = true;
  if (field->is_int()) {
    n = field->int_value();
  } else {
    std::string_view s = field->string_value();
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
      negative = s[0] == '-';
      s.remove_prefix(1);
    }
    ok = !s.empty() && s.size() <= 10;
    for (char c : s) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      n = n * 10 + (c - '0');
    }
    if (negative) n = -n;
  }
  if (!ok || n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
    return InvalidArgumentError(std::string(name) + ": must be an integer, got " +
                                api::Quoted(field->ToString()));
  }
  return static_cast<int32_t>(n);
}

Result<std::optional<std::chrono::nanoseconds>> ReadDuration(const std::string& text,
                                                             std::string_view name) {
  if (text.empty()) return std::optional<std::chrono::nanoseconds>();
  Result<std::chrono::nanoseconds> d = api::ParseGoDuration(text);
  if (!d.ok()) return InvalidArgumentError(std::string(name) + ": " + d.error().message());
  if (d->count() < 0) {
    return InvalidArgumentError(std::string(name) + ": must not be negative, got " +
                                api::Quoted(text));
  }
  return std::optional<std::chrono::nanoseconds>(*d);
}

Status AtLeast(int32_t value, int32_t min, std::string_view name) {
  if (value >= min) return Status::Ok();
  return InvalidArgumentError(std::string(name) + ": must be >= " + std::to_string(min) + ", got " +
                              std::to_string(value));
}

}  // namespace

Result<MetricSettings> ParseMetricSettings(const api::Metric& metric) {
  MetricSettings s;
  DEVFLOW_ASSIGN_OR_RETURN(s.interval, ReadDuration(metric.interval, "interval"));
  DEVFLOW_ASSIGN_OR_RETURN(s.initial_delay, ReadDuration(metric.initial_delay, "initialDelay"));
  DEVFLOW_ASSIGN_OR_RETURN(int32_t count, ReadInt(metric.count, "count", 0));
  DEVFLOW_ASSIGN_OR_RETURN(
      s.failure_limit, ReadInt(metric.failure_limit, "failureLimit", api::defaults::kFailureLimit));
  DEVFLOW_ASSIGN_OR_RETURN(
      s.inconclusive_limit,
      ReadInt(metric.inconclusive_limit, "inconclusiveLimit", api::defaults::kInconclusiveLimit));
  DEVFLOW_ASSIGN_OR_RETURN(s.consecutive_error_limit,
                           ReadInt(metric.consecutive_error_limit, "consecutiveErrorLimit",
                                   api::defaults::kConsecutiveErrorLimit));
  DEVFLOW_ASSIGN_OR_RETURN(s.consecutive_success_limit,
                           ReadInt(metric.consecutive_success_limit, "consecutiveSuccessLimit",
                                   api::defaults::kConsecutiveSuccessLimit));

  DEVFLOW_RETURN_IF_ERROR(AtLeast(count, 0, "count"));
  DEVFLOW_RETURN_IF_ERROR(AtLeast(s.failure_limit, -1, "failureLimit"));
  DEVFLOW_RETURN_IF_ERROR(AtLeast(s.inconclusive_limit, 0, "inconclusiveLimit"));
  DEVFLOW_RETURN_IF_ERROR(AtLeast(s.consecutive_error_limit, 0, "consecutiveErrorLimit"));
  DEVFLOW_RETURN_IF_ERROR(AtLeast(s.consecutive_success_limit, 0, "consecutiveSuccessLimit"));
  if (s.failure_limit == -1 && s.consecutive_success_limit == 0) {
    return InvalidArgumentError(
        "failureLimit: -1 (disabled) needs consecutiveSuccessLimit > 0: failureLimit and "
        "consecutiveSuccessLimit cannot both be disabled");
  }
  if (count > 0) {
    if (s.failure_limit >= 0 && count < s.failure_limit + s.consecutive_success_limit) {
      return InvalidArgumentError("count: must be >= failureLimit + consecutiveSuccessLimit (" +
                                  std::to_string(s.failure_limit) + " + " +
                                  std::to_string(s.consecutive_success_limit) + "), got " +
                                  std::to_string(count));
    }
    if (s.failure_limit < 0 && count < s.consecutive_success_limit) {
      return InvalidArgumentError("count: must be >= consecutiveSuccessLimit (" +
                                  std::to_string(s.consecutive_success_limit) + "), got " +
                                  std::to_string(count));
    }
    if (count < s.inconclusive_limit) {
      return InvalidArgumentError("count: must be >= inconclusiveLimit (" +
                                  std::to_string(s.inconclusive_limit) + "), got " +
                                  std::to_string(count));
    }
  }
  if (count > 1 && !s.interval) {
    return InvalidArgumentError("count: " + std::to_string(count) +
                                " needs an interval between measurements");
  }
  std::vector<std::string_view> providers = api::SetProviders(metric.provider);
  if (providers.empty()) return InvalidArgumentError("provider: no provider specified");
  if (providers.size() > 1) return InvalidArgumentError("provider: multiple providers specified");

  if (count > 0) {
    s.count = count;
  } else if (!s.interval) {
    s.count = 1;
  }
  return s;
}

Result<std::vector<MetricSettings>> ParseRunMetrics(const std::vector<api::Metric>& metrics) {
  if (metrics.empty()) return InvalidArgumentError("metrics: no metrics specified");
  std::vector<MetricSettings> out;
  std::set<std::string> names;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const std::string prefix = "metrics[" + std::to_string(i) + "].";
    if (!names.insert(metrics[i].name).second) {
      return InvalidArgumentError(prefix + "name: duplicate name " + api::Quoted(metrics[i].name));
    }
    Result<MetricSettings> s = ParseMetricSettings(metrics[i]);
    if (!s.ok()) return InvalidArgumentError(prefix + s.error().message());
    out.push_back(*s);
  }
  return out;
}

}  // namespace devflow::analysis
