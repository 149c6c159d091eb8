// The plugin configuration: accepted manifests and what they mean; rejected ones and the field
// path each error names.
#include "traffic/gateway_api/gateway_api_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json_reader.h"

namespace devflow::traffic::gateway_api {
namespace {

const std::string kAt = "spec.strategy.canary.trafficRouting.plugins[argoproj-labs/gatewayAPI]";

json::Value Json(std::string_view text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << value.status() << "\n" << text;
  return value.value_or(json::Value());
}

GatewayApiConfig Config(std::vector<HttpRouteRef> routes) {
  GatewayApiConfig config;
  config.http_routes = std::move(routes);
  return config;
}

TEST(GatewayApiConfigPathTest, GivenThePluginKeyThenThePathRendersItAsTheSourceMapDoes) {
  EXPECT_EQ(GatewayApiConfigPath().str(), kAt);
}

TEST(DecodeGatewayApiConfigTest, GivenAValidConfigWhenDecodedThenItMeansWhatThePluginReads) {
  struct Row {
    std::string name;
    std::string json;
    GatewayApiConfig want;
  };
  GatewayApiConfig with_namespace = Config({{"web", true}});
  with_namespace.namespace_ = "edge";
  GatewayApiConfig no_label = Config({{"web", true}});
  no_label.in_progress_label = false;
  GatewayApiConfig own_label = Config({{"web", true}});
  own_label.in_progress_label_key = "example.com/canary";
  own_label.in_progress_label_value = "on";
  const std::vector<Row> rows = {
      {"httpRoute alone: one route that takes header routes", R"({"httpRoute":"web"})",
       Config({{"web", true}})},
      {"httpRoutes: useHeaderRoutes defaults to false",
       R"({"httpRoutes":[{"name":"a"},{"name":"b","useHeaderRoutes":true}]})",
       Config({{"a", false}, {"b", true}})},
      {"httpRoute comes after httpRoutes, as the plugin appends it",
       R"({"httpRoute":"z","httpRoutes":[{"name":"a"}]})", Config({{"a", false}, {"z", true}})},
      {"a route named twice is one route, with header routes if any mention asks",
       R"({"httpRoute":"a","httpRoutes":[{"name":"a"},{"name":"b"},{"name":"b"}]})",
       Config({{"a", true}, {"b", false}})},
      {"namespace", R"({"httpRoute":"web","namespace":"edge"})", with_namespace},
      {"configMap of older plugin versions is accepted and ignored",
       R"({"httpRoute":"web","configMap":"argo-gatewayapi-configmap"})", Config({{"web", true}})},
      {"disableInProgressLabel", R"({"httpRoute":"web","disableInProgressLabel":true})", no_label},
      {"own in-progress label",
       R"({"httpRoute":"web","inProgressLabelKey":"example.com/canary",)"
       R"("inProgressLabelValue":"on"})",
       own_label},
      {"members the plugin does not know are ignored", R"({"httpRoute":"web","future":1})",
       Config({{"web", true}})},
      {"null members count as absent", R"({"httpRoute":"web","httpRoutes":null,"namespace":null})",
       Config({{"web", true}})},
  };
  for (const Row& row : rows) {
    api::FieldErrors errors;
    GatewayApiConfig got = DecodeGatewayApiConfig(Json(row.json), GatewayApiConfigPath(), &errors);
    EXPECT_TRUE(errors.empty()) << row.name << ": " << api::ToString(errors.front());
    EXPECT_EQ(got, row.want) << row.name;
  }
}

TEST(DecodeGatewayApiConfigTest, GivenABadConfigWhenDecodedThenEveryErrorNamesItsField) {
  struct Row {
    std::string name;
    std::string json;
    std::vector<std::string> want_paths;  // relative to kAt
  };
  const std::vector<Row> rows = {
      {"not an object", R"("web")", {""}},
      {"no route at all", R"({"namespace":"edge"})", {""}},
      {"an entry without a name",
       R"({"httpRoutes":[{"name":"a"},{"useHeaderRoutes":true}]})",
       {".httpRoutes[1].name"}},
      {"an empty name", R"({"httpRoutes":[{"name":""}]})", {".httpRoutes[0].name"}},
      {"a name that is no object name",
       R"({"httpRoutes":[{"name":"Web_1"}]})",
       {".httpRoutes[0].name"}},
      {"a name of the wrong type", R"({"httpRoutes":[{"name":7}]})", {".httpRoutes[0].name"}},
      {"useHeaderRoutes not a bool",
       R"({"httpRoutes":[{"name":"a","useHeaderRoutes":"yes"}]})",
       {".httpRoutes[0].useHeaderRoutes"}},
      {"httpRoutes not a list", R"({"httpRoutes":{"name":"a"}})", {".httpRoutes"}},
      {"an entry not an object", R"({"httpRoutes":["a"]})", {".httpRoutes[0]"}},
      {"httpRoute not a string", R"({"httpRoute":["web"]})", {".httpRoute"}},
      {"httpRoute not a name", R"({"httpRoute":"web/x"})", {".httpRoute"}},
      {"namespace not a DNS label", R"({"httpRoute":"web","namespace":"a.b"})", {".namespace"}},
      {"bad label key and value",
       R"({"httpRoute":"web","inProgressLabelKey":"-x","inProgressLabelValue":"a b"})",
       {".inProgressLabelKey", ".inProgressLabelValue"}},
      {"disableInProgressLabel not a bool",
       R"({"httpRoute":"web","disableInProgressLabel":1})",
       {".disableInProgressLabel"}},
      {"configMap not a string", R"({"httpRoute":"web","configMap":{}})", {".configMap"}},
      {"gRPC, TCP and TLS routes are not supported yet",
       R"({"httpRoute":"web","grpcRoute":"g","tcpRoutes":[{"name":"t"}],"tlsRoute":"s"})",
       {".grpcRoute", ".tcpRoutes", ".tlsRoute"}},
      {"only gRPC routes: that error alone, not also 'no routes'",
       R"({"grpcRoute":"g"})",
       {".grpcRoute"}},
      {"route selectors are not supported yet",
       R"({"httpRoute":"web","httpRouteSelector":{"matchLabels":{"a":"b"}}})",
       {".httpRouteSelector"}},
  };
  for (const Row& row : rows) {
    api::FieldErrors errors;
    DecodeGatewayApiConfig(Json(row.json), GatewayApiConfigPath(), &errors);
    std::vector<std::string> got;
    for (const api::FieldError& error : errors) {
      got.push_back(error.path.str().substr(kAt.size()));
      EXPECT_FALSE(error.message.empty()) << row.name;
    }
    EXPECT_EQ(got, row.want_paths) << row.name;
  }
}

TEST(ParseGatewayApiConfigTest, GivenAValidConfigWhenParsedThenItIsReturned) {
  Result<GatewayApiConfig> got = ParseGatewayApiConfig(Json(R"({"httpRoute":"web"})"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, Config({{"web", true}}));
}

TEST(ParseGatewayApiConfigTest, GivenTwoProblemsWhenParsedThenOneInvalidArgumentListsBoth) {
  Result<GatewayApiConfig> got =
      ParseGatewayApiConfig(Json(R"({"httpRoutes":[{"name":""}],"namespace":"A"})"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.error().field_path(), kAt + ".httpRoutes[0].name");
  EXPECT_NE(got.error().message().find("required"), std::string::npos) << got.error();
  EXPECT_NE(got.error().message().find("; " + kAt + ".namespace: "), std::string::npos)
      << got.error();
}

}  // namespace
}  // namespace devflow::traffic::gateway_api
