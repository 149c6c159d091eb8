#include "analysis/providers/prometheus_provider.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/providers/prometheus_testing.h"
#include "http/http_testing.h"

namespace devflow::analysis::providers {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

api::TimePoint At(int64_t unix_seconds) { return api::TimePoint(seconds(unix_seconds)); }

api::TimePoint Now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// ---- Configuration ----

TEST(PrometheusClientOptionsForTest, GivenAMetricWhenConfiguredThenItsFieldsAndDefaultsApply) {
  api::PrometheusMetric metric;
  metric.address = "https://prometheus.example:9090";
  metric.headers = {{.key = "Authorization", .value = "Bearer t0k"}};
  metric.insecure = true;
  metric.authentication = json::Value(json::Object{
      {"basicAuth", json::Value(json::Object{{"username", "bob"}, {"password", "pw"}})}});

  Result<PrometheusClientOptions> got = PrometheusClientOptionsFor(metric, "http://ignored:9090");

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->address, "https://prometheus.example:9090");
  EXPECT_EQ(got->headers, (http::Headers{{"Authorization", "Bearer t0k"}}));
  EXPECT_EQ(got->basic_auth_username, "bob");
  EXPECT_EQ(got->basic_auth_password, "pw");
  EXPECT_TRUE(got->insecure_skip_verify);
  EXPECT_EQ(got->timeout, seconds(30));

  metric.timeout = 5;
  EXPECT_EQ(PrometheusClientOptionsFor(metric, "").value().timeout, seconds(5));
}

TEST(PrometheusClientOptionsForTest, GivenNoAddressWhenConfiguredThenTheEnvironmentAddress) {
  Result<PrometheusClientOptions> got =
      PrometheusClientOptionsFor(api::PrometheusMetric{}, "http://from-env:9090");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->address, "http://from-env:9090");
}

TEST(PrometheusClientOptionsForTest, GivenUnusableConfigurationsWhenConfiguredThenFieldErrors) {
  struct Row {
    const char* name;
    api::PrometheusMetric metric;
    const char* env_address;
    const char* field_path;
    const char* message;
  };
  api::PrometheusMetric sigv4;
  sigv4.address = "http://p:9090";
  sigv4.authentication =
      json::Value(json::Object{{"sigv4", json::Value(json::Object{{"region", "eu-west-1"}})}});
  const Row rows[] = {
      {"nothing_configured",
       {},
       "",
       "provider.prometheus.address",
       "prometheus address is not configured: set it, or the environment variable "
       "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS"},
      {"address_not_a_url",
       {.address = "prometheus:9090"},
       "",
       "provider.prometheus.address",
       "must be a URL such as http://prometheus:9090, got \"prometheus:9090\""},
      {"env_not_a_url",
       {},
       "prometheus",
       "provider.prometheus.address",
       "must be a URL such as http://prometheus:9090, got \"prometheus\" (from "
       "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS)"},
      {"sigv4", sigv4, "", "provider.prometheus.authentication.sigv4",
       "is not supported by devflow (use headers or basicAuth)"},
  };
  for (const Row& row : rows) {
    Result<PrometheusClientOptions> got = PrometheusClientOptionsFor(row.metric, row.env_address);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

// ---- Range queries ----

TEST(ResolvePrometheusRangeTest, GivenExpressionsWhenResolvedThenEvaluatedAtTheRequestsNow) {
  Result<PrometheusRange> got = ResolvePrometheusRange(
      {.start = "now() - duration(\"5m\")", .end = "now()", .step = "1m"}, At(1700000000));
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got,
            (PrometheusRange{
                .start = At(1700000000) - minutes(5), .end = At(1700000000), .step = minutes(1)}));
}

TEST(ResolvePrometheusRangeTest, GivenBadRangesWhenResolvedThenTheFieldIsNamed) {
  struct Row {
    const char* name;
    api::PrometheusRangeQuery range;
    const char* field_path;
    const char* message_start;
  };
  const Row rows[] = {
      {"start_missing",
       {.end = "now()", .step = "1m"},
       "provider.prometheus.rangeQuery.start",
       "must be set"},
      {"start_not_a_time",
       {.start = "1", .end = "now()", .step = "1m"},
       "provider.prometheus.rangeQuery.start",
       "\"1\": expected time.Time, but got int"},
      {"end_syntax_error",
       {.start = "now()", .end = "now() -", .step = "1m"},
       "provider.prometheus.rangeQuery.end",
       "\"now() -\": syntax error"},
      {"step_missing",
       {.start = "now()", .end = "now()"},
       "provider.prometheus.rangeQuery.step",
       "must be a positive duration"},
      {"step_negative",
       {.start = "now()", .end = "now()", .step = "-1m"},
       "provider.prometheus.rangeQuery.step",
       "must be a positive duration"},
      {"end_before_start",
       {.start = "now()", .end = "now() - duration(\"1m\")", .step = "1m"},
       "provider.prometheus.rangeQuery",
       "end (2023-11-14T22:12:20Z) is before start"},
  };
  for (const Row& row : rows) {
    Result<PrometheusRange> got = ResolvePrometheusRange(row.range, At(1700000000));
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name;
    EXPECT_TRUE(got.error().message().starts_with(row.message_start))
        << row.name << ": " << got.error();
  }
}

// ---- Shaping readings ----

PrometheusSeries Series(std::vector<double> values) {
  PrometheusSeries series;
  for (size_t i = 0; i < values.size(); ++i) {
    series.samples.push_back(
        {.time = At(1700000000 + static_cast<int64_t>(i)), .value = values[i]});
  }
  return series;
}

TEST(PrometheusReadingTest, GivenAnswersWhenShapedThenResultAndValueAsArgoWritesThem) {
  struct Row {
    const char* name;
    PrometheusQueryResult answer;
    json::Value result;
    const char* value;
  };
  const Row rows[] = {
      {"scalar",
       {.type = PrometheusResultType::kScalar, .scalar = {.value = 0.99}},
       json::Value(0.99),
       "0.99"},
      {"vector_in_series_order",
       {.type = PrometheusResultType::kVector, .series = {Series({0.99}), Series({0.98})}},
       json::Value(json::Array{0.99, 0.98}),
       "[0.99,0.98]"},
      {"empty_vector", {.type = PrometheusResultType::kVector}, json::Value(json::Array{}), "[]"},
      {"matrix_flattened",
       {.type = PrometheusResultType::kMatrix, .series = {Series({1, 2}), Series({3})}},
       json::Value(json::Array{1.0, 2.0, 3.0}),
       "[1,2,3]"},
      {"large_value_without_exponent",
       {.type = PrometheusResultType::kScalar, .scalar = {.value = 1e6}},
       json::Value(1e6),
       "1000000"},
  };
  for (const Row& row : rows) {
    Result<Reading> got = PrometheusReading(row.answer, "q");
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->result, row.result) << row.name;
    EXPECT_EQ(got->value, row.value) << row.name;
    EXPECT_EQ(got->phase, "") << row.name;
    EXPECT_EQ(got->metric_metadata,
              (std::map<std::string, std::string>{{"ResolvedPrometheusQuery", "q"}}))
        << row.name;
    EXPECT_TRUE(got->metadata.empty()) << row.name;
  }
}

TEST(PrometheusReadingTest, GivenANaNSampleWhenShapedThenValueNaNAndResultNaN) {
  Result<Reading> got =
      PrometheusReading({.type = PrometheusResultType::kVector, .series = {Series({kNaN})}}, "q");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->value, "[NaN]");
  ASSERT_TRUE(got->result.is_array());
  EXPECT_TRUE(std::isnan(got->result.as_array().at(0).as_double()));
}

TEST(PrometheusReadingTest, GivenWarningsWhenShapedThenTheyAreQuotedInMetadata) {
  Result<Reading> got = PrometheusReading(
      {.type = PrometheusResultType::kVector, .warnings = {"partial data", "slow"}}, "q");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->metadata,
            (std::map<std::string, std::string>{{"warnings", "\"partial data\", \"slow\""}}));
}

TEST(PrometheusReadingTest, GivenAStringAnswerWhenShapedThenAnError) {
  Result<Reading> got =
      PrometheusReading({.type = PrometheusResultType::kString, .string_value = "x"}, "q");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(),
            "prometheus returned a string result; only scalar, vector and matrix results are "
            "supported");
}

// ---- The provider against a real Prometheus ----

class PrometheusProviderRealTest : public testing::RealPrometheusTest {
 protected:
  void SetUp() override {
    RealPrometheusTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    target().Set(R"(provider_test_ratio{pod="a"})", 0.99);
    target().Set(R"(provider_test_ratio{pod="b"})", 0.98);
    ASSERT_TRUE(AwaitValue(R"(provider_test_ratio{pod="b"})", 0.98));
  }

  Result<Reading> Measure(api::PrometheusMetric prometheus,
                          PrometheusProviderOptions options = {}) {
    metric_.name = "success-rate";
    metric_.provider.prometheus = std::move(prometheus);
    PrometheusProvider provider(std::move(options));
    return provider.Measure({.run = run_, .metric = metric_, .now = Now()});
  }

  api::PrometheusMetric Query(std::string query) {
    return api::PrometheusMetric{.address = prometheus().address(), .query = std::move(query)};
  }

  api::AnalysisRun run_;
  api::Metric metric_;
};

TEST_F(PrometheusProviderRealTest, GivenAScalarQueryWhenMeasuredThenANumber) {
  Result<Reading> got = Measure(Query(R"(scalar(provider_test_ratio{pod="a"}))"));
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, json::Value(0.99));
  EXPECT_EQ(got->value, "0.99");
  EXPECT_EQ(got->metric_metadata.at("ResolvedPrometheusQuery"),
            R"(scalar(provider_test_ratio{pod="a"}))");
}

TEST_F(PrometheusProviderRealTest, GivenTwoSeriesWhenMeasuredThenAListInSeriesOrder) {
  Result<Reading> got = Measure(Query("sort_desc(provider_test_ratio)"));
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, json::Value(json::Array{0.99, 0.98}));
  EXPECT_EQ(got->value, "[0.99,0.98]");
}

TEST_F(PrometheusProviderRealTest, GivenNoMatchingSeriesWhenMeasuredThenAnEmptyList) {
  Result<Reading> got = Measure(Query(R"(provider_test_ratio{pod="none"})"));
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, json::Value(json::Array{}));
  EXPECT_EQ(got->value, "[]");
}

TEST_F(PrometheusProviderRealTest, GivenASyntaxErrorWhenMeasuredThenPrometheusMessage) {
  Result<Reading> got = Measure(Query("sum(provider_test_ratio"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << got.error();
  EXPECT_TRUE(got.error().message().starts_with("bad_data: ")) << got.error();
  EXPECT_NE(got.error().message().find("parse error"), std::string::npos) << got.error();
}

TEST_F(PrometheusProviderRealTest, GivenARangeQueryWhenMeasuredThenEverySampleFlattened) {
  api::PrometheusMetric metric = Query(R"(provider_test_ratio{pod="a"})");
  metric.range_query =
      api::PrometheusRangeQuery{.start = "now() - duration(\"3s\")", .end = "now()", .step = "1s"};
  Result<Reading> got = Measure(metric);
  ASSERT_TRUE(got.ok()) << got.error();
  ASSERT_TRUE(got->result.is_array());
  ASSERT_FALSE(got->result.as_array().empty());
  std::string want = "[";
  for (const json::Value& v : got->result.as_array()) {
    EXPECT_EQ(v, json::Value(0.99));
    want += std::string(want.size() > 1 ? "," : "") + "0.99";
  }
  EXPECT_EQ(got->value, want + "]");
}

TEST_F(PrometheusProviderRealTest, GivenNoAddressWhenMeasuredThenTheEnvironmentAddressIsUsed) {
  api::PrometheusMetric metric = Query(R"(scalar(provider_test_ratio{pod="a"}))");
  metric.address.clear();
  Result<Reading> got =
      Measure(metric, PrometheusProviderOptions{.default_address = prometheus().address()});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->value, "0.99");
}

// ---- The provider against servers that do not answer ----

TEST(PrometheusProviderTest, GivenAnUnreachableAddressWhenMeasuredThenUnavailable) {
  Result<int> port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.error();
  api::AnalysisRun run;
  api::Metric metric;
  metric.provider.prometheus =
      api::PrometheusMetric{.address = "http://127.0.0.1:" + std::to_string(*port), .query = "up"};

  Result<Reading> got = PrometheusProvider().Measure({.run = run, .metric = metric, .now = Now()});

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnavailable) << got.error();
}

TEST(PrometheusProviderTest, GivenAServerThatNeverAnswersWhenMeasuredThenDeadlineExceeded) {
  http::testing::RawListener silent;  // accepts connections, never answers
  api::AnalysisRun run;
  api::Metric metric;
  metric.provider.prometheus = api::PrometheusMetric{
      .address = "http://127.0.0.1:" + std::to_string(silent.port()), .query = "up", .timeout = 1};

  Result<Reading> got = PrometheusProvider().Measure({.run = run, .metric = metric, .now = Now()});

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kDeadlineExceeded) << got.error();
}

TEST(PrometheusProviderTest, GivenNoPrometheusBlockWhenMeasuredThenInvalidArgument) {
  api::AnalysisRun run;
  api::Metric metric;
  Result<Reading> got = PrometheusProvider().Measure({.run = run, .metric = metric, .now = Now()});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_path(), "provider.prometheus");
}

}  // namespace
}  // namespace devflow::analysis::providers
