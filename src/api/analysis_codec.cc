#include "api/analysis_codec.h"

#include "api/codec_engine.h"
#include "api/meta_codec.h"

namespace devflow::api {

template <class V>
void Fields(V& v, WebMetricHeader& s) {
  v("key", s.key);
  v("value", s.value);
}

template <class V>
void Fields(V& v, PrometheusRangeQuery& s) {
  v("start", s.start);
  v("end", s.end);
  v("step", s.step);
}

template <class V>
void Fields(V& v, PrometheusMetric& s) {
  v("address", s.address);
  v("query", s.query);
  v("authentication", s.authentication);
  v("timeout", s.timeout);
  v("insecure", s.insecure);
  v("headers", s.headers);
  v("rangeQuery", s.range_query);
}

template <class V>
void Fields(V& v, WebMetric& s) {
  v("method", s.method);
  v("url", s.url);
  v("headers", s.headers);
  v("body", s.body);
  v("timeoutSeconds", s.timeout_seconds);
  v("jsonPath", s.json_path);
  v("insecure", s.insecure);
  v("jsonBody", s.json_body);
  v("authentication", s.authentication);
}

template <class V>
void Fields(V& v, JobMetric& s) {
  v("metadata", s.metadata);
  v("spec", s.spec);
}

template <class V>
void Fields(V& v, MetricProvider& s) {
  v("prometheus", s.prometheus);
  v("kayenta", s.kayenta);
  v("web", s.web);
  v("datadog", s.datadog);
  v("wavefront", s.wavefront);
  v("newRelic", s.new_relic);
  v("job", s.job);
  v("cloudWatch", s.cloud_watch);
  v("graphite", s.graphite);
  v("influxdb", s.influxdb);
  v("skywalking", s.skywalking);
  v("plugin", s.plugin);
  v("haproxy", s.haproxy);
  v("judge", s.judge);
}

template <class V>
void Fields(V& v, Metric& s) {
  v("name", s.name);
  v("interval", s.interval);
  v("initialDelay", s.initial_delay);
  v("count", s.count);
  v("successCondition", s.success_condition);
  v("failureCondition", s.failure_condition);
  v("failureLimit", s.failure_limit);
  v("inconclusiveLimit", s.inconclusive_limit);
  v("consecutiveErrorLimit", s.consecutive_error_limit);
  v("provider", s.provider);
  v("consecutiveSuccessLimit", s.consecutive_success_limit);
}

template <class V>
void Fields(V& v, SecretKeyRef& s) {
  v("name", s.name);
  v("key", s.key);
}

template <class V>
void Fields(V& v, FieldRef& s) {
  v("fieldPath", s.field_path);
}

template <class V>
void Fields(V& v, ArgumentValueFrom& s) {
  v("secretKeyRef", s.secret_key_ref);
  v("fieldRef", s.field_ref);
  v("podTemplateHashValue", s.pod_template_hash_value);
}

template <class V>
void Fields(V& v, Argument& s) {
  v("name", s.name);
  v("value", s.value);
  v("valueFrom", s.value_from);
}

template <class V>
void Fields(V& v, DryRun& s) {
  v("metricName", s.metric_name);
}

template <class V>
void Fields(V& v, MeasurementRetention& s) {
  v("metricName", s.metric_name);
  v("limit", s.limit);
}

template <class V>
void Fields(V& v, AnalysisRunMetadata& s) {
  v("labels", s.labels);
  v("annotations", s.annotations);
}

template <class V>
void Fields(V& v, AnalysisTemplateRef& s) {
  v("templateName", s.template_name);
  v("clusterScope", s.cluster_scope);
}

template <class V>
void Fields(V& v, AnalysisTemplateSpec& s) {
  v("metrics", s.metrics);
  v("args", s.args);
  v("dryRun", s.dry_run);
  v("measurementRetention", s.measurement_retention);
  v("templates", s.templates);
}

template <class V>
void Fields(V& v, AnalysisTemplate& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
}

template <class V>
void Fields(V& v, ClusterAnalysisTemplate& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
}

template <class V>
void Fields(V& v, TtlStrategy& s) {
  v("secondsAfterCompletion", s.seconds_after_completion);
  v("secondsAfterFailure", s.seconds_after_failure);
  v("secondsAfterSuccess", s.seconds_after_success);
}

template <class V>
void Fields(V& v, AnalysisRunSpec& s) {
  v("metrics", s.metrics);
  v("args", s.args);
  v("terminate", s.terminate);
  v("dryRun", s.dry_run);
  v("measurementRetention", s.measurement_retention);
  v("ttlStrategy", s.ttl_strategy);
}

template <class V>
void Fields(V& v, Measurement& s) {
  v("phase", s.phase);
  v("message", s.message);
  v("startedAt", s.started_at);
  v("finishedAt", s.finished_at);
  v("value", s.value);
  v("metadata", s.metadata);
  v("resumeAt", s.resume_at);
}

template <class V>
void Fields(V& v, MetricResult& s) {
  v("name", s.name);
  v("phase", s.phase);
  v("measurements", s.measurements);
  v("message", s.message);
  v("count", s.count);
  v("successful", s.successful);
  v("failed", s.failed);
  v("inconclusive", s.inconclusive);
  v("error", s.error);
  v("consecutiveError", s.consecutive_error);
  v("dryRun", s.dry_run);
  v("metadata", s.metadata);
  v("consecutiveSuccess", s.consecutive_success);
}

template <class V>
void Fields(V& v, RunSummary& s) {
  v("count", s.count);
  v("successful", s.successful);
  v("failed", s.failed);
  v("inconclusive", s.inconclusive);
  v("error", s.error);
}

template <class V>
void Fields(V& v, AnalysisRunStatus& s) {
  v("phase", s.phase);
  v("message", s.message);
  v("metricResults", s.metric_results);
  v("startedAt", s.started_at);
  v("runSummary", s.run_summary);
  v("dryRunSummary", s.dry_run_summary);
  v("completedAt", s.completed_at);
}

template <class V>
void Fields(V& v, AnalysisRun& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, AnalysisTemplate& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, ClusterAnalysisTemplate& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, AnalysisRun& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, AnalysisTemplateSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, AnalysisRunSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, AnalysisRunStatus& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Metric& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, MetricResult& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Measurement& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Argument& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, DryRun& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, MeasurementRetention& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, AnalysisRunMetadata& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const AnalysisTemplate& v) { return EncodeStruct(v); }
json::Value EncodeValue(const ClusterAnalysisTemplate& v) { return EncodeStruct(v); }
json::Value EncodeValue(const AnalysisRun& v) { return EncodeStruct(v); }
json::Value EncodeValue(const AnalysisTemplateSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const AnalysisRunSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const AnalysisRunStatus& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Metric& v) { return EncodeStruct(v); }
json::Value EncodeValue(const MetricResult& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Measurement& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Argument& v) { return EncodeStruct(v); }
json::Value EncodeValue(const DryRun& v) { return EncodeStruct(v); }
json::Value EncodeValue(const MeasurementRetention& v) { return EncodeStruct(v); }
json::Value EncodeValue(const AnalysisRunMetadata& v) { return EncodeStruct(v); }

}  // namespace devflow::api
