#include "analysis/providers/prometheus_client.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/providers/prometheus_testing.h"
#include "http/http_testing.h"

namespace devflow::analysis::providers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

api::TimePoint At(int64_t unix_seconds, int64_t micros = 0) {
  return api::TimePoint(std::chrono::seconds(unix_seconds) + std::chrono::microseconds(micros));
}

api::TimePoint Now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// ---- Formatting and parsing values ----

TEST(FormatPrometheusValueTest, GivenValuesWhenFormattedThenGoFixedShortestForm) {
  struct Row {
    const char* name;
    double value;
    const char* want;
  };
  const Row rows[] = {
      {"fraction", 0.99, "0.99"},
      {"integer", 3, "3"},
      {"zero", 0, "0"},
      {"negative", -0.25, "-0.25"},
      {"million_without_exponent", 1e6, "1000000"},
      {"tiny_without_exponent", 1e-7, "0.0000001"},
      {"huge_without_exponent", 1e21, "1000000000000000000000"},
      {"shortest_round_trip", 0.1 + 0.2, "0.30000000000000004"},
      {"nan", kNaN, "NaN"},
      {"plus_inf", kInf, "+Inf"},
      {"minus_inf", -kInf, "-Inf"},
  };
  for (const Row& row : rows) EXPECT_EQ(FormatPrometheusValue(row.value), row.want) << row.name;
}

TEST(ParsePrometheusValueTest, GivenPrometheusTextWhenParsedThenTheDoubleItNames) {
  struct Row {
    const char* name;
    const char* text;
    double want;
  };
  const Row rows[] = {
      {"fraction", "0.99", 0.99}, {"exponent", "1e+06", 1e6},   {"negative", "-2.5", -2.5},
      {"plus_inf", "+Inf", kInf}, {"minus_inf", "-Inf", -kInf}, {"bare_inf", "Inf", kInf},
      {"plus_sign", "+3", 3},
  };
  for (const Row& row : rows) {
    Result<double> got = ParsePrometheusValue(row.text);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
  Result<double> nan = ParsePrometheusValue("NaN");
  ASSERT_TRUE(nan.ok()) << nan.error();
  EXPECT_TRUE(std::isnan(*nan));
}

TEST(ParsePrometheusValueTest, GivenTextThatIsNoNumberWhenParsedThenInvalidArgument) {
  for (const char* text : {"", "abc", "1.2.3", "++1", "0.5 ", "+"}) {
    Result<double> got = ParsePrometheusValue(text);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(got.error().message(), "invalid sample value \"" + std::string(text) + "\"");
  }
}

TEST(FormatPrometheusTimeTest, GivenTimesWhenFormattedThenUnixSecondsWithTheNeededFraction) {
  EXPECT_EQ(FormatPrometheusTime(At(1700000000)), "1700000000");
  EXPECT_EQ(FormatPrometheusTime(At(1700000000, 250000)), "1700000000.25");
  EXPECT_EQ(FormatPrometheusTime(At(1700000000, 1)), "1700000000.000001");
  EXPECT_EQ(FormatPrometheusTime(At(0)), "0");
}

// ---- Parsing answers ----

struct AnswerRow {
  const char* name;
  int status;
  const char* body;
  PrometheusQueryResult want;
};

PrometheusSeries Series(std::map<std::string, std::string> labels,
                        std::vector<PrometheusSample> samples) {
  return PrometheusSeries{.labels = std::move(labels), .samples = std::move(samples)};
}

TEST(ParsePrometheusResponseTest, GivenSuccessAnswersWhenParsedThenPlainStructs) {
  const AnswerRow rows[] = {
      {"scalar",
       200,
       R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"0.99"]}})",
       {.type = PrometheusResultType::kScalar,
        .scalar = {.time = At(1700000000, 500000), .value = 0.99}}},
      {"vector_two_series",
       200,
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","pod":"a"},"value":[1700000000,"1"]},
            {"metric":{"pod":"b"},"value":[1700000000,"0.5"]}]}})",
       {.type = PrometheusResultType::kVector,
        .series = {Series({{"__name__", "up"}, {"pod", "a"}}, {{At(1700000000), 1}}),
                   Series({{"pod", "b"}}, {{At(1700000000), 0.5}})}}},
      {"empty_vector",
       200,
       R"({"status":"success","data":{"resultType":"vector","result":[]}})",
       {.type = PrometheusResultType::kVector}},
      {"matrix",
       200,
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"pod":"a"},"values":[[1700000000,"1"],[1700000001.001,"+Inf"]]}]}})",
       {.type = PrometheusResultType::kMatrix,
        .series = {Series({{"pod", "a"}}, {{At(1700000000), 1}, {At(1700000001, 1000), kInf}})}}},
      {"string",
       200,
       R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}})",
       {.type = PrometheusResultType::kString,
        .scalar = {.time = At(1700000000)},
        .string_value = "hello"}},
      {"warnings",
       200,
       R"({"status":"success","warnings":["w1","w2"],
           "data":{"resultType":"vector","result":[]}})",
       {.type = PrometheusResultType::kVector, .warnings = {"w1", "w2"}}},
  };
  for (const AnswerRow& row : rows) {
    Result<PrometheusQueryResult> got = ParsePrometheusResponse(row.status, row.body);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(ParsePrometheusResponseTest, GivenANaNSampleWhenParsedThenTheValueIsNaN) {
  Result<PrometheusQueryResult> got =
      ParsePrometheusResponse(200, R"({"status":"success","data":{"resultType":"vector","result":[
                {"metric":{},"value":[1700000000,"NaN"]}]}})");
  ASSERT_TRUE(got.ok()) << got.error();
  ASSERT_EQ(got->series.size(), 1u);
  ASSERT_EQ(got->series[0].samples.size(), 1u);
  EXPECT_TRUE(std::isnan(got->series[0].samples[0].value));
}

struct ErrorRow {
  const char* name;
  int status;
  const char* body;
  StatusCode code;
  const char* message;
};

TEST(ParsePrometheusResponseTest, GivenErrorAnswersWhenParsedThenStatusByWhoShouldRetry) {
  const ErrorRow rows[] = {
      {"bad_data", 400,
       R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"})",
       StatusCode::kInvalidArgument, "bad_data: 1:5: parse error: unclosed left parenthesis"},
      {"timeout", 503, R"({"status":"error","errorType":"timeout","error":"query timed out"})",
       StatusCode::kDeadlineExceeded, "timeout: query timed out"},
      {"execution", 422, R"({"status":"error","errorType":"execution","error":"too many samples"})",
       StatusCode::kInternal, "execution: too many samples"},
      {"canceled", 503, R"({"status":"error","errorType":"canceled","error":"context canceled"})",
       StatusCode::kUnavailable, "canceled: context canceled"},
      {"proxy_502", 502, "<html>bad gateway</html>", StatusCode::kUnavailable,
       "server answered HTTP 502: <html>bad gateway</html>"},
      {"not_found_text", 404, "404 page not found", StatusCode::kInternal,
       "server answered HTTP 404: 404 page not found"},
      {"not_json", 200, "hello", StatusCode::kInternal,
       "bad response from Prometheus: line 1, column 1: invalid value"},
      {"success_with_400", 400, R"({"status":"success","data":{}})", StatusCode::kInternal,
       "bad response from Prometheus: status success with HTTP 400"},
      {"unknown_result_type", 200,
       R"({"status":"success","data":{"resultType":"table","result":[]}})", StatusCode::kInternal,
       "bad response from Prometheus: unknown resultType \"table\""},
      {"bad_sample", 200,
       R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}})",
       StatusCode::kInternal,
       "bad response from Prometheus: data.result[0].value: invalid sample value \"x\""},
      {"sample_not_a_pair", 200,
       R"({"status":"success","data":{"resultType":"scalar","result":[1]}})", StatusCode::kInternal,
       "bad response from Prometheus: data.result: expected [<time>, \"<value>\"]"},
  };
  for (const ErrorRow& row : rows) {
    Result<PrometheusQueryResult> got = ParsePrometheusResponse(row.status, row.body);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name << ": " << got.error();
    if (std::string_view(row.name) == "not_json") {
      EXPECT_TRUE(got.error().message().starts_with("bad response from Prometheus: "))
          << got.error();
    } else {
      EXPECT_EQ(got.error().message(), row.message) << row.name;
    }
  }
}

// ---- The client against a server that records what it receives ----

class RecordingServer {
 public:
  explicit RecordingServer(http::Response answer)
      : handler_([this, answer](const http::Request& request, http::ResponseWriter& writer) {
          requests_.Push(request);
          writer.Send(answer);
        }),
        server_(http::testing::StartServer(handler_)) {}

  std::string address(std::string_view prefix = "") const {
    return http::testing::BaseUrl(*server_) + std::string(prefix);
  }
  std::optional<http::Request> NextRequest() { return requests_.Pop(); }

 private:
  http::testing::Channel<http::Request> requests_;
  http::FunctionHandler handler_;
  std::unique_ptr<http::Server> server_;
};

// The value of form field `name` in an urlencoded body.
std::optional<std::string> FormField(const std::string& body, std::string_view name) {
  http::Request as_query;
  as_query.target = "/?" + body;
  return as_query.Query(name);
}

http::Response VectorAnswer() {
  return http::Response{.body = R"({"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"pod":"a"},"value":[1700000000,"0.5"]}]}})"};
}

TEST(PrometheusClientTest, GivenHeadersAndBasicAuthWhenQueryingThenThePostCarriesThemAll) {
  RecordingServer server(VectorAnswer());
  Result<std::unique_ptr<PrometheusClient>> client = PrometheusClient::Create({
      .address = server.address("/prom/"),
      .headers = {{"X-Scope-OrgID", "tenant-1"}},
      .basic_auth_username = "alice",
      .basic_auth_password = "s3cret",
  });
  ASSERT_TRUE(client.ok()) << client.error();

  Result<PrometheusQueryResult> got =
      (*client)->Query("sum(rate(http_requests_total{code=~\"5..\"}[1m]))", At(1700000000, 500000));

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->series,
            std::vector<PrometheusSeries>{Series({{"pod", "a"}}, {{At(1700000000), 0.5}})});
  std::optional<http::Request> request = server.NextRequest();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->Path(), "/prom/api/v1/query");
  EXPECT_EQ(request->Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request->Header("X-Scope-OrgID"), "tenant-1");
  EXPECT_EQ(request->Header("Authorization"), "Basic YWxpY2U6czNjcmV0");
  EXPECT_EQ(FormField(request->body, "query"), "sum(rate(http_requests_total{code=~\"5..\"}[1m]))");
  EXPECT_EQ(FormField(request->body, "time"), "1700000000.5");
}

TEST(PrometheusClientTest, GivenARangeWhenQueryingThenStartEndAndStepAreSentInSeconds) {
  RecordingServer server(
      http::Response{.body = R"({"status":"success","data":{"resultType":"matrix","result":[]}})"});
  Result<std::unique_ptr<PrometheusClient>> client =
      PrometheusClient::Create({.address = server.address()});
  ASSERT_TRUE(client.ok()) << client.error();

  Result<PrometheusQueryResult> got = (*client)->QueryRange(
      "up", {.start = At(1700000000), .end = At(1700000300), .step = milliseconds(1500)});

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->type, PrometheusResultType::kMatrix);
  std::optional<http::Request> request = server.NextRequest();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->Path(), "/api/v1/query_range");
  EXPECT_EQ(FormField(request->body, "query"), "up");
  EXPECT_EQ(FormField(request->body, "start"), "1700000000");
  EXPECT_EQ(FormField(request->body, "end"), "1700000300");
  EXPECT_EQ(FormField(request->body, "step"), "1.5");
}

TEST(PrometheusClientTest, GivenAnAddressThatIsNoUrlWhenCreatingThenInvalidArgument) {
  for (const char* address : {"", "prometheus:9090", "ftp://prometheus", "http://", "http:///x"}) {
    Result<std::unique_ptr<PrometheusClient>> client =
        PrometheusClient::Create({.address = address});
    ASSERT_FALSE(client.ok()) << address;
    EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument) << address;
  }
}

TEST(PrometheusClientTest, GivenNothingListensWhenQueryingThenUnavailable) {
  Result<int> port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.error();
  Result<std::unique_ptr<PrometheusClient>> client =
      PrometheusClient::Create({.address = "http://127.0.0.1:" + std::to_string(*port)});
  ASSERT_TRUE(client.ok()) << client.error();

  Result<PrometheusQueryResult> got = (*client)->Query("up", Now());

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnavailable) << got.error();
  EXPECT_TRUE(got.error().message().starts_with("querying Prometheus at http://127.0.0.1:"))
      << got.error();
}

// ---- The client against a real Prometheus ----

class PrometheusClientRealTest : public testing::RealPrometheusTest {};

TEST_F(PrometheusClientRealTest, GivenTwoScrapedSeriesWhenQueriedThenBothComeWithTheirLabels) {
  target().Set(R"(client_test_gauge{pod="a"})", 0.25);
  target().Set(R"(client_test_gauge{pod="b"})", 0.75);
  ASSERT_TRUE(AwaitValue(R"(client_test_gauge{pod="b"})", 0.75));
  Result<std::unique_ptr<PrometheusClient>> client =
      PrometheusClient::Create({.address = prometheus().address()});
  ASSERT_TRUE(client.ok()) << client.error();

  Result<PrometheusQueryResult> got = (*client)->Query("sort(client_test_gauge)", Now());

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->type, PrometheusResultType::kVector);
  ASSERT_EQ(got->series.size(), 2u);
  EXPECT_EQ(got->series[0].labels.at("pod"), "a");
  EXPECT_EQ(got->series[0].labels.at("job"), testing::kScrapeJob);
  EXPECT_EQ(got->series[0].labels.at("__name__"), "client_test_gauge");
  EXPECT_EQ(got->series[0].samples.at(0).value, 0.25);
  EXPECT_EQ(got->series[1].labels.at("pod"), "b");
  EXPECT_EQ(got->series[1].samples.at(0).value, 0.75);
}

TEST_F(PrometheusClientRealTest, GivenScrapedSamplesWhenRangeQueriedThenAMatrixAtStepSpacing) {
  target().Set("client_test_range", 7);
  ASSERT_TRUE(AwaitValue("client_test_range", 7));
  Result<std::unique_ptr<PrometheusClient>> client =
      PrometheusClient::Create({.address = prometheus().address()});
  ASSERT_TRUE(client.ok()) << client.error();
  const api::TimePoint end = Now();

  Result<PrometheusQueryResult> got = (*client)->QueryRange(
      "client_test_range", {.start = end - seconds(3), .end = end, .step = milliseconds(500)});

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->type, PrometheusResultType::kMatrix);
  ASSERT_EQ(got->series.size(), 1u);
  const std::vector<PrometheusSample>& samples = got->series[0].samples;
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.back().value, 7);
  for (size_t i = 1; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].time - samples[i - 1].time, milliseconds(500)) << i;
  }
}

TEST_F(PrometheusClientRealTest, GivenASyntaxErrorWhenQueriedThenBadDataWithPrometheusMessage) {
  Result<std::unique_ptr<PrometheusClient>> client =
      PrometheusClient::Create({.address = prometheus().address()});
  ASSERT_TRUE(client.ok()) << client.error();

  Result<PrometheusQueryResult> got = (*client)->Query("sum(", Now());

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << got.error();
  EXPECT_TRUE(got.error().message().starts_with("bad_data: ")) << got.error();
  EXPECT_NE(got.error().message().find("parse error"), std::string::npos) << got.error();
}

}  // namespace
}  // namespace devflow::analysis::providers
