#include "analysis/providers/web_provider.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"
#include "http/http_testing.h"

namespace devflow::analysis::providers {
namespace {

json::Value Doc(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) ADD_FAILURE() << "bad test JSON: " << parsed.error();
  return parsed.value_or(nullptr);
}

api::TimePoint Now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// ---- URLs and requests ----

TEST(SplitWebUrlTest, GivenUrlsWhenSplitThenBaseAndTargetForTheHttpClient) {
  struct Row {
    const char* name;
    const char* url;
    WebUrl want;
  };
  const Row rows[] = {
      {"path_and_query",
       "http://metrics:8080/api/v1/check?service=web#top",
       {.base_url = "http://metrics:8080", .target = "/api/v1/check?service=web"}},
      {"no_path",
       "https://metrics.example",
       {.base_url = "https://metrics.example", .target = "/"}},
      {"query_without_path", "http://m?x=1", {.base_url = "http://m", .target = "/?x=1"}},
      {"ipv6", "http://[::1]:9000/x", {.base_url = "http://[::1]:9000", .target = "/x"}},
      {"user_info",
       "http://alice:p%40ss@m/x",
       {.base_url = "http://m", .target = "/x", .username = "alice", .password = "p@ss"}},
  };
  for (const Row& row : rows) {
    Result<WebUrl> got = SplitWebUrl(row.url);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(SplitWebUrlTest, GivenTextThatIsNoHttpUrlWhenSplitThenInvalidArgumentOnTheUrlField) {
  for (const char* url : {"", "metrics:8080/x", "ftp://m/x", "http:///x", "https://?x"}) {
    Result<WebUrl> got = SplitWebUrl(url);
    ASSERT_FALSE(got.ok()) << url;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(got.error().field_path(), "provider.web.url") << url;
  }
}

TEST(WebRequestForTest, GivenAMetricWhenTheRequestIsBuiltThenMethodHeadersAndBodyFollowIt) {
  struct Row {
    const char* name;
    api::WebMetric web;
    http::Request want;
  };
  const Row rows[] = {
      {"get_by_default_without_body",
       {.url = "http://m/x",
        .headers = {{.key = "X-A", .value = "1"}, {.key = "x-a", .value = "2"}},
        .body = "ignored"},
       {.method = "GET", .target = "/x", .headers = {{"x-a", "2"}}}},
      {"post_body",
       {.method = "POST", .url = "http://m/x", .body = "hello"},
       {.method = "POST", .target = "/x", .body = "hello"}},
      {"put_json_body_wins",
       {.method = "PUT",
        .url = "http://m/x",
        .body = "ignored",
        .json_body = Doc(R"({"b": 1, "a": [true]})")},
       {.method = "PUT",
        .target = "/x",
        .headers = {{"Content-Type", "application/json"}},
        .body = R"({"b":1,"a":[true]})"}},
      {"user_info_is_basic_auth",
       {.url = "http://u:p@m/x"},
       {.method = "GET", .target = "/x", .headers = {{"Authorization", "Basic dTpw"}}}},
  };
  for (const Row& row : rows) {
    Result<http::Request> got = WebRequestFor(row.web);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(*got, row.want) << row.name;
  }
}

TEST(WebRequestForTest, GivenAnotherMethodWhenTheRequestIsBuiltThenInvalidArgument) {
  Result<http::Request> got = WebRequestFor({.method = "DELETE", .url = "http://m/x"});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_path(), "provider.web.method");
  EXPECT_EQ(got.error().message(), "must be GET, POST or PUT, got \"DELETE\"");
}

// ---- Shaping answers ----

TEST(WebReadingTest, GivenSuccessfulAnswersWhenShapedThenTheFirstMatchAndItsGoJson) {
  struct Row {
    const char* name;
    const char* path;
    const char* body;
    json::Value result;
    const char* value;
  };
  const Row rows[] = {
      {"bool", "{$.data.ok}", R"({"data":{"ok":true}})", json::Value(true), "true"},
      {"number", "{.data.successPercent}", R"({"data":{"successPercent":0.95}})", json::Value(0.95),
       "0.95"},
      {"string_is_quoted", "{.status}", R"({"status":"ok"})", json::Value("ok"), "\"ok\""},
      {"object_keys_sorted", "{$.data}", R"({"data":{"ok":true,"a":1}})",
       Doc(R"({"ok":true,"a":1})"), R"({"a":1,"ok":true})"},
      {"first_of_many", "{.items[*].v}", R"({"items":[{"v":1},{"v":2}]})", json::Value(1), "1"},
      {"whole_document", "{$}", "[1, 2.50, 3e2]", Doc("[1, 2.50, 3e2]"), "[1,2.5,300]"},
      {"not_json_is_raw_text", "{$.data}", "all good\n", json::Value("all good\n"), "all good\n"},
  };
  for (const Row& row : rows) {
    Result<JsonPath> path = JsonPath::Parse(row.path);
    ASSERT_TRUE(path.ok()) << row.name << ": " << path.error();
    Result<Reading> got = WebReading(200, row.body, *path);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    EXPECT_EQ(got->result, row.result) << row.name;
    EXPECT_EQ(got->value, row.value) << row.name;
    EXPECT_EQ(got->phase, "") << row.name;
  }
}

TEST(WebReadingTest, GivenUnusableAnswersWhenShapedThenErrorsAsArgoWritesThem) {
  struct Row {
    const char* name;
    int status;
    const char* path;
    const char* body;
    StatusCode code;
    const char* message;
  };
  const Row rows[] = {
      {"server_error", 500, "{$}", "{}", StatusCode::kUnavailable,
       "received non 2xx response code: 500"},
      {"not_found", 404, "{$}", "{}", StatusCode::kFailedPrecondition,
       "received non 2xx response code: 404"},
      {"redirect", 302, "{$}", "", StatusCode::kFailedPrecondition,
       "received non 2xx response code: 302"},
      {"missing_member", 200, "{$.data.ok}", R"({"data":{}})", StatusCode::kInvalidArgument,
       "Could not find JSONPath in body: ok is not found"},
      {"no_match", 200, "{.items[*]}", R"({"items":[]})", StatusCode::kInvalidArgument,
       "result of web metric produced no value"},
  };
  for (const Row& row : rows) {
    Result<JsonPath> path = JsonPath::Parse(row.path);
    ASSERT_TRUE(path.ok()) << row.name << ": " << path.error();
    Result<Reading> got = WebReading(row.status, row.body, *path);
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name;
    EXPECT_EQ(got.error().message(), row.message) << row.name;
  }
}

TEST(EncodeGoJsonTest, GivenValuesWhenEncodedThenAsGoEncodingJsonMarshal) {
  struct Row {
    const char* name;
    json::Value value;
    const char* want;
  };
  const Row rows[] = {
      {"integer_valued_double", json::Value(100.0), "100"},
      {"fraction", json::Value(0.1), "0.1"},
      {"million", json::Value(1e6), "1000000"},
      {"huge_uses_exponent", json::Value(1e21), "1e+21"},
      {"tiny_uses_short_exponent", json::Value(1e-7), "1e-7"},
      {"small_stays_fixed", json::Value(0.000001), "0.000001"},
      {"html_escaped", json::Value("<a&b>"), R"("\u003ca\u0026b\u003e")"},
      {"controls", json::Value("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")"},
      {"line_separator", json::Value("x\u2028y"), R"("x\u2028y")"},
      {"unicode_kept", json::Value("é"), "\"é\""},
      {"nested_sorted", Doc(R"({"z":[null,{"b":false,"a":"x"}],"m":{}})"),
       R"({"m":{},"z":[null,{"a":"x","b":false}]})"},
  };
  for (const Row& row : rows) EXPECT_EQ(EncodeGoJson(row.value), row.want) << row.name;
}

// ---- The provider against a src/http server ----

// Answers every request with `answer`, or with its own body and Content-Type when `echo`.
class TestServer {
 public:
  explicit TestServer(http::Response answer, bool echo = false)
      : handler_([this, answer, echo](const http::Request& request, http::ResponseWriter& writer) {
          requests_.Push(request);
          if (!echo) {
            writer.Send(answer);
            return;
          }
          http::Response reply;
          reply.headers.emplace_back("Content-Type", std::string(request.Header("Content-Type")));
          // The echo is JSON: {"method": ..., "body": <the request's JSON body>}.
          reply.body = "{\"method\":\"" + request.method + "\",\"contentType\":\"" +
                       std::string(request.Header("Content-Type")) + "\",\"body\":" + request.body +
                       "}";
          writer.Send(std::move(reply));
        }),
        server_(http::testing::StartServer(handler_)) {}

  std::string url(std::string_view target) const {
    return http::testing::BaseUrl(*server_) + std::string(target);
  }
  std::optional<http::Request> NextRequest() { return requests_.Pop(); }

 private:
  http::testing::Channel<http::Request> requests_;
  http::FunctionHandler handler_;
  std::unique_ptr<http::Server> server_;
};

Result<Reading> Measure(api::WebMetric web) {
  api::AnalysisRun run;
  api::Metric metric;
  metric.name = "webmetric";
  metric.provider.web = std::move(web);
  return WebProvider().Measure({.run = run, .metric = metric, .now = Now()});
}

TEST(WebProviderTest, GivenAJsonAnswerWhenMeasuredWithAJsonPathThenTheMatchIsTheResult) {
  TestServer server(http::Response{.body = R"({"data":{"ok":true,"successPercent":0.95}})"});

  Result<Reading> got = Measure({.url = server.url("/api/v1/measurement?service=web"),
                                 .headers = {{.key = "Authorization", .value = "Bearer t"}},
                                 .json_path = "{$.data}"});

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, Doc(R"({"ok":true,"successPercent":0.95})"));
  EXPECT_EQ(got->value, R"({"ok":true,"successPercent":0.95})");
  std::optional<http::Request> request = server.NextRequest();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->target, "/api/v1/measurement?service=web");
  EXPECT_EQ(request->Header("Authorization"), "Bearer t");
}

TEST(WebProviderTest, GivenAJsonBodyWhenMeasuredWithPostThenItIsSentAsApplicationJson) {
  TestServer server(http::Response{}, /*echo=*/true);

  Result<Reading> got = Measure({.method = "POST",
                                 .url = server.url("/echo"),
                                 .json_path = "{$}",
                                 .json_body = Doc(R"({"service":"web","threshold":0.9})")});

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, Doc(R"({"method":"POST","contentType":"application/json",
                                 "body":{"service":"web","threshold":0.9}})"));
}

TEST(WebProviderTest, GivenAServerErrorWhenMeasuredThenTheNon2xxError) {
  TestServer server(http::Response{.status = 500, .body = "boom"});
  Result<Reading> got = Measure({.url = server.url("/x")});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "received non 2xx response code: 500");
}

TEST(WebProviderTest, GivenATextAnswerWhenMeasuredThenTheRawTextIsTheResult) {
  TestServer server(http::Response{.body = "healthy"});
  Result<Reading> got = Measure({.url = server.url("/x"), .json_path = "{$.data}"});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(got->result, json::Value("healthy"));
  EXPECT_EQ(got->value, "healthy");
}

TEST(WebProviderTest, GivenAServerThatNeverAnswersWhenMeasuredThenDeadlineExceeded) {
  http::testing::RawListener silent;  // accepts connections, never answers
  Result<Reading> got = Measure(
      {.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/x", .timeout_seconds = 1});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kDeadlineExceeded) << got.error();
  EXPECT_TRUE(got.error().message().starts_with("GET http://127.0.0.1:")) << got.error();
}

TEST(WebProviderTest, GivenABadJsonPathWhenMeasuredThenInvalidArgumentBeforeAnyRequest) {
  Result<Reading> got = Measure({.url = "http://127.0.0.1:1/x", .json_path = "{.items[?(@.a)]}"});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_path(), "provider.web.jsonPath");
  EXPECT_EQ(got.error().message(),
            "\"{.items[?(@.a)]}\": filters [?(...)] are not supported at offset 7");
}

}  // namespace
}  // namespace devflow::analysis::providers
