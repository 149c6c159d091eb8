#include "traffic/istio/istio_router.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "traffic/istio/istio_testing.h"
#include "traffic/object_access_testing.h"

namespace devflow::traffic::istio {
namespace {

using testing::DrJson;
using testing::Pretty;
using testing::Targets;
using testing::VsJson;
using traffic::testing::FakeObjects;

const std::string kIstio = "spec.strategy.canary.trafficRouting.istio";

// ---- configuration ----

TEST(ValidateIstioConfigTest, GivenAConfigWhenValidatingThenEveryProblemIsReported) {
  struct Row {
    std::string name;
    api::IstioTrafficRouting config;
    std::string want_path;     // empty: valid
    std::string want_message;  // a part of the message
  };
  api::IstioVirtualServiceRef vs{.name = "vs", .routes = {"primary"}};
  api::IstioDestinationRuleRef dr{
      .name = "dr", .canary_subset_name = "canary", .stable_subset_name = "stable"};
  const std::vector<Row> rows = {
      {"given one virtualService, when validating, then it is valid",
       {.virtual_service = vs},
       "",
       ""},
      {"given virtualServices and a destinationRule, when validating, then it is valid",
       {.destination_rule = dr, .virtual_services = {vs, vs}},
       "",
       ""},
      {"given no VirtualService, when validating, then istio is named",
       {},
       kIstio,
       "exactly one of virtualService and virtualServices"},
      {"given both forms, when validating, then istio is named",
       {.virtual_service = vs, .virtual_services = {vs}},
       kIstio,
       "exactly one of"},
      {"given a nameless second VirtualService, when validating, then its name is named",
       {.virtual_services = {vs, {.routes = {"r"}}}},
       kIstio + ".virtualServices[1].name",
       "is required"},
      {"given a tls route without port or hosts, when validating, then both fields are named",
       {.virtual_service = api::IstioVirtualServiceRef{.name = "vs", .tls_routes = {{.port = 0}}}},
       kIstio + ".virtualService.tlsRoutes[0].port",
       "virtualService.tlsRoutes[0].sniHosts: must name at least one host"},
      {"given a tcp port out of range, when validating, then the port is named",
       {.virtual_service =
            api::IstioVirtualServiceRef{.name = "vs", .tcp_routes = {{.port = 70000}}}},
       kIstio + ".virtualService.tcpRoutes[0].port",
       "must be 1..65535, got 70000"},
      {"given a destinationRule without subsets, when validating, then both subset names are "
       "named",
       {.virtual_service = vs, .destination_rule = api::IstioDestinationRuleRef{.name = "dr"}},
       kIstio + ".destinationRule.canarySubsetName",
       "destinationRule.stableSubsetName: is required"},
      {"given one subset for both sides, when validating, then stableSubsetName is named",
       {.virtual_service = vs,
        .destination_rule =
            api::IstioDestinationRuleRef{
                .name = "dr", .canary_subset_name = "s", .stable_subset_name = "s"}},
       kIstio + ".destinationRule.stableSubsetName",
       "must differ from canarySubsetName"},
  };
  for (const Row& row : rows) {
    Status got = ValidateIstioConfig(row.config);
    Result<std::unique_ptr<TrafficRouter>> router = MakeIstioRouter(row.config);
    if (row.want_path.empty()) {
      EXPECT_TRUE(got.ok()) << row.name << ": " << got;
      ASSERT_TRUE(router.ok()) << row.name;
      EXPECT_EQ((*router)->Type(), "istio");
      continue;
    }
    EXPECT_EQ(got.code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.field_path(), row.want_path) << row.name;
    EXPECT_NE(got.message().find(row.want_message), std::string::npos) << row.name << ": " << got;
    EXPECT_FALSE(router.ok()) << row.name;
  }
}

// ---- Apply over the in-memory store ----

const char* kHostSplit = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
)";

const char* kHostSplitAt30 = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)";

std::unique_ptr<TrafficRouter> Router(const api::IstioTrafficRouting& config) {
  Result<std::unique_ptr<TrafficRouter>> router = MakeIstioRouter(config);
  EXPECT_TRUE(router.ok()) << router.status();
  return router.ok() ? std::move(*router) : nullptr;
}

api::IstioTrafficRouting HostSplitConfig() {
  return {.virtual_service = api::IstioVirtualServiceRef{.name = "vs", .routes = {"primary"}}};
}

// The stored VirtualService's spec, decoded (for comparing with a YAML spec).
api::VirtualServiceSpec StoredSpec(const FakeObjects& objects, std::string_view ns = "default",
                                   std::string_view name = "vs") {
  std::optional<json::Value> stored = objects.Find(VirtualServiceResource(), ns, name);
  EXPECT_TRUE(stored.has_value()) << ns << "/" << name;
  return stored ? api::Decode<api::VirtualService>(*stored).spec : api::VirtualServiceSpec{};
}

api::VirtualServiceSpec Spec(std::string_view yaml) { return testing::Vs(yaml).spec; }

TEST(IstioRouterTest, GivenAHostSplitWhenApplyingTwiceThenTheSecondApplyWritesNothing) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
  std::unique_ptr<TrafficRouter> router = Router(HostSplitConfig());

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 1);
  EXPECT_EQ(StoredSpec(objects), Spec(kHostSplitAt30));

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 1) << "the object already carries the targets";
}

TEST(IstioRouterTest, GivenASubsetSplitWhenApplyingThenTheRuleAndTheRoutesMoveTogether) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web, subset: stable}
    weight: 100
  - destination: {host: web, subset: canary}
)"));
  objects.Put(DestinationRuleResource(), DrJson(R"(host: web
subsets:
- name: canary
  labels: {app: web}
- name: stable
  labels: {app: web}
)"));
  api::IstioTrafficRouting config = HostSplitConfig();
  config.destination_rule = api::IstioDestinationRuleRef{
      .name = "dr", .canary_subset_name = "canary", .stable_subset_name = "stable"};
  std::unique_ptr<TrafficRouter> router = Router(config);

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 2);
  api::DestinationRule rule =
      api::Decode<api::DestinationRule>(*objects.Find(DestinationRuleResource(), "default", "dr"));
  EXPECT_EQ(rule.spec.subsets[0].labels.at("rollouts-pod-template-hash"), "new");
  EXPECT_EQ(rule.spec.subsets[1].labels.at("rollouts-pod-template-hash"), "old");
  EXPECT_EQ(rule.metadata.annotations.at("argo-rollouts.argoproj.io/managed-by-rollouts"), "web");
  EXPECT_EQ(StoredSpec(objects), Spec(R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web, subset: stable}
    weight: 70
  - destination: {host: web, subset: canary}
    weight: 30
)"));

  ASSERT_TRUE(router->Apply(Targets(), objects).ok());
  EXPECT_EQ(objects.writes(), 2);
}

TEST(IstioRouterTest, GivenHeaderAndMirrorRoutesWhenApplyingTwiceThenTheSecondApplyWritesNothing) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
  std::unique_ptr<TrafficRouter> router = Router(HostSplitConfig());
  TrafficTargets targets = Targets();
  targets.managed_routes = {"header", "mirror"};
  targets.header_routes = {
      {.name = "header",
       .match = {{.header_name = "x-canary", .header_value = {{.exact = "yes"}}},
                 {.header_name = "x-any", .header_value = api::RolloutStringMatch{}}}}};
  targets.mirror_routes = {{.name = "mirror", .match = {{.path = {{.prefix = "/"}}}}}};

  ASSERT_TRUE(router->Apply(targets, objects).ok());
  ASSERT_TRUE(router->Apply(targets, objects).ok());
  EXPECT_EQ(objects.writes(), 1);
  EXPECT_EQ(StoredSpec(objects).http.size(), 3u);

  targets.header_routes.clear();
  targets.mirror_routes.clear();
  ASSERT_TRUE(router->Apply(targets, objects).ok());
  EXPECT_EQ(objects.writes(), 2);
  EXPECT_EQ(StoredSpec(objects), Spec(kHostSplitAt30)) << "the managed routes are removed";
}

TEST(IstioRouterTest, GivenAVirtualServiceInAnotherNamespaceWhenApplyingThenItIsTheOneWritten) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit, "vs", "mesh"));
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit, "vs", "default"));
  api::IstioTrafficRouting config = {
      .virtual_services = {{.name = "vs.mesh.svc.cluster.local", .routes = {"primary"}}}};

  ASSERT_TRUE(Router(config)->Apply(Targets(), objects).ok());
  EXPECT_EQ(StoredSpec(objects, "mesh"), Spec(kHostSplitAt30));
  EXPECT_EQ(StoredSpec(objects, "default"), Spec(kHostSplit));
}

TEST(IstioRouterTest, GivenSeveralVirtualServicesWhenApplyingThenEachIsWritten) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit, "a"));
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit, "b"));
  api::IstioTrafficRouting config = {
      .virtual_services = {{.name = "a", .routes = {"primary"}}, {.name = "b"}}};

  ASSERT_TRUE(Router(config)->Apply(Targets(), objects).ok());
  EXPECT_EQ(StoredSpec(objects, "default", "a"), Spec(kHostSplitAt30));
  EXPECT_EQ(StoredSpec(objects, "default", "b"), Spec(kHostSplitAt30));
}

TEST(IstioRouterTest, GivenAMissingObjectWhenApplyingThenNotFoundNamesItsKindNameAndField) {
  struct Row {
    std::string name;
    bool put_vs;
    bool put_dr;
    std::string want_text;
    std::string want_path;
    int want_writes;
  };
  const std::vector<Row> rows = {
      {"given no VirtualService, when applying, then it is named (the rule, applied first, is "
       "written)",
       false, true, "VirtualService default/vs:", kIstio + ".virtualService.name", 1},
      {"given no DestinationRule, when applying, then it is named and nothing is written", true,
       false, "DestinationRule default/dr:", kIstio + ".destinationRule.name", 0},
  };
  for (const Row& row : rows) {
    FakeObjects objects;
    if (row.put_vs) objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
    if (row.put_dr) {
      objects.Put(DestinationRuleResource(),
                  DrJson("host: web\nsubsets:\n- name: canary\n- name: stable\n"));
    }
    api::IstioTrafficRouting config = HostSplitConfig();
    config.destination_rule = api::IstioDestinationRuleRef{
        .name = "dr", .canary_subset_name = "canary", .stable_subset_name = "stable"};
    Status got = Router(config)->Apply(Targets(), objects);
    EXPECT_EQ(got.code(), StatusCode::kNotFound) << row.name << ": " << got;
    EXPECT_NE(got.message().find(row.want_text), std::string::npos) << row.name << ": " << got;
    EXPECT_EQ(got.field_path(), row.want_path) << row.name;
    EXPECT_EQ(objects.writes(), row.want_writes) << row.name;
  }
}

TEST(IstioRouterTest,
     GivenAVirtualServiceThatCannotCarryTheTargetsWhenApplyingThenNothingIsWritten) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
  api::IstioTrafficRouting config = {
      .virtual_service = api::IstioVirtualServiceRef{.name = "vs", .routes = {"absent"}}};
  Status got = Router(config)->Apply(Targets(), objects);
  EXPECT_EQ(got.code(), StatusCode::kInvalidArgument) << got;
  EXPECT_EQ(got.field_path(), kIstio + ".virtualService.routes[0]");
  EXPECT_EQ(objects.writes(), 0);
}

TEST(IstioRouterTest, GivenAStoredObjectThatDoesNotDecodeWhenApplyingThenItIsNotOverwritten) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable}
    weight: heavy
  - destination: {host: web-canary}
)"));
  Status got = Router(HostSplitConfig())->Apply(Targets(), objects);
  EXPECT_EQ(got.code(), StatusCode::kInvalidArgument) << got;
  EXPECT_NE(got.message().find("does not decode"), std::string::npos) << got;
  EXPECT_EQ(objects.writes(), 0);
}

TEST(IstioRouterTest, GivenConflictsWhenApplyingThenItRereadsAndRetriesUpToThreeTimes) {
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
    objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
    objects.ConflictNextUpdates(row.conflicts);
    Status got = Router(HostSplitConfig())->Apply(Targets(), objects);
    EXPECT_EQ(got.code(), row.want) << row.name << ": " << got;
    EXPECT_EQ(objects.conflicts(), std::min(row.conflicts, IstioRouter::kConflictRetries + 1))
        << row.name;
    EXPECT_EQ(objects.writes(), row.want == StatusCode::kOk ? 1 : 0) << row.name;
  }
}

TEST(IstioRouterTest, GivenAConcurrentWriterWhenApplyingThenItsChangeSurvivesTheRetry) {
  FakeObjects objects;
  objects.Put(VirtualServiceResource(), VsJson(kHostSplit));
  bool raced = false;
  objects.OnUpdate([&](FakeObjects& store) {
    if (raced) return;
    raced = true;
    json::Value vs = *store.Find(VirtualServiceResource(), "default", "vs");
    vs["spec"]["hosts"] = json::Array{"web", "web.example.com"};
    store.Put(VirtualServiceResource(), vs);
  });
  ASSERT_TRUE(Router(HostSplitConfig())->Apply(Targets(), objects).ok());
  api::VirtualServiceSpec want = Spec(kHostSplitAt30);
  want.hosts = {"web", "web.example.com"};
  EXPECT_EQ(StoredSpec(objects), want);
  EXPECT_EQ(objects.conflicts(), 1);
}

}  // namespace
}  // namespace devflow::traffic::istio
