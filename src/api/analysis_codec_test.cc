#include "api/analysis_codec.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value ParseJson(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? *v : json::Value();
}

std::string Render(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) out += ToString(e) + "\n";
  return out;
}

// Members every level of the documents below does not model; each must survive a round trip.
constexpr std::string_view kTemplateJson = R"json({
  "apiVersion": "argoproj.io/v1alpha1",
  "kind": "AnalysisTemplate",
  "metadata": {"name": "success-rate", "namespace": "prod", "labels": {"team": "web"},
               "managedFields": [{"manager": "kubectl"}]},
  "spec": {
    "metrics": [{
      "name": "success-rate",
      "interval": "2m",
      "initialDelay": "30s",
      "count": "{{args.count}}",
      "successCondition": "result[0] >= 0.95",
      "failureCondition": "result[0] < 0.5",
      "failureLimit": 2,
      "inconclusiveLimit": 1,
      "consecutiveErrorLimit": 0,
      "consecutiveSuccessLimit": "3",
      "futureMetricField": {"nested": [1, 2]},
      "provider": {"prometheus": {
        "address": "http://prometheus:9090",
        "query": "sum(rate(x[5m]))",
                           "timeout" : 20, "insecure" : true,
                           "headers" : [ {"key" : "X-Scope", "value" : "a", "note" : "kept"} ],
                           "authentication" : {"basicAuth" : {"username" : "u", "password" : "p"}},
                           "rangeQuery"
    : {"start" : "now() - duration(\"5m\")", "end" : "now()", "step" : "1m", "extraRange" : true},
                           "newPromField" : "x"
}
}
}, {
      "name": "web",
      "provider": {"web": {
        "method": "POST", "url": "http://svc/health", "headers": [{"key": "A", "value": "b"}],
        "timeoutSeconds": 5, "jsonPath": "{$.ok}", "insecure": true,
        "jsonBody": {"q": [1, "two", null]}, "authentication": {"oauth2": {"tokenUrl": "t"}},
        "newWebField": 7
      }}
    }, {
      "name": "job",
      "provider": {"job": {
        "metadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}},
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                 "containers": [{"name": "c", "image": "busybox", "unknownContainerField": 1}]}}}
      }}
    }, {
      "name": "others",
      "provider": {"kayenta": {"address": "k"}, "datadog": {"query": "q"},
                   "wavefront": {"query": "w"}, "newRelic": {"query": "n"},
                   "cloudWatch": {"metricDataQueries": []}, "graphite": {"query": "g"},
                   "influxdb": {"query": "i"}, "skywalking": {"query": "s"},
                   "plugin": {"argoproj-labs/sample": {"any": "config"}},
                   "haproxy": {"backend": "web"}, "judge": {"baseline": "stable"}}
    }],
    "args": [{"name": "service-name"},
             {"name": "count", "value": "2"},
             {"name": "token", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "x": 1}}},
             {"name": "ns", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
             {"name": "empty", "value": ""}],
    "dryRun": [{"metricName": "web"}],
    "measurementRetention": [{"metricName": ".*", "limit": 20}],
    "templates": [{"templateName": "base", "clusterScope": true, "newRefField": "r"}],
    "newSpecField": {
  "deep" : { "deeper" : true }
}
}
, "topLevelUnknown" : 1
})json";

TEST(AnalysisCodecTest, TemplateRoundTripsWithUnknownFieldsAtEveryDepth) {
  json::Value in = ParseJson(kTemplateJson);
  FieldErrors errors;
  AnalysisTemplate t = Decode<AnalysisTemplate>(in, &errors);
  EXPECT_TRUE(errors.empty()) << Render(errors);
  EXPECT_EQ(Encode(t), in) << json::WritePretty(Encode(t));

  // Typed fields landed where they belong.
  ASSERT_EQ(t.spec.metrics.size(), 4u);
  const Metric& m = t.spec.metrics[0];
  EXPECT_EQ(m.interval, "2m");
  EXPECT_EQ(m.count, IntOrString("{{args.count}}"));
  EXPECT_EQ(m.failure_limit, IntOrString(int64_t{2}));
  EXPECT_EQ(m.consecutive_error_limit, IntOrString(int64_t{0}));
  EXPECT_EQ(m.consecutive_success_limit, IntOrString("3"));
  ASSERT_TRUE(m.provider.prometheus.has_value());
  EXPECT_EQ(m.provider.prometheus->timeout, 20);
  EXPECT_TRUE(m.provider.prometheus->insecure);
  ASSERT_TRUE(m.provider.prometheus->range_query.has_value());
  EXPECT_EQ(m.provider.prometheus->range_query->step, "1m");
  EXPECT_TRUE(m.extra.Contains("futureMetricField"));
  EXPECT_TRUE(m.provider.prometheus->extra.Contains("newPromField"));
  EXPECT_TRUE(m.provider.prometheus->headers[0].extra.Contains("note"));
  ASSERT_TRUE(t.spec.metrics[1].provider.web.has_value());
  EXPECT_EQ(t.spec.metrics[1].provider.web->timeout_seconds, 5);
  EXPECT_TRUE(t.spec.metrics[1].provider.web->json_body.is_object());
  ASSERT_TRUE(t.spec.metrics[2].provider.job.has_value());
  EXPECT_EQ(t.spec.metrics[2].provider.job->metadata.labels.at("a"), "b");
  EXPECT_TRUE(t.spec.metrics[2].provider.job->spec.Find("template") != nullptr);
  const MetricProvider& others = t.spec.metrics[3].provider;
  EXPECT_EQ(SetProviders(others).size(), 11u);
  EXPECT_EQ(others.plugin.count("argoproj-labs/sample"), 1u);
  // An explicit empty value is kept apart from an absent one.
  EXPECT_EQ(t.spec.args[0].value, std::nullopt);
  EXPECT_EQ(t.spec.args[4].value, std::optional<std::string>(""));
  ASSERT_TRUE(t.spec.args[2].value_from.has_value());
  EXPECT_EQ(t.spec.args[2].value_from->secret_key_ref->key, "k");
  EXPECT_EQ(t.spec.measurement_retention[0].limit, 20);
  EXPECT_TRUE(t.spec.templates[0].cluster_scope);
  EXPECT_TRUE(t.spec.extra.Contains("newSpecField"));
  EXPECT_TRUE(t.extra.Contains("topLevelUnknown"));
}

TEST(AnalysisCodecTest, ClusterTemplateRoundTrips) {
  json::Value in = ParseJson(R"({"apiVersion": "argoproj.io/v1alpha1",
    "kind": "ClusterAnalysisTemplate", "metadata": {"name": "c"},
    "spec": {"metrics": [{"name": "m", "provider": {"web": {"url": "http://x"}}, "u": 1}],
             "u": 2}, "u": 3})");
  FieldErrors errors;
  ClusterAnalysisTemplate t = Decode<ClusterAnalysisTemplate>(in, &errors);
  EXPECT_TRUE(errors.empty()) << Render(errors);
  EXPECT_EQ(t.kind, "ClusterAnalysisTemplate");
  EXPECT_EQ(Encode(t), in);
}

constexpr std::string_view kRunJson = R"({
  "apiVersion": "argoproj.io/v1alpha1",
  "kind": "AnalysisRun",
  "metadata": {"name": "web-7f9c-2", "namespace": "prod",
               "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                                    "name": "web", "uid": "u1", "controller": true}]},
  "spec": {
    "metrics": [{"name": "success-rate", "interval": "2m", "count": 2,
                 "successCondition": "result[0] >= 0.95",
                 "provider": {"prometheus": {"query": "q", "unknownProm": 1}}}],
    "args": [{"name": "service-name", "value": "web"}],
    "terminate": true,
    "dryRun": [{"metricName": "x", "unknownDry": 1}],
    "measurementRetention": [{"metricName": "success-rate", "limit": 5}],
    "ttlStrategy": {"secondsAfterCompletion": 60, "secondsAfterFailure": 0,
                    "secondsAfterSuccess": 30, "unknownTtl": 1}
  },
  "status": {
    "phase": "Running",
    "message": "m",
    "metricResults": [{
      "name": "success-rate", "phase": "Running",
      "measurements": [{
        "phase": "Successful", "message": "ok",
        "startedAt": "2026-11-23T03:16:00Z", "finishedAt": "2026-11-23T03:16:01Z",
        "value": "[0.99]", "metadata": {"job-name": "j"},
        "resumeAt": "2026-11-23T03:18:00Z", "unknownMeasurement": {"a": 1}
      }],
      "message": "mm", "count": 3, "successful": 1, "failed": 1, "inconclusive": 1, "error": 2,
      "consecutiveError": 1, "dryRun": true, "metadata": {"ResolvedPrometheusQuery": "q"},
      "consecutiveSuccess": 1, "unknownResult": [true]
    }],
    "startedAt": "2026-11-23T03:16:00Z",
    "runSummary": {"count": 1, "successful": 1, "failed": 2, "inconclusive": 3, "error": 4,
                   "unknownSummary": 1},
    "dryRunSummary": {"count": 1, "successful": 1},
    "completedAt": "2026-11-23T03:20:00Z",
    "unknownStatus": "s"
  }
})";

TEST(AnalysisCodecTest, RunRoundTripsWithStatusAndUnknownFields) {
  json::Value in = ParseJson(kRunJson);
  FieldErrors errors;
  AnalysisRun run = Decode<AnalysisRun>(in, &errors);
  EXPECT_TRUE(errors.empty()) << Render(errors);
  EXPECT_EQ(Encode(run), in) << json::WritePretty(Encode(run));

  EXPECT_TRUE(run.spec.terminate);
  ASSERT_TRUE(run.spec.ttl_strategy.has_value());
  // An explicit 0 is kept (Go pointer field).
  EXPECT_EQ(run.spec.ttl_strategy->seconds_after_failure, 0);
  EXPECT_EQ(run.spec.ttl_strategy->seconds_after_success, 30);
  EXPECT_EQ(run.status.phase, analysis_phase::kRunning);
  ASSERT_EQ(run.status.metric_results.size(), 1u);
  const MetricResult& r = run.status.metric_results[0];
  EXPECT_EQ(r.count, 3);
  EXPECT_EQ(r.error, 2);
  EXPECT_TRUE(r.dry_run);
  ASSERT_EQ(r.measurements.size(), 1u);
  EXPECT_EQ(r.measurements[0].value, "[0.99]");
  ASSERT_TRUE(r.measurements[0].finished_at.has_value());
  EXPECT_EQ(FormatRfc3339(r.measurements[0].finished_at->value), "2026-11-23T03:16:01Z");
  EXPECT_TRUE(r.measurements[0].extra.Contains("unknownMeasurement"));
  EXPECT_EQ(run.status.run_summary.error, 4);
  ASSERT_TRUE(run.status.dry_run_summary.has_value());
  EXPECT_EQ(run.status.dry_run_summary->successful, 1);
}

TEST(AnalysisCodecTest, WrongTypesAreReportedWithTheirPaths) {
  json::Value in = ParseJson(R"({"spec": {
    "metrics": [{"name": "m", "count": true, "provider": {"prometheus": {"timeout": "30s"}}}],
    "args": [{"name": 3}],
    "measurementRetention": [{"metricName": "m", "limit": "10"}]}})");
  FieldErrors errors;
  AnalysisTemplate t = Decode<AnalysisTemplate>(in, &errors);
  std::vector<std::string> paths;
  for (const FieldError& e : errors) paths.push_back(e.path.str());
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "spec.metrics[0].count", "spec.metrics[0].provider.prometheus.timeout",
                       "spec.args[0].name", "spec.measurementRetention[0].limit"}))
      << Render(errors);
  // Fields of the wrong type keep their defaults; the rest is decoded.
  EXPECT_EQ(t.spec.metrics[0].name, "m");
  EXPECT_EQ(t.spec.measurement_retention[0].limit, 0);
}

TEST(AnalysisCodecTest, DecodesTheSeedTemplateFromYaml) {
  auto manifests = ReadManifests(R"(apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  args:
  - name: service-name
  metrics:
  - name: success-rate
    interval: 2m
    count: 2
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: http://prom-release-prometheus-server.prom.svc.cluster.local:80
        query: sum(response_status{app="",role="canary",status=~"2.*"})/sum(response_status{app="",role="canary"}
)",
                                 "seed.yaml");
  ASSERT_TRUE(manifests.ok()) << manifests.error().ToString();
  FieldErrors errors;
  AnalysisTemplate t = Decode<AnalysisTemplate>((*manifests)[0].object, &errors);
  EXPECT_TRUE(errors.empty()) << Render(errors);
  ASSERT_EQ(t.spec.metrics.size(), 1u);
  EXPECT_EQ(t.spec.metrics[0].count, IntOrString(int64_t{2}));
  EXPECT_EQ(t.spec.metrics[0].success_condition, "result[0] >= 0.95");
  EXPECT_EQ(t.spec.args, (std::vector<Argument>{Argument{.name = "service-name"}}));
  EXPECT_EQ(Encode(t), (*manifests)[0].object);
}

TEST(AnalysisPhaseTest, CompletedPhases) {
  EXPECT_FALSE(IsCompletedPhase(analysis_phase::kPending));
  EXPECT_FALSE(IsCompletedPhase(analysis_phase::kRunning));
  EXPECT_FALSE(IsCompletedPhase(""));
  EXPECT_TRUE(IsCompletedPhase(analysis_phase::kSuccessful));
  EXPECT_TRUE(IsCompletedPhase(analysis_phase::kFailed));
  EXPECT_TRUE(IsCompletedPhase(analysis_phase::kError));
  EXPECT_TRUE(IsCompletedPhase(analysis_phase::kInconclusive));
}

TEST(MetricProviderTest, NamesAreSortedAndMatchSetProviders) {
  const std::vector<std::string_view>& names = MetricProviderNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // A provider with every member set reports every name, in the same order.
  MetricProvider all;
  all.prometheus.emplace();
  all.web.emplace();
  all.job.emplace();
  all.kayenta = all.datadog = all.wavefront = all.new_relic = all.cloud_watch = all.graphite =
      all.influxdb = all.skywalking = all.haproxy = all.judge = json::Value(json::Object{});
  all.plugin["p"] = json::Value(json::Object{});
  EXPECT_EQ(SetProviders(all), names);
  EXPECT_TRUE(SetProviders(MetricProvider{}).empty());
}

}  // namespace
}  // namespace devflow::api
