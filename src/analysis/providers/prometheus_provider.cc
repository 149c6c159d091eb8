#include "analysis/providers/prometheus_provider.h"

#include <cstdlib>
#include <utility>

#include "analysis/expr/evaluator.h"
#include "analysis/expr/program.h"
#include "api/analysis_defaults.h"
#include "api/duration.h"

namespace devflow::analysis::providers {
namespace {

constexpr std::string_view kPath = "provider.prometheus";

std::string FieldPath(std::string_view field) {
  return std::string(kPath) + "." + std::string(field);
}

bool IsUrl(std::string_view address) {
  const size_t scheme_end = address.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  const std::string_view rest = address.substr(scheme_end + 3);
  return !rest.empty() && rest.front() != '/' && rest.front() != '?' && rest.front() != '#';
}

Result<api::TimePoint> EvaluateTimeField(std::string_view field, const std::string& source,
                                         api::TimePoint now) {
  const std::string path = FieldPath("rangeQuery." + std::string(field));
  if (source.empty())
    return InvalidArgumentError("must be set, e.g. now() - duration(\"5m\")", path);
  Result<expr::Program> program = expr::Compile(source);
  if (!program.ok()) {
    return InvalidArgumentError("\"" + source + "\": " + program.error().message(), path);
  }
  expr::EvalOptions options;
  options.now = std::chrono::time_point_cast<std::chrono::nanoseconds>(now);
  Result<expr::TimePoint> time = expr::EvaluateTime(*program, options);
  if (!time.ok())
    return InvalidArgumentError("\"" + source + "\": " + time.error().message(), path);
  return std::chrono::time_point_cast<std::chrono::microseconds>(*time);
}

// Argo's list of warnings: each quoted, joined with ", ".
std::string JoinWarnings(const std::vector<std::string>& warnings) {
  std::string out;
  for (const std::string& w : warnings) {
    if (!out.empty()) out += ", ";
    out += "\"" + w + "\"";
  }
  return out;
}

}  // namespace

PrometheusProviderOptions PrometheusProviderOptions::FromEnvironment() {
  PrometheusProviderOptions options;
  const std::string name(kPrometheusAddressEnv);
  if (const char* value = std::getenv(name.c_str())) options.default_address = value;
  return options;
}

Result<PrometheusClientOptions> PrometheusClientOptionsFor(const api::PrometheusMetric& metric,
                                                           std::string_view default_address) {
  PrometheusClientOptions options;
  options.address = metric.address.empty() ? std::string(default_address) : metric.address;
  if (options.address.empty()) {
    return InvalidArgumentError(
        "prometheus address is not configured: set it, or the environment "
        "variable " +
            std::string(kPrometheusAddressEnv),
        FieldPath("address"));
  }
  if (!IsUrl(options.address)) {
    return InvalidArgumentError(
        "must be a URL such as http://prometheus:9090, got \"" + options.address + "\"" +
            (metric.address.empty() ? " (from " + std::string(kPrometheusAddressEnv) + ")" : ""),
        FieldPath("address"));
  }
  for (const api::WebMetricHeader& header : metric.headers) {
    options.headers.emplace_back(header.key, header.value);
  }
  if (metric.authentication.is_object()) {
    for (std::string_view unsupported : {"sigv4", "oauth2"}) {
      const json::Value* v = metric.authentication.Find(unsupported);
      if (v != nullptr && !(v->is_object() && v->as_object().empty()) && !v->is_null()) {
        return InvalidArgumentError("is not supported by devflow (use headers or basicAuth)",
                                    FieldPath("authentication." + std::string(unsupported)));
      }
    }
    if (const json::Value* basic = metric.authentication.Find("basicAuth")) {
      options.basic_auth_username = json::StringAt(*basic, {"username"});
      options.basic_auth_password = json::StringAt(*basic, {"password"});
    }
  }
  options.insecure_skip_verify = metric.insecure;
  options.timeout = api::PrometheusTimeout(metric);
  return options;
}

Result<PrometheusRange> ResolvePrometheusRange(const api::PrometheusRangeQuery& range_query,
                                               api::TimePoint now) {
  PrometheusRange range;
  DEVFLOW_ASSIGN_OR_RETURN(range.start, EvaluateTimeField("start", range_query.start, now));
  DEVFLOW_ASSIGN_OR_RETURN(range.end, EvaluateTimeField("end", range_query.end, now));
  Result<std::chrono::nanoseconds> step = api::ParseGoDuration(range_query.step);
  if (!step.ok() || *step <= std::chrono::nanoseconds(0)) {
    return InvalidArgumentError(
        "must be a positive duration such as \"1m\", got \"" + range_query.step + "\"",
        FieldPath("rangeQuery.step"));
  }
  range.step = *step;
  if (range.end < range.start) {
    return InvalidArgumentError("end (" + api::FormatRfc3339(range.end) + ") is before start (" +
                                    api::FormatRfc3339(range.start) + ")",
                                FieldPath("rangeQuery"));
  }
  return range;
}

Result<Reading> PrometheusReading(const PrometheusQueryResult& answer, std::string_view query) {
  Reading reading;
  switch (answer.type) {
    case PrometheusResultType::kScalar:
      reading.result = answer.scalar.value;
      reading.value = FormatPrometheusValue(answer.scalar.value);
      break;
    case PrometheusResultType::kVector:
    case PrometheusResultType::kMatrix: {
      json::Array results;
      std::string text = "[";
      for (const PrometheusSeries& series : answer.series) {
        for (const PrometheusSample& sample : series.samples) {
          if (!results.empty()) text += ",";
          text += FormatPrometheusValue(sample.value);
          results.emplace_back(sample.value);
        }
      }
      reading.result = std::move(results);
      reading.value = text + "]";
      break;
    }
    case PrometheusResultType::kString:
      return InvalidArgumentError(
          "prometheus returned a string result; only scalar, vector and matrix results are "
          "supported");
  }
  if (!query.empty()) reading.metric_metadata[std::string(kResolvedPrometheusQuery)] = query;
  if (!answer.warnings.empty()) reading.metadata["warnings"] = JoinWarnings(answer.warnings);
  return reading;
}

Result<Reading> PrometheusProvider::Measure(const MeasurementRequest& request) {
  if (!request.metric.provider.prometheus) {
    return InvalidArgumentError("is not set", std::string(kPath));
  }
  const api::PrometheusMetric& metric = *request.metric.provider.prometheus;
  DEVFLOW_ASSIGN_OR_RETURN(PrometheusClientOptions options,
                           PrometheusClientOptionsFor(metric, options_.default_address));
  DEVFLOW_ASSIGN_OR_RETURN(std::unique_ptr<PrometheusClient> client,
                           PrometheusClient::Create(std::move(options)));
  Result<PrometheusQueryResult> answer = InternalError("unreachable");
  if (metric.range_query) {
    DEVFLOW_ASSIGN_OR_RETURN(PrometheusRange range,
                             ResolvePrometheusRange(*metric.range_query, request.now));
    answer = client->QueryRange(metric.query, range);
  } else {
    answer = client->Query(metric.query, request.now);
  }
  if (!answer.ok()) return answer.error();
  return PrometheusReading(*answer, metric.query);
}

}  // namespace devflow::analysis::providers
