// MetricRules: what an AnalysisRun's dryRun[] and measurementRetention[] decide for each of its
// metrics (spec §5.3; Argo's analysisutil.GetDryRunMetrics / GetMeasurementRetentionMetrics).
//
// Each rule's metricName is a Go regular expression matched anywhere in the metric's name
// (regexp.MatchString), so ".*" matches every metric and "^web$" only "web"; a bare "*" is not
// a regex. Every rule must match at least one metric of the run. A dry-run metric is measured
// and recorded as usual but never decides the run's phase. The retention limit of a metric is
// the limit of the last rule matching it when that is > 0, else 10.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/analysis.h"
#include "common/result.h"

namespace devflow::analysis {

struct MetricRules {
  std::set<std::string> dry_run;  // names of the dry-run metrics
  // Metric name -> the limit of the last measurementRetention rule matching it (as written,
  // possibly <= 0).
  std::map<std::string, int32_t> retention;

  // True when a dryRun rule matched `metric_name`.
  bool IsDryRun(std::string_view metric_name) const;
  // The number of measurements kept for `metric_name`: its rule's limit when > 0, else 10
  // (defaults::kMeasurementRetention).
  int32_t RetentionLimit(std::string_view metric_name) const;

  friend bool operator==(const MetricRules&, const MetricRules&) = default;
};

// Applies `dry_run` and `retention` to the names of `metrics`. Returns InvalidArgument on the
// first problem, checking dryRun[] before measurementRetention[], each rule in order:
//   "dryRun[i]: two Dry-Run metric rules have the same name 'x'"
//   "dryRun[i]: Rule didn't match any metric name(s)"
//   "dryRun[i]: Rule didn't match any metric name(s): metricName \"*\" is not a regular
//    expression: error parsing regexp: ..."
// and the same for measurementRetention[i] ("two Measurement Retention metric rules have the
// same name 'x'").
Result<MetricRules> ResolveMetricRules(const std::vector<api::Metric>& metrics,
                                       const std::vector<api::DryRun>& dry_run,
                                       const std::vector<api::MeasurementRetention>& retention);

}  // namespace devflow::analysis
