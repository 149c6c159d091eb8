#include "api/analysis_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/analysis_codec.h"
#include "api/decode.h"
#include "api/manifest_reader.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

// The seed's template (blog post 001): must validate clean, and is the base every row mutates.
constexpr std::string_view kSeedTemplate = R"(apiVersion: argoproj.io/v1alpha1
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
    # NOTE: prometheus queries return results in the form of a vector.
    successCondition: result[0] >= 0.95
    provider:
      prometheus:
        address: http://prom-release-prometheus-server.prom.svc.cluster.local:80
        query: sum(response_status{app="",role="canary",status=~"2.*"})/sum(response_status{app="",role="canary"}
)";

AnalysisTemplate SeedTemplate() {
  auto manifests = ReadManifests(kSeedTemplate, "seed.yaml");
  EXPECT_TRUE(manifests.ok());
  FieldErrors errors;
  AnalysisTemplate t = Decode<AnalysisTemplate>((*manifests)[0].object, &errors);
  EXPECT_TRUE(errors.empty());
  return t;
}

json::Value J(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::Value();
}

// An expected error: its path, and its exact message, or "*" for any message (errors produced by
// another validator, e.g. pod template validation, whose wording is that validator's own).
struct Want {
  std::string path;
  std::string message;
};

std::string Render(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) out += "  " + ToString(e) + "\n";
  return out.empty() ? "  (none)\n" : out;
}

bool Matches(const FieldErrors& got, const std::vector<Want>& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].path.str() != want[i].path) return false;
    if (want[i].message != "*" && got[i].message != want[i].message) return false;
  }
  return true;
}

constexpr const char* kProviders =
    "cloudWatch, datadog, graphite, haproxy, influxdb, job, judge, kayenta, newRelic, plugin, "
    "prometheus, skywalking, wavefront, web";
constexpr const char* kM0 = "spec.metrics[0]";

std::string M0(std::string_view rest) { return std::string(kM0) + "." + std::string(rest); }

Metric& First(AnalysisTemplate& t) { return t.spec.metrics[0]; }

// A metric using a web provider in place of the seed's prometheus.
WebMetric& UseWeb(AnalysisTemplate& t) {
  First(t).provider.prometheus.reset();
  First(t).provider.web.emplace();
  First(t).provider.web->url = "http://svc/health";
  return *First(t).provider.web;
}

JobMetric& UseJob(AnalysisTemplate& t, std::string_view spec) {
  First(t).provider.prometheus.reset();
  First(t).provider.job.emplace();
  First(t).provider.job->spec = J(spec);
  return *First(t).provider.job;
}

constexpr std::string_view kJobSpec =
    R"({"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
        "containers": [{"name": "check", "image": "busybox", "command": ["true"]}]}}})";

Metric SecondMetric(std::string name) {
  Metric m;
  m.name = std::move(name);
  m.provider.web.emplace();
  m.provider.web->url = "http://svc/health";
  return m;
}

struct Row {
  const char* name;
  std::function<void(AnalysisTemplate&)> mutate;
  std::vector<Want> want;
};

const std::vector<Row>& TemplateRows() {
  static const std::vector<Row> rows = {
      {"seed template is valid", [](AnalysisTemplate&) {}, {}},
      // ---- metrics[] ----
      {"no metrics",
       [](AnalysisTemplate& t) { t.spec.metrics.clear(); },
       {{"spec.metrics",
         "must list at least one metric (or include other templates through spec.templates)"}}},
      {"no metrics but included templates",
       [](AnalysisTemplate& t) {
         t.spec.metrics.clear();
         t.spec.templates.push_back({.template_name = "base"});
       },
       {}},
      {"included template without name",
       [](AnalysisTemplate& t) { t.spec.templates.push_back({}); },
       {{"spec.templates[0].templateName",
         "is required: the name of the AnalysisTemplate (or ClusterAnalysisTemplate) to "
         "include"}}},
      {"metric name missing",
       [](AnalysisTemplate& t) { First(t).name.clear(); },
       {{M0("name"), "is required"}}},
      {"duplicate metric name",
       [](AnalysisTemplate& t) { t.spec.metrics.push_back(SecondMetric("success-rate")); },
       {{"spec.metrics[1].name", "duplicate metric name \"success-rate\""}}},
      {"two distinct metrics",
       [](AnalysisTemplate& t) { t.spec.metrics.push_back(SecondMetric("latency")); },
       {}},
      // ---- provider ----
      {"no provider",
       [](AnalysisTemplate& t) { First(t).provider.prometheus.reset(); },
       {{M0("provider"),
         std::string("must set exactly one provider (one of: ") + kProviders + "), got none"}}},
      {"two providers",
       [](AnalysisTemplate& t) {
         First(t).provider.web.emplace();
         First(t).provider.web->url = "http://x";
       },
       {{M0("provider"), std::string("must set exactly one provider (one of: ") + kProviders +
                             "), got 2: prometheus, web"}}},
      {"unknown provider",
       [](AnalysisTemplate& t) {
         First(t).provider.prometheus.reset();
         First(t).provider.extra.Set("stackdriver", J("{}"));
       },
       {{M0("provider.stackdriver"),
         std::string("unknown provider \"stackdriver\"; known providers: ") + kProviders}}},
      {"plugin provider",
       [](AnalysisTemplate& t) {
         First(t).provider.prometheus.reset();
         First(t).provider.plugin["argoproj-labs/sample"] = J(R"({"a": 1})");
       },
       {}},
      {"devflow judge provider",
       [](AnalysisTemplate& t) {
         First(t).provider.prometheus.reset();
         First(t).provider.judge = J("{}");
       },
       {}},
      // ---- interval, initialDelay ----
      {"interval not a duration",
       [](AnalysisTemplate& t) { First(t).interval = "2 minutes"; },
       {{M0("interval"),
         "must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"2 minutes\""}}},
      {"interval negative",
       [](AnalysisTemplate& t) { First(t).interval = "-1m"; },
       {{M0("interval"), "must not be negative, got \"-1m\""}}},
      {"interval placeholder",
       [](AnalysisTemplate& t) { First(t).interval = "{{args.interval}}"; },
       {}},
      {"initialDelay not a duration",
       [](AnalysisTemplate& t) { First(t).initial_delay = "5"; },
       {{M0("initialDelay"),
         "must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"5\""}}},
      {"initialDelay negative",
       [](AnalysisTemplate& t) { First(t).initial_delay = "-5s"; },
       {{M0("initialDelay"), "must not be negative, got \"-5s\""}}},
      // ---- count and limits ----
      {"count negative",
       [](AnalysisTemplate& t) { First(t).count = int64_t{-1}; },
       {{M0("count"), "must be >= 0, got -1"}}},
      {"count not an integer",
       [](AnalysisTemplate& t) { First(t).count = "two"; },
       {{M0("count"), "must be an integer or a \"{{args.<name>}}\" placeholder, got \"two\""}}},
      {"count placeholder", [](AnalysisTemplate& t) { First(t).count = "{{args.count}}"; }, {}},
      {"count > 1 without interval",
       [](AnalysisTemplate& t) {
         First(t).interval.clear();
         First(t).count = int64_t{3};
       },
       {{M0("count"),
         "is 3, which needs an interval between measurements: set interval, or use a count of 0 "
         "or 1"}}},
      {"numeric string count > 1 without interval",
       [](AnalysisTemplate& t) {
         First(t).interval.clear();
         First(t).count = "2";
       },
       {{M0("count"),
         "is 2, which needs an interval between measurements: set interval, or use a count of 0 "
         "or 1"}}},
      {"count 1 without interval",
       [](AnalysisTemplate& t) {
         First(t).interval.clear();
         First(t).count = int64_t{1};
       },
       {}},
      {"failureLimit -1 without consecutiveSuccessLimit",
       [](AnalysisTemplate& t) { First(t).failure_limit = int64_t{-1}; },
       {{M0("failureLimit"),
         "must be >= 0, or -1 together with consecutiveSuccessLimit > 0, got -1"}}},
      {"failureLimit -1 with consecutiveSuccessLimit",
       [](AnalysisTemplate& t) {
         First(t).failure_limit = int64_t{-1};
         First(t).consecutive_success_limit = int64_t{2};
       },
       {}},
      {"failureLimit -2",
       [](AnalysisTemplate& t) {
         First(t).failure_limit = int64_t{-2};
         First(t).consecutive_success_limit = int64_t{1};
       },
       {{M0("failureLimit"),
         "must be >= 0, or -1 together with consecutiveSuccessLimit > 0, got -2"}}},
      {"failureLimit not an integer",
       [](AnalysisTemplate& t) { First(t).failure_limit = "x"; },
       {{M0("failureLimit"),
         "must be an integer or a \"{{args.<name>}}\" placeholder, got \"x\""}}},
      {"inconclusiveLimit negative",
       [](AnalysisTemplate& t) { First(t).inconclusive_limit = int64_t{-1}; },
       {{M0("inconclusiveLimit"), "must be >= 0, got -1"}}},
      {"consecutiveErrorLimit negative",
       [](AnalysisTemplate& t) { First(t).consecutive_error_limit = "-3"; },
       {{M0("consecutiveErrorLimit"), "must be >= 0, got -3"}}},
      {"consecutiveSuccessLimit negative",
       [](AnalysisTemplate& t) { First(t).consecutive_success_limit = int64_t{-1}; },
       {{M0("consecutiveSuccessLimit"), "must be >= 0, got -1"}}},
      {"count below failureLimit + consecutiveSuccessLimit",
       [](AnalysisTemplate& t) {
         First(t).failure_limit = int64_t{2};
         First(t).consecutive_success_limit = int64_t{1};
       },
       {{M0("count"), "must be >= failureLimit + consecutiveSuccessLimit (2 + 1 = 3), got 2"}}},
      {"count equal to failureLimit + consecutiveSuccessLimit",
       [](AnalysisTemplate& t) {
         First(t).failure_limit = int64_t{1};
         First(t).consecutive_success_limit = int64_t{1};
       },
       {}},
      {"count below consecutiveSuccessLimit when failureLimit is -1",
       [](AnalysisTemplate& t) {
         First(t).failure_limit = int64_t{-1};
         First(t).consecutive_success_limit = int64_t{3};
       },
       {{M0("count"), "must be >= consecutiveSuccessLimit (3) when failureLimit is -1, got 2"}}},
      {"count below inconclusiveLimit",
       [](AnalysisTemplate& t) { First(t).inconclusive_limit = int64_t{3}; },
       {{M0("count"), "must be >= inconclusiveLimit (3), got 2"}}},
      {"limits with a placeholder count are not cross-checked",
       [](AnalysisTemplate& t) {
         First(t).count = "{{args.count}}";
         First(t).failure_limit = int64_t{5};
       },
       {}},
      {"limits with an unbounded count are not cross-checked",
       [](AnalysisTemplate& t) {
         First(t).count.reset();
         First(t).failure_limit = int64_t{5};
       },
       {}},
      // ---- conditions (messages come from the expression parser) ----
      {"successCondition does not parse",
       [](AnalysisTemplate& t) { First(t).success_condition = "result[0] >= )"; },
       {{M0("successCondition"), "*"}}},
      {"failureCondition does not parse",
       [](AnalysisTemplate& t) { First(t).failure_condition = "result[0] <"; },
       {{M0("failureCondition"), "*"}}},
      {"condition with a placeholder",
       [](AnalysisTemplate& t) { First(t).success_condition = "result[0] >= {{args.min}}"; },
       {}},
      // ---- prometheus ----
      {"prometheus without query",
       [](AnalysisTemplate& t) { First(t).provider.prometheus->query.clear(); },
       {{M0("provider.prometheus.query"), "is required: the PromQL query to run"}}},
      {"prometheus address not a URL",
       [](AnalysisTemplate& t) { First(t).provider.prometheus->address = "prometheus:9090"; },
       {{M0("provider.prometheus.address"),
         "must be an http(s) URL such as \"http://prometheus:9090\", got \"prometheus:9090\""}}},
      {"prometheus address from the environment",
       [](AnalysisTemplate& t) { First(t).provider.prometheus->address.clear(); },
       {}},
      {"prometheus timeout negative",
       [](AnalysisTemplate& t) { First(t).provider.prometheus->timeout = -1; },
       {{M0("provider.prometheus.timeout"),
         "must be >= 0 seconds (0 means the default 30), got -1"}}},
      {"prometheus header without key",
       [](AnalysisTemplate& t) { First(t).provider.prometheus->headers.push_back({}); },
       {{M0("provider.prometheus.headers[0].key"), "is required: the header's name"}}},
      // ---- web ----
      {"web GET", [](AnalysisTemplate& t) { UseWeb(t); }, {}},
      {"web POST with jsonBody",
       [](AnalysisTemplate& t) {
         WebMetric& w = UseWeb(t);
         w.method = "POST";
         w.json_body = J(R"({"q": 1})");
       },
       {}},
      {"web without url",
       [](AnalysisTemplate& t) { UseWeb(t).url.clear(); },
       {{M0("provider.web.url"), "is required: the URL to query"}}},
      {"web method not allowed",
       [](AnalysisTemplate& t) { UseWeb(t).method = "DELETE"; },
       {{M0("provider.web.method"), "must be GET, POST or PUT, got \"DELETE\""}}},
      {"web body with GET",
       [](AnalysisTemplate& t) { UseWeb(t).body = "x"; },
       {{M0("provider.web.body"), "is only allowed with method POST or PUT, got GET"}}},
      {"web jsonBody with GET",
       [](AnalysisTemplate& t) { UseWeb(t).json_body = J("[1]"); },
       {{M0("provider.web.jsonBody"), "is only allowed with method POST or PUT, got GET"}}},
      {"web body and jsonBody",
       [](AnalysisTemplate& t) {
         WebMetric& w = UseWeb(t);
         w.method = "PUT";
         w.body = "x";
         w.json_body = J("{}");
       },
       {{M0("provider.web.jsonBody"), "must not be set together with body: use one of them"}}},
      {"web timeout negative",
       [](AnalysisTemplate& t) { UseWeb(t).timeout_seconds = -2; },
       {{M0("provider.web.timeoutSeconds"), "must be >= 0 (0 means the default 10), got -2"}}},
      {"web header without key",
       [](AnalysisTemplate& t) { UseWeb(t).headers.push_back({.value = "v"}); },
       {{M0("provider.web.headers[0].key"), "is required: the header's name"}}},
      // ---- job ----
      {"job", [](AnalysisTemplate& t) { UseJob(t, kJobSpec); }, {}},
      {"job without spec",
       [](AnalysisTemplate& t) { UseJob(t, "null"); },
       {{M0("provider.job.spec"), "is required: a batch/v1 JobSpec with a pod template"}}},
      {"job without template",
       [](AnalysisTemplate& t) { UseJob(t, R"({"backoffLimit": 1})"); },
       {{M0("provider.job.spec.template"), "is required: the pod template the Job runs"}}},
      {"job template restarting Always",
       [](AnalysisTemplate& t) {
         UseJob(t, R"({"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}})");
       },
       {{M0("provider.job.spec.template.spec.restartPolicy"), "*"}}},
      {"job template without containers",
       [](AnalysisTemplate& t) {
         UseJob(t, R"({"template": {"spec": {"restartPolicy": "Never"}}})");
       },
       {{M0("provider.job.spec.template.spec.containers"), "*"}}},
      {"job spec field of the wrong type",
       [](AnalysisTemplate& t) {
         UseJob(t, R"({"backoffLimit": "six", "template": {"spec": {"restartPolicy": "Never",
                       "containers": [{"name": "c", "image": "i", "ports": "80"}]}}})");
       },
       {{M0("provider.job.spec.backoffLimit"), "*"},
        {M0("provider.job.spec.template.spec.containers[0].ports"), "*"}}},
      // ---- args ----
      {"arg without name",
       [](AnalysisTemplate& t) { t.spec.args.push_back({.value = "x"}); },
       {{"spec.args[1].name", "is required"}}},
      {"duplicate arg",
       [](AnalysisTemplate& t) { t.spec.args.push_back({.name = "service-name"}); },
       {{"spec.args[1].name", "duplicate arg name \"service-name\""}}},
      {"arg with value and valueFrom",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value = "x";
         t.spec.args[0].value_from = ArgumentValueFrom{.field_ref = FieldRef{"metadata.name"}};
       },
       {{"spec.args[0].valueFrom", "must not be set together with value: use one of them"}}},
      {"arg valueFrom empty",
       [](AnalysisTemplate& t) { t.spec.args[0].value_from.emplace(); },
       {{"spec.args[0].valueFrom", "must set exactly one of secretKeyRef and fieldRef, got none"}}},
      {"arg valueFrom with both sources",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value_from = ArgumentValueFrom{.secret_key_ref = SecretKeyRef{"s", "k"},
                                                       .field_ref = FieldRef{"metadata.name"}};
       },
       {{"spec.args[0].valueFrom", "must set exactly one of secretKeyRef and fieldRef, got both"}}},
      {"arg secretKeyRef incomplete",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value_from = ArgumentValueFrom{.secret_key_ref = SecretKeyRef{}};
       },
       {{"spec.args[0].valueFrom.secretKeyRef.name", "is required: the Secret's name"},
        {"spec.args[0].valueFrom.secretKeyRef.key", "is required: the key in the Secret"}}},
      {"arg fieldRef without fieldPath",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value_from = ArgumentValueFrom{.field_ref = FieldRef{}};
       },
       {{"spec.args[0].valueFrom.fieldRef.fieldPath",
         "is required, e.g. \"metadata.labels['app']\""}}},
      {"arg podTemplateHashValue",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value_from = ArgumentValueFrom{.pod_template_hash_value = "Stable"};
       },
       {{"spec.args[0].valueFrom.podTemplateHashValue",
         "is only allowed in a Rollout's analysis args; use secretKeyRef or fieldRef here"}}},
      {"arg from a secret",
       [](AnalysisTemplate& t) {
         t.spec.args[0].value_from = ArgumentValueFrom{.secret_key_ref = SecretKeyRef{"s", "k"}};
       },
       {}},
      // ---- dryRun, measurementRetention ----
      {"dryRun matching all", [](AnalysisTemplate& t) { t.spec.dry_run.push_back({".*"}); }, {}},
      {"dryRun without metricName",
       [](AnalysisTemplate& t) { t.spec.dry_run.push_back({}); },
       {{"spec.dryRun[0].metricName",
         "is required: a regular expression matching metric names (\".*\" for all)"}}},
      {"dryRun regex does not compile",
       [](AnalysisTemplate& t) { t.spec.dry_run.push_back({"*"}); },
       {{"spec.dryRun[0].metricName", "*"}}},
      {"dryRun duplicate",
       [](AnalysisTemplate& t) {
         t.spec.dry_run.push_back({"success"});
         t.spec.dry_run.push_back({"success"});
       },
       {{"spec.dryRun[1].metricName", "duplicate metricName \"success\""}}},
      {"dryRun matching nothing",
       [](AnalysisTemplate& t) { t.spec.dry_run.push_back({"^latency$"}); },
       {{"spec.dryRun[0].metricName",
         "Rule didn't match any metric name(s); metrics are \"success-rate\""}}},
      {"dryRun matching nothing here but templates are included",
       [](AnalysisTemplate& t) {
         t.spec.dry_run.push_back({"^latency$"});
         t.spec.templates.push_back({.template_name = "latency"});
       },
       {}},
      {"retention",
       [](AnalysisTemplate& t) {
         t.spec.measurement_retention.push_back({.metric_name = "success", .limit = 20});
       },
       {}},
      {"retention limit 0",
       [](AnalysisTemplate& t) {
         t.spec.measurement_retention.push_back({.metric_name = "success", .limit = 0});
       },
       {{"spec.measurementRetention[0].limit",
         "must be > 0 (measurements kept per metric), got 0"}}},
      {"retention matching nothing",
       [](AnalysisTemplate& t) {
         t.spec.measurement_retention.push_back({.metric_name = "latency", .limit = 5});
       },
       {{"spec.measurementRetention[0].metricName",
         "Rule didn't match any metric name(s); metrics are \"success-rate\""}}},
      {"retention regex does not compile",
       [](AnalysisTemplate& t) {
         t.spec.measurement_retention.push_back({.metric_name = "(", .limit = 5});
       },
       {{"spec.measurementRetention[0].metricName", "*"}}},
      {"retention duplicate",
       [](AnalysisTemplate& t) {
         t.spec.measurement_retention.push_back({.metric_name = ".*", .limit = 5});
         t.spec.measurement_retention.push_back({.metric_name = ".*", .limit = 6});
       },
       {{"spec.measurementRetention[1].metricName", "duplicate metricName \".*\""}}},
      // ---- every error is collected ----
      {"several errors at once",
       [](AnalysisTemplate& t) {
         First(t).interval = "soon";
         First(t).provider.prometheus->query.clear();
         t.spec.args.push_back({.name = "service-name"});
       },
       {{M0("interval"),
         "must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"soon\""},
        {M0("provider.prometheus.query"), "is required: the PromQL query to run"},
        {"spec.args[1].name", "duplicate arg name \"service-name\""}}},
  };
  return rows;
}

TEST(AnalysisValidationTest, TemplateRules) {
  for (const Row& row : TemplateRows()) {
    AnalysisTemplate t = SeedTemplate();
    row.mutate(t);
    FieldErrors got = Validate(t);
    std::string want;
    for (const Want& w : row.want) want += "  " + w.path + ": " + w.message + "\n";
    EXPECT_TRUE(Matches(got, row.want)) << "row \"" << row.name << "\"\n got:\n"
                                        << Render(got) << " want:\n"
                                        << want;
  }
}

TEST(AnalysisValidationTest, ClusterTemplateAppliesTheSameRules) {
  for (const Row& row : TemplateRows()) {
    AnalysisTemplate t = SeedTemplate();
    row.mutate(t);
    ClusterAnalysisTemplate c{.api_version = t.api_version,
                              .kind = "ClusterAnalysisTemplate",
                              .metadata = t.metadata,
                              .spec = t.spec};
    EXPECT_TRUE(Matches(Validate(c), row.want)) << "row \"" << row.name << "\"";
  }
}

TEST(AnalysisValidationTest, ConditionErrorsPointIntoTheConditionAsWritten) {
  struct Case {
    const char* name;
    std::string condition;
    int offset;  // in `condition`
  };
  const Case cases[] = {
      {"stray parenthesis", "result[0] >= )", 13},
      // The placeholder is read as one character; the offset maps back past it.
      {"after a placeholder", "{{args.x}} >= )", 14},
  };
  for (const Case& c : cases) {
    AnalysisTemplate t = SeedTemplate();
    First(t).success_condition = c.condition;
    FieldErrors got = Validate(t);
    ASSERT_EQ(got.size(), 1u) << c.name << "\n" << Render(got);
    EXPECT_EQ(got[0].path.str(), M0("successCondition")) << c.name;
    EXPECT_EQ(got[0].value_offset, c.offset) << c.name;
    EXPECT_TRUE(got[0].message.starts_with("does not parse: ")) << c.name << ": " << got[0].message;
    EXPECT_TRUE(got[0].message.ends_with(" at offset " + std::to_string(c.offset)))
        << c.name << ": " << got[0].message;
  }
}

AnalysisRun SeedRun() {
  AnalysisTemplate t = SeedTemplate();
  AnalysisRun run;
  run.api_version = "argoproj.io/v1alpha1";
  run.kind = "AnalysisRun";
  run.metadata.name = "web-7f9c-2";
  run.spec.metrics = t.spec.metrics;
  run.spec.args = {{.name = "service-name", .value = "web"}};
  return run;
}

TEST(AnalysisValidationTest, RunRules) {
  struct RunRow {
    const char* name;
    std::function<void(AnalysisRun&)> mutate;
    std::vector<Want> want;
  };
  const RunRow rows[] = {
      {"seed run is valid", [](AnalysisRun&) {}, {}},
      {"no metrics, even with templates in mind",
       [](AnalysisRun& r) { r.spec.metrics.clear(); },
       {{"spec.metrics", "must list at least one metric"}}},
      {"metric rules apply",
       [](AnalysisRun& r) { r.spec.metrics[0].count = int64_t{-1}; },
       {{M0("count"), "must be >= 0, got -1"}}},
      {"arg rules apply",
       [](AnalysisRun& r) { r.spec.args.push_back({.name = "service-name"}); },
       {{"spec.args[1].name", "duplicate arg name \"service-name\""}}},
      {"dryRun must match a metric",
       [](AnalysisRun& r) { r.spec.dry_run.push_back({"^x$"}); },
       {{"spec.dryRun[0].metricName",
         "Rule didn't match any metric name(s); metrics are \"success-rate\""}}},
      {"retention must match a metric",
       [](AnalysisRun& r) {
         r.spec.measurement_retention.push_back({.metric_name = "^x$", .limit = 1});
       },
       {{"spec.measurementRetention[0].metricName",
         "Rule didn't match any metric name(s); metrics are \"success-rate\""}}},
      {"ttl valid",
       [](AnalysisRun& r) {
         r.spec.ttl_strategy = TtlStrategy{.seconds_after_completion = 0,
                                           .seconds_after_failure = 60,
                                           .seconds_after_success = 30};
       },
       {}},
      {"ttl negative",
       [](AnalysisRun& r) {
         r.spec.ttl_strategy = TtlStrategy{.seconds_after_completion = -1,
                                           .seconds_after_failure = -2,
                                           .seconds_after_success = -3};
       },
       {{"spec.ttlStrategy.secondsAfterCompletion", "must be >= 0, got -1"},
        {"spec.ttlStrategy.secondsAfterFailure", "must be >= 0, got -2"},
        {"spec.ttlStrategy.secondsAfterSuccess", "must be >= 0, got -3"}}},
  };
  for (const RunRow& row : rows) {
    AnalysisRun run = SeedRun();
    row.mutate(run);
    FieldErrors got = Validate(run);
    EXPECT_TRUE(Matches(got, row.want)) << "row \"" << row.name << "\"\n got:\n" << Render(got);
  }
}

}  // namespace
}  // namespace devflow::api
