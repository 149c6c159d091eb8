// TypedClient: typed objects over ApiClient, decode errors naming the field, and the resource of
// every typed kind.
#include "kube/typed_client.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"
#include "kube/api_client_testing.h"

namespace devflow::kube {
namespace {

using testing::JsonResponse;
using testing::ScriptedServer;

constexpr char kStoredRollout[] = R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
  "metadata":{"name":"web","namespace":"prod","resourceVersion":"12"},
  "spec":{"replicas":3,"futureField":{"x":1}}})";

class ApiClientTypedTest : public ::testing::Test {
 protected:
  ApiClientTypedTest() {
    auto client = ApiClient::Create(server_.Config());
    if (!client.ok()) http::testing::DieInSetup(client.error());
    client_ = std::move(client).value();
  }

  ScriptedServer server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiClientTypedTest, GetDecodesAndKeepsUnknownFields) {
  server_.Reply(JsonResponse(200, kStoredRollout));
  TypedClient<api::Rollout> rollouts(*client_);

  auto got = rollouts.Get("prod", "web");

  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(server_.LastRequest().target,
            "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web");
  EXPECT_EQ(got->metadata.name, "web");
  EXPECT_EQ(got->metadata.resource_version, "12");
  EXPECT_EQ(got->spec.replicas, 3);
  // What devflow does not model survives a read-modify-write.
  got->spec.replicas = 4;
  ASSERT_TRUE(rollouts.Update("prod", *got).ok());
  auto sent = json::Parse(server_.LastRequest().body);
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(*sent->Find("spec")->Find("futureField"), json::Value(json::Object{{"x", 1}}));
  EXPECT_EQ(*sent->Find("spec")->Find("replicas"), json::Value(4));
  EXPECT_EQ(*sent->Find("metadata")->Find("resourceVersion"), json::Value("12"));
  EXPECT_EQ(server_.LastRequest().method, "PUT");
}

TEST_F(ApiClientTypedTest, WritesFillInApiVersionAndKind) {
  api::Rollout rollout;
  rollout.metadata.name = "web";
  rollout.spec.replicas = 2;
  TypedClient<api::Rollout> rollouts(*client_);
  server_.Reply(JsonResponse(201, kStoredRollout));

  auto created = rollouts.Create("prod", rollout);

  ASSERT_TRUE(created.ok()) << created.error();
  http::Request sent = server_.LastRequest();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts");
  auto body = json::Parse(sent.body);
  ASSERT_TRUE(body.ok()) << body.error();
  EXPECT_EQ(*body->Find("apiVersion"), json::Value("argoproj.io/v1alpha1"));
  EXPECT_EQ(*body->Find("kind"), json::Value("Rollout"));
  EXPECT_EQ(created->metadata.resource_version, "12");

  server_.Reply(JsonResponse(200, kStoredRollout));
  ASSERT_TRUE(rollouts.UpdateStatus("prod", *created).ok());
  EXPECT_EQ(server_.LastRequest().target,
            "/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web/status");
}

TEST_F(ApiClientTypedTest, AnswerThatDoesNotDecodeNamesTheField) {
  server_.Reply(JsonResponse(200, R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
      "metadata":{"name":"web","namespace":"prod"},"spec":{"replicas":"three"}})"));
  TypedClient<api::Rollout> rollouts(*client_);

  auto got = rollouts.Get("prod", "web");

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.error().field_path(), "spec.replicas");
  EXPECT_EQ(got.error().message().rfind("decoding Rollout prod/web: spec.replicas: ", 0), 0u)
      << got.error();
}

TEST_F(ApiClientTypedTest, ListDecodesEveryItem) {
  server_.Reply(JsonResponse(200, R"({"kind":"ServiceList","apiVersion":"v1",
      "metadata":{"resourceVersion":"30","continue":"more"},
      "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})"));
  TypedClient<api::Service> services(*client_);

  auto list = services.List("prod", ListRequest{.limit = 2});

  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[1].metadata.name, "b");
  EXPECT_EQ(list->items[1].kind, "Service") << "filled in from the list";
  EXPECT_EQ(list->resource_version, "30");
  EXPECT_EQ(list->continue_token, "more");
  EXPECT_EQ(server_.LastRequest().target, "/api/v1/namespaces/prod/services?limit=2");

  server_.Reply(JsonResponse(200, R"({"kind":"ServiceList","metadata":{},
      "items":[{"metadata":{"name":"a"}},{"metadata":{"name":7}}]})"));
  auto bad = services.ListAll("prod");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field_path(), "metadata.name");
}

TEST_F(ApiClientTypedTest, DeletePassesTheAnswerThrough) {
  server_.Reply(JsonResponse(200, R"({"kind":"Status","status":"Success"})"));
  TypedClient<api::Pod> pods(*client_);
  auto got = pods.Delete("prod", "p", DeleteRequest{.propagation_policy = "Background"});
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got->Find("status"), json::Value("Success"));
  EXPECT_EQ(server_.LastRequest().target, "/api/v1/namespaces/prod/pods/p");
}

template <class T>
void ExpectResource(const char* kind, std::string_view group, bool namespaced) {
  ResourceRef resource = ResourceOf<T>();
  EXPECT_EQ(resource.kind, kind);
  EXPECT_EQ(resource.group, group) << kind;
  EXPECT_EQ(resource.namespaced, namespaced) << kind;
}

TEST(ApiClientTypedResourceTest, EveryTypedKindHasItsResource) {
  ExpectResource<api::Rollout>("Rollout", "argoproj.io", true);
  ExpectResource<api::AnalysisTemplate>("AnalysisTemplate", "argoproj.io", true);
  ExpectResource<api::ClusterAnalysisTemplate>("ClusterAnalysisTemplate", "argoproj.io", false);
  ExpectResource<api::AnalysisRun>("AnalysisRun", "argoproj.io", true);
  ExpectResource<api::Experiment>("Experiment", "argoproj.io", true);
  ExpectResource<api::ReplicaSet>("ReplicaSet", "apps", true);
  ExpectResource<api::Deployment>("Deployment", "apps", true);
  ExpectResource<api::Pod>("Pod", "", true);
  ExpectResource<api::Service>("Service", "", true);
  ExpectResource<api::Namespace>("Namespace", "", false);
  ExpectResource<api::Secret>("Secret", "", true);
  ExpectResource<api::Event>("Event", "", true);
  ExpectResource<api::Job>("Job", "batch", true);
  ExpectResource<api::Lease>("Lease", "coordination.k8s.io", true);
  ExpectResource<api::Ingress>("Ingress", "networking.k8s.io", true);
  ExpectResource<api::Gateway>("Gateway", "gateway.networking.k8s.io", true);
  ExpectResource<api::HTTPRoute>("HTTPRoute", "gateway.networking.k8s.io", true);
  ExpectResource<api::VirtualService>("VirtualService", "networking.istio.io", true);
  ExpectResource<api::DestinationRule>("DestinationRule", "networking.istio.io", true);
}

}  // namespace
}  // namespace devflow::kube
