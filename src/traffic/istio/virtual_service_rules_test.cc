#include "traffic/istio/virtual_service_rules.h"

#include <gtest/gtest.h>

#include <functional>

#include "traffic/istio/istio_testing.h"

namespace devflow::traffic::istio {
namespace {

using testing::Pretty;
using testing::Targets;
using testing::Vs;

const std::string kRef = "spec.strategy.canary.trafficRouting.istio.virtualService";

TEST(ResolveVirtualServiceNameTest, GivenAReferenceWhenResolvingThenNamespaceIsTheLastSegment) {
  struct Row {
    std::string ref;
    ObjectName want;
  };
  const std::vector<Row> rows = {
      {"vs", {"rollout-ns", "vs"}},
      {"vs.prod", {"prod", "vs"}},
      {"vs.prod.svc.cluster.local", {"prod", "vs"}},
      {"vs.prod.cluster.local", {"prod", "vs"}},
      {"api.v2.prod", {"prod", "api.v2"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ResolveVirtualServiceName(row.ref, "rollout-ns"), row.want) << row.ref;
  }
}

// A row: the VirtualService before, the reference, edits to the standard targets, and either
// the VirtualService after or the error (its field path and a part of its message).
struct Row {
  std::string name;
  std::string current;
  api::IstioVirtualServiceRef ref;
  std::function<void(TrafficTargets&)> edit = [](TrafficTargets&) {};
  std::string want;
  std::string want_error_path;
  std::string want_error_text;
  const api::IstioDestinationRuleRef* rule = nullptr;
  std::string ref_path = kRef;
};

void Check(const Row& row) {
  TrafficTargets targets = Targets();
  row.edit(targets);
  Result<api::VirtualService> got = DesiredVirtualService(Vs(row.current), row.ref, row.ref_path,
                                                          RolesFor(targets, row.rule), targets);
  if (!row.want_error_path.empty()) {
    ASSERT_FALSE(got.ok()) << row.name << ": want an error, got\n" << Pretty(*got);
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_EQ(got.error().field_path(), row.want_error_path) << row.name;
    EXPECT_NE(got.error().message().find(row.want_error_text), std::string::npos)
        << row.name << ": " << got.error();
    return;
  }
  ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
  api::VirtualService want = Vs(row.want);
  EXPECT_EQ(*got, want) << row.name << "\n got: " << Pretty(*got) << "\nwant: " << Pretty(want);
}

const char* kTwoRoutes = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 100
  - destination: {host: web-canary, port: {number: 80}}
    weight: 0
- name: admin
  route:
  - destination: {host: admin}
)";

TEST(DesiredVirtualServiceTest, GivenHttpRoutesWhenSplittingThenThePickedRoutesAreWeighted) {
  const std::vector<Row> rows = {
      {.name = "given a named route, when the canary is at 30, then only that route changes",
       .current = kTwoRoutes,
       .ref = {.name = "vs", .routes = {"primary"}},
       .want = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 70
  - destination: {host: web-canary, port: {number: 80}}
    weight: 30
- name: admin
  route:
  - destination: {host: admin}
)"},
      {.name = "given no route names and one http route, when splitting, then that route is "
               "weighted",
       .current = R"(hosts: [web]
http:
- route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
)",
       .ref = {.name = "vs"},
       .want = R"(hosts: [web]
http:
- route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)"},
      {.name = "given no route names and one user route beside a stale managed route, when "
               "splitting, then the user route is weighted and the managed one removed",
       .current = R"(hosts: [web]
http:
- name: canary-header
  match: [{headers: {x-canary: {exact: "yes"}}}]
  route: [{destination: {host: web-canary}, weight: 100}]
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
)",
       .ref = {.name = "vs"},
       .edit = [](TrafficTargets& t) { t.managed_routes = {"canary-header"}; },
       .want = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)"},
      {.name = "given no route names and two http routes, when splitting, then the routes field "
               "is named",
       .current = kTwoRoutes,
       .ref = {.name = "vs"},
       .want_error_path = kRef + ".routes",
       .want_error_text = "has 2 http routes"},
      {.name = "given a route name the VirtualService lacks, when splitting, then that entry is "
               "named",
       .current = kTwoRoutes,
       .ref = {.name = "vs", .routes = {"primary", "secondary"}},
       .want_error_path = kRef + ".routes[1]",
       .want_error_text = "VirtualService default/vs has no http route named \"secondary\""},
      {.name = "given a named route without the canary, when splitting, then the route and the "
               "canary Service are named",
       .current = kTwoRoutes,
       .ref = {.name = "vs", .routes = {"primary", "admin"}},
       .want_error_path = kRef + ".routes[1]",
       .want_error_text = "http[1] (\"admin\") has no destination for the canary Service "
                          "\"web-canary\""},
      {.name = "given a named route that is also a managed route, when splitting, then the "
               "clash is reported",
       .current = kTwoRoutes,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit = [](TrafficTargets& t) { t.managed_routes = {"primary"}; },
       .want_error_path = kRef + ".routes[0]",
       .want_error_text = "also a managed route"},
      {.name = "given the second of several references, when a route is missing, then the "
               "error names virtualServices[1]",
       .current = kTwoRoutes,
       .ref = {.name = "vs", .routes = {"missing"}},
       .want_error_path = "spec.strategy.canary.trafficRouting.istio.virtualServices[1].routes[0]",
       .want_error_text = "no http route named \"missing\"",
       .ref_path = "spec.strategy.canary.trafficRouting.istio.virtualServices[1]"},
      {.name = "given a VirtualService without http routes, when splitting with no route names, "
               "then nothing changes",
       .current = "hosts: [web]\n",
       .ref = {.name = "vs"},
       .want = "hosts: [web]\n"},
  };
  for (const Row& row : rows) Check(row);
}

const char* kTlsAndTcp = R"(hosts: [web]
tls:
- match: [{port: 443, sniHosts: [a.example.com, b.example.com]}]
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
- match: [{port: 443, sniHosts: [c.example.com]}]
  route:
  - destination: {host: other}
tcp:
- match: [{port: 5432}]
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
- match: [{port: 6379}]
  route:
  - destination: {host: cache}
)";

TEST(DesiredVirtualServiceTest, GivenTlsAndTcpRoutesWhenSplittingThenPortAndSniPickThem) {
  const std::vector<Row> rows = {
      {.name = "given tls and tcp references, when splitting, then the matching routes are "
               "weighted and the others kept",
       .current = kTlsAndTcp,
       .ref = {.name = "vs",
               .tls_routes = {{.port = 443, .sni_hosts = {"b.example.com", "a.example.com"}}},
               .tcp_routes = {{.port = 5432}}},
       .want = R"(hosts: [web]
tls:
- match: [{port: 443, sniHosts: [a.example.com, b.example.com]}]
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
- match: [{port: 443, sniHosts: [c.example.com]}]
  route:
  - destination: {host: other}
tcp:
- match: [{port: 5432}]
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
- match: [{port: 6379}]
  route:
  - destination: {host: cache}
)"},
      {.name = "given sniHosts that are only a subset of a route's, when splitting, then no "
               "route matches and the entry is named",
       .current = kTlsAndTcp,
       .ref = {.name = "vs",
               .tls_routes = {{.port = 443, .sni_hosts = {"a.example.com"}}},
               .tcp_routes = {{.port = 5432}}},
       .want_error_path = kRef + ".tlsRoutes[0]",
       .want_error_text = "no tls route matching port 443"},
      {.name = "given a tcp port no route has, when splitting, then the entry is named",
       .current = kTlsAndTcp,
       .ref = {.name = "vs",
               .tls_routes = {{.port = 443, .sni_hosts = {"a.example.com", "b.example.com"}}},
               .tcp_routes = {{.port = 80}}},
       .want_error_path = kRef + ".tcpRoutes[0]",
       .want_error_text = "no tcp route matching port 80"},
      {.name = "given two tls routes and no tlsRoutes, when splitting, then the choice is "
               "ambiguous",
       .current = kTlsAndTcp,
       .ref = {.name = "vs", .tcp_routes = {{.port = 5432}}},
       .want_error_path = kRef + ".tlsRoutes",
       .want_error_text = "must pick the tls routes"},
      {.name = "given a matched tcp route without the canary, when splitting, then the route is "
               "named",
       .current = kTlsAndTcp,
       .ref = {.name = "vs",
               .tls_routes = {{.port = 443, .sni_hosts = {"a.example.com", "b.example.com"}}},
               .tcp_routes = {{.port = 6379}}},
       .want_error_path = kRef + ".tcpRoutes[0]",
       .want_error_text = "tcp[1] has no destination for the canary Service"},
  };
  for (const Row& row : rows) Check(row);
}

const char* kPrimary = R"(hosts: [web]
http:
- name: user-route
  match: [{uri: {prefix: /admin}}]
  route:
  - destination: {host: admin}
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 100
  - destination: {host: web-canary, port: {number: 80}}
)";

api::SetHeaderRoute Header(std::string name, std::string header, api::RolloutStringMatch value) {
  return {.name = std::move(name),
          .match = {{.header_name = std::move(header), .header_value = std::move(value)}}};
}

TEST(DesiredVirtualServiceTest, GivenHeaderRoutesWhenSplittingThenTheyGoOnTopInManagedOrder) {
  const std::vector<Row> rows = {
      {.name = "given a header route in force, when splitting, then a route to the canary "
               "destination (port copied, weight 100) is put on top, the header lower-cased",
       .current = kPrimary,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"header"};
             t.header_routes = {Header("header", "X-Canary", {.exact = "yes"})};
           },
       .want = R"(hosts: [web]
http:
- name: header
  match: [{headers: {x-canary: {exact: "yes"}}}]
  route:
  - destination: {host: web-canary, port: {number: 80}}
    weight: 100
- name: user-route
  match: [{uri: {prefix: /admin}}]
  route:
  - destination: {host: admin}
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 70
  - destination: {host: web-canary, port: {number: 80}}
    weight: 30
)"},
      {.name = "given two header routes listed out of order, when splitting, then they follow "
               "managedRoutes order and each match entry keeps its kind",
       .current = kPrimary,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"first", "second"};
             t.header_routes = {
                 Header("second", "x-b", {.regex = "b.*"}),
                 {.name = "first",
                  .match = {{.header_name = "x-a", .header_value = {{.prefix = "a"}}},
                            {.header_name = "x-c", .header_value = {{.exact = "c"}}}}}};
           },
       .want = R"(hosts: [web]
http:
- name: first
  match: [{headers: {x-a: {prefix: a}}}, {headers: {x-c: {exact: c}}}]
  route:
  - destination: {host: web-canary, port: {number: 80}}
    weight: 100
- name: second
  match: [{headers: {x-b: {regex: b.*}}}]
  route:
  - destination: {host: web-canary, port: {number: 80}}
    weight: 100
- name: user-route
  match: [{uri: {prefix: /admin}}]
  route:
  - destination: {host: admin}
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 70
  - destination: {host: web-canary, port: {number: 80}}
    weight: 30
)"},
      {.name = "given an outdated header route in the object, when the step changes its match, "
               "then the route is replaced",
       .current = R"(hosts: [web]
http:
- name: header
  match: [{headers: {x-old: {exact: "1"}}}]
  route: [{destination: {host: web-canary}, weight: 100}]
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
)",
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"header"};
             t.header_routes = {Header("header", "x-new", {.exact = "2"})};
           },
       .want = R"(hosts: [web]
http:
- name: header
  match: [{headers: {x-new: {exact: "2"}}}]
  route: [{destination: {host: web-canary}, weight: 100}]
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)"},
      {.name = "given managed routes in the object and none in force, when splitting, then "
               "they are removed and user routes stay",
       .current = R"(hosts: [web]
http:
- name: header
  match: [{headers: {x-old: {exact: "1"}}}]
  route: [{destination: {host: web-canary}, weight: 100}]
- name: mirror
  route: [{destination: {host: web-stable}, weight: 100}]
  mirror: {host: web-canary}
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)",
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"header", "mirror"};
             t.header_routes = {{.name = "header"}};  // no match: removes the route
           },
       .want = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web-stable}
    weight: 70
  - destination: {host: web-canary}
    weight: 30
)"},
      {.name = "given a header route not in managedRoutes, when splitting, then managedRoutes "
               "is named",
       .current = kPrimary,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit = [](TrafficTargets& t) { t.header_routes = {Header("header", "x", {.exact = "1"})}; },
       .want_error_path = "spec.strategy.canary.trafficRouting.managedRoutes",
       .want_error_text = "no route named \"header\""},
      {.name = "given a header and a mirror route of one name, when splitting, then the clash "
               "is reported",
       .current = kPrimary,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"both"};
             t.header_routes = {Header("both", "x", {.exact = "1"})};
             t.mirror_routes = {{.name = "both", .match = {{.path = {{.prefix = "/"}}}}}};
           },
       .want_error_path = "spec.strategy.canary.trafficRouting.managedRoutes",
       .want_error_text = "both setHeaderRoute and setMirrorRoute"},
      {.name = "given a header route and only tcp routes, when splitting, then there is no "
               "canary destination to copy",
       .current = R"(hosts: [web]
tcp:
- match: [{port: 5432}]
  route:
  - destination: {host: web-stable}
    weight: 100
  - destination: {host: web-canary}
)",
       .ref = {.name = "vs", .tcp_routes = {{.port = 5432}}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"header"};
             t.header_routes = {Header("header", "x", {.exact = "1"})};
           },
       .want_error_path = kRef + ".routes",
       .want_error_text = "no http route to copy the canary destination from"},
  };
  for (const Row& row : rows) Check(row);
}

const api::IstioDestinationRuleRef kRule{
    .name = "dr", .canary_subset_name = "canary", .stable_subset_name = "stable"};

TEST(DesiredVirtualServiceTest, GivenMirrorRoutesWhenSplittingThenTrafficIsMirroredToTheCanary) {
  const std::vector<Row> rows = {
      {.name = "given a mirror route without percentage, when splitting, then it routes with "
               "the new weights, mirrors to the canary and mirrors 100 percent",
       .current = kPrimary,
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"mirror"};
             t.mirror_routes = {{.name = "mirror",
                                 .match = {{.method = {{.exact = "GET"}},
                                            .path = {{.prefix = "/api"}},
                                            .headers = {{"X-User", {.regex = "test-.*"}}}}}}};
           },
       .want = R"(hosts: [web]
http:
- name: mirror
  match: [{method: {exact: GET}, uri: {prefix: /api}, headers: {x-user: {regex: test-.*}}}]
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 70
  - destination: {host: web-canary, port: {number: 80}}
    weight: 30
  mirror: {host: web-canary, port: {number: 80}}
  mirrorPercentage: {value: 100.0}
- name: user-route
  match: [{uri: {prefix: /admin}}]
  route:
  - destination: {host: admin}
- name: primary
  route:
  - destination: {host: web-stable, port: {number: 80}}
    weight: 70
  - destination: {host: web-canary, port: {number: 80}}
    weight: 30
)"},
      {.name = "given a subset split with a mirror at 25 percent and a header route, when "
               "splitting, then both use the canary subset and follow managedRoutes order",
       .current = R"(hosts: [web]
http:
- name: primary
  route:
  - destination: {host: web, subset: stable}
    weight: 100
  - destination: {host: web, subset: canary}
)",
       .ref = {.name = "vs", .routes = {"primary"}},
       .edit =
           [](TrafficTargets& t) {
             t.managed_routes = {"mirror", "header"};
             t.header_routes = {Header("header", "x", {.exact = "1"})};
             t.mirror_routes = {
                 {.name = "mirror", .match = {{.path = {{.exact = "/"}}}}, .percentage = 25}};
           },
       .want = R"(hosts: [web]
http:
- name: mirror
  match: [{uri: {exact: /}}]
  route:
  - destination: {host: web, subset: stable}
    weight: 70
  - destination: {host: web, subset: canary}
    weight: 30
  mirror: {host: web, subset: canary}
  mirrorPercentage: {value: 25.0}
- name: header
  match: [{headers: {x: {exact: "1"}}}]
  route:
  - destination: {host: web, subset: canary}
    weight: 100
- name: primary
  route:
  - destination: {host: web, subset: stable}
    weight: 70
  - destination: {host: web, subset: canary}
    weight: 30
)",
       .rule = &kRule},
  };
  for (const Row& row : rows) Check(row);
}

}  // namespace
}  // namespace devflow::traffic::istio
