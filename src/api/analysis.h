// Argo Rollouts' analysis kinds (argoproj.io/v1alpha1): AnalysisTemplate,
// ClusterAnalysisTemplate and AnalysisRun, and the metric types they share.
//
// A template describes metrics; a run is a template's metrics after merging and argument
// substitution, plus the measurements taken so far (status). Plain value types (copyable,
// comparable). Fields keep the manifest's words in snake_case; `extra` keeps every member devflow
// does not model, so a decoded-then-encoded object loses nothing.
//
// Argo does not write defaults into stored objects: absent fields stay absent here, and
// analysis_defaults.h reads them with their defaults (count, limits, timeouts).
// Fields that manifests may template with "{{args.x}}" (count, limits, interval) keep the text as
// written; validation parses literal values up front.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// The phase of a measurement, a metric result, an AnalysisRun or an Experiment, as Argo spells
// it (status.phase, status.metricResults[].phase, measurements[].phase). The last four are
// "completed". Kept as strings so that an unknown phase written by a newer controller survives.
namespace analysis_phase {
inline constexpr std::string_view kPending = "Pending";
inline constexpr std::string_view kRunning = "Running";
inline constexpr std::string_view kSuccessful = "Successful";
inline constexpr std::string_view kFailed = "Failed";
inline constexpr std::string_view kError = "Error";
inline constexpr std::string_view kInconclusive = "Inconclusive";
}  // namespace analysis_phase

// True for Successful, Failed, Error and Inconclusive.
bool IsCompletedPhase(std::string_view phase);

// ---- Metric providers ----

// provider.{prometheus,web}.headers[]
struct WebMetricHeader {
  std::string key;    // key: the header name
  std::string value;  // value
  json::Object extra;
  friend bool operator==(const WebMetricHeader&, const WebMetricHeader&) = default;
};

// provider.prometheus.rangeQuery: makes the query a range query. start and end are expressions
// (§5.5) evaluating to a time, e.g. `now() - duration("5m")`; step is a Go duration.
struct PrometheusRangeQuery {
  std::string start;  // start
  std::string end;    // end
  std::string step;   // step
  json::Object extra;
  friend bool operator==(const PrometheusRangeQuery&, const PrometheusRangeQuery&) = default;
};

// provider.prometheus
struct PrometheusMetric {
  // address: the server's URL; when empty, the env ARGO_ROLLOUTS_PROMETHEUS_ADDRESS.
  std::string address;
  std::string query;  // query: PromQL, required
  // authentication: {sigv4{region, profile, roleArn}, oauth2{tokenUrl, clientId, clientSecret,
  // scopes[]}, basicAuth{username, password}}, passed through as written.
  json::Value authentication;
  std::optional<int64_t>
      timeout;            // timeout: seconds; default 30 (defaults::kPrometheusTimeoutSeconds)
  bool insecure = false;  // insecure: skip TLS verification
  std::vector<WebMetricHeader> headers;             // headers
  std::optional<PrometheusRangeQuery> range_query;  // rangeQuery
  json::Object extra;
  friend bool operator==(const PrometheusMetric&, const PrometheusMetric&) = default;
};

// provider.web: an HTTP request whose JSON answer is queried with a k8s JSONPath.
struct WebMetric {
  std::string method;                    // method: GET (default), POST or PUT
  std::string url;                       // url: required
  std::vector<WebMetricHeader> headers;  // headers
  std::string body;                      // body: POST/PUT only; not with jsonBody
  int64_t timeout_seconds = 0;           // timeoutSeconds: 0 means 10 (kWebTimeoutSeconds)
  std::string json_path;                 // jsonPath: default "{$}"
  bool insecure = false;                 // insecure: skip TLS verification
  // jsonBody: any JSON, sent with Content-Type application/json; POST/PUT only; not with body.
  json::Value json_body;
  json::Value authentication;  // authentication: {oauth2{...}}, passed through as written
  json::Object extra;
  friend bool operator==(const WebMetric&, const WebMetric&) = default;
};

// provider.job: runs a batch/v1 Job; Complete is Successful, Failed is Failed.
struct JobMetric {
  ObjectMeta metadata;  // metadata: labels and annotations of the Job
  // spec: a batch/v1 JobSpec, passed to the Job as written (spec.template is required).
  json::Value spec;
  json::Object extra;
  friend bool operator==(const JobMetric&, const JobMetric&) = default;
};

// metrics[].provider: exactly one member is set (validation checks it). Providers devflow does
// not implement natively are kept as JSON, so their manifests pass through unchanged.
struct MetricProvider {
  std::optional<PrometheusMetric> prometheus;  // prometheus
  std::optional<json::Value> kayenta;          // kayenta
  std::optional<WebMetric> web;                // web
  std::optional<json::Value> datadog;          // datadog
  std::optional<json::Value> wavefront;        // wavefront
  std::optional<json::Value> new_relic;        // newRelic
  std::optional<JobMetric> job;                // job
  std::optional<json::Value> cloud_watch;      // cloudWatch
  std::optional<json::Value> graphite;         // graphite
  std::optional<json::Value> influxdb;         // influxdb
  std::optional<json::Value> skywalking;       // skywalking
  // plugin: {<plugin name>: config}; an empty map sets no provider (as in Argo).
  std::map<std::string, json::Value> plugin;
  // devflow's own providers (not in Argo): HAProxy statistics, and the statistical judge
  // comparing canary with stable. Typed later.
  std::optional<json::Value> haproxy;  // haproxy
  std::optional<json::Value> judge;    // judge
  json::Object extra;                  // unknown provider keys (rejected by validation)
  friend bool operator==(const MetricProvider&, const MetricProvider&) = default;
};

// The manifest keys of MetricProvider, sorted: the allowed values named in validation messages.
const std::vector<std::string_view>& MetricProviderNames();

// The manifest keys of the providers set in `provider` (plugin counts once when non-empty),
// in MetricProviderNames() order.
std::vector<std::string_view> SetProviders(const MetricProvider& provider);

// ---- Metrics ----

// spec.metrics[]
struct Metric {
  std::string name;  // name: unique within a template (and within a run after merging)
  // interval: Go duration between measurements ("30s"); empty means a single measurement
  // (unless count says otherwise, see EffectiveCount).
  std::string interval;
  std::string initial_delay;  // initialDelay: Go duration to wait after the run starts
  // count: number of measurements; absent/0 means 1 without interval, unbounded with interval.
  std::optional<IntOrString> count;
  std::string success_condition;  // successCondition: expression (§5.5) over `result`
  std::string failure_condition;  // failureCondition
  // failureLimit: default 0; Failed once failed > limit; -1 disables (only with
  // consecutiveSuccessLimit > 0).
  std::optional<IntOrString> failure_limit;
  std::optional<IntOrString> inconclusive_limit;       // inconclusiveLimit: default 0
  std::optional<IntOrString> consecutive_error_limit;  // consecutiveErrorLimit: default 4
  // consecutiveSuccessLimit: default 0 (disabled); Successful once that many in a row succeed.
  std::optional<IntOrString> consecutive_success_limit;
  MetricProvider provider;  // provider
  json::Object extra;
  friend bool operator==(const Metric&, const Metric&) = default;
};

// ---- Arguments ----

// args[].valueFrom.secretKeyRef: a key of a Secret in the run's namespace.
struct SecretKeyRef {
  std::string name;  // name
  std::string key;   // key
  json::Object extra;
  friend bool operator==(const SecretKeyRef&, const SecretKeyRef&) = default;
};

// args[].valueFrom.fieldRef: "metadata.labels['k']" or a JSON path into the owning Rollout.
struct FieldRef {
  std::string field_path;  // fieldPath
  json::Object extra;
  friend bool operator==(const FieldRef&, const FieldRef&) = default;
};

// args[].valueFrom: exactly one member is set.
struct ArgumentValueFrom {
  std::optional<SecretKeyRef> secret_key_ref;  // secretKeyRef: templates, runs, experiments
  std::optional<FieldRef> field_ref;           // fieldRef
  // podTemplateHashValue: "Stable" or "Latest"; a Rollout's analysis args only (validation of
  // templates, runs and experiments rejects it).
  std::optional<std::string> pod_template_hash_value;
  json::Object extra;
  friend bool operator==(const ArgumentValueFrom&, const ArgumentValueFrom&) = default;
};

// args[]: an argument substituted into metrics as "{{args.<name>}}". One with neither value
// nor valueFrom must be supplied by the caller (the Rollout or Experiment).
struct Argument {
  std::string name;                             // name
  std::optional<std::string> value;             // value
  std::optional<ArgumentValueFrom> value_from;  // valueFrom
  json::Object extra;
  friend bool operator==(const Argument&, const Argument&) = default;
};

// ---- Metric selection rules ----

// dryRun[]: metrics whose name matches the Go regex metricName (unanchored; ".*" is all) run
// but never affect the run's phase.
struct DryRun {
  std::string metric_name;  // metricName
  json::Object extra;
  friend bool operator==(const DryRun&, const DryRun&) = default;
};

// measurementRetention[]: keep the last `limit` measurements of matching metrics (default 10).
struct MeasurementRetention {
  std::string metric_name;  // metricName: Go regex, unanchored
  int32_t limit = 0;        // limit: must be > 0
  json::Object extra;
  friend bool operator==(const MeasurementRetention&, const MeasurementRetention&) = default;
};

// analysisRunMetadata: labels and annotations added to created AnalysisRuns.
struct AnalysisRunMetadata {
  std::map<std::string, std::string> labels;       // labels
  std::map<std::string, std::string> annotations;  // annotations
  json::Object extra;
  friend bool operator==(const AnalysisRunMetadata&, const AnalysisRunMetadata&) = default;
};

// ---- AnalysisTemplate / ClusterAnalysisTemplate ----

// spec.templates[]: another template whose metrics and args are merged into this one.
struct AnalysisTemplateRef {
  std::string template_name;   // templateName
  bool cluster_scope = false;  // clusterScope: a ClusterAnalysisTemplate when true
  json::Object extra;
  friend bool operator==(const AnalysisTemplateRef&, const AnalysisTemplateRef&) = default;
};

// spec of AnalysisTemplate and ClusterAnalysisTemplate.
struct AnalysisTemplateSpec {
  std::vector<Metric> metrics;  // metrics: non-empty unless templates[] includes others
  std::vector<Argument> args;   // args
  std::vector<DryRun> dry_run;  // dryRun
  std::vector<MeasurementRetention> measurement_retention;  // measurementRetention
  std::vector<AnalysisTemplateRef> templates;               // templates
  json::Object extra;
  friend bool operator==(const AnalysisTemplateSpec&, const AnalysisTemplateSpec&) = default;
};

// kind AnalysisTemplate (namespaced, shortName at).
struct AnalysisTemplate {
  std::string api_version;    // apiVersion: argoproj.io/v1alpha1
  std::string kind;           // kind: AnalysisTemplate
  ObjectMeta metadata;        // metadata
  AnalysisTemplateSpec spec;  // spec
  json::Object extra;
  friend bool operator==(const AnalysisTemplate&, const AnalysisTemplate&) = default;
};

// kind ClusterAnalysisTemplate (cluster-scoped, shortName cat): same shape as AnalysisTemplate.
struct ClusterAnalysisTemplate {
  std::string api_version;    // apiVersion: argoproj.io/v1alpha1
  std::string kind;           // kind: ClusterAnalysisTemplate
  ObjectMeta metadata;        // metadata
  AnalysisTemplateSpec spec;  // spec
  json::Object extra;
  friend bool operator==(const ClusterAnalysisTemplate&, const ClusterAnalysisTemplate&) = default;
};

// ---- AnalysisRun ----

// spec.ttlStrategy: how long a completed run is kept before deletion.
struct TtlStrategy {
  std::optional<int32_t> seconds_after_completion;  // secondsAfterCompletion: any phase
  std::optional<int32_t> seconds_after_failure;     // secondsAfterFailure: phase Failed
  std::optional<int32_t> seconds_after_success;     // secondsAfterSuccess: phase Successful
  json::Object extra;
  friend bool operator==(const TtlStrategy&, const TtlStrategy&) = default;
};

// AnalysisRun spec: the merged, substituted metrics.
struct AnalysisRunSpec {
  std::vector<Metric> metrics;  // metrics: non-empty
  std::vector<Argument> args;   // args
  bool terminate = false;       // terminate: stop measuring; complete with the worst result
  std::vector<DryRun> dry_run;  // dryRun
  std::vector<MeasurementRetention> measurement_retention;  // measurementRetention
  std::optional<TtlStrategy> ttl_strategy;                  // ttlStrategy
  json::Object extra;
  friend bool operator==(const AnalysisRunSpec&, const AnalysisRunSpec&) = default;
};

// status.metricResults[].measurements[]: one provider call.
struct Measurement {
  std::string phase;                // phase: analysis_phase::*
  std::string message;              // message
  std::optional<Time> started_at;   // startedAt
  std::optional<Time> finished_at;  // finishedAt: unset while in flight (a running Job)
  std::string value;                // value: the provider's result as text ("0.99", "[0.99]")
  std::map<std::string, std::string> metadata;  // metadata: provider specifics (job-name, ...)
  std::optional<Time> resume_at;  // resumeAt: when to poll an in-flight measurement again
  json::Object extra;
  friend bool operator==(const Measurement&, const Measurement&) = default;
};

// status.metricResults[]: the measurements and counters of one metric.
struct MetricResult {
  std::string name;                       // name
  std::string phase;                      // phase: analysis_phase::*
  std::vector<Measurement> measurements;  // measurements: the last N (measurementRetention)
  std::string message;                    // message
  int32_t count = 0;                // count: successful + failed + inconclusive (errors excluded)
  int32_t successful = 0;           // successful
  int32_t failed = 0;               // failed
  int32_t inconclusive = 0;         // inconclusive
  int32_t error = 0;                // error
  int32_t consecutive_error = 0;    // consecutiveError
  int32_t consecutive_success = 0;  // consecutiveSuccess
  bool dry_run = false;             // dryRun
  // metadata: e.g. ResolvedPrometheusQuery
  std::map<std::string, std::string> metadata;
  json::Object extra;
  friend bool operator==(const MetricResult&, const MetricResult&) = default;
};

// status.runSummary / status.dryRunSummary: metrics counted by final phase.
struct RunSummary {
  int32_t count = 0;         // count
  int32_t successful = 0;    // successful
  int32_t failed = 0;        // failed
  int32_t inconclusive = 0;  // inconclusive
  int32_t error = 0;         // error
  json::Object extra;
  friend bool operator==(const RunSummary&, const RunSummary&) = default;
};

// AnalysisRun status (written by the controller as a merge patch of the whole object).
struct AnalysisRunStatus {
  std::string phase;                          // phase: analysis_phase::*
  std::string message;                        // message
  std::vector<MetricResult> metric_results;   // metricResults
  std::optional<Time> started_at;             // startedAt
  std::optional<Time> completed_at;           // completedAt
  RunSummary run_summary;                     // runSummary
  std::optional<RunSummary> dry_run_summary;  // dryRunSummary
  json::Object extra;
  friend bool operator==(const AnalysisRunStatus&, const AnalysisRunStatus&) = default;
};

// kind AnalysisRun (namespaced, shortName ar).
struct AnalysisRun {
  std::string api_version;   // apiVersion: argoproj.io/v1alpha1
  std::string kind;          // kind: AnalysisRun
  ObjectMeta metadata;       // metadata
  AnalysisRunSpec spec;      // spec
  AnalysisRunStatus status;  // status
  json::Object extra;
  friend bool operator==(const AnalysisRun&, const AnalysisRun&) = default;
};

}  // namespace devflow::api
