#include "api/analysis.h"

namespace devflow::api {

bool IsCompletedPhase(std::string_view phase) {
  return phase == analysis_phase::kSuccessful || phase == analysis_phase::kFailed ||
         phase == analysis_phase::kError || phase == analysis_phase::kInconclusive;
}

const std::vector<std::string_view>& MetricProviderNames() {
  static const std::vector<std::string_view> names = {
      "cloudWatch", "datadog",  "graphite", "haproxy",    "influxdb",   "job",       "judge",
      "kayenta",    "newRelic", "plugin",   "prometheus", "skywalking", "wavefront", "web"};
  return names;
}

std::vector<std::string_view> SetProviders(const MetricProvider& p) {
  std::vector<std::string_view> set;
  if (p.cloud_watch) set.push_back("cloudWatch");
  if (p.datadog) set.push_back("datadog");
  if (p.graphite) set.push_back("graphite");
  if (p.haproxy) set.push_back("haproxy");
  if (p.influxdb) set.push_back("influxdb");
  if (p.job) set.push_back("job");
  if (p.judge) set.push_back("judge");
  if (p.kayenta) set.push_back("kayenta");
  if (p.new_relic) set.push_back("newRelic");
  if (!p.plugin.empty()) set.push_back("plugin");
  if (p.prometheus) set.push_back("prometheus");
  if (p.skywalking) set.push_back("skywalking");
  if (p.wavefront) set.push_back("wavefront");
  if (p.web) set.push_back("web");
  return set;
}

}  // namespace devflow::api
