// The REST client against a scripted server on loopback: URLs, headers and credentials, error
// mapping, retries and the rate limit, paging, discovery, RetryOnConflict.
#include "kube/api_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/json_reader.h"
#include "kube/api_client_testing.h"
#include "kube/kubeconfig_testing.h"

namespace devflow::kube {
namespace {

using testing::FakeClientClock;
using testing::JsonResponse;
using testing::ScriptedServer;
using testing::StatusBody;

const ResourceRef kRollouts{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "rollouts", .kind = "Rollout"};
const ResourceRef kPods{.version = "v1", .plural = "pods", .kind = "Pod"};
const ResourceRef kNamespaces{
    .version = "v1", .plural = "namespaces", .kind = "Namespace", .namespaced = false};
const ResourceRef kClusterTemplates{.group = "argoproj.io",
                                    .version = "v1alpha1",
                                    .plural = "clusteranalysistemplates",
                                    .kind = "ClusterAnalysisTemplate",
                                    .namespaced = false};

json::Value Json(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) http::testing::DieInSetup(value.error());
  return std::move(value).value();
}

std::unique_ptr<ApiClient> MakeClient(ClientConfig config, ApiClientOptions options = {}) {
  auto client = ApiClient::Create(std::move(config), std::move(options));
  if (!client.ok()) http::testing::DieInSetup(client.error());
  return std::move(client).value();
}

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClientTest() : client_(MakeClient(server_.Config(), ApiClientOptions{.clock = &clock_})) {}

  FakeClientClock clock_;
  ScriptedServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiClientTest, EachVerbSendsItsRequest) {
  const json::Value web = Json(R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
      "metadata":{"name":"web","namespace":"prod","resourceVersion":"7"}})");
  const json::Value unnamespaced = Json(R"({"metadata":{"name":"web"}})");
  struct Row {
    const char* name;
    std::function<Status(ApiClient&)> call;
    std::string method;
    std::string target;
    std::string content_type;
    std::string body;
  };
  auto status = [](auto result) { return result.status(); };
  const std::vector<Row> rows = {
      {"get in a group", [&](ApiClient& c) { return status(c.Get(kRollouts, "prod", "web")); },
       "GET", "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web", "", ""},
      {"get in the core group", [&](ApiClient& c) { return status(c.Get(kPods, "prod", "p")); },
       "GET", "/api/v1/namespaces/prod/pods/p", "", ""},
      {"get without a namespace uses the config's",
       [&](ApiClient& c) { return status(c.Get(kPods, "", "p")); }, "GET",
       "/api/v1/namespaces/team-a/pods/p", "", ""},
      {"get of a cluster-scoped kind ignores the namespace",
       [&](ApiClient& c) { return status(c.Get(kNamespaces, "prod", "prod")); }, "GET",
       "/api/v1/namespaces/prod", "", ""},
      {"get of a cluster-scoped custom kind",
       [&](ApiClient& c) { return status(c.Get(kClusterTemplates, "", "t")); }, "GET",
       "/apis/argoproj.io/v1alpha1/clusteranalysistemplates/t", "", ""},
      {"names and namespaces are path-escaped",
       [&](ApiClient& c) { return status(c.Get(kPods, "a b", "x/y?z")); }, "GET",
       "/api/v1/namespaces/a%20b/pods/x%2Fy%3Fz", "", ""},
      {"list in a namespace with every parameter escaped",
       [&](ApiClient& c) {
         return status(c.List(kRollouts, "prod",
                              ListRequest{.label_selector = "app=web,tier in (a,b)",
                                          .field_selector = "metadata.name!=x",
                                          .limit = 50,
                                          .continue_token = "abc/+=",
                                          .resource_version = "0"}));
       },
       "GET",
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts?labelSelector=app%3Dweb%2Ctier+in+"
       "%28a%2Cb%29&fieldSelector=metadata.name%21%3Dx&limit=50&continue=abc%2F%2B%3D&"
       "resourceVersion=0",
       "", ""},
      {"list without a namespace covers all",
       [&](ApiClient& c) { return status(c.List(kPods, "")); }, "GET", "/api/v1/pods", "", ""},
      {"create in the object's namespace",
       [&](ApiClient& c) { return status(c.Create(kRollouts, "", web)); }, "POST",
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts", "application/json", json::Write(web)},
      {"create in the given namespace",
       [&](ApiClient& c) { return status(c.Create(kRollouts, "stage", web)); }, "POST",
       "/apis/argoproj.io/v1alpha1/namespaces/stage/rollouts", "application/json",
       json::Write(web)},
      {"create without any namespace uses the config's",
       [&](ApiClient& c) { return status(c.Create(kRollouts, "", unnamespaced)); }, "POST",
       "/apis/argoproj.io/v1alpha1/namespaces/team-a/rollouts", "application/json",
       json::Write(unnamespaced)},
      {"update puts to the object's name",
       [&](ApiClient& c) { return status(c.Update(kRollouts, "", web)); }, "PUT",
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web", "application/json",
       json::Write(web)},
      {"update status puts to the subresource",
       [&](ApiClient& c) { return status(c.UpdateStatus(kRollouts, "", web)); }, "PUT",
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web/status", "application/json",
       json::Write(web)},
      {"merge patch",
       [&](ApiClient& c) {
         return status(c.Patch(kRollouts, "prod", "web", PatchType::kMerge,
                               Json(R"({"spec":{"paused":true}})")));
       },
       "PATCH", "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web",
       "application/merge-patch+json", R"({"spec":{"paused":true}})"},
      {"json patch of the status",
       [&](ApiClient& c) {
         return status(c.Patch(kRollouts, "prod", "web", PatchType::kJson,
                               Json(R"([{"op":"add","path":"/status/phase","value":"Paused"}])"),
                               "status"));
       },
       "PATCH", "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web/status",
       "application/json-patch+json", R"([{"op":"add","path":"/status/phase","value":"Paused"}])"},
      {"strategic merge patch",
       [&](ApiClient& c) {
         return status(c.Patch(kPods, "prod", "p", PatchType::kStrategic,
                               Json(R"({"metadata":{"labels":{"a":"b"}}})")));
       },
       "PATCH", "/api/v1/namespaces/prod/pods/p", "application/strategic-merge-patch+json",
       R"({"metadata":{"labels":{"a":"b"}}})"},
      {"plain delete sends no body",
       [&](ApiClient& c) { return status(c.Delete(kRollouts, "prod", "web")); }, "DELETE",
       "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web", "", ""},
      {"delete with options",
       [&](ApiClient& c) {
         return status(c.Delete(kRollouts, "prod", "web",
                                DeleteRequest{.propagation_policy = "Foreground",
                                              .precondition_uid = "u-1",
                                              .precondition_resource_version = "7",
                                              .dry_run = true}));
       },
       "DELETE", "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web", "application/json",
       R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground",)"
       R"("preconditions":{"uid":"u-1","resourceVersion":"7"},"dryRun":["All"]})"},
      {"delete with a policy only",
       [&](ApiClient& c) {
         return status(c.Delete(kPods, "prod", "p", DeleteRequest{.propagation_policy = "Orphan"}));
       },
       "DELETE", "/api/v1/namespaces/prod/pods/p", "application/json",
       R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"})"},
      {"raw path", [&](ApiClient& c) { return status(c.GetPath("/version")); }, "GET", "/version",
       "", ""},
  };
  for (const Row& row : rows) {
    Status result = row.call(*client_);
    EXPECT_TRUE(result.ok()) << row.name << ": " << result;
    http::Request got = server_.LastRequest();
    EXPECT_EQ(got.method, row.method) << row.name;
    EXPECT_EQ(got.target, row.target) << row.name;
    EXPECT_EQ(got.Header("Content-Type"), row.content_type) << row.name;
    EXPECT_EQ(got.body, row.body) << row.name;
  }
  EXPECT_EQ(server_.Requests().size(), rows.size()) << "one request per call";
}

TEST_F(ApiClientTest, CallsThatCannotBeSentFailBeforeSending) {
  struct Row {
    const char* name;
    std::function<Status(ApiClient&)> call;
    std::string field_path;
  };
  auto status = [](auto result) { return result.status(); };
  const std::vector<Row> rows = {
      {"get without a name", [&](ApiClient& c) { return status(c.Get(kPods, "ns", "")); }, ""},
      {"update without a name",
       [&](ApiClient& c) { return status(c.Update(kPods, "ns", Json(R"({"metadata":{}})"))); },
       "metadata.name"},
      {"update status without metadata",
       [&](ApiClient& c) { return status(c.UpdateStatus(kPods, "ns", Json("{}"))); },
       "metadata.name"},
      {"patch without a name",
       [&](ApiClient& c) {
         return status(c.Patch(kPods, "ns", "", PatchType::kMerge, Json("{}")));
       },
       ""},
      {"delete without a name", [&](ApiClient& c) { return status(c.Delete(kPods, "ns", "")); },
       ""},
      {"relative raw path", [&](ApiClient& c) { return status(c.GetPath("version")); }, ""},
  };
  for (const Row& row : rows) {
    Status result = row.call(*client_);
    EXPECT_EQ(result.code(), StatusCode::kInvalidArgument) << row.name << ": " << result;
    EXPECT_EQ(result.field_path(), row.field_path) << row.name;
  }
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_F(ApiClientTest, ReturnsTheStoredObject) {
  server_.Reply(JsonResponse(201, R"({"kind":"Pod","metadata":{"name":"p","uid":"u"}})"));
  auto created = client_->Create(kPods, "prod", Json(R"({"metadata":{"name":"p"}})"));
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(*created, Json(R"({"kind":"Pod","metadata":{"name":"p","uid":"u"}})"));
}

TEST(ApiClientAuthTest, EveryRequestCarriesCredentialsAndCommonHeaders) {
  ScriptedServer server;
  struct Row {
    const char* name;
    Credentials credentials;
    std::string user_agent;
    std::string authorization;
    std::string expected_user_agent;
  };
  const std::vector<Row> rows = {
      {"bearer token", BearerToken{"s3cret"}, "", "Bearer s3cret", "devflow/"},
      {"basic auth", BasicAuth{"admin", "pa:ss"}, "", "Basic YWRtaW46cGE6c3M=", "devflow/"},
      {"anonymous", NoCredentials{}, "", "", "devflow/"},
      {"custom user agent", BearerToken{"t"}, "devflow-controller/1.0", "Bearer t",
       "devflow-controller/1.0"},
  };
  for (const Row& row : rows) {
    auto client =
        MakeClient(server.Config(row.credentials), ApiClientOptions{.user_agent = row.user_agent});
    ASSERT_TRUE(client->Get(kPods, "ns", "p").ok()) << row.name;
    http::Request got = server.LastRequest();
    EXPECT_EQ(got.Header("Authorization"), row.authorization) << row.name;
    EXPECT_EQ(got.Header("Accept"), "application/json") << row.name;
    EXPECT_EQ(std::string(got.Header("User-Agent")).substr(0, row.expected_user_agent.size()),
              row.expected_user_agent)
        << row.name;
  }
}

TEST(ApiClientAuthTest, RotatedTokenFileIsUsedAtTheNextRequest) {
  TempDirForTest dir;
  std::string path = dir.Write("token", "first\n");
  ScriptedServer server;
  auto client = MakeClient(server.Config(TokenFile(path)));

  ASSERT_TRUE(client->Get(kPods, "ns", "p").ok());
  EXPECT_EQ(server.LastRequest().Header("Authorization"), "Bearer first");
  dir.Replace("token", "second\n");
  ASSERT_TRUE(client->Get(kPods, "ns", "p").ok());
  EXPECT_EQ(server.LastRequest().Header("Authorization"), "Bearer second");
}

int Lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

TEST(ApiClientAuthTest, ExecCredentialRejectedWith401IsFetchedAgainOnce) {
  TempDirForTest dir;
  // Prints tok-1, tok-2, ... on successive runs; none expires.
  std::string plugin = dir.Write("plugin",
                                 WithDir(R"(#!/bin/sh
echo run >> "$DIR/runs"
n=$(wc -l < "$DIR/runs" | tr -d ' ')
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
printf '"status":{"token":"tok-%s"}}\n' "$n"
)",
                                         dir.path()),
                                 0755);
  ExecPlugin exec(ExecConfig{.api_version = "client.authentication.k8s.io/v1", .command = plugin},
                  std::nullopt, ExecOptions{});
  ScriptedServer server;
  server.SetHandler([](const http::Request& request, http::ResponseWriter& writer) {
    // The first credential has been revoked.
    bool revoked = request.Header("Authorization") == "Bearer tok-1";
    writer.Send(revoked ? JsonResponse(401, StatusBody(401, "Unauthorized", "Unauthorized"))
                        : JsonResponse(200, R"({"kind":"Pod"})"));
  });
  auto client = MakeClient(server.Config(exec));

  auto got = client->Get(kPods, "ns", "p");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(Lines(dir.Path("runs")), 2);

  // A static token gets no second try: it would be sent unchanged.
  ScriptedServer static_server;
  static_server.SetFallback(JsonResponse(401, StatusBody(401, "Unauthorized", "Unauthorized")));
  auto static_client = MakeClient(static_server.Config(BearerToken{"t"}));
  auto refused = static_client->Get(kPods, "ns", "p");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(static_server.Requests().size(), 1u);
}

TEST(ApiClientCreateTest, RejectsConfigsItCannotHonour) {
  ScriptedServer server;
  ClientConfig proxied = server.Config();
  proxied.proxy_url = "http://proxy:3128";
  auto client = ApiClient::Create(proxied);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.error().message().find("proxy-url"), std::string::npos) << client.error();

  ClientConfig bad_tls = server.Config();
  bad_tls.server.scheme = "https";
  bad_tls.ca_pem = "not a certificate";
  auto tls_client = ApiClient::Create(bad_tls);
  ASSERT_FALSE(tls_client.ok());
  EXPECT_EQ(tls_client.error().code(), StatusCode::kInvalidArgument) << tls_client.error();
}

TEST_F(ApiClientTest, FailedAnswersBecomeTheirStatus) {
  struct Row {
    const char* name;
    http::Response response;
    StatusCode code;
    std::string message;
    std::string field_path;
  };
  const std::vector<Row> rows = {
      {"not found", JsonResponse(404, StatusBody(404, "NotFound", "pods \"p\" not found")),
       StatusCode::kNotFound, "pods \"p\" not found", ""},
      {"already exists",
       JsonResponse(409, StatusBody(409, "AlreadyExists", "pods \"p\" already exists")),
       StatusCode::kAlreadyExists, "pods \"p\" already exists", ""},
      {"conflict", JsonResponse(409, StatusBody(409, "Conflict", "the object has been modified")),
       StatusCode::kConflict, "the object has been modified", ""},
      {"invalid", JsonResponse(422, StatusBody(422, "Invalid", "Pod \"p\" is invalid", "spec.x")),
       StatusCode::kInvalidArgument, "Pod \"p\" is invalid", "spec.x"},
      {"plain text", http::Response{.status = 403, .body = "forbidden by proxy"},
       StatusCode::kPermissionDenied, "forbidden by proxy", ""},
  };
  for (const Row& row : rows) {
    server_.Reply(row.response);
    auto got = client_->Create(kPods, "ns", Json(R"({"metadata":{"name":"p"}})"));
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name << ": " << got.error();
    EXPECT_EQ(got.error().message(), row.message) << row.name;
    EXPECT_EQ(got.error().field_path(), row.field_path) << row.name;
  }
}

TEST_F(ApiClientTest, AnswerThatIsNotJsonIsInternal) {
  server_.Reply(http::Response{.status = 200, .body = "<html>login</html>"});
  auto got = client_->Get(kPods, "ns", "p");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInternal);
  EXPECT_NE(got.error().message().find("GET /api/v1/namespaces/ns/pods/p"), std::string::npos)
      << got.error();
}

TEST(ApiClientTransportTest, UnreachableServerIsUnavailableNamingTheRequest) {
  ClientConfig config;
  {
    ScriptedServer gone;
    config = gone.Config();
  }  // the port is closed now
  auto client = MakeClient(config);
  auto got = client->Get(kPods, "ns", "p");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnavailable) << got.error();
  EXPECT_EQ(got.error().message().rfind("GET /api/v1/namespaces/ns/pods/p: ", 0), 0u)
      << got.error();
}

TEST_F(ApiClientTest, RetriesWhatTheServerDidNotDo) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  auto busy = [](const char* retry_after) {
    http::Headers headers;
    if (*retry_after != '\0') headers.emplace_back("Retry-After", retry_after);
    return JsonResponse(429, StatusBody(429, "TooManyRequests", "slow down"), headers);
  };
  auto broken = [](int code) {
    return JsonResponse(code, StatusBody(code, "InternalError", "etcd leader changed"));
  };
  const http::Response ok = JsonResponse(200, "{}");
  struct Row {
    const char* name;
    std::vector<http::Response> script;
    std::function<Status(ApiClient&)> call;
    StatusCode code;
    size_t requests;
    std::vector<std::chrono::nanoseconds> waits;
  };
  auto get = [](ApiClient& c) { return c.Get(kPods, "ns", "p").status(); };
  auto create = [](ApiClient& c) {
    return c.Create(kPods, "ns", Json(R"({"metadata":{"name":"p"}})")).status();
  };
  auto update = [](ApiClient& c) {
    return c.Update(kPods, "ns", Json(R"({"metadata":{"name":"p"}})")).status();
  };
  const std::vector<Row> rows = {
      {"429 waits for Retry-After", {busy("2"), ok}, get, StatusCode::kOk, 2, {seconds(2)}},
      {"429 without Retry-After waits a second",
       {busy(""), ok},
       get,
       StatusCode::kOk,
       2,
       {seconds(1)}},
      {"Retry-After is capped", {busy("3600"), ok}, get, StatusCode::kOk, 2, {seconds(30)}},
      {"429 on a create is retried", {busy("1"), ok}, create, StatusCode::kOk, 2, {seconds(1)}},
      {"429 gives up after max_retries",
       {busy("1"), busy("1"), busy("1"), busy("1"), ok},
       get,
       StatusCode::kUnavailable,
       4,
       {seconds(1), seconds(1), seconds(1)}},
      {"503 on a get is retried with Retry-After",
       {JsonResponse(503, StatusBody(503, "ServiceUnavailable", "x"), {{"Retry-After", "4"}}), ok},
       get,
       StatusCode::kOk,
       2,
       {seconds(4)}},
      {"500 on a create is not retried",
       {broken(500), ok},
       create,
       StatusCode::kUnavailable,
       1,
       {}},
      {"503 on an update is not retried",
       {broken(503), ok},
       update,
       StatusCode::kUnavailable,
       1,
       {}},
      {"404 is not retried",
       {JsonResponse(404, StatusBody(404, "NotFound", "x")), ok},
       get,
       StatusCode::kNotFound,
       1,
       {}},
  };
  for (const Row& row : rows) {
    ScriptedServer server;
    for (const http::Response& response : row.script) server.Reply(response);
    FakeClientClock clock;
    auto client = MakeClient(server.Config(), ApiClientOptions{.clock = &clock});
    Status got = row.call(*client);
    EXPECT_EQ(got.code(), row.code) << row.name << ": " << got;
    EXPECT_EQ(server.Requests().size(), row.requests) << row.name;
    EXPECT_EQ(clock.Sleeps(), row.waits) << row.name;
  }
}

TEST_F(ApiClientTest, ServerErrorsOnGetBackOffExponentiallyWithJitter) {
  for (int i = 0; i < 4; ++i) {
    server_.Reply(JsonResponse(500, StatusBody(500, "InternalError", "boom")));
  }
  auto got = client_->Get(kPods, "ns", "p");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(got.error().message(), "boom");
  std::vector<std::chrono::nanoseconds> waits = clock_.Sleeps();
  ASSERT_EQ(waits.size(), 3u);
  for (size_t i = 0; i < waits.size(); ++i) {
    std::chrono::nanoseconds base = std::chrono::milliseconds(200) * (1 << i);
    EXPECT_GE(waits[i], base) << "retry " << i;
    EXPECT_LE(waits[i], base + base / 2) << "retry " << i;
  }
}

TEST(ApiClientRateLimitTest, EveryRequestTakesAToken) {
  ScriptedServer server;
  FakeClientClock clock;  // frozen, so every token past the burst is a recorded wait
  auto client =
      MakeClient(server.Config(), ApiClientOptions{.qps = 2, .burst = 2, .clock = &clock});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client->Get(kPods, "ns", "p").ok());
  EXPECT_EQ(clock.Sleeps(), (std::vector<std::chrono::nanoseconds>{
                                std::chrono::milliseconds(500), std::chrono::milliseconds(1000)}));

  // A retried request takes a token for each attempt.
  server.Reply(JsonResponse(429, StatusBody(429, "TooManyRequests", "x"), {{"Retry-After", "1"}}));
  ASSERT_TRUE(client->Get(kPods, "ns", "p").ok());
  EXPECT_EQ(clock.Sleeps(), (std::vector<std::chrono::nanoseconds>{
                                std::chrono::milliseconds(500), std::chrono::milliseconds(1000),
                                std::chrono::milliseconds(1500), std::chrono::seconds(1),
                                std::chrono::milliseconds(2000)}));
}

TEST_F(ApiClientTest, SharedByManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!client_->Get(kPods, "ns", "p" + std::to_string(t)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server_.Requests().size(), 200u);
  // Connections are kept alive and reused: far fewer than one per request.
  EXPECT_LE(server_.server().stats().accepted_connections, 32u);
}

std::string Page(const std::string& version, const std::string& continue_token,
                 const std::vector<std::string>& names) {
  json::Object metadata{{"resourceVersion", version}};
  if (!continue_token.empty()) metadata.Set("continue", continue_token);
  json::Array items;
  for (const std::string& name : names) {
    items.push_back(json::Object{{"metadata", json::Object{{"name", name}}}});
  }
  return json::Write(json::Object{{"kind", "PodList"},
                                  {"apiVersion", "v1"},
                                  {"metadata", std::move(metadata)},
                                  {"items", std::move(items)}});
}

TEST_F(ApiClientTest, ListFillsInTheItemsTypeAndReadsListMetadata) {
  server_.Reply(JsonResponse(200, Page("42", "next", {"a"})));
  auto list = client_->List(kPods, "ns", ListRequest{.limit = 1});
  ASSERT_TRUE(list.ok()) << list.error();
  EXPECT_EQ(list->resource_version, "42");
  EXPECT_EQ(list->continue_token, "next");
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(json::Write(list->items[0]),
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}})");

  server_.Reply(JsonResponse(200, R"({"kind":"PodList","metadata":{},"items":null})"));
  auto empty = client_->List(kPods, "ns");
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->items.empty());

  server_.Reply(JsonResponse(200, R"({"kind":"PodList","items":{}})"));
  auto broken = client_->List(kPods, "ns");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), StatusCode::kInternal);
}

TEST_F(ApiClientTest, ListAllFollowsContinueTokens) {
  server_.Reply(JsonResponse(200, Page("10", "c1", {"a", "b"})));
  server_.Reply(JsonResponse(200, Page("10", "c2", {"c", "d"})));
  server_.Reply(JsonResponse(200, Page("10", "", {"e"})));

  auto list = client_->ListAll(
      kPods, "ns", ListRequest{.label_selector = "app=web", .limit = 2, .resource_version = "0"});

  ASSERT_TRUE(list.ok()) << list.error();
  std::vector<std::string> names;
  for (const json::Value& item : list->items) {
    names.push_back(item.Find("metadata")->Find("name")->as_string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(list->resource_version, "10");
  EXPECT_EQ(list->continue_token, "");
  std::vector<http::Request> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target,
            "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb&limit=2&"
            "resourceVersion=0");
  // Later pages keep the selector and limit, carry the token and drop the resourceVersion (the
  // token pins it; Kubernetes rejects both together).
  EXPECT_EQ(requests[1].target,
            "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb&limit=2&continue=c1");
  EXPECT_EQ(requests[2].target,
            "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb&limit=2&continue=c2");
}

TEST_F(ApiClientTest, ListAllStartsOverWholeWhenTheTokenExpires) {
  server_.Reply(JsonResponse(200, Page("10", "c1", {"a", "b"})));
  server_.Reply(JsonResponse(
      410, StatusBody(410, "Expired",
                      "The provided continue parameter is too old to display a consistent list "
                      "result. You can start a new list without the continue parameter.")));
  server_.Reply(JsonResponse(200, Page("15", "", {"a", "c", "d"})));

  auto list = client_->ListAll(kPods, "ns", ListRequest{.limit = 2});

  ASSERT_TRUE(list.ok()) << list.error();
  EXPECT_EQ(list->items.size(), 3u) << "only the fresh list, not the stale first page";
  EXPECT_EQ(list->resource_version, "15");
  ASSERT_EQ(server_.Requests().size(), 3u);
  EXPECT_EQ(server_.Requests()[2].target, "/api/v1/namespaces/ns/pods");

  // Gone on the first page is the caller's to handle (its resourceVersion is too old).
  server_.Reply(JsonResponse(410, StatusBody(410, "Expired", "too old resource version")));
  auto first = client_->ListAll(kPods, "ns", ListRequest{.limit = 2, .resource_version = "3"});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code(), StatusCode::kGone);
}

constexpr char kAppsV1[] = R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
  {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment"},
  {"name":"deployments/status","singularName":"","namespaced":true,"kind":"Deployment"},
  {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling",
   "version":"v1","kind":"Scale"}]})";

TEST_F(ApiClientTest, ResolveKindUsesDiscoveryAndCachesIt) {
  server_.Reply(JsonResponse(200, kAppsV1));
  auto deployments = client_->ResolveKind("apps/v1", "Deployment");
  ASSERT_TRUE(deployments.ok()) << deployments.error();
  EXPECT_EQ(*deployments, (ResourceRef{.group = "apps",
                                       .version = "v1",
                                       .plural = "deployments",
                                       .kind = "Deployment",
                                       .namespaced = true}));
  EXPECT_EQ(server_.LastRequest().target, "/apis/apps/v1");

  ASSERT_TRUE(client_->ResolveKind("apps/v1", "Deployment").ok());
  EXPECT_EQ(server_.Requests().size(), 1u) << "answered from the cache";

  // A kind missing from the cached list refreshes it once (a CRD may have appeared).
  server_.Reply(JsonResponse(200, kAppsV1));
  auto scale = client_->ResolveKind("apps/v1", "Scale");
  ASSERT_FALSE(scale.ok()) << "subresources are not resources";
  EXPECT_EQ(scale.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(scale.error().message(), R"(no matches for kind "Scale" in version "apps/v1")");
  EXPECT_EQ(server_.Requests().size(), 2u);

  server_.Reply(JsonResponse(200, R"({"kind":"APIResourceList","groupVersion":"v1",
      "resources":[{"name":"namespaces","namespaced":false,"kind":"Namespace"}]})"));
  auto namespaces = client_->ResolveKind("v1", "Namespace");
  ASSERT_TRUE(namespaces.ok()) << namespaces.error();
  EXPECT_EQ(*namespaces, kNamespaces);
  EXPECT_EQ(server_.LastRequest().target, "/api/v1");

  server_.Reply(JsonResponse(404, StatusBody(404, "NotFound", "the server could not find it")));
  auto unknown = client_->ResolveKind("example.com/v9", "Widget");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.error().message(),
            R"(no matches for kind "Widget" in version "example.com/v9")");

  for (const char* bad : {"", "/v1", "a/b/c", "apps/"}) {
    auto got = client_->ResolveKind(bad, "Deployment");
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ApiClientRetryOnConflictTest, RetriesOnlyConflicts) {
  struct Row {
    const char* name;
    std::vector<Status> outcomes;  // of successive attempts; ok ends the list
    int attempts;
    int expected_calls;
    StatusCode expected;
  };
  const std::vector<Row> rows = {
      {"success at once", {Status::Ok()}, 5, 1, StatusCode::kOk},
      {"conflicts then success",
       {ConflictError("stale"), ConflictError("stale"), Status::Ok()},
       5,
       3,
       StatusCode::kOk},
      {"gives up after the attempts",
       {ConflictError("1"), ConflictError("2"), ConflictError("3"), Status::Ok()},
       3,
       3,
       StatusCode::kConflict},
      {"another error stops at once",
       {NotFoundError("gone"), Status::Ok()},
       5,
       1,
       StatusCode::kNotFound},
      {"already exists is not a conflict",
       {AlreadyExistsError("x"), Status::Ok()},
       5,
       1,
       StatusCode::kAlreadyExists},
  };
  for (const Row& row : rows) {
    int calls = 0;
    Result<json::Value> got = RetryOnConflict(
        [&]() -> Result<json::Value> {
          const Status& outcome = row.outcomes[static_cast<size_t>(calls++)];
          if (outcome.ok()) return json::Value("done");
          return outcome;
        },
        row.attempts);
    EXPECT_EQ(calls, row.expected_calls) << row.name;
    EXPECT_EQ(got.status().code(), row.expected) << row.name;
  }
}

TEST(ApiClientResourceForTest, TakesNamesFromTheKindRegistry) {
  const api::KindInfo* info = api::FindKind("argoproj.io/v1alpha1", "Rollout");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(ResourceFor(*info), kRollouts);
  const api::KindInfo* ns = api::FindKind("v1", "Namespace");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ResourceFor(*ns), kNamespaces);
}

}  // namespace
}  // namespace devflow::kube
