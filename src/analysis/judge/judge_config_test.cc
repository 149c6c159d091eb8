#include "analysis/judge/judge_config.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json_reader.h"

namespace devflow::analysis::judge {
namespace {

const FieldPath kPath = FieldPath::FromRenderedForTest("spec.metrics[0].provider.judge");

json::Value Json(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text;
  return v.ok() ? *v : json::Value();
}

// A valid judge object with `extra` spliced into its top level and `metric_extra` into its
// one metric (each "" or a list of members ending in a comma).
std::string Config(std::string_view extra = "", std::string_view metric_extra = "") {
  return std::string("{") + std::string(extra) +
         R"("canaryScope": "abc", "baselineScope": "def", "metrics": [{)" +
         std::string(metric_extra) + R"("name": "latency", "query": "q{hash=\"${scope}\"}"}]})";
}

TEST(JudgeConfigDecode, GivenTheMinimalConfigThenEveryDefaultApplies) {
  Result<JudgeConfig> got = ParseJudgeConfig(Json(Config()), kPath);
  ASSERT_TRUE(got.ok()) << got.status();
  JudgeConfig want;
  want.canary_scope = "abc";
  want.baseline_scope = "def";
  JudgeMetric metric;
  metric.name = "latency";
  metric.query = "q{hash=\"${scope}\"}";
  want.metrics = {metric};
  EXPECT_EQ(*got, want);
  EXPECT_EQ(got->thresholds.pass, 95);
  EXPECT_EQ(got->thresholds.marginal, 75);
  EXPECT_EQ(got->lookback, std::chrono::minutes(15));
  EXPECT_EQ(got->step, std::chrono::seconds(15));
  EXPECT_EQ(got->timeout_seconds, 30);
  EXPECT_EQ(got->metrics[0].group, "default");
  EXPECT_EQ(got->metrics[0].criteria.direction, Direction::kEither);
  EXPECT_EQ(got->metrics[0].criteria.nan_strategy, NanStrategy::kRemove);
  EXPECT_FALSE(got->metrics[0].criteria.outlier_factor.has_value());
  EXPECT_EQ(got->metrics[0].criteria.tolerance, 0.25);
  EXPECT_EQ(got->metrics[0].criteria.confidence_level, 0.98);
}

TEST(JudgeConfigDecode, GivenTheDocumentedExampleThenEveryFieldIsRead) {
  const std::string text = R"({
    "address": "http://prometheus.monitoring:9090",
    "canaryScope": "7f9c", "baselineScope": "5d2a",
    "lookback": "30m", "step": "30s", "timeout": 10,
    "thresholds": {"pass": 90, "marginal": 60},
    "groupWeights": {"latency": 60, "errors": 40},
    "metrics": [
      {"name": "p99", "query": "a{h=\"${scope}\"}", "group": "latency", "direction": "increase",
       "critical": true, "mustHaveData": true, "nanStrategy": "replace",
       "outliers": {"strategy": "remove", "outlierFactor": 2.5},
       "effectSize": {"measure": "meanRatio", "allowedIncrease": 1.1, "criticalIncrease": 5,
                      "allowedDecrease": 0.9, "criticalDecrease": 0.2}},
      {"name": "5xx", "query": "b{h=\"${scope}\"}", "group": "errors", "direction": "decrease",
       "effectSize": {"measure": "cles", "allowedDecrease": 0.3}}
    ]})";
  Result<JudgeConfig> got = ParseJudgeConfig(Json(text), kPath);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->address, "http://prometheus.monitoring:9090");
  EXPECT_EQ(got->lookback, std::chrono::minutes(30));
  EXPECT_EQ(got->step, std::chrono::seconds(30));
  EXPECT_EQ(got->timeout_seconds, 10);
  EXPECT_EQ(got->thresholds, (ScoreThresholds{.pass = 90, .marginal = 60}));
  EXPECT_EQ(got->group_weights, (std::map<std::string, double>{{"latency", 60}, {"errors", 40}}));
  ASSERT_EQ(got->metrics.size(), 2u);
  MetricCriteria p99;
  p99.direction = Direction::kIncrease;
  p99.critical = true;
  p99.must_have_data = true;
  p99.nan_strategy = NanStrategy::kReplace;
  p99.outlier_factor = 2.5;
  p99.allowed_increase = 1.1;
  p99.critical_increase = 5;
  p99.allowed_decrease = 0.9;
  p99.critical_decrease = 0.2;
  EXPECT_EQ(got->metrics[0].criteria, p99);
  EXPECT_EQ(got->metrics[0].group, "latency");
  MetricCriteria errors;
  errors.direction = Direction::kDecrease;
  errors.effect_size_measure = EffectSizeMeasure::kCles;
  errors.allowed_decrease = 0.3;
  EXPECT_EQ(got->metrics[1].criteria, errors);
}

TEST(JudgeConfigDecode, GivenBadFieldsThenEachErrorNamesItsPath) {
  struct Row {
    const char* name;
    std::string text;
    std::string want;  // the first error, as "path: message"
  };
  const std::string p = "spec.metrics[0].provider.judge";
  const Row rows[] = {
      {"not an object", "[]", p + ": must be an object, got array"},
      {"pass above 100", Config(R"("thresholds": {"pass": 120},)"),
       p + ".thresholds.pass: must be 0..100, got 120"},
      {"marginal above pass", Config(R"("thresholds": {"pass": 80, "marginal": 90},)"),
       p + ".thresholds.marginal: must be <= pass (80), got 90"},
      {"pass as a string", Config(R"("thresholds": {"pass": "95"},)"),
       p + ".thresholds.pass: must be a number, got string"},
      {"misspelt threshold", Config(R"("thresholds": {"passs": 95},)"),
       p + ".thresholds.passs: unknown field; known fields: marginal, pass"},
      {"unknown top-level field", Config(R"("window": "5m",)"),
       p + ".window: unknown field; known fields: address, baselineScope, canaryScope, "
           "groupWeights, lookback, metrics, step, thresholds, timeout"},
      {"address without scheme", Config(R"("address": "prometheus:9090",)"),
       p + ".address: must be an http:// or https:// URL, got \"prometheus:9090\""},
      {"missing canaryScope",
       R"({"baselineScope": "x", "metrics": [{"name": "a", "query": "${scope}"}]})",
       p + ".canaryScope: required: the value replacing ${scope} in the canary's queries"},
      {"equal scopes",
       R"({"canaryScope": "x", "baselineScope": "x", "metrics": [{"name": "a", "query": "${scope}"}]})",
       p + ".baselineScope: must differ from canaryScope, both are \"x\""},
      {"bad lookback", Config(R"("lookback": "15 minutes",)"), p + ".lookback: "},
      {"zero step", Config(R"("step": "0s",)"), p + ".step: must be > 0, got \"0s\""},
      {"too many points", Config(R"("lookback": "24h", "step": "1s",)"),
       p + ".step: lookback / step must be < 11000 (Prometheus answers at most that many points "
           "per series), got 86400"},
      {"timeout zero", Config(R"("timeout": 0,)"),
       p + ".timeout: must be an integer number of seconds > 0"},
      {"no metrics", R"({"canaryScope": "a", "baselineScope": "b", "metrics": []})",
       p + ".metrics: at least one metric is required"},
      {"metrics absent", R"({"canaryScope": "a", "baselineScope": "b"})",
       p + ".metrics: at least one metric is required"},
      {"query without ${scope}",
       R"({"canaryScope": "a", "baselineScope": "b", "metrics": [{"name": "m", "query": "up"}]})",
       p + ".metrics[0].query: must contain ${scope}, replaced by canaryScope and baselineScope "
           "(without it both sides read the same series)"},
      {"metric without name",
       R"({"canaryScope": "a", "baselineScope": "b", "metrics": [{"query": "${scope}"}]})",
       p + ".metrics[0].name: required"},
      {"duplicate names",
       R"({"canaryScope": "a", "baselineScope": "b", "metrics": [)"
       R"({"name": "m", "query": "${scope}"}, {"name": "m", "query": "${scope}"}]})",
       p + ".metrics[1].name: duplicate metric name \"m\""},
      {"bad direction", Config("", R"("direction": "up",)"),
       p + ".metrics[0].direction: must be increase, decrease or either, got \"up\""},
      {"bad nanStrategy", Config("", R"("nanStrategy": "zero",)"),
       p + ".metrics[0].nanStrategy: must be remove or replace, got \"zero\""},
      {"critical as a string", Config("", R"("critical": "true",)"),
       p + ".metrics[0].critical: must be a boolean, got string"},
      {"negative outlier factor",
       Config("", R"("outliers": {"strategy": "remove", "outlierFactor": -1},)"),
       p + ".metrics[0].outliers.outlierFactor: must be > 0, got -1"},
      {"allowedIncrease below no change", Config("", R"("effectSize": {"allowedIncrease": 0.9},)"),
       p + ".metrics[0].effectSize.allowedIncrease: must be >= 1 (no change), got 0.9"},
      {"cles above 1", Config("", R"("effectSize": {"measure": "cles", "allowedIncrease": 1.5},)"),
       p + ".metrics[0].effectSize.allowedIncrease: must be 0..1 for measure cles, got 1.5"},
      {"criticalIncrease below allowedIncrease",
       Config("", R"("effectSize": {"allowedIncrease": 2, "criticalIncrease": 1.5},)"),
       p + ".metrics[0].effectSize.criticalIncrease: must be >= allowedIncrease (2), got 1.5"},
      {"unknown effectSize field", Config("", R"("effectSize": {"allowedIncrase": 2},)"),
       p + ".metrics[0].effectSize.allowedIncrase: unknown field; known fields: allowedDecrease, "
           "allowedIncrease, criticalDecrease, criticalIncrease, measure"},
      {"weight of an unknown group", Config(R"("groupWeights": {"latncy": 100},)"),
       p + ".groupWeights.latncy: names no group of metrics[]; groups: default"},
  };
  for (const Row& row : rows) {
    Result<JudgeConfig> got = ParseJudgeConfig(Json(row.text), kPath);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    const std::string first = got.error().field_path() + ": " + got.error().message();
    EXPECT_EQ(first.substr(0, row.want.size()), row.want) << row.name << "\n got: " << first;
  }
}

TEST(JudgeConfigDecode, GivenGroupWeightsThenTotalsAreChecked) {
  const std::string metrics = R"("canaryScope": "a", "baselineScope": "b", "metrics": [)"
                              R"({"name": "m1", "group": "latency", "query": "${scope}"},)"
                              R"({"name": "m2", "group": "errors", "query": "${scope}"}]})";
  struct Row {
    const char* name;
    std::string weights;
    std::string want_error;  // "" when valid
  };
  const std::string p = "spec.metrics[0].provider.judge.groupWeights";
  const Row rows[] = {
      {"all groups, total 100", R"({"latency": 70, "errors": 30})", ""},
      {"some groups, total below 100", R"({"latency": 70})", ""},
      {"above 100", R"({"latency": 70, "errors": 40})",
       p + ": weights must total at most 100, got 110"},
      {"all groups but below 100", R"({"latency": 50, "errors": 30})",
       p + ": every group has a weight, so the weights must total 100, got 80"},
      {"negative", R"({"latency": -1})", p + ".latency: must be >= 0, got -1"},
      {"not a number", R"({"latency": "50"})", p + ".latency: must be a number, got string"},
  };
  for (const Row& row : rows) {
    Result<JudgeConfig> got =
        ParseJudgeConfig(Json("{\"groupWeights\": " + row.weights + ", " + metrics), kPath);
    if (row.want_error.empty()) {
      EXPECT_TRUE(got.ok()) << row.name << ": " << got.status();
      continue;
    }
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().field_path() + ": " + got.error().message(), row.want_error) << row.name;
  }
}

TEST(JudgeConfigDecode, GivenSeveralMistakesThenAllAreReportedInOneStatus) {
  const std::string text =
      R"({"thresholds": {"pass": 120}, "metrics": [{"name": "m", "query": "up"}]})";
  api::FieldErrors errors;
  DecodeJudgeConfig(Json(text), kPath, &errors);
  std::vector<std::string> got;
  for (const api::FieldError& e : errors) got.push_back(e.path.str());
  const std::string p = "spec.metrics[0].provider.judge";
  EXPECT_EQ(got, (std::vector<std::string>{p + ".canaryScope", p + ".baselineScope",
                                           p + ".thresholds.pass", p + ".metrics[0].query"}));
  Result<JudgeConfig> parsed = ParseJudgeConfig(Json(text), kPath);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().field_path(), p + ".canaryScope");
  EXPECT_NE(parsed.error().message().find("; " + p + ".thresholds.pass: must be 0..100, got 120"),
            std::string::npos)
      << parsed.error().message();
}

TEST(JudgeConfigDecode, GivenPlaceholdersAtAdmissionThenLiteralChecksAreSkipped) {
  const std::string text = R"({"canaryScope": "{{args.hash}}", "baselineScope": "{{args.hash}}",)"
                           R"( "address": "{{args.prom}}", "lookback": "{{args.window}}",)"
                           R"( "metrics": [{"name": "m", "query": "x{h=\"${scope}\"}"}]})";
  Result<JudgeConfig> got = ParseJudgeConfig(Json(text), kPath);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->lookback, std::chrono::minutes(15)) << "a placeholder keeps the default";
}

TEST(JudgeConfigResolveQuery, GivenAScopeThenEveryPlaceholderIsReplaced) {
  struct Row {
    const char* name;
    const char* query;
    const char* scope;
    const char* want;
  };
  const Row rows[] = {
      {"one placeholder", R"(up{h="${scope}"})", "7f9c", R"(up{h="7f9c"})"},
      {"two placeholders", "a{h=\"${scope}\"} / b{h=\"${scope}\"}", "x", "a{h=\"x\"} / b{h=\"x\"}"},
      {"none", "up", "x", "up"},
      {"at both ends", "${scope}-${scope}", "s", "s-s"},
      {"lookalikes are kept", "${scopes} $scope", "x", "${scopes} $scope"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ResolveQuery(row.query, row.scope), row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis::judge
