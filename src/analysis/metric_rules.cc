#include "analysis/metric_rules.h"

#include <functional>

#include "analysis/expr/regex.h"
#include "api/defaults.h"
#include "api/validation_util.h"

namespace devflow::analysis {
namespace {

// Calls `on_match` with each metric name the rule at `index` of `list` matches; fails when it
// duplicates an earlier rule, does not compile, or matches nothing.
Status ApplyRule(std::string_view list, size_t index, std::string_view duplicate_what,
                 const std::string& pattern, std::set<std::string>* seen_patterns,
                 const std::vector<api::Metric>& metrics,
                 const std::function<void(const std::string&)>& on_match) {
  const std::string where = std::string(list) + "[" + std::to_string(index) + "]: ";
  if (!seen_patterns->insert(pattern).second) {
    return InvalidArgumentError(where + "two " + std::string(duplicate_what) +
                                " metric rules have the same name '" + pattern + "'");
  }
  const std::string no_match = where + "Rule didn't match any metric name(s)";
  auto regex = expr::Regex::Compile(pattern);
  if (!regex.ok()) {
    return InvalidArgumentError(no_match + ": metricName " + api::Quoted(pattern) +
                                " is not a regular expression: " + regex.error().message());
  }
  bool matched = false;
  for (const api::Metric& metric : metrics) {
    expr::Budget budget;
    Result<bool> found = (*regex)->Search(metric.name, budget);
    if (found.ok() && *found) {
      matched = true;
      on_match(metric.name);
    }
  }
  if (!matched) return InvalidArgumentError(no_match);
  return Status::Ok();
}

}  // namespace

bool MetricRules::IsDryRun(std::string_view metric_name) const {
  return dry_run.find(std::string(metric_name)) != dry_run.end();
}

int32_t MetricRules::RetentionLimit(std::string_view metric_name) const {
  auto it = retention.find(std::string(metric_name));
  if (it != retention.end() && it->second > 0) return it->second;
  return api::defaults::kMeasurementRetention;
}

Result<MetricRules> ResolveMetricRules(const std::vector<api::Metric>& metrics,
                                       const std::vector<api::DryRun>& dry_run,
                                       const std::vector<api::MeasurementRetention>& retention) {
  MetricRules rules;
  std::set<std::string> seen;
  for (size_t i = 0; i < dry_run.size(); ++i) {
    DEVFLOW_RETURN_IF_ERROR(
        ApplyRule("dryRun", i, "Dry-Run", dry_run[i].metric_name, &seen, metrics,
                  [&](const std::string& name) { rules.dry_run.insert(name); }));
  }
  seen.clear();
  for (size_t i = 0; i < retention.size(); ++i) {
    const int32_t limit = retention[i].limit;
    DEVFLOW_RETURN_IF_ERROR(
        ApplyRule("measurementRetention", i, "Measurement Retention", retention[i].metric_name,
                  &seen, metrics, [&](const std::string& name) { rules.retention[name] = limit; }));
  }
  return rules;
}

}  // namespace devflow::analysis
