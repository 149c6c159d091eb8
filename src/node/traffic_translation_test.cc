// Table tests of traffic_translation.h: endpoints, Service listeners and port conflicts,
// hostname intersection, route attachment, rule precedence, backendRefs, Gateway listeners,
// the manager's problems, and the statuses written back.
#include "node/traffic_translation.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "node/host_ports.h"

namespace devflow::node {
namespace {

using std::chrono::seconds;

api::Time At(int second) { return api::Time{api::TimePoint(seconds(1'800'000'000 + second))}; }

api::ObjectMeta Meta(std::string ns, std::string name, int created = 0) {
  api::ObjectMeta meta;
  meta.namespace_ = std::move(ns);
  meta.name = std::move(name);
  meta.creation_timestamp = At(created);
  meta.generation = 1;
  return meta;
}

api::ServicePort Port(int32_t port, api::IntOrString target = 0, std::string protocol = "") {
  api::ServicePort out;
  out.port = port;
  out.target_port = std::move(target);
  out.protocol = std::move(protocol);
  return out;
}

api::Service Svc(std::string name, std::string cluster_ip, std::vector<api::ServicePort> ports,
                 std::string type = "", int created = 0, std::string ns = "prod") {
  api::Service service;
  service.metadata = Meta(std::move(ns), std::move(name), created);
  service.spec.type = std::move(type);
  service.spec.cluster_ip = std::move(cluster_ip);
  service.spec.ports = std::move(ports);
  service.spec.selector = {{"app", "web"}};
  return service;
}

// A ready pod of app=web whose container port 8080 ("http") has host port `host_port`.
api::Pod ReadyPod(std::string name, int32_t host_port, std::string ns = "prod") {
  api::Pod pod;
  pod.metadata = Meta(std::move(ns), std::move(name));
  pod.metadata.labels = {{"app", "web"}, {"rollouts-pod-template-hash", "abc"}};
  pod.metadata.annotations[std::string(kHostPortsAnnotation)] =
      FormatHostPorts({{8080, host_port}, {9090, host_port + 1}});
  api::Container container;
  container.name = "web";
  api::ContainerPort http;
  http.name = "http";
  http.container_port = 8080;
  api::ContainerPort metrics;
  metrics.name = "metrics";
  metrics.container_port = 9090;
  container.ports = {http, metrics};
  pod.spec.containers = {container};
  pod.status.phase = "Running";
  api::PodCondition ready;
  ready.type = "Ready";
  ready.status = "True";
  pod.status.conditions = {ready};
  return pod;
}

ProxyEndpoint Ep(std::string name, int32_t port, std::string revision = "abc",
                 bool serving = true) {
  return ProxyEndpoint{.name = std::move(name),
                       .address = "127.0.0.1",
                       .port = port,
                       .revision = std::move(revision),
                       .serving = serving};
}

TEST(ServiceEndpointsTest, FollowReadinessSelectorAndPorts) {
  struct Row {
    std::string name;
    std::function<void(api::Service&, api::Pod&)> change;
    std::vector<ProxyEndpoint> want;
  };
  const std::vector<Row> rows = {
      {"ready pod, targetPort unset means port", [](auto&, auto&) {}, {Ep("p", 41000)}},
      {"targetPort by number",
       [](auto& s, auto&) { s.spec.ports[0].target_port = 9090; },
       {Ep("p", 41001)}},
      {"targetPort by name",
       [](auto& s, auto&) { s.spec.ports[0].target_port = "metrics"; },
       {Ep("p", 41001)}},
      {"targetPort name unknown", [](auto& s, auto&) { s.spec.ports[0].target_port = "grpc"; }, {}},
      {"targetPort number without host port",
       [](auto& s, auto&) { s.spec.ports[0].target_port = 7070; },
       {}},
      {"not ready", [](auto&, auto& p) { p.status.conditions[0].status = "False"; }, {}},
      {"not ready but publishNotReadyAddresses",
       [](auto& s, auto& p) {
         p.status.conditions[0].status = "False";
         s.spec.publish_not_ready_addresses = true;
       },
       {Ep("p", 41000)}},
      {"terminating and ready: drained",
       [](auto&, auto& p) { p.metadata.deletion_timestamp = At(5); },
       {Ep("p", 41000, "abc", false)}},
      {"terminating and not ready",
       [](auto&, auto& p) {
         p.metadata.deletion_timestamp = At(5);
         p.status.conditions[0].status = "False";
       },
       {}},
      {"succeeded", [](auto&, auto& p) { p.status.phase = "Succeeded"; }, {}},
      {"other namespace", [](auto&, auto& p) { p.metadata.namespace_ = "dev"; }, {}},
      {"selector does not match", [](auto& s, auto&) { s.spec.selector["tier"] = "db"; }, {}},
      {"no selector: no endpoints", [](auto& s, auto&) { s.spec.selector.clear(); }, {}},
      {"no host ports recorded yet", [](auto&, auto& p) { p.metadata.annotations.clear(); }, {}},
      {"malformed host ports",
       [](auto&, auto& p) { p.metadata.annotations[std::string(kHostPortsAnnotation)] = "x"; },
       {}},
      {"podIP used when set",
       [](auto&, auto& p) { p.status.pod_ip = "127.0.0.9"; },
       {ProxyEndpoint{.name = "p", .address = "127.0.0.9", .port = 41000, .revision = "abc"}}},
      {"pod-template-hash when no Argo hash",
       [](auto&, auto& p) {
         p.metadata.labels.erase("rollouts-pod-template-hash");
         p.metadata.labels["pod-template-hash"] = "rs1";
       },
       {Ep("p", 41000, "rs1")}},
      {"no revision label",
       [](auto&, auto& p) {
         p.metadata.labels = {{"app", "web"}};
       },
       {Ep("p", 41000, "")}},
  };
  for (const Row& row : rows) {
    api::Service service = Svc("web", "127.1.0.5", {Port(8080)});
    api::Pod pod = ReadyPod("p", 41000);
    row.change(service, pod);
    EXPECT_EQ(ServiceEndpoints(service, service.spec.ports[0], {pod}), row.want) << row.name;
  }
}

TEST(ServiceEndpointsTest, SortedByPodName) {
  api::Service service = Svc("web", "127.1.0.5", {Port(80, 8080)});
  std::vector<ProxyEndpoint> got =
      ServiceEndpoints(service, service.spec.ports[0], {ReadyPod("b", 2), ReadyPod("a", 1)});
  EXPECT_EQ(got, (std::vector<ProxyEndpoint>{Ep("a", 1), Ep("b", 2)}));
}

// "name@address:port" of each listener, then "listener: reason" of each Service problem.
std::vector<std::string> ListenerSummary(const Translation& t) {
  std::vector<std::string> out;
  for (const ProxyListener& l : t.state.listeners) {
    out.push_back(l.name + "@" + l.bind_address + ":" + std::to_string(l.port));
  }
  for (const ServiceReport& report : t.services) {
    for (const ListenerIssue& issue : report.problems) {
      out.push_back(issue.listener + ": " + issue.reason);
    }
  }
  return out;
}

TEST(TranslateServicesTest, ListenersPerTypeAndPortConflicts) {
  struct Row {
    std::string name;
    std::vector<api::Service> services;
    std::vector<std::string> want;
  };
  auto node_port = [](int32_t port, int32_t node) {
    api::ServicePort p = Port(port, 8080);
    p.node_port = node;
    return p;
  };
  const std::vector<Row> rows = {
      {"ClusterIP at clusterIP:port",
       {Svc("web", "127.1.0.5", {Port(80, 8080), Port(81, 8080)})},
       {"service/prod/web:80@127.1.0.5:80", "service/prod/web:81@127.1.0.5:81"}},
      {"active and preview both on port 80",
       {Svc("active", "127.1.0.5", {Port(80)}), Svc("preview", "127.1.0.6", {Port(80)})},
       {"service/prod/active:80@127.1.0.5:80", "service/prod/preview:80@127.1.0.6:80"}},
      {"headless", {Svc("web", "None", {Port(80)})}, {}},
      {"clusterIP not allocated", {Svc("web", "", {Port(80)})}, {}},
      {"ExternalName", {Svc("web", "", {Port(80)}, "ExternalName")}, {}},
      {"LoadBalancer also at the bind address",
       {Svc("web", "127.1.0.5", {Port(80)}, "LoadBalancer")},
       {"service/prod/web:80@127.1.0.5:80", "service/prod/web:80/loadbalancer@127.0.0.1:80"}},
      {"NodePort with nodePort",
       {Svc("web", "127.1.0.5", {node_port(80, 30080)}, "NodePort")},
       {"service/prod/web:80@127.1.0.5:80", "service/prod/web:80/nodeport@127.0.0.1:30080"}},
      {"NodePort without nodePort",
       {Svc("web", "127.1.0.5", {Port(80)}, "NodePort")},
       {"service/prod/web:80@127.1.0.5:80"}},
      {"UDP port reported, TCP port served",
       {Svc("dns", "127.1.0.5", {Port(53, 0, "UDP"), Port(80)})},
       {"service/prod/dns:80@127.1.0.5:80", "service/prod/dns:53: UnsupportedProtocol"}},
      {"two LoadBalancers on one port: the older wins",
       {Svc("new", "127.1.0.5", {Port(80)}, "LoadBalancer", 10),
        Svc("old", "127.1.0.6", {Port(80)}, "LoadBalancer", 5)},
       {"service/prod/new:80@127.1.0.5:80", "service/prod/old:80@127.1.0.6:80",
        "service/prod/old:80/loadbalancer@127.0.0.1:80",
        "service/prod/new:80/loadbalancer: PortConflict"}},
      {"same age: namespace/name decides",
       {Svc("b", "127.1.0.5", {Port(80)}, "LoadBalancer"),
        Svc("a", "127.1.0.6", {Port(80)}, "LoadBalancer")},
       {"service/prod/a:80@127.1.0.6:80", "service/prod/a:80/loadbalancer@127.0.0.1:80",
        "service/prod/b:80@127.1.0.5:80", "service/prod/b:80/loadbalancer: PortConflict"}},
  };
  for (const Row& row : rows) {
    Translation t = Translate(TrafficObjects{.services = row.services}, {});
    EXPECT_EQ(ListenerSummary(t), row.want) << row.name;
  }
}

TEST(TranslateServicesTest, ServiceListenerSendsEverythingToItsBackend) {
  api::Service service = Svc("web", "127.1.0.5", {Port(80, "http")}, "LoadBalancer");
  Translation t = Translate(TrafficObjects{.services = {service}, .pods = {ReadyPod("p", 41000)}},
                            TranslateOptions{.bind_address = "127.0.0.2"});
  ASSERT_EQ(t.state.listeners.size(), 2u);
  const RouteRule want{.backends = {WeightedBackend{.backend = "prod/web:80", .weight = 1}},
                       .origin = "Service prod/web"};
  EXPECT_EQ(t.state.listeners[0].rules, std::vector<RouteRule>{want});
  EXPECT_EQ(t.state.listeners[1].bind_address, "127.0.0.2");
  const std::vector<ProxyBackend> want_backends{
      ProxyBackend{.name = "prod/web:80", .endpoints = {Ep("p", 41000)}}};
  EXPECT_EQ(t.state.backends, want_backends);
  ASSERT_EQ(t.services.size(), 1u);
  EXPECT_EQ(t.services[0].load_balancer_ip, "127.0.0.2");
  EXPECT_EQ(t.services[0].listeners,
            (std::vector<std::string>{"service/prod/web:80", "service/prod/web:80/loadbalancer"}));
}

TEST(IntersectHostnamesTest, AsTheGatewayApiDefines) {
  using Hosts = std::vector<std::string>;
  struct Row {
    std::string name;
    std::optional<std::string> listener;
    Hosts route;
    std::optional<Hosts> want;
  };
  const std::vector<Row> rows = {
      {"neither: any", std::nullopt, {}, Hosts{}},
      {"listener only", "www.example.com", {}, Hosts{"www.example.com"}},
      {"route only", std::nullopt, {"a.com", "b.com"}, Hosts{"a.com", "b.com"}},
      {"precise equal", "www.example.com", {"www.example.com"}, Hosts{"www.example.com"}},
      {"precise differ", "www.example.com", {"foo.example.com"}, std::nullopt},
      {"listener wildcard, route precise",
       "*.example.com",
       {"www.example.com"},
       Hosts{"www.example.com"}},
      {"wildcard covers several labels",
       "*.example.com",
       {"sub.domain.example.com"},
       Hosts{"sub.domain.example.com"}},
      {"wildcard does not cover its suffix", "*.example.com", {"example.com"}, std::nullopt},
      {"route wildcard, listener precise",
       "www.example.com",
       {"*.example.com"},
       Hosts{"www.example.com"}},
      {"equal wildcards", "*.example.com", {"*.example.com"}, Hosts{"*.example.com"}},
      {"less specific listener wildcard", "*.com", {"*.example.com"}, Hosts{"*.example.com"}},
      {"less specific route wildcard", "*.example.com", {"*.com"}, Hosts{"*.example.com"}},
      {"listener star", "*", {"www.example.com"}, Hosts{"www.example.com"}},
      {"non-matching route hostnames ignored",
       "*.example.com",
       {"test.example.com", "test.example.net"},
       Hosts{"test.example.com"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IntersectHostnames(row.listener, row.route), row.want) << row.name;
  }
}

// ---- Gateways and routes ----

api::GatewayListener Listener(std::string name, int32_t port, std::string protocol = "HTTP",
                              std::optional<std::string> hostname = std::nullopt) {
  api::GatewayListener listener;
  listener.name = std::move(name);
  listener.port = port;
  listener.protocol = std::move(protocol);
  listener.hostname = std::move(hostname);
  return listener;
}

api::Gateway Gw(std::vector<api::GatewayListener> listeners, int created = 0,
                std::string name = "gw") {
  api::Gateway gateway;
  gateway.metadata = Meta("prod", std::move(name), created);
  gateway.spec.gateway_class_name = "devflow";
  gateway.spec.listeners = std::move(listeners);
  return gateway;
}

api::ParentReference Parent(std::string name = "gw") {
  api::ParentReference parent;
  parent.name = std::move(name);
  return parent;
}

api::HTTPBackendRef Backend(std::string service, std::optional<int32_t> weight = std::nullopt,
                            int32_t port = 80) {
  api::HTTPBackendRef ref;
  ref.name = std::move(service);
  ref.port = port;
  ref.weight = weight;
  return ref;
}

api::HTTPRouteMatch PathMatch(std::string type, std::string value) {
  api::HTTPRouteMatch match;
  match.path = api::HTTPPathMatch{.type = std::move(type), .value = std::move(value)};
  return match;
}

api::HTTPRouteMatch HeaderMatch(std::vector<std::pair<std::string, std::string>> headers) {
  api::HTTPRouteMatch match;
  for (auto& [name, value] : headers) {
    match.headers.push_back(api::HTTPHeaderMatch{.name = name, .value = value});
  }
  return match;
}

api::HTTPRouteRule Rule(std::vector<api::HTTPRouteMatch> matches,
                        std::vector<api::HTTPBackendRef> backends = {Backend("stable")}) {
  api::HTTPRouteRule rule;
  rule.matches = std::move(matches);
  rule.backend_refs = std::move(backends);
  return rule;
}

api::HTTPRoute Route(std::string name, std::vector<api::HTTPRouteRule> rules, int created = 0,
                     std::vector<std::string> hostnames = {},
                     std::vector<api::ParentReference> parents = {Parent()}) {
  api::HTTPRoute route;
  route.metadata = Meta("prod", std::move(name), created);
  route.spec.parent_refs = std::move(parents);
  route.spec.hostnames = std::move(hostnames);
  route.spec.rules = std::move(rules);
  return route;
}

// The Services the routes above refer to.
std::vector<api::Service> RouteServices() {
  return {Svc("stable", "127.1.0.1", {Port(80)}), Svc("canary", "127.1.0.2", {Port(80)})};
}

// One line per rule of the Gateway's listener: hostnames, matches, backends, origin.
std::vector<std::string> RuleSummary(const Translation& t,
                                     const std::string& listener = "gateway/prod/gw/http") {
  std::vector<std::string> out;
  for (const ProxyListener& l : t.state.listeners) {
    if (l.name != listener) continue;
    for (const RouteRule& rule : l.rules) {
      std::string line;
      for (const std::string& host : rule.hostnames) line += host + ",";
      line += "|";
      for (const RouteMatch& match : rule.matches) {
        if (match.path.has_value()) {
          line += match.path->type == PathCondition::Type::kExact   ? "="
                  : match.path->type == PathCondition::Type::kRegex ? "~"
                                                                    : "";
          line += match.path->value;
        }
        if (match.method.has_value()) line += " " + *match.method;
        for (const HeaderCondition& header : match.headers) {
          line += " " + header.name + (header.regex ? "~" : "=") + header.value;
        }
        line += ";";
      }
      line += "|";
      for (const WeightedBackend& backend : rule.backends) {
        line += backend.backend + "*" + std::to_string(backend.weight) + ",";
      }
      line += "|" + rule.origin;
      out.push_back(line);
    }
  }
  return out;
}

TEST(TranslateRoutesTest, PrecedenceAcrossRulesAndRoutes) {
  struct Row {
    std::string name;
    std::vector<api::HTTPRoute> routes;
    std::vector<std::string> want;
  };
  api::HTTPRouteMatch get = PathMatch("PathPrefix", "/");
  get.method = "GET";
  const std::vector<Row> rows = {
      {"exact before longer prefix",
       {Route("r", {Rule({PathMatch("PathPrefix", "/api/v1")}), Rule({PathMatch("Exact", "/a")})})},
       {"|=/a;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "|/api/v1;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"longest prefix first",
       {Route("r",
              {Rule({PathMatch("PathPrefix", "/a")}), Rule({PathMatch("PathPrefix", "/a/b")})})},
       {"|/a/b;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "|/a;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"regular expression between exact and prefix",
       {Route("r",
              {Rule({PathMatch("PathPrefix", "/a/b/c/d")}),
               Rule({PathMatch("RegularExpression", "/x.*")}), Rule({PathMatch("Exact", "/e")})})},
       {"|=/e;|prod/stable:80*1,|HTTPRoute prod/r rules[2]",
        "|~/x.*;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "|/a/b/c/d;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"method before no method",
       {Route("r", {Rule({PathMatch("PathPrefix", "/")}), Rule({get})})},
       {"|/ GET;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "|/;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"more headers first",
       {Route("r",
              {Rule({HeaderMatch({{"a", "1"}})}), Rule({HeaderMatch({{"a", "1"}, {"b", "2"}})})})},
       {"| a=1 b=2;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "| a=1;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"no match equals prefix /",
       {Route("r", {Rule({}), Rule({PathMatch("PathPrefix", "/x")})})},
       {"|/x;|prod/stable:80*1,|HTTPRoute prod/r rules[1]",
        "|;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"older route first",
       {Route("young", {Rule({})}, 20), Route("old", {Rule({})}, 10)},
       {"|;|prod/stable:80*1,|HTTPRoute prod/old rules[0]",
        "|;|prod/stable:80*1,|HTTPRoute prod/young rules[0]"}},
      {"same age: namespace/name first",
       {Route("b", {Rule({})}), Route("a", {Rule({})})},
       {"|;|prod/stable:80*1,|HTTPRoute prod/a rules[0]",
        "|;|prod/stable:80*1,|HTTPRoute prod/b rules[0]"}},
      {"then rule order",
       {Route("r", {Rule({}, {Backend("canary")}), Rule({})})},
       {"|;|prod/canary:80*1,|HTTPRoute prod/r rules[0]",
        "|;|prod/stable:80*1,|HTTPRoute prod/r rules[1]"}},
      {"match specificity beats route age",
       {Route("old", {Rule({})}, 1), Route("young", {Rule({PathMatch("PathPrefix", "/x")})}, 9)},
       {"|/x;|prod/stable:80*1,|HTTPRoute prod/young rules[0]",
        "|;|prod/stable:80*1,|HTTPRoute prod/old rules[0]"}},
      {"precise hostname, then longer wildcard, then any",
       {Route("any", {Rule({PathMatch("Exact", "/x")})}), Route("wide", {Rule({})}, 0, {"*.com"}),
        Route("narrow", {Rule({})}, 0, {"*.example.com"}),
        Route("precise", {Rule({})}, 0, {"www.example.com"})},
       {"www.example.com,|;|prod/stable:80*1,|HTTPRoute prod/precise rules[0]",
        "*.example.com,|;|prod/stable:80*1,|HTTPRoute prod/narrow rules[0]",
        "*.com,|;|prod/stable:80*1,|HTTPRoute prod/wide rules[0]",
        "|=/x;|prod/stable:80*1,|HTTPRoute prod/any rules[0]"}},
      {"a rule's hostnames and matches merged when adjacent",
       {Route("r", {Rule({PathMatch("PathPrefix", "/a"), PathMatch("PathPrefix", "/b")})}, 0,
              {"a.example.com", "b.example.com"})},
       {"a.example.com,b.example.com,|/a;/b;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"}},
      {"setHeaderRoute: the header rule before the weighted one",
       {Route("web", {Rule({}, {Backend("stable", 90), Backend("canary", 10)}),
                      Rule({HeaderMatch({{"X-Canary", "yes"}})}, {Backend("canary")})})},
       {"| X-Canary=yes;|prod/canary:80*1,|HTTPRoute prod/web rules[1]",
        "|;|prod/stable:80*90,prod/canary:80*10,|HTTPRoute prod/web rules[0]"}},
  };
  for (const Row& row : rows) {
    Translation t = Translate(TrafficObjects{.services = RouteServices(),
                                             .gateways = {Gw({Listener("http", 8080)})},
                                             .routes = row.routes},
                              {});
    EXPECT_EQ(RuleSummary(t), row.want) << row.name;
  }
}

TEST(TranslateRoutesTest, RegexHeaderMatch) {
  api::HTTPRouteMatch match = HeaderMatch({{"user", "a.*"}});
  match.headers[0].type = "RegularExpression";
  Translation t = Translate(TrafficObjects{.services = RouteServices(),
                                           .gateways = {Gw({Listener("http", 8080)})},
                                           .routes = {Route("r", {Rule({match})})}},
                            {});
  EXPECT_EQ(RuleSummary(t),
            std::vector<std::string>{"| user~a.*;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"});
}

// "<type>=<status>/<reason>" of each condition of the route's first parent.
std::string ParentConditions(const Translation& t, const std::string& route = "r") {
  for (const RouteReport& report : t.routes) {
    if (report.name != route) continue;
    if (report.parents.empty()) return "no parent status";
    std::string out;
    for (const api::MetaCondition& c : report.parents[0].conditions) {
      out += c.type + "=" + c.status + "/" + c.reason + " ";
    }
    return out;
  }
  return "no route report";
}

int AttachedRoutes(const Translation& t, size_t listener = 0) {
  return t.gateways.at(0).listeners.at(listener).attached_routes;
}

TEST(TranslateRoutesTest, Attachment) {
  struct Row {
    std::string name;
    std::function<void(api::Gateway&, api::HTTPRoute&)> change;
    std::string want;
    int attached;
  };
  auto allowed = [](std::string from) {
    return json::Object{{"namespaces", json::Object{{"from", std::move(from)}}}};
  };
  const std::string ok = "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs ";
  const std::vector<Row> rows = {
      {"by name", [](auto&, auto&) {}, ok, 1},
      {"by sectionName", [](auto&, auto& r) { r.spec.parent_refs[0].section_name = "http"; }, ok,
       1},
      {"sectionName unknown", [](auto&, auto& r) { r.spec.parent_refs[0].section_name = "https"; },
       "Accepted=False/NoMatchingParent ResolvedRefs=True/ResolvedRefs ", 0},
      {"by port", [](auto&, auto& r) { r.spec.parent_refs[0].port = 8080; }, ok, 1},
      {"port unknown", [](auto&, auto& r) { r.spec.parent_refs[0].port = 9; },
       "Accepted=False/NoMatchingParent ResolvedRefs=True/ResolvedRefs ", 0},
      {"Gateway missing", [](auto&, auto& r) { r.spec.parent_refs[0].name = "nope"; },
       "Accepted=False/NoMatchingParent ResolvedRefs=True/ResolvedRefs ", 0},
      {"Gateway of another namespace by default: not the route's",
       [](auto&, auto& r) { r.spec.parent_refs[0].namespace_ = "dev"; },
       "Accepted=False/NoMatchingParent ResolvedRefs=True/ResolvedRefs ", 0},
      {"route of another namespace, from Same",
       [](auto&, auto& r) {
         r.metadata.namespace_ = "dev";
         r.spec.parent_refs[0].namespace_ = "prod";
       },
       "Accepted=False/NotAllowedByListeners ResolvedRefs=False/BackendNotFound ", 0},
      {"route of another namespace, from All",
       [&](auto& g, auto& r) {
         g.spec.listeners[0].allowed_routes = allowed("All");
         r.metadata.namespace_ = "dev";
         r.spec.parent_refs[0].namespace_ = "prod";
         r.spec.rules[0].backend_refs[0].namespace_ = "prod";
       },
       ok, 1},
      {"from Selector is not supported",
       [&](auto& g, auto&) { g.spec.listeners[0].allowed_routes = allowed("Selector"); },
       "Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs ", 0},
      {"from None", [&](auto& g, auto&) { g.spec.listeners[0].allowed_routes = allowed("None"); },
       "Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs ", 0},
      {"kinds without HTTPRoute",
       [](auto& g, auto&) {
         g.spec.listeners[0].allowed_routes =
             json::Object{{"kinds", json::Array{json::Object{{"kind", "GRPCRoute"}}}}};
       },
       "Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs ", 0},
      {"hostnames do not intersect",
       [](auto& g, auto& r) {
         g.spec.listeners[0].hostname = "a.example.com";
         r.spec.hostnames = {"b.example.com"};
       },
       "Accepted=False/NoMatchingListenerHostname ResolvedRefs=True/ResolvedRefs ", 0},
      {"parent of another kind: not ours",
       [](auto&, auto& r) { r.spec.parent_refs[0].kind = "Service"; }, "no parent status", 0},
      {"listener of an unsupported protocol",
       [](auto& g, auto&) { g.spec.listeners[0].protocol = "HTTPS"; },
       "Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs ", 0},
  };
  for (const Row& row : rows) {
    api::Gateway gateway = Gw({Listener("http", 8080)});
    api::HTTPRoute route = Route("r", {Rule({})});
    row.change(gateway, route);
    Translation t = Translate(
        TrafficObjects{.services = RouteServices(), .gateways = {gateway}, .routes = {route}}, {});
    EXPECT_EQ(ParentConditions(t), row.want) << row.name;
    EXPECT_EQ(AttachedRoutes(t), row.attached) << row.name;
    EXPECT_EQ(RuleSummary(t).size(), static_cast<size_t>(row.attached)) << row.name;
  }
}

TEST(TranslateRoutesTest, BackendRefsAndUnsupportedParts) {
  struct Row {
    std::string name;
    std::vector<api::HTTPRouteRule> rules;
    std::vector<std::string> want_rules;
    std::string want_conditions;
  };
  api::HTTPBackendRef no_port = Backend("stable");
  no_port.port.reset();
  api::HTTPBackendRef other_kind = Backend("bucket");
  other_kind.group = "storage.example.com";
  other_kind.kind = "Bucket";
  api::HTTPBackendRef other_ns = Backend("stable");
  other_ns.namespace_ = "shared";
  api::HTTPRouteMatch query = PathMatch("PathPrefix", "/q");
  query.query_params.push_back(api::HTTPQueryParamMatch{.name = "v", .value = "2"});
  api::HTTPRouteRule filtered = Rule({PathMatch("PathPrefix", "/f")});
  filtered.filters.push_back(api::HTTPRouteFilter{.type = "RequestRedirect"});
  const std::string ok = "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs ";
  const std::vector<Row> rows = {
      {"weights as written, default 1",
       {Rule({}, {Backend("stable", 3), Backend("canary")})},
       {"|;|prod/stable:80*3,prod/canary:80*1,|HTTPRoute prod/r rules[0]"},
       ok},
      {"missing Service: weight 0",
       {Rule({}, {Backend("stable", 90), Backend("gone", 10)})},
       {"|;|prod/stable:80*90,prod/gone:80*0,|HTTPRoute prod/r rules[0]"},
       "Accepted=True/Accepted ResolvedRefs=False/BackendNotFound "},
      {"missing port: weight 0",
       {Rule({}, {Backend("stable", 1, 9999)})},
       {"|;|prod/stable:9999*0,|HTTPRoute prod/r rules[0]"},
       "Accepted=True/Accepted ResolvedRefs=False/BackendNotFound "},
      {"port required",
       {Rule({}, {no_port, Backend("canary")})},
       {"|;|prod/canary:80*1,|HTTPRoute prod/r rules[0]"},
       "Accepted=True/Accepted ResolvedRefs=False/BackendNotFound "},
      {"kinds other than Service",
       {Rule({}, {other_kind})},
       {"|;||HTTPRoute prod/r rules[0]"},
       "Accepted=True/Accepted ResolvedRefs=False/InvalidKind "},
      {"another namespace's Service",
       {Rule({}, {other_ns})},
       {"|;|shared/stable:80*1,|HTTPRoute prod/r rules[0]"},
       ok},
      {"weights past 1,000,000 scaled",
       {Rule({}, {Backend("stable", 1000000), Backend("canary", 1000000)})},
       {"|;|prod/stable:80*499992,prod/canary:80*499992,|HTTPRoute prod/r rules[0]"},
       ok},
      {"queryParams match dropped, the rule's other match kept",
       {Rule({query, PathMatch("PathPrefix", "/p")})},
       {"|/p;|prod/stable:80*1,|HTTPRoute prod/r rules[0]"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs "
       "PartiallyInvalid=True/UnsupportedValue "},
      {"rule with filters dropped",
       {filtered, Rule({})},
       {"|;|prod/stable:80*1,|HTTPRoute prod/r rules[1]"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs "
       "PartiallyInvalid=True/UnsupportedValue "},
      {"every rule dropped: not accepted",
       {Rule({query})},
       {},
       "Accepted=False/UnsupportedValue ResolvedRefs=True/ResolvedRefs "},
      {"no rules: the default rule, no backend", {}, {"|;||HTTPRoute prod/r rules[0]"}, ok},
  };
  for (const Row& row : rows) {
    std::vector<api::Service> services = RouteServices();
    services.push_back(Svc("stable", "127.1.0.3", {Port(80)}, "", 0, "shared"));
    Translation t = Translate(TrafficObjects{.services = services,
                                             .gateways = {Gw({Listener("http", 8080)})},
                                             .routes = {Route("r", row.rules)}},
                              {});
    EXPECT_EQ(RuleSummary(t), row.want_rules) << row.name;
    EXPECT_EQ(ParentConditions(t), row.want_conditions) << row.name;
    // Every backend a rule names exists in the state.
    for (const ProxyListener& listener : t.state.listeners) {
      for (const RouteRule& rule : listener.rules) {
        for (const WeightedBackend& backend : rule.backends) {
          bool found = false;
          for (const ProxyBackend& b : t.state.backends) found = found || b.name == backend.backend;
          EXPECT_TRUE(found) << row.name << ": " << backend.backend;
        }
      }
    }
  }
}

// "listener: Accepted/reason Programmed/reason Conflicted/status -> proxy listener" per listener.
std::vector<std::string> GatewayListenerSummary(const GatewayReport& report) {
  std::vector<std::string> out;
  for (const GatewayListenerReport& l : report.listeners) {
    std::string line = l.name + ":";
    for (const api::MetaCondition& c : l.conditions) {
      if (c.type == "ResolvedRefs") continue;
      line += " " + c.type + "/" + (c.type == "Conflicted" ? c.status : c.reason);
    }
    out.push_back(line + " -> " + l.proxy_listener);
  }
  return out;
}

TEST(TranslateGatewaysTest, Listeners) {
  struct Row {
    std::string name;
    std::vector<api::Gateway> gateways;
    std::vector<api::Service> services;
    std::vector<std::string> want_listeners;
    std::vector<std::string> want_reports;  // of the Gateway named "gw"
  };
  const std::string served = ": Accepted/Accepted Programmed/Programmed Conflicted/False -> ";
  const std::vector<Row> rows = {
      {"HTTP listener served at the bind address",
       {Gw({Listener("http", 8080)})},
       {},
       {"gateway/prod/gw/http@127.0.0.1:8080"},
       {"http" + served + "gateway/prod/gw/http"}},
      {"other protocols not served",
       {Gw({Listener("tls", 8443, "HTTPS")})},
       {},
       {},
       {"tls: Accepted/UnsupportedProtocol Programmed/Invalid Conflicted/False -> "}},
      {"listeners sharing a port by hostname: one proxy listener",
       {Gw({Listener("a", 8080, "HTTP", "a.example.com"), Listener("b", 8080, "HTTP")})},
       {},
       {"gateway/prod/gw/a@127.0.0.1:8080"},
       {"a" + served + "gateway/prod/gw/a", "b" + served + "gateway/prod/gw/a"}},
      {"same port and hostname: the later conflicts",
       {Gw({Listener("a", 8080), Listener("b", 8080)})},
       {},
       {"gateway/prod/gw/a@127.0.0.1:8080"},
       {"a" + served + "gateway/prod/gw/a",
        "b: Accepted/Accepted Programmed/Invalid Conflicted/True -> "}},
      {"an older Gateway keeps the port",
       {Gw({Listener("http", 8080)}, 5, "gw"), Gw({Listener("http", 8080)}, 1, "first")},
       {},
       {"gateway/prod/first/http@127.0.0.1:8080"},
       {"http: Accepted/PortUnavailable Programmed/Invalid Conflicted/False -> "
        "gateway/prod/gw/http"}},
      {"an older LoadBalancer Service keeps the port",
       {Gw({Listener("http", 80)}, 5)},
       {Svc("web", "127.1.0.5", {Port(80)}, "LoadBalancer", 1)},
       {"service/prod/web:80@127.1.0.5:80", "service/prod/web:80/loadbalancer@127.0.0.1:80"},
       {"http: Accepted/PortUnavailable Programmed/Invalid Conflicted/False -> "
        "gateway/prod/gw/http"}},
      {"a younger LoadBalancer Service loses it",
       {Gw({Listener("http", 80)}, 1)},
       {Svc("web", "127.1.0.5", {Port(80)}, "LoadBalancer", 5)},
       {"gateway/prod/gw/http@127.0.0.1:80", "service/prod/web:80@127.1.0.5:80",
        "service/prod/web:80/loadbalancer: PortConflict"},
       {"http" + served + "gateway/prod/gw/http"}},
  };
  for (const Row& row : rows) {
    Translation t =
        Translate(TrafficObjects{.services = row.services, .gateways = row.gateways}, {});
    EXPECT_EQ(ListenerSummary(t), row.want_listeners) << row.name;
    const GatewayReport* report = nullptr;
    for (const GatewayReport& r : t.gateways) {
      if (r.name == "gw") report = &r;
    }
    ASSERT_NE(report, nullptr) << row.name;
    EXPECT_EQ(GatewayListenerSummary(*report), row.want_reports) << row.name;
  }
}

TEST(TranslateGatewaysTest, RoutesOfListenersSharingAPortGoToOneListenerByHostname) {
  api::Gateway gateway =
      Gw({Listener("a", 8080, "HTTP", "a.example.com"), Listener("any", 8080, "HTTP")});
  api::HTTPRoute on_a = Route("on-a", {Rule({}, {Backend("canary")})});
  on_a.spec.parent_refs[0].section_name = "a";
  api::HTTPRoute on_any = Route("on-any", {Rule({})});
  on_any.spec.parent_refs[0].section_name = "any";
  Translation t = Translate(
      TrafficObjects{.services = RouteServices(), .gateways = {gateway}, .routes = {on_any, on_a}},
      {});
  EXPECT_EQ(
      RuleSummary(t, "gateway/prod/gw/a"),
      (std::vector<std::string>{"a.example.com,|;|prod/canary:80*1,|HTTPRoute prod/on-a rules[0]",
                                "|;|prod/stable:80*1,|HTTPRoute prod/on-any rules[0]"}));
  EXPECT_EQ(AttachedRoutes(t, 0), 1);
  EXPECT_EQ(AttachedRoutes(t, 1), 1);
}

TEST(ApplyListenerProblemsTest, MarksTheOwners) {
  Translation t = Translate(TrafficObjects{.services = {Svc("web", "127.1.0.5", {Port(80)})},
                                           .gateways = {Gw({Listener("http", 8080)})}},
                            {});
  ApplyListenerProblems({ListenerProblem{"service/prod/web:80", "127.1.0.5:80 is in use"},
                         ListenerProblem{"gateway/prod/gw/http", "127.0.0.1:8080 is in use"},
                         ListenerProblem{"service/elsewhere/x:1", "ignored"}},
                        t);
  const std::vector<ListenerIssue> want_issues{
      ListenerIssue{"service/prod/web:80", "PortInUse", "127.1.0.5:80 is in use"}};
  EXPECT_EQ(t.services[0].problems, want_issues);
  EXPECT_EQ(GatewayListenerSummary(t.gateways[0]),
            std::vector<std::string>{"http: Accepted/PortUnavailable Programmed/Invalid "
                                     "Conflicted/False -> gateway/prod/gw/http"});
}

// ---- Status ----

std::string ConditionLine(const json::Value& c) {
  return json::StringAt(c, {"type"}) + "=" + json::StringAt(c, {"status"}) + "/" +
         json::StringAt(c, {"reason"}) + "@" + json::StringAt(c, {"lastTransitionTime"});
}

TEST(TrafficStatusTest, ServiceConditionAndLoadBalancer) {
  api::Service service = Svc("web", "127.1.0.5", {Port(80)}, "LoadBalancer");
  service.status.conditions.push_back(json::Object{{"type", "Other"}, {"status", "True"}});
  ServiceReport report{.namespace_ = "prod",
                       .name = "web",
                       .listeners = {"service/prod/web:80"},
                       .load_balancer_ip = "127.0.0.1"};

  api::ServiceStatus first = ServiceStatusFor(service, report, At(1));
  EXPECT_EQ(first.load_balancer,
            json::Value(json::Object{{"ingress", json::Array{json::Object{{"ip", "127.0.0.1"}}}}}));
  ASSERT_EQ(first.conditions.size(), 2u);
  EXPECT_EQ(json::StringAt(first.conditions[0], {"type"}), "Other");
  EXPECT_EQ(ConditionLine(first.conditions[1]),
            "Programmed=True/Programmed@" + api::FormatRfc3339(At(1).value));

  // Unchanged: the same status, so nothing is written.
  service.status = first;
  EXPECT_EQ(ServiceStatusFor(service, report, At(2)), first);

  // A problem: False with its reason, a new transition time, every message.
  report.problems = {ListenerIssue{"service/prod/web:80", "PortInUse", "taken by nginx"}};
  api::ServiceStatus second = ServiceStatusFor(service, report, At(3));
  EXPECT_EQ(ConditionLine(second.conditions[1]),
            "Programmed=False/PortInUse@" + api::FormatRfc3339(At(3).value));
  EXPECT_EQ(json::StringAt(second.conditions[1], {"message"}), "taken by nginx");

  // No longer a LoadBalancer, no listener: ingress and our condition go.
  report = ServiceReport{.namespace_ = "prod", .name = "web"};
  service.status = second;
  api::ServiceStatus third = ServiceStatusFor(service, report, At(4));
  EXPECT_TRUE(third.load_balancer.is_null());
  ASSERT_EQ(third.conditions.size(), 1u);
  EXPECT_EQ(json::StringAt(third.conditions[0], {"type"}), "Other");
}

TEST(TrafficStatusTest, GatewayConditionsAndListeners) {
  api::Gateway gateway = Gw({Listener("http", 8080), Listener("tls", 8443, "HTTPS")});
  gateway.metadata.generation = 4;
  api::HTTPRoute route = Route("r", {Rule({})});
  Translation t = Translate(
      TrafficObjects{.services = RouteServices(), .gateways = {gateway}, .routes = {route}}, {});

  api::GatewayStatus status = GatewayStatusFor(gateway, t.gateways[0], At(1));
  EXPECT_EQ(status.addresses,
            json::Value(json::Array{json::Object{{"type", "IPAddress"}, {"value", "127.0.0.1"}}}));
  ASSERT_EQ(status.conditions.size(), 2u);
  EXPECT_EQ(status.conditions[0].type, "Accepted");
  EXPECT_EQ(status.conditions[0].status, "True");
  EXPECT_EQ(status.conditions[0].reason, "ListenersNotValid");
  EXPECT_EQ(status.conditions[0].observed_generation, 4);
  EXPECT_EQ(status.conditions[1].type, "Programmed");
  EXPECT_EQ(status.conditions[1].status, "True");
  ASSERT_TRUE(status.listeners.is_array());
  ASSERT_EQ(status.listeners.as_array().size(), 2u);
  const json::Value& http = status.listeners.as_array()[0];
  EXPECT_EQ(json::StringAt(http, {"name"}), "http");
  EXPECT_EQ(*http.Find("attachedRoutes"), json::Value(1));
  EXPECT_EQ(http.Find("supportedKinds")->as_array().size(), 1u);
  EXPECT_EQ(ConditionLine(http.Find("conditions")->as_array()[0]),
            "Accepted=True/Accepted@" + api::FormatRfc3339(At(1).value));
  const json::Value& tls = status.listeners.as_array()[1];
  EXPECT_EQ(*tls.Find("attachedRoutes"), json::Value(0));
  EXPECT_TRUE(tls.Find("supportedKinds")->as_array().empty());
  EXPECT_EQ(ConditionLine(tls.Find("conditions")->as_array()[0]),
            "Accepted=False/UnsupportedProtocol@" + api::FormatRfc3339(At(1).value));

  gateway.status = status;
  EXPECT_EQ(GatewayStatusFor(gateway, t.gateways[0], At(2)), status) << "only on change";

  // The HTTP listener's port taken: not programmed, and so is the Gateway.
  ApplyListenerProblems({ListenerProblem{"gateway/prod/gw/http", "in use"}}, t);
  api::GatewayStatus later = GatewayStatusFor(gateway, t.gateways[0], At(3));
  EXPECT_EQ(later.conditions[0].status, "False");
  EXPECT_EQ(later.conditions[1].status, "False");
  EXPECT_EQ(later.conditions[1].last_transition_time, At(3));
  EXPECT_EQ(ConditionLine(later.listeners.as_array()[0].Find("conditions")->as_array()[0]),
            "Accepted=False/PortUnavailable@" + api::FormatRfc3339(At(3).value));
  // Unchanged listener conditions keep their time.
  EXPECT_EQ(ConditionLine(later.listeners.as_array()[1].Find("conditions")->as_array()[0]),
            "Accepted=False/UnsupportedProtocol@" + api::FormatRfc3339(At(1).value));
}

TEST(TrafficStatusTest, RouteParentsKeepOtherControllers) {
  api::HTTPRoute route = Route("r", {Rule({})}, 0, {}, {Parent("gw"), Parent("missing")});
  api::RouteParentStatus theirs{.parent_ref = Parent("mesh"),
                                .controller_name = "example.com/mesh"};
  route.status.parents = {theirs};
  Translation t = Translate(TrafficObjects{.services = RouteServices(),
                                           .gateways = {Gw({Listener("http", 8080)})},
                                           .routes = {route}},
                            {});
  api::HTTPRouteStatus status = RouteStatusFor(route, t.routes[0], At(1));
  ASSERT_EQ(status.parents.size(), 3u);
  EXPECT_EQ(status.parents[0], theirs);
  EXPECT_EQ(status.parents[1].parent_ref, Parent("gw"));
  EXPECT_EQ(status.parents[1].controller_name, kGatewayControllerName);
  EXPECT_EQ(status.parents[1].conditions[0].status, "True");
  EXPECT_EQ(status.parents[1].conditions[0].last_transition_time, At(1));
  EXPECT_EQ(status.parents[2].parent_ref, Parent("missing"));
  EXPECT_EQ(status.parents[2].conditions[0].reason, "NoMatchingParent");

  route.status = status;
  EXPECT_EQ(RouteStatusFor(route, t.routes[0], At(2)), status) << "only on change";
}

}  // namespace
}  // namespace devflow::node
