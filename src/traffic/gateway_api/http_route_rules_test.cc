// The desired HTTPRoute, one row per case: route as read + targets in, route to write out.
#include "traffic/gateway_api/http_route_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "api/codec_testing.h"
#include "api/networking_codec.h"
#include "api/networking_validation.h"

namespace devflow::traffic::gateway_api {
namespace {

// An HTTPRoute default/web whose rules are the YAML flow mappings `rules`.
std::string Route(const std::vector<std::string>& rules, const std::string& metadata = "") {
  std::string yaml =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
      "metadata: {name: web, namespace: default" +
      metadata + "}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n";
  for (const std::string& rule : rules) yaml += "  - " + rule + "\n";
  return yaml;
}

api::HTTPRoute Decode(const std::string& yaml) {
  return api::Decode<api::HTTPRoute>(api::testing::Parse(yaml));
}

std::string Refs(int canary, int stable) {
  return "[{name: web-stable, port: 80, weight: " + std::to_string(stable) +
         "}, {name: web-canary, port: 80, weight: " + std::to_string(canary) + "}]";
}

// The rule that carries /api traffic to the stable and canary Services.
std::string Weighted(int canary, int stable, const std::string& path = "/api") {
  return "{matches: [{path: {type: PathPrefix, value: " + path +
         "}}], backendRefs: " + Refs(canary, stable) + "}";
}

std::string HeaderRule(const std::string& name, const std::string& path = "/api",
                       const std::string& header = "{type: Exact, name: X-Canary, value: '1'}") {
  return "{name: " + name + ", matches: [{path: {type: PathPrefix, value: " + path +
         "}, headers: [" + header + "]}], backendRefs: [{name: web-canary, port: 80}]}";
}

TrafficTargets Targets(int32_t canary_weight) {
  return TrafficTargets{.rollout_name = "web",
                        .namespace_ = "default",
                        .canary_service = "web-canary",
                        .stable_service = "web-stable",
                        .canary_hash = "new",
                        .stable_hash = "old",
                        .canary_weight = canary_weight};
}

api::SetHeaderRoute Header(const std::string& name, api::RolloutStringMatch value,
                           const std::string& header = "X-Canary") {
  return api::SetHeaderRoute{.name = name,
                             .match = {{.header_name = header, .header_value = value}}};
}

TrafficTargets WithHeader(int32_t weight, std::vector<api::SetHeaderRoute> routes) {
  TrafficTargets targets = Targets(weight);
  for (const api::SetHeaderRoute& route : routes) targets.managed_routes.push_back(route.name);
  targets.header_routes = std::move(routes);
  return targets;
}

api::SetMirrorRoute Mirror(const std::string& name, std::optional<int32_t> percentage) {
  api::MirrorRouteMatch match;
  match.headers["X-Mirror"] = api::RolloutStringMatch{.exact = "yes"};
  return api::SetMirrorRoute{.name = name, .match = {match}, .percentage = percentage};
}

const HttpRouteOptions kHeaderRoutes{.use_header_routes = true};
const HttpRouteOptions kWeightsOnly{};

// `route` with the managed-routes annotation recording rules[i] for each i under its name.
api::HTTPRoute WithRecord(api::HTTPRoute route, const std::map<std::string, std::vector<int>>& at) {
  if (at.empty()) return route;
  json::Object record;
  for (const auto& [name, indexes] : at) {
    json::Array fingerprints;
    for (int i : indexes) fingerprints.push_back(RuleFingerprint(route.spec.rules[i]));
    record.Set(name, std::move(fingerprints));
  }
  route.metadata.annotations[std::string(kManagedRoutesAnnotation)] = json::Write(record);
  return route;
}

struct Row {
  std::string name;
  api::HTTPRoute current;
  TrafficTargets targets;
  HttpRouteOptions options;
  ServicePorts ports;
  api::HTTPRoute want;  // with the managed-routes annotation WithRecord adds
};

std::vector<Row> Rows() {
  TrafficTargets max_1000 = Targets(300);
  max_1000.max_weight = 1000;
  TrafficTargets experiment = Targets(20);
  experiment.additional = {{.service_name = "web-exp", .pod_template_hash = "e", .weight = 10}};
  TrafficTargets experiment_known = experiment;
  experiment_known.additional.push_back({.service_name = "web-exp2", .weight = 5});
  TrafficTargets mirror50 = Targets(10);
  mirror50.managed_routes = {"m"};
  mirror50.mirror_routes = {Mirror("m", 50)};
  TrafficTargets mirror100 = Targets(10);
  mirror100.managed_routes = {"m"};
  mirror100.mirror_routes = {Mirror("m", 100)};
  TrafficTargets ordered = WithHeader(10, {Header("b", {.exact = "1"}, "X-B")});
  ordered.header_routes.push_back(Header("a", {.exact = "1"}, "X-A"));
  ordered.managed_routes = {"a", "b"};
  TrafficTargets both_kinds = WithHeader(10, {Header("h", {.exact = "1"})});
  both_kinds.mirror_routes = {Mirror("m", std::nullopt)};
  both_kinds.managed_routes = {"m", "h"};
  TrafficTargets remove_all = Targets(10);
  remove_all.managed_routes = {"h"};
  TrafficTargets empty_match = WithHeader(10, {api::SetHeaderRoute{.name = "h"}});
  HttpRouteOptions labelled = kWeightsOnly;
  labelled.in_progress_label_key = "rollouts.argoproj.io/gatewayapi-canary";
  labelled.in_progress_label_value = "in-progress";
  const std::string label = ", labels: {rollouts.argoproj.io/gatewayapi-canary: in-progress}";
  const std::string header_a = "{type: Exact, name: X-A, value: '1'}";
  const std::string header_b = "{type: Exact, name: X-B, value: '1'}";
  const std::string mirror_matches =
      "matches: [{path: {type: PathPrefix, value: /api}, headers: [{type: Exact, name: "
      "X-Mirror, value: 'yes'}]}]";

  return {
      {"weights: canary gets the weight, stable the rest",
       Decode(Route({Weighted(0, 100)})),
       Targets(30),
       kWeightsOnly,
       {},
       Decode(Route({Weighted(30, 70)}))},
      {"weights: every rule with both Services; a stable-only rule is left alone",
       Decode(Route({Weighted(0, 100), Weighted(0, 100, "/web"),
                     "{backendRefs: [{name: web-stable, port: 80}]}"})),
       Targets(25),
       kWeightsOnly,
       {},
       Decode(Route({Weighted(25, 75), Weighted(25, 75, "/web"),
                     "{backendRefs: [{name: web-stable, port: 80}]}"}))},
      {"weights: maxTrafficWeight scales both",
       Decode(Route({Weighted(0, 1000)})),
       max_1000,
       kWeightsOnly,
       {},
       Decode(Route({Weighted(300, 700)}))},
      {"experiment: a Service with a known port is appended and recorded",
       Decode(Route({Weighted(0, 100)})),
       experiment_known,
       kWeightsOnly,
       {{"web-exp", 8080}},
       Decode(Route({"{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: "
                     "[{name: web-stable, port: 80, weight: 65}, {name: web-canary, port: 80, "
                     "weight: 20}, {name: web-exp, port: 8080, weight: 10}]}"},
                    ", annotations: {rollouts.devflow.io/managed-backends: '[\"web-exp\"]'}"))},
      {"experiment over: the recorded Service is removed again",
       Decode(Route({"{matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: "
                     "[{name: web-stable, port: 80, weight: 70}, {name: web-canary, port: 80, "
                     "weight: 20}, {name: web-exp, port: 8080, weight: 10}]}"},
                    ", annotations: {rollouts.devflow.io/managed-backends: '[\"web-exp\"]'}")),
       Targets(20),
       kWeightsOnly,
       {},
       Decode(Route({Weighted(20, 80)}))},
      {"experiment: a Service the user listed is weighted but not recorded",
       Decode(Route({"{backendRefs: [{name: web-stable, port: 80}, {name: web-canary, port: 80}, "
                     "{name: web-exp, port: 9000}]}"})),
       experiment,
       kWeightsOnly,
       {},
       Decode(Route({"{backendRefs: [{name: web-stable, port: 80, weight: 70}, {name: web-canary, "
                     "port: 80, weight: 20}, {name: web-exp, port: 9000, weight: 10}]}"}))},
      {"header route: inserted first, W's path, canary backend only",
       Decode(Route({Weighted(0, 100)})),
       WithHeader(10, {Header("h", {.exact = "1"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({HeaderRule("h"), Weighted(10, 90)})), {{"h", {0}}})},
      {"header route: prefix becomes an anchored, escaped regex",
       Decode(Route({Weighted(0, 100)})),
       WithHeader(10, {Header("h", {.prefix = "v1.2"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({HeaderRule("h", "/api",
                                           "{type: RegularExpression, name: X-Canary, value: "
                                           "'^v1\\.2.*'}"),
                                Weighted(10, 90)})),
                  {{"h", {0}}})},
      {"header route: not on a route without useHeaderRoutes",
       Decode(Route({Weighted(0, 100)})),
       WithHeader(10, {Header("h", {.exact = "1"})}),
       kWeightsOnly,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"header route: without match it stands for removal",
       Decode(Route({Weighted(0, 100)})),
       empty_match,
       kHeaderRoutes,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"header route: a rule without matches gives one header-only match",
       Decode(Route({"{backendRefs: " + Refs(0, 100) + "}"})),
       WithHeader(10, {Header("h", {.regex = "a|b"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{name: h, matches: [{headers: [{type: RegularExpression, name: "
                                "X-Canary, value: 'a|b'}]}], backendRefs: [{name: web-canary, "
                                "port: 80}]}",
                                "{backendRefs: " + Refs(10, 90) + "}"})),
                  {{"h", {0}}})},
      {"header route: one rule per weighted rule, named h, h-1",
       Decode(Route({Weighted(0, 100), Weighted(0, 100, "/web")})),
       WithHeader(10, {Header("h", {.exact = "1"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({HeaderRule("h"), HeaderRule("h-1", "/web"), Weighted(10, 90),
                                Weighted(10, 90, "/web")})),
                  {{"h", {0, 1}}})},
      {"header route: W's method, headers and filters come along",
       Decode(Route({"{matches: [{path: {type: Exact, value: /x}, method: GET, headers: [{name: "
                     "X-App, value: v}]}], filters: [{type: URLRewrite, urlRewrite: {hostname: "
                     "h}}], backendRefs: " +
                     Refs(0, 100) + "}"})),
       WithHeader(10, {Header("h", {.exact = "1"})}),
       kHeaderRoutes,
       {},
       WithRecord(
           Decode(Route({"{name: h, matches: [{path: {type: Exact, value: /x}, method: GET, "
                         "headers: [{name: X-App, value: v}, {type: Exact, name: X-Canary, value: "
                         "'1'}]}], filters: [{type: URLRewrite, urlRewrite: {hostname: h}}], "
                         "backendRefs: [{name: web-canary, port: 80}]}",
                         "{matches: [{path: {type: Exact, value: /x}, method: GET, headers: "
                         "[{name: X-App, value: v}]}], filters: [{type: URLRewrite, urlRewrite: "
                         "{hostname: h}}], backendRefs: " +
                             Refs(10, 90) + "}"})),
           {{"h", {0}}})},
      {"header route: the canary backendRef is copied with its port and namespace",
       Decode(Route({"{backendRefs: [{name: web-stable, port: 80}, {name: web-canary, namespace: "
                     "default, port: 8080}]}"})),
       WithHeader(10, {Header("h", {.exact = "1"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{name: h, matches: [{headers: [{type: Exact, name: X-Canary, "
                                "value: '1'}]}], backendRefs: [{name: web-canary, namespace: "
                                "default, port: 8080}]}",
                                "{backendRefs: [{name: web-stable, port: 80, weight: 90}, {name: "
                                "web-canary, namespace: default, port: 8080, weight: 10}]}"})),
                  {{"h", {0}}})},
      {"header routes: ordered by managedRoutes, not by the steps",
       Decode(Route({Weighted(0, 100)})),
       ordered,
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({HeaderRule("a", "/api", header_a),
                                HeaderRule("b", "/api", header_b), Weighted(10, 90)})),
                  {{"a", {0}}, {"b", {1}}})},
      {"header route: a name that is no rule name leaves the rule unnamed",
       Decode(Route({Weighted(0, 100)})),
       WithHeader(10, {Header("Canary_Route", {.exact = "1"})}),
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{matches: [{path: {type: PathPrefix, value: /api}, headers: "
                                "[{type: Exact, name: X-Canary, value: '1'}]}], backendRefs: "
                                "[{name: web-canary, port: 80}]}",
                                Weighted(10, 90)})),
                  {{"Canary_Route", {0}}})},
      {"mirror route: match within W, mirror filter with percent, W's weighted backends",
       Decode(Route({Weighted(0, 100)})),
       mirror50,
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{name: m, " + mirror_matches +
                                    ", filters: [{type: RequestMirror, requestMirror: "
                                    "{backendRef: {name: web-canary, port: 80}, percent: 50}}], "
                                    "backendRefs: " +
                                    Refs(10, 90) + "}",
                                Weighted(10, 90)})),
                  {{"m", {0}}})},
      {"mirror route: 100 percent is the default and not written",
       Decode(Route({Weighted(0, 100)})),
       mirror100,
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{name: m, " + mirror_matches +
                                    ", filters: [{type: RequestMirror, requestMirror: "
                                    "{backendRef: {name: web-canary, port: 80}}}], "
                                    "backendRefs: " +
                                    Refs(10, 90) + "}",
                                Weighted(10, 90)})),
                  {{"m", {0}}})},
      {"mirror and header routes together, in managedRoutes order",
       Decode(Route({Weighted(0, 100)})),
       both_kinds,
       kHeaderRoutes,
       {},
       WithRecord(Decode(Route({"{name: m, " + mirror_matches +
                                    ", filters: [{type: RequestMirror, requestMirror: "
                                    "{backendRef: {name: web-canary, port: 80}}}], "
                                    "backendRefs: " +
                                    Refs(10, 90) + "}",
                                HeaderRule("h"), Weighted(10, 90)})),
                  {{"h", {1}}, {"m", {0}}})},
      {"removal: a recorded rule goes, with its record",
       WithRecord(Decode(Route({HeaderRule("h"), Weighted(10, 90)})), {{"h", {0}}}),
       remove_all,
       kHeaderRoutes,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"removal: a recorded rule goes even when managedRoutes no longer names it",
       WithRecord(Decode(Route({HeaderRule("old"), Weighted(10, 90)})), {{"old", {0}}}),
       Targets(10),
       kHeaderRoutes,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"removal: the record lost, the rule is known by its name",
       Decode(Route({HeaderRule("h"), HeaderRule("h-1", "/web"), Weighted(10, 90)})),
       remove_all,
       kHeaderRoutes,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"removal: the name pruned, the rule is known by its recorded fingerprint",
       WithRecord(Decode(Route({"{matches: [{path: {type: PathPrefix, value: /api}, headers: "
                                "[{type: Exact, name: X-Canary, value: '1'}]}], backendRefs: "
                                "[{name: web-stable, port: 80, weight: 1}]}",
                                Weighted(10, 90)})),
                  {{"gone", {0}}}),
       Targets(10),
       kWeightsOnly,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"removal: a header rule of the plugin before it named rules",
       Decode(Route({"{matches: [{headers: [{name: X-Canary, value: '1'}]}], backendRefs: "
                     "[{name: web-canary, port: 80}]}",
                     Weighted(10, 90)})),
       remove_all,
       kHeaderRoutes,
       {},
       Decode(Route({Weighted(10, 90)}))},
      {"kept: the user's canary-only rule without header conditions",
       Decode(Route({"{matches: [{path: {value: /preview}}], backendRefs: [{name: web-canary, "
                     "port: 80}]}",
                     Weighted(10, 90)})),
       remove_all,
       kHeaderRoutes,
       {},
       Decode(Route({"{matches: [{path: {value: /preview}}], backendRefs: [{name: web-canary, "
                     "port: 80}]}",
                     Weighted(10, 90)}))},
      {"kept: the user's named rule that is no managed route",
       Decode(Route({"{name: hh, backendRefs: [{name: web-canary, port: 80}]}", Weighted(10, 90)})),
       remove_all,
       kHeaderRoutes,
       {},
       Decode(
           Route({"{name: hh, backendRefs: [{name: web-canary, port: 80}]}", Weighted(10, 90)}))},
      {"label: set while the canary has weight",
       Decode(Route({Weighted(0, 100)})),
       Targets(10),
       labelled,
       {},
       Decode(Route({Weighted(10, 90)}, label))},
      {"label: removed at weight 0",
       Decode(Route({Weighted(10, 90)}, label)),
       Targets(0),
       labelled,
       {},
       Decode(Route({Weighted(0, 100)}))},
  };
}

TEST(DesiredHttpRouteTest, GivenARouteAndTargetsWhenComputedThenTheRouteIsAsDesigned) {
  for (const Row& row : Rows()) {
    Result<api::HTTPRoute> got = DesiredHttpRoute(row.current, row.targets, row.options, row.ports);
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    // What the API server would accept: the embedded server runs the same validation.
    for (const api::FieldError& error : api::Validate(*got)) {
      ADD_FAILURE() << row.name << ": invalid route: " << api::ToString(error);
    }
    EXPECT_EQ(*got, row.want) << row.name << "\ngot:\n"
                              << json::WritePretty(api::Encode(*got)) << "\nwant:\n"
                              << json::WritePretty(api::Encode(row.want));
  }
}

TEST(DesiredHttpRouteTest, GivenTheDesiredRouteWhenComputedAgainThenNothingChanges) {
  for (const Row& row : Rows()) {
    Result<api::HTTPRoute> once =
        DesiredHttpRoute(row.current, row.targets, row.options, row.ports);
    ASSERT_TRUE(once.ok()) << row.name << ": " << once.status();
    Result<api::HTTPRoute> twice = DesiredHttpRoute(*once, row.targets, row.options, row.ports);
    ASSERT_TRUE(twice.ok()) << row.name << ": " << twice.status();
    EXPECT_EQ(*twice, *once) << row.name << "\nsecond:\n" << json::WritePretty(api::Encode(*twice));
  }
}

// What kube-apiserver does to a Gateway API route on write: schema defaults filled in, and, with
// CRDs older than rule names, the names pruned.
api::HTTPRoute AsServerStoresIt(api::HTTPRoute route, bool prune_names) {
  for (api::HTTPRouteRule& rule : route.spec.rules) {
    std::optional<std::string> name = rule.name;
    rule = NormalizedRule(rule);
    if (!prune_names) rule.name = name;
  }
  return route;
}

TEST(DesiredHttpRouteTest, GivenTheServerDefaultedOrPrunedTheRouteWhenReconciledThenItIsKept) {
  for (bool prune_names : {false, true}) {
    for (const Row& row : Rows()) {
      Result<api::HTTPRoute> once =
          DesiredHttpRoute(row.current, row.targets, row.options, row.ports);
      ASSERT_TRUE(once.ok()) << row.name << ": " << once.status();
      api::HTTPRoute stored = AsServerStoresIt(*once, prune_names);
      Result<api::HTTPRoute> again = DesiredHttpRoute(stored, row.targets, row.options, row.ports);
      ASSERT_TRUE(again.ok()) << row.name << ": " << again.status();
      EXPECT_EQ(*again, stored) << row.name << (prune_names ? " (names pruned)" : "")
                                << "\nagain:\n"
                                << json::WritePretty(api::Encode(*again));
    }
  }
}

TEST(DesiredHttpRouteTest, GivenHeaderRoutesThenRemovedWhenTheServerPrunedNamesThenNoneRemain) {
  api::HTTPRoute route = Decode(Route({Weighted(0, 100), Weighted(0, 100, "/web")}));
  TrafficTargets with = WithHeader(10, {Header("h", {.exact = "1"})});
  with.mirror_routes = {Mirror("m", 20)};
  with.managed_routes.push_back("m");
  Result<api::HTTPRoute> added = DesiredHttpRoute(route, with, kHeaderRoutes, {});
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->spec.rules.size(), 6u);
  api::HTTPRoute stored = AsServerStoresIt(*added, /*prune_names=*/true);
  TrafficTargets without = Targets(10);
  without.managed_routes = {"h", "m"};
  Result<api::HTTPRoute> removed = DesiredHttpRoute(stored, without, kHeaderRoutes, {});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed,
            AsServerStoresIt(Decode(Route({Weighted(10, 90), Weighted(10, 90, "/web")})), true));
}

TEST(DesiredHttpRouteTest, GivenARouteThatCannotCarryTheTargetsThenInvalidArgumentNamesIt) {
  struct ErrorRow {
    std::string name;
    api::HTTPRoute current;
    TrafficTargets targets;
    std::string want_path;
    std::string want_in_message;
  };
  std::vector<std::string> many;
  for (int i = 0; i < 9; ++i) many.push_back(Weighted(0, 100, "/p" + std::to_string(i)));
  TrafficTargets bad_mirror = Targets(10);
  api::SetMirrorRoute mirror = Mirror("m", std::nullopt);
  mirror.match[0].method = api::RolloutStringMatch{.regex = "G.*"};
  bad_mirror.mirror_routes = {mirror};
  const std::vector<ErrorRow> rows = {
      {"no rule with both Services",
       Decode(Route({"{backendRefs: [{name: web-stable, port: 80}]}"})), Targets(10), "spec.rules",
       "HTTPRoute default/web: no rule has backendRefs to both"},
      {"managed rules past the limit of 16", Decode(Route(many)),
       WithHeader(10, {Header("h", {.exact = "1"})}), "spec.rules", "would have 18 rules"},
      {"a header match without value", Decode(Route({Weighted(0, 100)})),
       WithHeader(10, {Header("h", {})}), "", "setHeaderRoute \"h\" match[0]"},
      {"a mirror method as a regex", Decode(Route({Weighted(0, 100)})), bad_mirror, "",
       "methods exactly"},
  };
  for (const ErrorRow& row : rows) {
    Result<api::HTTPRoute> got = DesiredHttpRoute(row.current, row.targets, kHeaderRoutes, {});
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.want_path) << row.name;
    EXPECT_NE(got.error().message().find(row.want_in_message), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(HeaderMatchesTest, GivenHeaderValuesThenEachBecomesTheGatewayApiMatch) {
  struct HeaderRow {
    std::string name;
    api::RolloutStringMatch value;
    api::HTTPHeaderMatch want;
  };
  const std::vector<HeaderRow> rows = {
      {"exact", {.exact = "a.b"}, {.type = "Exact", .name = "X", .value = "a.b"}},
      {"regex as written",
       {.regex = "^a.b$"},
       {.type = "RegularExpression", .name = "X", .value = "^a.b$"}},
      {"prefix anchored and escaped",
       {.prefix = "a.b"},
       {.type = "RegularExpression", .name = "X", .value = "^a\\.b.*"}},
      {"exact wins over prefix and regex",
       {.exact = "e", .prefix = "p", .regex = "r"},
       {.type = "Exact", .name = "X", .value = "e"}},
  };
  for (const HeaderRow& row : rows) {
    Result<std::vector<api::HTTPHeaderMatch>> got = HeaderMatches(Header("h", row.value, "X"));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, std::vector<api::HTTPHeaderMatch>{row.want}) << row.name;
  }
}

TEST(MirrorMatchesTest, GivenMirrorMatchesThenPathMethodAndHeadersConvert) {
  api::MirrorRouteMatch all;
  all.method = api::RolloutStringMatch{.exact = "POST"};
  all.path = api::RolloutStringMatch{.prefix = "/v2"};
  all.headers["b"] = {.exact = "2"};
  all.headers["a"] = {.regex = "x+"};
  api::MirrorRouteMatch exact_path;
  exact_path.path = api::RolloutStringMatch{.exact = "/only"};
  api::MirrorRouteMatch regex_path;
  regex_path.path = api::RolloutStringMatch{.regex = "/v[0-9]"};
  Result<std::vector<api::HTTPRouteMatch>> got =
      MirrorMatches({.name = "m", .match = {all, exact_path, regex_path}});
  ASSERT_TRUE(got.ok()) << got.status();
  std::vector<api::HTTPRouteMatch> want(3);
  want[0].method = "POST";
  want[0].path = api::HTTPPathMatch{.type = "PathPrefix", .value = "/v2"};
  want[0].headers = {{.type = "RegularExpression", .name = "a", .value = "x+"},
                     {.type = "Exact", .name = "b", .value = "2"}};
  want[1].path = api::HTTPPathMatch{.type = "Exact", .value = "/only"};
  want[2].path = api::HTTPPathMatch{.type = "RegularExpression", .value = "/v[0-9]"};
  EXPECT_EQ(*got, want);
}

TEST(MirrorMatchesTest, GivenWhatGatewayApiCannotMatchThenInvalidArgumentNamesTheMatch) {
  struct BadRow {
    std::string name;
    api::MirrorRouteMatch match;
    std::string want_in_message;
  };
  api::MirrorRouteMatch unknown_method;
  unknown_method.method = api::RolloutStringMatch{.exact = "get"};
  api::MirrorRouteMatch prefix_method;
  prefix_method.method = api::RolloutStringMatch{.prefix = "G"};
  api::MirrorRouteMatch empty_path;
  empty_path.path = api::RolloutStringMatch{};
  api::MirrorRouteMatch empty_header;
  empty_header.headers["X"] = {};
  const std::vector<BadRow> rows = {
      {"a method Gateway API does not know", unknown_method, "match[0].method: \"get\""},
      {"a method prefix", prefix_method, "match[0].method"},
      {"a path without value", empty_path, "match[0].path"},
      {"a header without value", empty_header, "match[0].headers: header \"X\""},
  };
  for (const BadRow& row : rows) {
    Result<std::vector<api::HTTPRouteMatch>> got =
        MirrorMatches({.name = "m", .match = {row.match}});
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_NE(got.error().message().find(row.want_in_message), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(PrefixRegexTest, GivenPrefixesThenMetacharactersAreEscaped) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"abc", "^abc.*"},
      {"a.b", "^a\\.b.*"},
      {"\\.+*?()|[]{}^$", "^\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$.*"},
      {"a-b_c/d", "^a-b_c/d.*"},
  };
  for (const auto& [prefix, want] : rows) EXPECT_EQ(PrefixRegex(prefix), want) << prefix;
}

TEST(RuleFingerprintTest, GivenRulesThenDefaultsAndNamesDoNotCountButContentDoes) {
  api::HTTPRouteRule rule = Decode(Route({HeaderRule("h")})).spec.rules[0];
  const std::string base = RuleFingerprint(rule);
  EXPECT_EQ(base.size(), 16u);
  struct FpRow {
    std::string name;
    std::string rule;
    bool same;
  };
  const std::vector<FpRow> rows = {
      {"another name", HeaderRule("other"), true},
      {"no name",
       "{matches: [{path: {type: PathPrefix, value: /api}, headers: [{type: Exact, "
       "name: X-Canary, value: '1'}]}], backendRefs: [{name: web-canary, port: 80}]}",
       true},
      {"defaults written out",
       "{name: h, matches: [{path: {type: PathPrefix, value: /api}, headers: [{type: Exact, name: "
       "X-Canary, value: '1'}]}], backendRefs: [{group: '', kind: Service, name: web-canary, "
       "port: 80, weight: 1}]}",
       true},
      {"header type left to its default", HeaderRule("h", "/api", "{name: X-Canary, value: '1'}"),
       true},
      {"another path", HeaderRule("h", "/web"), false},
      {"another header value", HeaderRule("h", "/api", "{type: Exact, name: X-Canary, value: '2'}"),
       false},
  };
  for (const FpRow& row : rows) {
    api::HTTPRouteRule other = Decode(Route({row.rule})).spec.rules[0];
    EXPECT_EQ(RuleFingerprint(other) == base, row.same) << row.name;
  }
  api::HTTPRouteRule no_matches;
  api::HTTPRouteRule match_all;
  match_all.matches.push_back(
      api::HTTPRouteMatch{.path = api::HTTPPathMatch{.type = "PathPrefix", .value = "/"}});
  EXPECT_EQ(RuleFingerprint(no_matches), RuleFingerprint(match_all));
}

TEST(IsManagedRuleNameTest, GivenRuleNamesThenOnlyTheRouteNameAndItsNumberedSiblingsMatch) {
  const std::vector<std::string> routes = {"canary", "h"};
  const std::vector<std::pair<std::string, bool>> rows = {
      {"canary", true},   {"canary-1", true},  {"canary-12", true},
      {"canary-", false}, {"canary-x", false}, {"canary1", false},
      {"h-2", true},      {"hh", false},       {"web", false},
  };
  for (const auto& [name, want] : rows) {
    EXPECT_EQ(IsManagedRuleName(name, routes), want) << name;
  }
}

TEST(ParseManagedRoutesTest, GivenAnnotationsThenTheRecordOrNothing) {
  const std::string key(kManagedRoutesAnnotation);
  using Record = std::map<std::string, std::vector<std::string>>;
  const std::vector<std::pair<std::string, Record>> rows = {
      {R"({"h":["0123456789abcdef"],"m":[]})", {{"h", {"0123456789abcdef"}}, {"m", {}}}},
      {"not json", {}},
      {R"(["h"])", {}},
      {R"({"h":"0123"})", {}},
      {R"({"h":[1]})", {}},
  };
  for (const auto& [value, want] : rows) {
    EXPECT_EQ(ParseManagedRoutes({{key, value}}), want) << value;
  }
  EXPECT_EQ(ParseManagedRoutes({}), Record{});
}

}  // namespace
}  // namespace devflow::traffic::gateway_api
