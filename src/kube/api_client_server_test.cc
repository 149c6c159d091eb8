// ApiClient against the embedded API server (apiserver/api_server.h) over real HTTP: the verbs,
// preconditions and conflicts, paging, watch with bookmarks and 410, discovery of a CRD, and the
// errors the server answers.
#include <gtest/gtest.h>

#include <chrono>

#include "apiserver/api_server.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/json_reader.h"
#include "http/http_testing.h"
#include "kube/api_client.h"
#include "kube/typed_client.h"

namespace devflow::kube {
namespace {

using http::testing::kHangGuard;

json::Value Json(std::string_view text) {
  auto value = json::Parse(text);
  if (!value.ok()) http::testing::DieInSetup(value.error());
  return std::move(value).value();
}

std::string Str(const json::Value& object, std::string_view a, std::string_view b) {
  const json::Value* parent = object.Find(a);
  const json::Value* v = parent != nullptr ? parent->Find(b) : nullptr;
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

// A valid Rollout named `name` in "default".
json::Value RolloutObject(const std::string& name) {
  return Json(R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":")" +
              name +
              R"(","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":)"
              R"({"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":)"
              R"({"containers":[{"name":"web","image":"web:v1"}]}},"strategy":{"canary":)"
              R"({"steps":[{"setWeight":20},{"pause":{}}]}}}})");
}

json::Value SecretObject(const std::string& name) {
  return Json(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
              R"(","labels":{"app":"web"}},"type":"Opaque","stringData":{"k":"v"}})");
}

class ApiClientServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(apiserver::ApiServerOptions{}); }

  void Start(apiserver::ApiServerOptions options) {
    client_.reset();
    server_.reset();
    options.data_dir = dir_.File("data");
    options.listen = "127.0.0.1:0";
    options.threads = 4;
    auto server = apiserver::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    client_ = MakeClient(server_->token());
  }

  std::unique_ptr<ApiClient> MakeClient(const std::string& token) {
    ClientConfig config;
    auto url = ParseServerUrl(server_->url(), false);
    if (!url.ok()) http::testing::DieInSetup(url.error());
    config.server = *url;
    config.ca_pem = server_->ca_pem();
    config.credentials = BearerToken{token};
    config.namespace_ = "default";
    auto client = ApiClient::Create(config);
    if (!client.ok()) http::testing::DieInSetup(client.error());
    return std::move(client).value();
  }

  const ResourceRef rollouts_ = ResourceOf<api::Rollout>();
  const ResourceRef secrets_ = ResourceOf<api::Secret>();
  apiserver::TempDir dir_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiClientServerTest, ReadModifyWriteWithPreconditions) {
  auto created = client_->Create(rollouts_, "", RolloutObject("web"));
  ASSERT_TRUE(created.ok()) << created.error();
  std::string uid = Str(*created, "metadata", "uid");
  EXPECT_FALSE(uid.empty());

  auto again = client_->Create(rollouts_, "", RolloutObject("web"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists) << again.error();

  // Someone else writes between our read and our write: our update is refused...
  auto read = client_->Get(rollouts_, "default", "web");
  ASSERT_TRUE(read.ok()) << read.error();
  ASSERT_TRUE(client_
                  ->Patch(rollouts_, "default", "web", PatchType::kMerge,
                          Json(R"({"metadata":{"labels":{"by":"them"}}})"))
                  .ok());
  json::Value stale = *read;
  stale["spec"]["replicas"] = 5;
  auto refused = client_->Update(rollouts_, "", stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kConflict) << refused.error();

  // ...and RetryOnConflict re-reads and succeeds, keeping their change.
  int attempts = 0;
  auto updated = RetryOnConflict([&]() -> Result<json::Value> {
    ++attempts;
    DEVFLOW_ASSIGN_OR_RETURN(json::Value current, client_->Get(rollouts_, "default", "web"));
    current["spec"]["replicas"] = 5;
    return client_->Update(rollouts_, "", current);
  });
  ASSERT_TRUE(updated.ok()) << updated.error();
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(*updated->Find("spec")->Find("replicas"), json::Value(5));
  EXPECT_EQ(*updated->Find("metadata")->Find("labels")->Find("by"), json::Value("them"));

  // The status subresource changes only the status.
  json::Value with_status = *updated;
  with_status["status"] = json::Object{{"phase", "Paused"}};
  with_status["spec"]["replicas"] = 9;
  auto status_written = client_->UpdateStatus(rollouts_, "", with_status);
  ASSERT_TRUE(status_written.ok()) << status_written.error();
  EXPECT_EQ(*status_written->Find("status")->Find("phase"), json::Value("Paused"));
  EXPECT_EQ(*status_written->Find("spec")->Find("replicas"), json::Value(5));

  // A JSON patch of the status subresource.
  auto patched = client_->Patch(rollouts_, "default", "web", PatchType::kJson,
                                Json(R"([{"op":"replace","path":"/status/phase",)"
                                     R"("value":"Progressing"}])"),
                                "status");
  ASSERT_TRUE(patched.ok()) << patched.error();
  EXPECT_EQ(*patched->Find("status")->Find("phase"), json::Value("Progressing"));

  // Deleting with a wrong uid precondition is refused; with the right one it goes.
  auto wrong =
      client_->Delete(rollouts_, "default", "web", DeleteRequest{.precondition_uid = "not-" + uid});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), StatusCode::kConflict) << wrong.error();
  auto deleted =
      client_->Delete(rollouts_, "default", "web",
                      DeleteRequest{.propagation_policy = "Background", .precondition_uid = uid});
  ASSERT_TRUE(deleted.ok()) << deleted.error();
  auto gone = client_->Get(rollouts_, "default", "web");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), StatusCode::kNotFound) << gone.error();
}

TEST_F(ApiClientServerTest, InvalidObjectNamesTheField) {
  json::Value bad = RolloutObject("bad");
  bad["spec"]["strategy"]["canary"]["steps"].as_array()[0]["setWeight"] = 120;
  auto got = client_->Create(rollouts_, "", bad);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << got.error();
  EXPECT_EQ(got.error().field_path(), "spec.strategy.canary.steps[0].setWeight") << got.error();
}

TEST_F(ApiClientServerTest, WrongTokenIsUnauthenticated) {
  auto client = MakeClient("wrong");
  auto got = client->List(secrets_, "default");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kUnauthenticated) << got.error();
}

TEST_F(ApiClientServerTest, ListAllReadsEveryPage) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_->Create(secrets_, "default", SecretObject("s" + std::to_string(i))).ok());
  }
  auto page = client_->List(secrets_, "default", ListRequest{.limit = 3});
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page->items.size(), 3u);
  EXPECT_FALSE(page->continue_token.empty());

  auto all =
      client_->ListAll(secrets_, "default", ListRequest{.label_selector = "app=web", .limit = 3});
  ASSERT_TRUE(all.ok()) << all.error();
  EXPECT_EQ(all->items.size(), 7u);
  EXPECT_TRUE(all->continue_token.empty());
  EXPECT_FALSE(all->resource_version.empty());
  for (const json::Value& item : all->items) {
    EXPECT_EQ(Str(item, "metadata", "namespace"), "default");
    EXPECT_EQ(item.Find("kind")->as_string(), "Secret");
  }

  auto none = client_->ListAll(secrets_, "default", ListRequest{.label_selector = "app=db"});
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->items.empty());
}

// Reads events until one satisfies `want` (bookmarks and others are skipped).
Result<WatchEvent> NextMatching(WatchStream& watch,
                                const std::function<bool(const WatchEvent&)>& want) {
  auto deadline = std::chrono::steady_clock::now() + kHangGuard;
  while (std::chrono::steady_clock::now() < deadline) {
    DEVFLOW_ASSIGN_OR_RETURN(std::optional<WatchEvent> event, watch.Next(kHangGuard));
    if (!event.has_value()) return UnavailableError("the watch ended");
    if (want(*event)) return *event;
  }
  return DeadlineExceededError("no matching event");
}

TEST_F(ApiClientServerTest, WatchFromTheListedVersionWithBookmarks) {
  Start(apiserver::ApiServerOptions{.bookmark_interval = std::chrono::milliseconds(50)});
  ASSERT_TRUE(client_->Create(secrets_, "default", SecretObject("before")).ok());
  auto listed = client_->List(secrets_, "default");
  ASSERT_TRUE(listed.ok()) << listed.error();

  auto watch = client_->Watch(secrets_, "default",
                              WatchRequest{.resource_version = listed->resource_version});
  ASSERT_TRUE(watch.ok()) << watch.error();
  ASSERT_TRUE(client_->Create(secrets_, "default", SecretObject("after")).ok());

  auto added = NextMatching(
      **watch, [](const WatchEvent& e) { return e.type != WatchEventType::kBookmark; });
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added->type, WatchEventType::kAdded);
  EXPECT_EQ(Str(added->object, "metadata", "name"), "after") << "no replay of the listed object";

  auto bookmark = NextMatching(
      **watch, [](const WatchEvent& e) { return e.type == WatchEventType::kBookmark; });
  ASSERT_TRUE(bookmark.ok()) << bookmark.error();
  EXPECT_FALSE(Str(bookmark->object, "metadata", "resourceVersion").empty());

  ASSERT_TRUE(client_->Delete(secrets_, "default", "after").ok());
  auto deleted = NextMatching(
      **watch, [](const WatchEvent& e) { return e.type != WatchEventType::kBookmark; });
  ASSERT_TRUE(deleted.ok()) << deleted.error();
  EXPECT_EQ(deleted->type, WatchEventType::kDeleted);

  (*watch)->Cancel();
  auto ended = (*watch)->Next(kHangGuard);
  ASSERT_TRUE(ended.ok()) << ended.error();
  EXPECT_FALSE(ended->has_value());
}

TEST_F(ApiClientServerTest, WatchFromAVersionOlderThanTheHistoryIsGone) {
  Start(apiserver::ApiServerOptions{.history_window = 3});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(client_->Create(secrets_, "default", SecretObject("s" + std::to_string(i))).ok());
  }
  auto watch = client_->Watch(secrets_, "default", WatchRequest{.resource_version = "1"});
  // kube-apiserver answers 200 and sends an ERROR event; either way the client says Gone.
  Status status = watch.status();
  if (watch.ok()) {
    auto event = (*watch)->Next(kHangGuard);
    status = event.status();
  }
  EXPECT_EQ(status.code(), StatusCode::kGone) << status;
}

TEST_F(ApiClientServerTest, DiscoveryFindsBuiltinKindsAndNewCrds) {
  auto rollouts = client_->ResolveKind("argoproj.io/v1alpha1", "Rollout");
  ASSERT_TRUE(rollouts.ok()) << rollouts.error();
  EXPECT_EQ(*rollouts, rollouts_);
  auto namespaces = client_->ResolveKind("v1", "Namespace");
  ASSERT_TRUE(namespaces.ok()) << namespaces.error();
  EXPECT_EQ(*namespaces, ResourceOf<api::Namespace>());

  auto missing = client_->ResolveKind("example.com/v1", "Widget");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound) << missing.error();

  const ResourceRef crds{.group = "apiextensions.k8s.io",
                         .version = "v1",
                         .plural = "customresourcedefinitions",
                         .kind = "CustomResourceDefinition",
                         .namespaced = false};
  auto crd = client_->Create(
      crds, "", Json(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
        "metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com",
        "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
        "scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,
        "schema":{"openAPIV3Schema":{"type":"object",
        "x-kubernetes-preserve-unknown-fields":true}}}]}})"));
  ASSERT_TRUE(crd.ok()) << crd.error();

  auto widgets = client_->ResolveKind("example.com/v1", "Widget");
  ASSERT_TRUE(widgets.ok()) << widgets.error();
  EXPECT_EQ(*widgets, (ResourceRef{.group = "example.com",
                                   .version = "v1",
                                   .plural = "widgets",
                                   .kind = "Widget",
                                   .namespaced = true}));
  auto widget = client_->Create(
      *widgets, "default",
      Json(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
               "spec":{"size":1}})"));
  ASSERT_TRUE(widget.ok()) << widget.error();

  auto version = client_->GetPath("/version");
  ASSERT_TRUE(version.ok()) << version.error();
  EXPECT_TRUE(version->Find("gitVersion") != nullptr) << json::Write(*version);
}

TEST_F(ApiClientServerTest, TypedRoundTrip) {
  TypedClient<api::Rollout> rollouts(*client_);
  api::Rollout rollout = api::Decode<api::Rollout>(RolloutObject("typed"));
  rollout.api_version.clear();  // filled in by the typed client
  rollout.kind.clear();
  auto created = rollouts.Create("default", rollout);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(created->metadata.generation, 1);

  created->spec.replicas = 4;
  auto updated = rollouts.Update("default", *created);
  ASSERT_TRUE(updated.ok()) << updated.error();
  EXPECT_EQ(updated->spec.replicas, 4);
  EXPECT_EQ(updated->metadata.generation, 2);

  auto list = rollouts.ListAll("default");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0], *updated);
}

}  // namespace
}  // namespace devflow::kube
