// The router against an in-memory API (FakeObjects): which objects it reads and writes, retries,
// errors, and convergence after a partial apply.
#include "traffic/gateway_api/gateway_api_router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/codec_testing.h"
#include "api/networking_codec.h"
#include "common/json_reader.h"
#include "traffic/gateway_api/http_route_rules.h"
#include "traffic/object_access_testing.h"

namespace devflow::traffic::gateway_api {
namespace {

using testing::FakeObjects;

json::Value Json(std::string_view text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << value.status() << "\n" << text;
  return value.value_or(json::Value());
}

// An HTTPRoute whose one rule sends everything to web-stable (and 0 to web-canary).
json::Value RouteObject(const std::string& ns, const std::string& name) {
  return api::testing::Parse(
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
      "metadata: {name: " +
      name + ", namespace: " + ns +
      "}\n"
      "spec:\n"
      "  parentRefs: [{name: gw}]\n"
      "  rules:\n"
      "  - matches: [{path: {type: PathPrefix, value: /}}]\n"
      "    backendRefs:\n"
      "    - {name: web-stable, port: 80, weight: 100}\n"
      "    - {name: web-canary, port: 80, weight: 0}\n");
}

api::HTTPRoute Stored(const FakeObjects& objects, const std::string& ns, const std::string& name) {
  std::optional<json::Value> object = objects.Find(HttpRouteResource(), ns, name);
  EXPECT_TRUE(object.has_value()) << ns << "/" << name;
  return api::Decode<api::HTTPRoute>(object.value_or(json::Value()));
}

// The weights of the first rule that has both Services: {canary, stable}.
std::pair<int32_t, int32_t> Weights(const api::HTTPRoute& route) {
  for (const api::HTTPRouteRule& rule : route.spec.rules) {
    std::optional<int32_t> canary, stable;
    for (const api::HTTPBackendRef& ref : rule.backend_refs) {
      if (ref.name == "web-canary") canary = ref.weight;
      if (ref.name == "web-stable") stable = ref.weight;
    }
    if (canary && stable) return {*canary, *stable};
  }
  return {-1, -1};
}

TrafficTargets Targets(int32_t weight) {
  return TrafficTargets{.rollout_name = "web",
                        .namespace_ = "default",
                        .canary_service = "web-canary",
                        .stable_service = "web-stable",
                        .canary_hash = "new",
                        .stable_hash = "old",
                        .canary_weight = weight};
}

TrafficTargets WithHeaderRoute(int32_t weight) {
  TrafficTargets targets = Targets(weight);
  targets.managed_routes = {"canary-header"};
  targets.header_routes = {
      api::SetHeaderRoute{.name = "canary-header",
                          .match = {{.header_name = "X-Canary",
                                     .header_value = api::RolloutStringMatch{.exact = "1"}}}}};
  return targets;
}

std::unique_ptr<TrafficRouter> Router(std::string_view config) {
  Result<std::unique_ptr<TrafficRouter>> router = MakeGatewayApiRouter(Json(config));
  EXPECT_TRUE(router.ok()) << router.status();
  return router.ok() ? std::move(router).value() : nullptr;
}

TEST(GatewayApiRouterTest, GivenTheFactoryThenItNamesItselfAndCannotVerify) {
  std::unique_ptr<TrafficRouter> router = Router(R"({"httpRoute":"web"})");
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(router->Type(), "plugins/argoproj-labs/gatewayAPI");
  FakeObjects objects;
  EXPECT_EQ(router->Verify(Targets(10), objects), WeightVerification::kNotSupported);
  EXPECT_EQ(objects.reads(), 0);
}

TEST(GatewayApiRouterTest, GivenABadConfigWhenMadeThenInvalidArgumentNamesTheField) {
  Result<std::unique_ptr<TrafficRouter>> router =
      MakeGatewayApiRouter(Json(R"({"httpRoutes":[{"useHeaderRoutes":true}]})"));
  ASSERT_FALSE(router.ok());
  EXPECT_EQ(router.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.error().field_path(),
            "spec.strategy.canary.trafficRouting.plugins[argoproj-labs/gatewayAPI]"
            ".httpRoutes[0].name");
}

TEST(GatewayApiRouterTest, GivenARouteWhenAppliedTwiceThenItIsWrittenOnceWithTheWeights) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "web"));
  std::unique_ptr<TrafficRouter> router = Router(R"({"httpRoute":"web"})");
  ASSERT_TRUE(router->Apply(Targets(20), objects).ok());
  EXPECT_EQ(Weights(Stored(objects, "default", "web")), std::make_pair(20, 80));
  EXPECT_EQ(objects.writes(), 1);
  ASSERT_TRUE(router->Apply(Targets(20), objects).ok());
  EXPECT_EQ(objects.writes(), 1);
  ASSERT_TRUE(router->Apply(Targets(40), objects).ok());
  EXPECT_EQ(Weights(Stored(objects, "default", "web")), std::make_pair(40, 60));
  EXPECT_EQ(objects.writes(), 2);
}

TEST(GatewayApiRouterTest, GivenRoutesInTheConfiguredNamespaceThenThoseAreTheOnesWritten) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("edge", "web"));
  objects.Put(HttpRouteResource(), RouteObject("default", "web"));
  std::unique_ptr<TrafficRouter> router = Router(R"({"httpRoute":"web","namespace":"edge"})");
  ASSERT_TRUE(router->Apply(Targets(30), objects).ok());
  EXPECT_EQ(Weights(Stored(objects, "edge", "web")), std::make_pair(30, 70));
  EXPECT_EQ(Weights(Stored(objects, "default", "web")), std::make_pair(0, 100));
}

TEST(GatewayApiRouterTest, GivenHeaderRoutesThenOnlyRoutesWithUseHeaderRoutesGetTheRule) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "a"));
  objects.Put(HttpRouteResource(), RouteObject("default", "b"));
  std::unique_ptr<TrafficRouter> router =
      Router(R"({"httpRoutes":[{"name":"a","useHeaderRoutes":true},{"name":"b"}]})");
  ASSERT_TRUE(router->Apply(WithHeaderRoute(10), objects).ok());
  api::HTTPRoute a = Stored(objects, "default", "a");
  api::HTTPRoute b = Stored(objects, "default", "b");
  ASSERT_EQ(a.spec.rules.size(), 2u);
  EXPECT_EQ(a.spec.rules[0].name, "canary-header");
  EXPECT_TRUE(a.metadata.annotations.contains(std::string(kManagedRoutesAnnotation)));
  EXPECT_EQ(b.spec.rules.size(), 1u);
  EXPECT_EQ(Weights(b), std::make_pair(10, 90));

  // The step moves on: the header route is no longer in force.
  TrafficTargets later = Targets(50);
  later.managed_routes = {"canary-header"};
  ASSERT_TRUE(router->Apply(later, objects).ok());
  a = Stored(objects, "default", "a");
  ASSERT_EQ(a.spec.rules.size(), 1u);
  EXPECT_EQ(Weights(a), std::make_pair(50, 50));
  EXPECT_FALSE(a.metadata.annotations.contains(std::string(kManagedRoutesAnnotation)));
}

TEST(GatewayApiRouterTest, GivenTheInProgressLabelThenItFollowsTheCanaryWeight) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "web"));
  std::unique_ptr<TrafficRouter> router = Router(R"({"httpRoute":"web"})");
  ASSERT_TRUE(router->Apply(Targets(10), objects).ok());
  EXPECT_EQ(Stored(objects, "default", "web").metadata.labels,
            (std::map<std::string, std::string>{
                {"rollouts.argoproj.io/gatewayapi-canary", "in-progress"}}));
  ASSERT_TRUE(router->Apply(Targets(0), objects).ok());
  EXPECT_TRUE(Stored(objects, "default", "web").metadata.labels.empty());

  std::unique_ptr<TrafficRouter> unlabelled =
      Router(R"({"httpRoute":"web","disableInProgressLabel":true})");
  ASSERT_TRUE(unlabelled->Apply(Targets(10), objects).ok());
  EXPECT_TRUE(Stored(objects, "default", "web").metadata.labels.empty());
}

TEST(GatewayApiRouterTest, GivenConflictsWhenApplyingThenItRereadsAndRetriesThreeTimes) {
  struct Row {
    std::string name;
    int conflicts;
    StatusCode want;
    int want_weight;
  };
  const std::vector<Row> rows = {
      {"one conflict", 1, StatusCode::kOk, 25},
      {"three conflicts: the last retry wins", 3, StatusCode::kOk, 25},
      {"four conflicts: give up with Conflict", 4, StatusCode::kConflict, 0},
  };
  for (const Row& row : rows) {
    FakeObjects objects;
    objects.Put(HttpRouteResource(), RouteObject("default", "web"));
    objects.ConflictNextUpdates(row.conflicts);
    Status status = Router(R"({"httpRoute":"web"})")->Apply(Targets(25), objects);
    EXPECT_EQ(status.code(), row.want) << row.name << ": " << status;
    EXPECT_EQ(objects.conflicts(), row.conflicts) << row.name;
    EXPECT_EQ(Weights(Stored(objects, "default", "web")).first, row.want_weight) << row.name;
  }
}

TEST(GatewayApiRouterTest, GivenAConcurrentWriterThenItsChangeAndOursBothSurvive) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "web"));
  bool changed = false;
  objects.OnUpdate([&changed](FakeObjects& store) {
    if (changed) return;
    changed = true;
    json::Value route = *store.Find(HttpRouteResource(), "default", "web");
    route["spec"]["hostnames"] = json::Array{"shop.example.com"};
    store.Put(HttpRouteResource(), std::move(route));
  });
  ASSERT_TRUE(Router(R"({"httpRoute":"web"})")->Apply(Targets(15), objects).ok());
  api::HTTPRoute stored = Stored(objects, "default", "web");
  EXPECT_EQ(stored.spec.hostnames, std::vector<std::string>{"shop.example.com"});
  EXPECT_EQ(Weights(stored), std::make_pair(15, 85));
  EXPECT_EQ(objects.conflicts(), 1);
}

TEST(GatewayApiRouterTest, GivenAMissingRouteThenNotFoundNamesItAndTheOthersAreStillApplied) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "b"));
  Status status =
      Router(R"({"httpRoutes":[{"name":"a"},{"name":"b"}]})")->Apply(Targets(5), objects);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("HTTPRoute default/a not found"), std::string::npos) << status;
  EXPECT_EQ(Weights(Stored(objects, "default", "b")), std::make_pair(5, 95));
}

TEST(GatewayApiRouterTest, GivenTargetsTheRouterCannotUseThenInvalidArgumentNamesTheField) {
  struct Row {
    std::string name;
    TrafficTargets targets;
    std::string want_path;
  };
  TrafficTargets no_canary = Targets(10);
  no_canary.canary_service.clear();
  TrafficTargets no_stable = Targets(10);
  no_stable.stable_service.clear();
  TrafficTargets other_services = Targets(10);
  other_services.canary_service = "api-canary";
  const std::vector<Row> rows = {
      {"no canaryService", no_canary, "spec.strategy.canary.canaryService"},
      {"no stableService", no_stable, "spec.strategy.canary.stableService"},
      {"a route without the canary Service", other_services, "spec.rules"},
  };
  for (const Row& row : rows) {
    FakeObjects objects;
    objects.Put(HttpRouteResource(), RouteObject("default", "web"));
    Status status = Router(R"({"httpRoute":"web"})")->Apply(row.targets, objects);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << row.name << ": " << status;
    EXPECT_EQ(status.field_path(), row.want_path) << row.name;
    EXPECT_EQ(objects.writes(), 0) << row.name;
  }
}

TEST(GatewayApiRouterTest, GivenAnExperimentThenItsServicePortIsReadAndAMissingOneSkipped) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "web"));
  objects.Put(kube::ResourceRef{.version = "v1", .plural = "services", .kind = "Service"},
              Json(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web-exp",)"
                   R"("namespace":"default"},"spec":{"ports":[{"name":"metrics","port":9090},)"
                   R"({"name":"http","port":8080}]}})"));
  TrafficTargets targets = Targets(20);
  targets.additional = {{.service_name = "web-exp", .weight = 10},
                        {.service_name = "web-gone", .weight = 5}};
  ASSERT_TRUE(Router(R"({"httpRoute":"web"})")->Apply(targets, objects).ok());
  const std::vector<api::HTTPBackendRef> want = {
      {.name = "web-stable", .port = 80, .weight = 65},
      {.name = "web-canary", .port = 80, .weight = 20},
      {.name = "web-exp", .port = 8080, .weight = 10},
  };
  EXPECT_EQ(Stored(objects, "default", "web").spec.rules[0].backend_refs, want);
}

TEST(GatewayApiRouterTest, GivenACrashBetweenTwoRoutesWhenAppliedAgainThenBothConverge) {
  FakeObjects objects;
  objects.Put(HttpRouteResource(), RouteObject("default", "a"));
  objects.Put(HttpRouteResource(), RouteObject("default", "b"));
  // The first reconcile wrote route a, then the process died before route b.
  ASSERT_TRUE(Router(R"({"httpRoute":"a"})")->Apply(WithHeaderRoute(10), objects).ok());
  ASSERT_EQ(objects.writes(), 1);
  const api::HTTPRoute a_after_first = Stored(objects, "default", "a");

  std::unique_ptr<TrafficRouter> router =
      Router(R"({"httpRoutes":[{"name":"a","useHeaderRoutes":true},)"
             R"({"name":"b","useHeaderRoutes":true}]})");
  ASSERT_TRUE(router->Apply(WithHeaderRoute(10), objects).ok());
  EXPECT_EQ(objects.writes(), 2) << "route a is already right and must not be written again";
  EXPECT_EQ(Stored(objects, "default", "a"), a_after_first);
  api::HTTPRoute b = Stored(objects, "default", "b");
  EXPECT_EQ(b.spec.rules, a_after_first.spec.rules);
}

}  // namespace
}  // namespace devflow::traffic::gateway_api
