#include "cli/provider_config_check.h"

#include <string_view>

#include "analysis/judge/judge_config.h"
#include "analysis/providers/haproxy_provider.h"

namespace devflow::cli {
namespace {

bool Templated(const json::Value& config) {
  return json::Write(config).find("{{") != std::string::npos;
}

// `rendered` ("provider.haproxy.window") below `base`, one key at a time.
FieldPath Below(const FieldPath& base, std::string_view rendered) {
  FieldPath path = base;
  size_t start = 0;
  while (start <= rendered.size()) {
    const size_t dot = rendered.find('.', start);
    const std::string_view key = rendered.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!key.empty()) path = path.Child(key);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return path;
}

}  // namespace

api::FieldErrors CheckProviderConfigs(const json::Value& object) {
  api::FieldErrors errors;
  const std::string kind = json::StringAt(object, {"kind"});
  if (kind != "AnalysisTemplate" && kind != "ClusterAnalysisTemplate" && kind != "AnalysisRun") {
    return errors;
  }
  const json::Value* spec = object.Find("spec");
  const json::Value* metrics = spec != nullptr ? spec->Find("metrics") : nullptr;
  if (metrics == nullptr || !metrics->is_array()) return errors;
  for (size_t i = 0; i < metrics->as_array().size(); ++i) {
    const json::Value* provider = metrics->as_array()[i].Find("provider");
    if (provider == nullptr || !provider->is_object()) continue;
    const FieldPath metric = FieldPath("spec").Child("metrics").Index(i);
    if (const json::Value* haproxy = provider->Find("haproxy");
        haproxy != nullptr && !Templated(*haproxy)) {
      Result<analysis::providers::HaproxyMetricConfig> decoded =
          analysis::providers::DecodeHaproxyMetricConfig(*haproxy);
      if (!decoded.ok()) {
        errors.push_back({.path = Below(metric, decoded.error().field_path()),
                          .message = decoded.error().message()});
      }
    }
    if (const json::Value* judge = provider->Find("judge");
        judge != nullptr && !Templated(*judge)) {
      analysis::judge::DecodeJudgeConfig(*judge, metric.Child("provider").Child("judge"), &errors);
    }
  }
  return errors;
}

}  // namespace devflow::cli
