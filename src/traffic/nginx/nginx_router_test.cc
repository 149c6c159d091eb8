#include "traffic/nginx/nginx_router.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "traffic/nginx/canary_ingress.h"
#include "traffic/nginx/nginx_testing.h"
#include "traffic/object_access_testing.h"

namespace devflow::traffic::nginx {
namespace {

using testing::IngressJson;
using testing::Pretty;
using testing::Targets;
using traffic::testing::FakeObjects;

const std::string kNginx = "spec.strategy.canary.trafficRouting.nginx";

// ---- configuration ----

TEST(ValidateNginxConfigTest, GivenAConfigWhenValidatingThenEveryProblemIsReported) {
  struct Row {
    std::string name;
    api::NginxTrafficRouting config;
    std::string want_path;  // empty: valid
    std::string want_message;
  };
  const std::vector<Row> rows = {
      {"given stableIngress, when validating, then it is valid", {.stable_ingress = "ing"}, "", ""},
      {"given stableIngresses, when validating, then it is valid",
       {.stable_ingresses = {"a", "b"}},
       "",
       ""},
      {"given no stable Ingress, when validating, then nginx is named",
       {},
       kNginx,
       "exactly one of stableIngress and stableIngresses"},
      {"given both forms, when validating, then nginx is named",
       {.stable_ingress = "a", .stable_ingresses = {"b"}},
       kNginx,
       "exactly one of"},
      {"given an empty and a repeated entry, when validating, then both are reported",
       {.stable_ingresses = {"a", "", "a"}},
       kNginx + ".stableIngresses[1]",
       "stableIngresses[2]: \"a\" is listed twice"},
  };
  for (const Row& row : rows) {
    Status got = ValidateNginxConfig(row.config);
    Result<std::unique_ptr<TrafficRouter>> router = MakeNginxRouter(row.config);
    if (row.want_path.empty()) {
      EXPECT_TRUE(got.ok()) << row.name << ": " << got;
      ASSERT_TRUE(router.ok()) << row.name;
      EXPECT_EQ((*router)->Type(), "nginx");
      FakeObjects none;
      EXPECT_EQ((*router)->Verify(Targets(), none), WeightVerification::kNotSupported);
      continue;
    }
    EXPECT_EQ(got.code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.field_path(), row.want_path) << row.name;
    EXPECT_NE(got.message().find(row.want_message), std::string::npos) << row.name << ": " << got;
    EXPECT_FALSE(router.ok()) << row.name;
  }
}

// ---- Apply over the in-memory store ----

std::string StableYaml(const std::string& name) {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name +
         "\n  namespace: default\n  annotations: {kubernetes.io/ingress.class: nginx}\n"
         "spec:\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n"
         "      - path: /\n        pathType: Prefix\n        backend:\n"
         "          service: {name: web-stable, port: {number: 80}}\n";
}

std::unique_ptr<TrafficRouter> Router(const api::NginxTrafficRouting& config) {
  Result<std::unique_ptr<TrafficRouter>> router = MakeNginxRouter(config);
  EXPECT_TRUE(router.ok()) << router.status();
  return router.ok() ? std::move(*router) : nullptr;
}

std::optional<api::Ingress> Stored(const FakeObjects& objects, const std::string& name) {
  std::optional<json::Value> stored = objects.Find(IngressResource(), "default", name);
  if (!stored) return std::nullopt;
  return api::Decode<api::Ingress>(*stored);
}

std::string Weight(const api::Ingress& ingress) {
  return ingress.metadata.annotations.at("nginx.ingress.kubernetes.io/canary-weight");
}

TEST(NginxRouterTest, GivenNoCanaryIngressWhenApplyingTwiceThenItIsCreatedOnceAndOwned) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
  std::unique_ptr<TrafficRouter> router = Router({.stable_ingress = "ing"});

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 1);
  std::optional<api::Ingress> canary = Stored(objects, "web-ing-canary");
  ASSERT_TRUE(canary.has_value());
  EXPECT_EQ(Weight(*canary), "30");
  ASSERT_EQ(canary->metadata.owner_references.size(), 1u);
  EXPECT_EQ(canary->metadata.owner_references[0].uid, "uid-web");
  EXPECT_EQ(canary->spec.rules[0].http->paths[0].backend.service->name, "web-canary");

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 1) << "the canary Ingress already carries the targets";
}

TEST(NginxRouterTest, GivenACanaryIngressWhenTheWeightChangesThenItIsUpdatedOnce) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
  std::unique_ptr<TrafficRouter> router = Router({.stable_ingress = "ing"});
  ASSERT_TRUE(router->Apply(Targets(), objects).ok());

  TrafficTargets targets = Targets();
  targets.canary_weight = 60;
  ASSERT_TRUE(router->Apply(targets, objects).ok());
  ASSERT_TRUE(router->Apply(targets, objects).ok());
  EXPECT_EQ(objects.writes(), 2);
  EXPECT_EQ(Weight(*Stored(objects, "web-ing-canary")), "60");
}

TEST(NginxRouterTest, GivenSeveralStableIngressesWhenApplyingThenEachGetsItsCanary) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("public")));
  objects.Put(IngressResource(), IngressJson(StableYaml("internal")));
  ASSERT_TRUE(Router({.stable_ingresses = {"public", "internal"}})->Apply(Targets(), objects).ok());
  EXPECT_TRUE(Stored(objects, "web-public-canary").has_value());
  EXPECT_TRUE(Stored(objects, "web-internal-canary").has_value());
  EXPECT_EQ(objects.writes(), 2);
}

TEST(NginxRouterTest, GivenAMissingStableIngressWhenApplyingThenNotFoundNamesItAndItsField) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("public")));
  Status got = Router({.stable_ingresses = {"public", "internal"}})->Apply(Targets(), objects);
  EXPECT_EQ(got.code(), StatusCode::kNotFound) << got;
  EXPECT_NE(got.message().find("Ingress default/internal:"), std::string::npos) << got;
  EXPECT_EQ(got.field_path(), kNginx + ".stableIngresses[1]");
  EXPECT_EQ(objects.writes(), 1) << "the first canary is written; the next Apply converges";
}

TEST(NginxRouterTest, GivenACanaryNameTakenByAnotherObjectWhenApplyingThenNothingIsWritten) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
  objects.Put(IngressResource(), IngressJson(StableYaml("web-ing-canary")));
  Status got = Router({.stable_ingress = "ing"})->Apply(Targets(), objects);
  EXPECT_EQ(got.code(), StatusCode::kFailedPrecondition) << got;
  EXPECT_EQ(objects.writes(), 0);
}

TEST(NginxRouterTest, GivenAnotherWriterCreatesTheCanaryFirstWhenApplyingThenItIsUpdatedInstead) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
  std::unique_ptr<TrafficRouter> router = Router({.stable_ingress = "ing"});
  {
    // What an earlier reconcile (at weight 10) left behind.
    FakeObjects earlier;
    earlier.Put(IngressResource(), IngressJson(StableYaml("ing")));
    TrafficTargets at10 = Targets();
    at10.canary_weight = 10;
    ASSERT_TRUE(router->Apply(at10, earlier).ok());
    json::Value canary = *earlier.Find(IngressResource(), "default", "web-ing-canary");
    objects.OnCreate([canary](FakeObjects& store) {
      if (!store.Find(IngressResource(), "default", "web-ing-canary")) {
        store.Put(IngressResource(), canary);
      }
    });
  }
  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(Weight(*Stored(objects, "web-ing-canary")), "30");
  EXPECT_EQ(objects.writes(), 1) << "the create lost the race; one update followed";
}

TEST(NginxRouterTest, GivenConflictsWhenUpdatingThenItRereadsAndRetriesUpToThreeTimes) {
  struct Row {
    std::string name;
    int conflicts;
    StatusCode want;
  };
  const std::vector<Row> rows = {
      {"given three lost races, when applying, then the fourth attempt writes", 3, StatusCode::kOk},
      {"given four lost races, when applying, then Conflict is returned", 4, StatusCode::kConflict},
  };
  for (const Row& row : rows) {
    FakeObjects objects;
    objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
    std::unique_ptr<TrafficRouter> router = Router({.stable_ingress = "ing"});
    ASSERT_TRUE(router->Apply(Targets(), objects).ok()) << row.name;
    objects.ConflictNextUpdates(row.conflicts);
    TrafficTargets targets = Targets();
    targets.canary_weight = 50;
    Status got = router->Apply(targets, objects);
    EXPECT_EQ(got.code(), row.want) << row.name << ": " << got;
    EXPECT_EQ(objects.conflicts(), std::min(row.conflicts, NginxRouter::kConflictRetries + 1))
        << row.name;
    EXPECT_EQ(Weight(*Stored(objects, "web-ing-canary")), row.want == StatusCode::kOk ? "50" : "30")
        << row.name;
  }
}

TEST(NginxRouterTest, GivenTheStoredCanaryWhenDecodedThenItEqualsTheDesiredObject) {
  FakeObjects objects;
  objects.Put(IngressResource(), IngressJson(StableYaml("ing")));
  ASSERT_TRUE(Router({.stable_ingress = "ing"})->Apply(Targets(), objects).ok());
  api::Ingress stored = *Stored(objects, "web-ing-canary");
  Result<api::Ingress> desired =
      DesiredCanaryIngress(testing::Ingress(StableYaml("ing")), nullptr, {.stable_ingress = "ing"},
                           kNginx + ".stableIngress", Targets());
  ASSERT_TRUE(desired.ok());
  stored.metadata.resource_version.clear();
  EXPECT_EQ(stored, *desired) << "stored: " << Pretty(stored) << "\ndesired: " << Pretty(*desired);
}

}  // namespace
}  // namespace devflow::traffic::nginx
