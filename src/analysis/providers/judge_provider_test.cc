#include "analysis/providers/judge_provider.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/providers/prometheus_testing.h"
#include "api/manifest_reader.h"
#include "api/object_check.h"
#include "common/json_reader.h"

namespace devflow::analysis::providers {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

api::TimePoint At(int64_t unix_seconds) { return api::TimePoint(seconds(unix_seconds)); }

api::TimePoint Now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

json::Value Json(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text;
  return v.ok() ? *v : json::Value();
}

// Equal element by element, NaN matching NaN.
bool SameValues(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

judge::JudgeConfig Config(std::string address = "") {
  judge::JudgeConfig config;
  config.address = std::move(address);
  config.canary_scope = "abc";
  config.baseline_scope = "def";
  config.metrics = {{.name = "p99", .query = R"(lat{hash="${scope}"})", .group = "latency"},
                    {.name = "errors", .query = R"(err{hash="${scope}",x="${scope}"})"}};
  return config;
}

// ---- The window and the samples ----

TEST(JudgeWindowTest, GivenLookbackAndStepWhenResolvedThenTheWindowEndsNow) {
  struct Row {
    const char* name;
    std::chrono::nanoseconds lookback;
    std::chrono::nanoseconds step;
    PrometheusRange want;
  };
  const Row rows[] = {
      {"defaults",
       judge::judge_defaults::kLookback,
       judge::judge_defaults::kStep,
       {.start = At(1700000000) - minutes(15), .end = At(1700000000), .step = seconds(15)}},
      {"short_window",
       seconds(30),
       seconds(1),
       {.start = At(1700000000) - seconds(30), .end = At(1700000000), .step = seconds(1)}},
      {"sub_microsecond_lookback_truncated",
       std::chrono::nanoseconds(1500),
       std::chrono::nanoseconds(500),
       {.start = At(1700000000) - std::chrono::microseconds(1),
        .end = At(1700000000),
        .step = std::chrono::nanoseconds(500)}},
  };
  for (const Row& row : rows) {
    judge::JudgeConfig config = Config();
    config.lookback = row.lookback;
    config.step = row.step;
    EXPECT_EQ(JudgeWindow(config, At(1700000000)), row.want) << row.name;
  }
}

PrometheusSeries Series(std::vector<double> values) {
  PrometheusSeries series;
  for (size_t i = 0; i < values.size(); ++i) {
    series.samples.push_back(
        {.time = At(1700000000 + static_cast<int64_t>(i)), .value = values[i]});
  }
  return series;
}

TEST(FlattenSamplesTest, GivenAnswersWhenFlattenedThenEveryValueInSeriesOrderNaNKept) {
  struct Row {
    const char* name;
    PrometheusQueryResult answer;
    std::vector<double> want;
  };
  const Row rows[] = {
      {"matrix_two_series",
       {.type = PrometheusResultType::kMatrix, .series = {Series({1, kNaN, 3}), Series({4, 5})}},
       {1, kNaN, 3, 4, 5}},
      {"matrix_infinities_kept",
       {.type = PrometheusResultType::kMatrix, .series = {Series({kInf, -kInf})}},
       {kInf, -kInf}},
      {"empty_matrix", {.type = PrometheusResultType::kMatrix}, {}},
      {"vector", {.type = PrometheusResultType::kVector, .series = {Series({0.5})}}, {0.5}},
      {"scalar", {.type = PrometheusResultType::kScalar, .scalar = {.value = 2}}, {2}},
      {"string_is_no_data", {.type = PrometheusResultType::kString, .string_value = "x"}, {}},
  };
  for (const Row& row : rows) {
    EXPECT_TRUE(SameValues(FlattenSamples(row.answer), row.want)) << row.name;
  }
}

// ---- Configuration ----

TEST(JudgeClientOptionsTest, GivenAddressesWhenConfiguredThenTheConfigsWinsElseTheDefault) {
  struct Row {
    const char* name;
    const char* address;
    const char* default_address;
    int64_t timeout_seconds;
    const char* want_address;
  };
  const Row rows[] = {
      {"own_address", "http://p:9090", "http://env:9090", 30, "http://p:9090"},
      {"default_address", "", "http://env:9090", 30, "http://env:9090"},
      {"timeout_from_config", "http://p:9090", "", 5, "http://p:9090"},
  };
  for (const Row& row : rows) {
    judge::JudgeConfig config = Config(row.address);
    config.timeout_seconds = row.timeout_seconds;
    Result<PrometheusClientOptions> got = JudgeClientOptions(config, row.default_address);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->address, row.want_address) << row.name;
    EXPECT_EQ(got->timeout, seconds(row.timeout_seconds)) << row.name;
  }
}

TEST(JudgeClientOptionsTest, GivenNoAddressAnywhereWhenConfiguredThenTheFieldIsNamed) {
  Result<PrometheusClientOptions> got = JudgeClientOptions(Config(), "");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.error().field_path(), "provider.judge.address");
  EXPECT_EQ(got.error().message(),
            "prometheus address is not configured: set it, or the environment variable "
            "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS");
}

TEST(JudgeResolvedQueriesTest, GivenMetricsWhenResolvedThenEachSidesQueryIsRecorded) {
  EXPECT_EQ(JudgeResolvedQueries(Config()),
            (std::map<std::string, std::string>{
                {"ResolvedBaselineQuery.errors", R"(err{hash="def",x="def"})"},
                {"ResolvedBaselineQuery.p99", R"(lat{hash="def"})"},
                {"ResolvedCanaryQuery.errors", R"(err{hash="abc",x="abc"})"},
                {"ResolvedCanaryQuery.p99", R"(lat{hash="abc"})"},
            }));
}

// ---- Shaping the reading ----

judge::MetricOutcome Outcome(const char* name, judge::Classification c, double mean_ratio,
                             const char* reason = "") {
  judge::MetricOutcome m;
  m.name = name;
  m.group = "latency";
  m.classification.classification = c;
  m.classification.mean_ratio = mean_ratio;
  m.classification.effect_size = mean_ratio;
  m.classification.canary_count = 20;
  m.classification.baseline_count = 19;
  m.classification.reason = reason;
  return m;
}

TEST(JudgeReadingTest, GivenAVerdictWhenShapedThenThePhaseIsTheVerdictsAndTheValueItsJson) {
  struct Row {
    const char* name;
    judge::CanaryScore score;
    const char* phase;
    const char* value;
  };
  const Row rows[] = {
      {"pass_successful",
       {.score = 100,
        .verdict = judge::Verdict::kPass,
        .metrics = {Outcome("p99", judge::Classification::kPass, 1.02)}},
       "Successful",
       R"({"metrics":[{"baselineCount":19,"canaryCount":20,"classification":"Pass",)"
       R"("critical":false,"effectSize":1.02,"group":"latency","meanRatio":1.02,"name":"p99",)"
       R"("reason":""}],"score":100,"verdict":"Pass"})"},
      {"marginal_inconclusive",
       {.score = 80, .verdict = judge::Verdict::kMarginal},
       "Inconclusive",
       R"({"metrics":[],"score":80,"verdict":"Marginal"})"},
      {"fail_failed_unknown_ratio_is_null",
       {.score = 0,
        .verdict = judge::Verdict::kFail,
        .metrics = {Outcome("p99", judge::Classification::kHigh, kNaN, "canary is higher")}},
       "Failed",
       R"({"metrics":[{"baselineCount":19,"canaryCount":20,"classification":"High",)"
       R"("critical":false,"effectSize":null,"group":"latency","meanRatio":null,"name":"p99",)"
       R"("reason":"canary is higher"}],"score":0,"verdict":"Fail"})"},
  };
  for (const Row& row : rows) {
    const judge::JudgeConfig config = Config();
    Reading got = JudgeReading(config, row.score);
    EXPECT_EQ(got.phase, row.phase) << row.name;
    EXPECT_EQ(got.value, row.value) << row.name;
    EXPECT_EQ(got.result, JudgeResult(row.score)) << row.name;
    EXPECT_EQ(got.message, judge::DescribeScore(row.score, config.thresholds)) << row.name;
    EXPECT_EQ(got.metric_metadata, JudgeResolvedQueries(config)) << row.name;
    EXPECT_TRUE(got.metadata.empty()) << row.name;
  }
}

TEST(JudgeResultTest, GivenAScoreWhenShapedThenScoreVerdictAndOneEntryPerMetric) {
  judge::CanaryScore score{.score = 50, .verdict = judge::Verdict::kFail};
  score.metrics = {Outcome("p99", judge::Classification::kHigh, 2.5, "why"),
                   Outcome("errors", judge::Classification::kNoData, 1)};
  score.metrics[0].classification.critical = true;
  EXPECT_EQ(JudgeResult(score), Json(R"({"score": 50.0, "verdict": "Fail", "metrics": [
      {"name": "p99", "group": "latency", "classification": "High", "critical": true,
       "meanRatio": 2.5, "effectSize": 2.5, "canaryCount": 20, "baselineCount": 19,
       "reason": "why"},
      {"name": "errors", "group": "latency", "classification": "NoData", "critical": false,
       "meanRatio": 1.0, "effectSize": 1.0, "canaryCount": 20, "baselineCount": 19,
       "reason": ""}]})"));
}

// ---- Measure: configuration errors come back before any query ----

TEST(JudgeProviderTest, GivenUnusableConfigurationsWhenMeasuredThenInvalidArgumentWithThePath) {
  struct Row {
    const char* name;
    std::optional<json::Value> judge;
    const char* default_address;
    const char* field_path;
    const char* message_start;
  };
  const Row rows[] = {
      {"no_judge_block", std::nullopt, "http://p:9090", "provider.judge", "is not set"},
      {"bad_threshold",
       Json(R"({"canaryScope": "a", "baselineScope": "b", "thresholds": {"pass": 120},
                "metrics": [{"name": "m", "query": "q{v=\"${scope}\"}"}]})"),
       "http://p:9090", "provider.judge.thresholds.pass", "must be 0..100"},
      {"query_without_scope", Json(R"({"canaryScope": "a", "baselineScope": "b",
                "metrics": [{"name": "m", "query": "q"}]})"),
       "http://p:9090", "provider.judge.metrics[0].query", "must contain ${scope}"},
      {"no_address", Json(R"({"canaryScope": "a", "baselineScope": "b",
                "metrics": [{"name": "m", "query": "q{v=\"${scope}\"}"}]})"),
       "", "provider.judge.address", "prometheus address is not configured"},
  };
  for (const Row& row : rows) {
    api::AnalysisRun run;
    api::Metric metric;
    metric.provider.judge = row.judge;
    Result<Reading> got = JudgeProvider({.default_address = row.default_address})
                              .Measure({.run = run, .metric = metric, .now = Now()});
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name << ": " << got.error();
    EXPECT_TRUE(got.error().message().starts_with(row.message_start))
        << row.name << ": " << got.error();
  }
}

TEST(JudgeProviderTest, GivenAnUnreachablePrometheusWhenMeasuredThenUnavailableNamingTheMetric) {
  Result<int> port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.error();
  api::AnalysisRun run;
  api::Metric metric;
  metric.provider.judge = Json(R"({"address": "http://127.0.0.1:)" + std::to_string(*port) +
                               R"(", "canaryScope": "a", "baselineScope": "b",
      "metrics": [{"name": "p99", "query": "q{v=\"${scope}\"}"}]})");

  Result<Reading> got = JudgeProvider().Measure({.run = run, .metric = metric, .now = Now()});

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnavailable) << got.error();
  EXPECT_TRUE(got.error().message().starts_with("judge metric \"p99\", canary query: "))
      << got.error();
}

// ---- The documented example ----

// The AnalysisTemplate in docs/analysis.md, "The judge provider", is a valid object whose judge
// config decodes.
TEST(JudgeProviderDocsTest, GivenTheDocumentedTemplateWhenCheckedThenValidWithAJudgeConfig) {
  std::ifstream in(std::string(DEVFLOW_SOURCE_DIR) + "/docs/analysis.md");
  ASSERT_TRUE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const size_t section = text.find("### The judge provider");
  ASSERT_NE(section, std::string::npos);
  const size_t start = text.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  const size_t end = text.find("```", start + 8);
  ASSERT_NE(end, std::string::npos);

  Result<std::vector<api::Manifest>> manifests =
      api::ReadManifests(text.substr(start + 8, end - start - 8), "docs/analysis.md");

  ASSERT_TRUE(manifests.ok()) << manifests.error();
  ASSERT_EQ(manifests->size(), 1u);
  const json::Value& object = manifests->front().object;
  api::ObjectCheck check = api::CheckObject(object);
  EXPECT_TRUE(check.known_kind);
  for (const api::FieldError& e : check.errors) ADD_FAILURE() << api::ToString(e);
  for (const api::FieldError& e : check.warnings) ADD_FAILURE() << api::ToString(e);
  const json::Value* judge =
      object.Find("spec")->Find("metrics")->as_array().at(0).Find("provider")->Find("judge");
  ASSERT_NE(judge, nullptr);
  Result<judge::JudgeConfig> config = judge::ParseJudgeConfig(
      *judge, FieldPath::FromRenderedForTest("spec.metrics[0].provider.judge"));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->metrics.size(), 2u);
}

// ---- The provider against a real Prometheus ----
//
// One collection per suite: the target serves judge_test_latency_seconds for three versions,
// "baseline", "canary" (drawn independently from the same distribution) and "canary2x" (the
// canary's values doubled). Each round sets new values and waits until Prometheus has scraped
// them (about one round per second), so the window holds ~18 points per side. The draws come
// from a seeded std::mt19937_64 through our own transform, so they are the same on every run.

constexpr int kRounds = 18;
constexpr const char* kSeries = "judge_test_latency_seconds";

std::string SeriesOf(std::string_view version) {
  return std::string(kSeries) + "{version=\"" + std::string(version) + "\"}";
}

class JudgeProviderRealTest : public testing::RealPrometheusTest {
 protected:
  void SetUp() override {
    RealPrometheusTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!collected_) Collect();
  }

  static void TearDownTestSuite() {
    collected_ = false;
    drawn_canary_sum_ = 0;
    drawn_baseline_sum_ = 0;
    RealPrometheusTest::TearDownTestSuite();
  }

  void Collect() {
    std::mt19937_64 rng(7);
    // Latency-like values: 100 ms +- 20 ms, uniform, rounded to 0.1 ms.
    auto draw = [&rng] {
      const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
      return std::round((0.08 + 0.04 * u) * 1e4) / 1e4;
    };
    for (int round = 0; round < kRounds; ++round) {
      const double baseline = draw();
      const double canary = draw();
      drawn_canary_sum_ += canary;
      drawn_baseline_sum_ += baseline;
      target().Set(SeriesOf("baseline"), baseline);
      target().Set(SeriesOf("canary"), canary);
      target().Set(SeriesOf("canary2x"), 2 * canary);
      ASSERT_TRUE(AwaitValue(SeriesOf("baseline"), baseline)) << "round " << round;
      ASSERT_TRUE(AwaitValue(SeriesOf("canary"), canary)) << "round " << round;
      ASSERT_TRUE(AwaitValue(SeriesOf("canary2x"), 2 * canary)) << "round " << round;
    }
    // Removed series go stale at the next scrape, so the last values are not repeated until
    // the tests' `now`.
    for (const char* version : {"baseline", "canary", "canary2x"}) {
      target().Remove(SeriesOf(version));
    }
    Result<std::unique_ptr<PrometheusClient>> client =
        PrometheusClient::Create({.address = prometheus().address()});
    ASSERT_TRUE(client.ok()) << client.error();
    ASSERT_TRUE(testing::PollUntil([&] {
      Result<PrometheusQueryResult> r = (*client)->Query(kSeries, Now());
      return r.ok() && r->series.empty();
    }));
    collected_ = true;
  }

  // A judge over the last minute at 1 s, on the given canary version and query.
  Result<Reading> Judge(std::string_view canary_version,
                        std::string query = std::string(kSeries) + "{version=\"${scope}\"}") {
    json::Object metric_config{
        {"name", "latency"},
        {"query", std::move(query)},
        {"direction", "either"},
        {"effectSize", json::Object{{"allowedIncrease", 1.2}, {"allowedDecrease", 0.8}}}};
    metric_.name = "judge";
    metric_.provider.judge = json::Object{{"address", prometheus().address()},
                                          {"canaryScope", canary_version},
                                          {"baselineScope", "baseline"},
                                          {"lookback", "60s"},
                                          {"step", "1s"},
                                          {"timeout", 10},
                                          {"metrics", json::Array{metric_config}}};
    return JudgeProvider().Measure({.run = run_, .metric = metric_, .now = Now()});
  }

  static inline bool collected_ = false;
  // The sums of the values set, for the mean ratio the judge should report (one value more or
  // less per side, see above, moves it by about 1%).
  static inline double drawn_canary_sum_ = 0;
  static inline double drawn_baseline_sum_ = 0;
  static double DrawnMeanRatio() { return drawn_canary_sum_ / drawn_baseline_sum_; }
  api::AnalysisRun run_;
  api::Metric metric_;
};

const json::Value& FirstMetric(const Reading& reading) {
  return reading.result.Find("metrics")->as_array().at(0);
}

TEST_F(JudgeProviderRealTest, GivenIdenticalDistributionsWhenJudgedThenSuccessful) {
  Result<Reading> got = Judge("canary");

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->phase, "Successful") << got->message;
  EXPECT_EQ(*got->result.Find("verdict"), json::Value("Pass")) << got->value;
  EXPECT_TRUE(got->message.starts_with("score 100: Pass")) << got->message;
  // About one point per round on each side (a scrape may land between two Sets, repeating a
  // value; a slow round may skip one).
  EXPECT_GE(FirstMetric(*got).Find("canaryCount")->as_int(), kRounds - 3) << got->value;
  EXPECT_GE(FirstMetric(*got).Find("baselineCount")->as_int(), kRounds - 3) << got->value;
  EXPECT_NEAR(FirstMetric(*got).Find("meanRatio")->as_double(), DrawnMeanRatio(),
              0.05 * DrawnMeanRatio())
      << got->value;
  EXPECT_EQ(got->metric_metadata.at("ResolvedCanaryQuery.latency"), SeriesOf("canary"));
  EXPECT_EQ(got->metric_metadata.at("ResolvedBaselineQuery.latency"), SeriesOf("baseline"));
}

TEST_F(JudgeProviderRealTest, GivenTheCanaryDoubledWhenJudgedThenFailedNamingTheMetric) {
  Result<Reading> got = Judge("canary2x");

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->phase, "Failed") << got->message;
  EXPECT_EQ(*got->result.Find("verdict"), json::Value("Fail")) << got->value;
  EXPECT_EQ(*FirstMetric(*got).Find("classification"), json::Value("High")) << got->value;
  EXPECT_NE(got->message.find("; latency: High, "), std::string::npos) << got->message;
  EXPECT_NEAR(FirstMetric(*got).Find("meanRatio")->as_double(), 2 * DrawnMeanRatio(),
              0.05 * 2 * DrawnMeanRatio())
      << got->value;
}

TEST_F(JudgeProviderRealTest, GivenABadQueryWhenJudgedThenPrometheusErrorNamingTheMetric) {
  Result<Reading> got = Judge("canary", std::string("sum(") + kSeries + "{version=\"${scope}\"}");

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << got.error();
  EXPECT_TRUE(
      got.error().message().starts_with("judge metric \"latency\", canary query: bad_data: "))
      << got.error();
}

}  // namespace
}  // namespace devflow::analysis::providers
