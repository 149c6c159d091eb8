#include "traffic/router_registry.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::traffic {
namespace {

api::RolloutTrafficRouting Routing(const std::string& json) {
  const api::Rollout rollout = api::testing::DecodeJsonText<api::Rollout>(
      R"({"spec": {"strategy": {"canary": {"canaryService": "c", "stableService": "s",
          "trafficRouting": )" +
      json + "}}}}");
  return *rollout.spec.strategy.canary->traffic_routing;
}

std::vector<std::string> Types(const api::RolloutTrafficRouting& routing) {
  Result<std::vector<std::unique_ptr<TrafficRouter>>> routers = BuildRouters(routing);
  if (!routers.ok()) return {"error: " + routers.error().message()};
  std::vector<std::string> types;
  for (const auto& router : *routers) types.push_back(router->Type());
  return types;
}

TEST(BuildRoutersTest, EachManifestKeyBuildsItsRouterInOrder) {
  EXPECT_EQ(Types(Routing(R"({"istio": {"virtualService": {"name": "vs", "routes": ["primary"]}},
                               "nginx": {"stableIngress": "web"}})")),
            (std::vector<std::string>{"istio", "nginx"}));
  EXPECT_EQ(Types(Routing(R"({"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "web"}}})")),
            (std::vector<std::string>{"plugins/argoproj-labs/gatewayAPI"}));
  EXPECT_TRUE(Types(Routing("{}")).empty());
}

TEST(BuildRoutersTest, UnsupportedRoutersAreRefusedByName) {
  const std::vector<std::string> alb =
      Types(Routing(R"({"alb": {"ingress": "web", "servicePort": 80}})"));
  ASSERT_EQ(alb.size(), 1u);
  EXPECT_NE(alb[0].find("spec.strategy.canary.trafficRouting.alb: this traffic router is not "
                        "supported"),
            std::string::npos)
      << alb[0];
  EXPECT_NE(alb[0].find("istio, nginx, plugins/argoproj-labs/gatewayAPI"), std::string::npos);
  const std::vector<std::string> plugin = Types(Routing(R"({"plugins": {"example/other": {}}})"));
  ASSERT_EQ(plugin.size(), 1u);
  EXPECT_NE(plugin[0].find("trafficRouting.plugins.example/other"), std::string::npos) << plugin[0];
}

TEST(BuildRoutersTest, ABadConfigurationIsTheFactorysError) {
  const std::vector<std::string> bad =
      Types(Routing(R"({"plugins": {"argoproj-labs/gatewayAPI": {}}})"));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].rfind("error: ", 0), 0u) << bad[0];
}

}  // namespace
}  // namespace devflow::traffic
