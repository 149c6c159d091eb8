#include "api/networking_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/decode.h"
#include "api/manifest_reader.h"
#include "api/networking_codec.h"
#include "api/validation_testing.h"

namespace devflow::api {
namespace {

using testing::ExpectValid;
using testing::FromYaml;
using testing::Row;
using testing::RunRows;

// Parses a YAML flow value such as "{mode: Terminate}".
json::Value Obj(std::string_view flow) {
  Result<std::vector<Manifest>> m = ReadManifests("v: " + std::string(flow), "value.yaml");
  if (!m.ok()) {
    ADD_FAILURE() << m.error();
    return json::Value();
  }
  return *(*m)[0].object.Find("v");
}

// ---- Ingress ----

// The Ingresses of seed 002.
constexpr const char* kDemoIngress = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: demo-ingress
spec:
  rules:
  - host: "bluegreen.demo"
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: blue-service
            port:
              number: 80
)";

constexpr const char* kBluegreenIngress = R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bluegreen-demo
spec:
  rules:
  - host: "bluegreen.auto"
    http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: bluegreen-demo
            port:
              number: 80
)";

TEST(NetworkingValidationTest, ValidIngresses) {
  ExpectValid("demo-ingress", FromYaml<Ingress>(kDemoIngress));
  ExpectValid("bluegreen-demo", FromYaml<Ingress>(kBluegreenIngress));
  ExpectValid("tls, wildcard, named port, default backend", FromYaml<Ingress>(R"(
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: nginx
  defaultBackend: {resource: {apiGroup: k8s.example.com, kind: Bucket, name: static}}
  tls: [{hosts: ["*.example.com"], secretName: example-tls}]
  rules:
  - host: "*.example.com"
    http:
      paths:
      - {pathType: ImplementationSpecific, backend: {service: {name: web, port: {name: http}}}}
      - {pathType: Exact, path: /preview, backend: {service: {name: web-preview, port: {number: 8080}}}}
)"));
}

TEST(NetworkingValidationTest, IngressRules) {
  using R = Row<Ingress>;
  auto backend = [](Ingress& i) -> IngressBackend& {
    return i.spec.rules[0].http->paths[0].backend;
  };
  auto path = [](Ingress& i) -> HTTPIngressPath& { return i.spec.rules[0].http->paths[0]; };
  const std::string b = "spec.rules[0].http.paths[0].backend";
  RunRows<Ingress>(
      "Ingress", FromYaml<Ingress>(kDemoIngress),
      {
          R{"no rules or default backend", [](Ingress& i) { i.spec.rules.clear(); }, "spec",
            "must set defaultBackend or at least one of rules"},
          R{"ingressClassName", [](Ingress& i) { i.spec.ingress_class_name = "Nginx"; },
            "spec.ingressClassName", "lowercase letters"},
          R{"host uppercase", [](Ingress& i) { i.spec.rules[0].host = "Bluegreen.demo"; },
            "spec.rules[0].host", "must be a DNS name (lowercase"},
          R{"host is an IP", [](Ingress& i) { i.spec.rules[0].host = "10.0.0.1"; },
            "spec.rules[0].host", "not an IP address"},
          R{"http without paths", [](Ingress& i) { i.spec.rules[0].http->paths.clear(); },
            "spec.rules[0].http.paths", "is required: at least one path"},
          R{"pathType unknown", [&](Ingress& i) { path(i).path_type = "Regex"; },
            "spec.rules[0].http.paths[0].pathType",
            "must be Exact, Prefix or ImplementationSpecific, got \"Regex\""},
          R{"relative path", [&](Ingress& i) { path(i).path = "api"; },
            "spec.rules[0].http.paths[0].path", "must be an absolute path starting with '/'"},
          R{"path with //", [&](Ingress& i) { path(i).path = "/a//b"; },
            "spec.rules[0].http.paths[0].path", "must not contain \"//\""},
          R{"ImplementationSpecific relative path",
            [&](Ingress& i) {
              path(i).path_type = "ImplementationSpecific";
              path(i).path = "api";
            },
            "spec.rules[0].http.paths[0].path", "must be empty or an absolute path"},
          R{"service and resource",
            [&](Ingress& i) { backend(i).resource = Obj("{kind: Bucket, name: x}"); }, b.c_str(),
            "must set exactly one of service and resource, got both"},
          R{"neither service nor resource", [&](Ingress& i) { backend(i).service.reset(); },
            b.c_str(), "got neither"},
          R{"service name missing", [&](Ingress& i) { backend(i).service->name = ""; },
            "spec.rules[0].http.paths[0].backend.service.name", "is required"},
          R{"service name not DNS-1035", [&](Ingress& i) { backend(i).service->name = "Blue"; },
            "spec.rules[0].http.paths[0].backend.service.name", "starting with a letter"},
          R{"port neither name nor number",
            [&](Ingress& i) { backend(i).service->port.number = 0; },
            "spec.rules[0].http.paths[0].backend.service.port",
            "must set exactly one of name and number, got neither"},
          R{"port name and number", [&](Ingress& i) { backend(i).service->port.name = "http"; },
            "spec.rules[0].http.paths[0].backend.service.port", "got both"},
          R{"port number out of range",
            [&](Ingress& i) { backend(i).service->port.number = 70000; },
            "spec.rules[0].http.paths[0].backend.service.port.number",
            "must be 1..65535, got 70000"},
          R{"port name invalid",
            [&](Ingress& i) {
              backend(i).service->port.number = 0;
              backend(i).service->port.name = "HTTP_PORT";
            },
            "spec.rules[0].http.paths[0].backend.service.port.name", "IANA_SVC_NAME"},
          R{"tls host invalid",
            [](Ingress& i) {
              i.spec.tls.push_back(IngressTLS{{"*.Demo"}, "demo-tls", {}});
            },
            "spec.tls[0].hosts[0]", "must be a DNS name"},
          R{"tls secretName invalid",
            [](Ingress& i) {
              i.spec.tls.push_back(IngressTLS{{"demo"}, "Demo_TLS", {}});
            },
            "spec.tls[0].secretName", "lowercase letters"},
          R{"defaultBackend without port",
            [](Ingress& i) {
              IngressBackend d;
              d.service = IngressServiceBackend{"blue-service", {}, {}};
              i.spec.default_backend = d;
            },
            "spec.defaultBackend.service.port", "got neither"},
      });
}

// ---- Gateway ----

constexpr const char* kGateway = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gateway}
spec:
  gatewayClassName: haproxy
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Same}}
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    tls: {mode: Terminate, certificateRefs: [{name: example-tls}]}
)";

TEST(NetworkingValidationTest, GatewayRules) {
  Gateway custom = FromYaml<Gateway>(kGateway);
  custom.spec.listeners[0].protocol = "example.com/grpc-web";
  ExpectValid("custom protocol", custom);

  using R = Row<Gateway>;
  RunRows<Gateway>(
      "Gateway", FromYaml<Gateway>(kGateway),
      {
          R{"no class", [](Gateway& g) { g.spec.gateway_class_name.clear(); },
            "spec.gatewayClassName", "is required"},
          R{"no listeners", [](Gateway& g) { g.spec.listeners.clear(); }, "spec.listeners",
            "is required: at least one listener"},
          R{"65 listeners",
            [](Gateway& g) {
              GatewayListener l = g.spec.listeners[0];
              for (int i = 2; i < 65; ++i) {
                l.name = "l" + std::to_string(i);
                g.spec.listeners.push_back(l);
              }
            },
            "spec.listeners", "must have at most 64 listeners, got 65"},
          R{"listener name invalid", [](Gateway& g) { g.spec.listeners[0].name = "HTTP"; },
            "spec.listeners[0].name", "lowercase letters, digits and '-'"},
          R{"duplicate listener name", [](Gateway& g) { g.spec.listeners[1].name = "http"; },
            "spec.listeners[1].name", "duplicate listener name \"http\""},
          R{"port zero", [](Gateway& g) { g.spec.listeners[0].port = 0; }, "spec.listeners[0].port",
            "must be 1..65535, got 0"},
          R{"protocol", [](Gateway& g) { g.spec.listeners[0].protocol = "SCTP"; },
            "spec.listeners[0].protocol", "must be HTTP, HTTPS, TLS, TCP or UDP, got \"SCTP\""},
          R{"hostname on TCP",
            [](Gateway& g) {
              g.spec.listeners[0].protocol = "TCP";
              g.spec.listeners[0].hostname = "web.example.com";
            },
            "spec.listeners[0].hostname", "must not be set for protocol TCP"},
          R{"hostname invalid", [](Gateway& g) { g.spec.listeners[1].hostname = "Example.com"; },
            "spec.listeners[1].hostname", "must be a DNS name"},
          R{"tls on HTTP", [](Gateway& g) { g.spec.listeners[0].tls = Obj("{mode: Terminate}"); },
            "spec.listeners[0].tls", "must not be set for protocol HTTP"},
      });
}

// ---- HTTPRoute ----

// Weights 90/10 between stable and canary, plus a header-match rule sending to canary.
constexpr const char* kHttpRoute = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-route}
spec:
  parentRefs:
  - name: web-gateway
    sectionName: http
  hostnames: ["web.example.com"]
  rules:
  - name: canary-header
    matches:
    - path: {type: PathPrefix, value: /}
      headers:
      - name: X-Canary
        value: always
    backendRefs:
    - name: web-canary
      port: 80
  - name: primary
    matches:
    - path: {type: PathPrefix, value: /}
    backendRefs:
    - name: web-stable
      port: 80
      weight: 90
    - name: web-canary
      port: 80
      weight: 10
)";

TEST(NetworkingValidationTest, ValidHTTPRoutes) {
  ExpectValid("90/10 with header rule", FromYaml<HTTPRoute>(kHttpRoute));
  ExpectValid("mirror, regex, query, method, ServiceImport", FromYaml<HTTPRoute>(R"(
kind: HTTPRoute
metadata: {name: web-route}
spec:
  parentRefs: [{name: web-gateway, port: 443}]
  hostnames: ["*.example.com"]
  rules:
  - matches:
    - path: {type: RegularExpression, value: "^/api/v[0-9]+/.*"}
      headers: [{type: RegularExpression, name: User-Agent, value: "(?i)^mobile.*"}]
      queryParams: [{name: v, value: "2"}, {name: V, value: "3"}]
      method: GET
    - {}
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: web-canary, port: 80}, fraction: {numerator: 1}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: web-shadow, port: 80}, percent: 100}
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: X-Variant, value: canary}]}
    - type: ExtensionRef
      extensionRef: {group: example.com, kind: Limiter, name: l}
    - type: ExtensionRef
      extensionRef: {group: example.com, kind: Limiter, name: m}
    backendRefs:
    - {name: web-stable, port: 80, weight: 0}
    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: web-remote, weight: 1000000}
  - filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
)"));
}

HTTPBackendRef Backend(std::string name, std::optional<int32_t> port,
                       std::optional<int32_t> weight = std::nullopt) {
  HTTPBackendRef ref;
  ref.name = std::move(name);
  ref.port = port;
  ref.weight = weight;
  return ref;
}

HTTPHeaderMatch Header(std::string name, std::string value, const char* type = nullptr) {
  HTTPHeaderMatch h;
  h.name = std::move(name);
  h.value = std::move(value);
  if (type != nullptr) h.type = type;
  return h;
}

HTTPRouteFilter TypedFilter(std::string type) {
  HTTPRouteFilter f;
  f.type = std::move(type);
  return f;
}

HTTPRouteFilter MirrorFilter(std::string name, std::optional<int32_t> port) {
  HTTPRouteFilter f;
  f.type = "RequestMirror";
  f.request_mirror.emplace();
  f.request_mirror->backend_ref.name = std::move(name);
  f.request_mirror->backend_ref.port = port;
  return f;
}

HTTPRouteFilter JsonFilter(std::string type, json::Value HTTPRouteFilter::*member) {
  HTTPRouteFilter f;
  f.type = std::move(type);
  f.*member = json::Value(json::Object{{"k", 1}});
  return f;
}

HTTPRouteMatch Match(std::string path) {
  HTTPRouteMatch m;
  m.path.emplace();
  m.path->type = "PathPrefix";
  m.path->value = std::move(path);
  return m;
}

TEST(NetworkingValidationTest, HTTPRouteRules) {
  using R = Row<HTTPRoute>;
  auto header_match = [](HTTPRoute& r) -> HTTPRouteMatch& { return r.spec.rules[0].matches[0]; };
  auto path_match = [](HTTPRoute& r) -> HTTPPathMatch& { return *r.spec.rules[1].matches[0].path; };
  auto primary = [](HTTPRoute& r) -> HTTPRouteRule& { return r.spec.rules[1]; };
  auto mirror = [](HTTPRoute& r) -> HTTPRequestMirrorFilter& {
    r.spec.rules[1].filters = {MirrorFilter("web-shadow", 80)};
    return *r.spec.rules[1].filters[0].request_mirror;
  };
  const char* kMirror = "spec.rules[1].filters[0].requestMirror";
  RunRows<HTTPRoute>(
      "HTTPRoute", FromYaml<HTTPRoute>(kHttpRoute),
      {
          // parentRefs and hostnames
          R{"parentRef without name", [](HTTPRoute& r) { r.spec.parent_refs[0].name.clear(); },
            "spec.parentRefs[0].name", "is required"},
          R{"parentRef port", [](HTTPRoute& r) { r.spec.parent_refs[0].port = 0; },
            "spec.parentRefs[0].port", "must be 1..65535, got 0"},
          R{"33 parentRefs",
            [](HTTPRoute& r) { r.spec.parent_refs.resize(33, r.spec.parent_refs[0]); },
            "spec.parentRefs", "must have at most 32 parentRefs, got 33"},
          R{"hostname is an IP", [](HTTPRoute& r) { r.spec.hostnames[0] = "192.0.2.1"; },
            "spec.hostnames[0]", "not an IP address"},
          R{"17 hostnames", [](HTTPRoute& r) { r.spec.hostnames.resize(17, "a.example.com"); },
            "spec.hostnames", "must have at most 16 hostnames, got 17"},
          // rules
          R{"17 rules",
            [](HTTPRoute& r) {
              HTTPRouteRule extra = r.spec.rules[1];
              extra.name.reset();
              r.spec.rules.resize(17, extra);
            },
            "spec.rules", "must have at most 16 rules, got 17"},
          R{"duplicate rule name", [](HTTPRoute& r) { r.spec.rules[1].name = "canary-header"; },
            "spec.rules[1].name", "duplicate rule name \"canary-header\""},
          R{"rule name invalid", [](HTTPRoute& r) { r.spec.rules[1].name = "Primary"; },
            "spec.rules[1].name", "lowercase letters"},
          R{"65 matches", [&](HTTPRoute& r) { primary(r).matches.resize(65, Match("/")); },
            "spec.rules[1].matches", "must have at most 64 matches, got 65"},
          R{"129 matches in all",
            [](HTTPRoute& r) {
              r.spec.rules[0].matches.resize(64, Match("/"));
              r.spec.rules[1].matches.resize(64, Match("/"));
              HTTPRouteRule third;
              third.matches = {Match("/x")};
              r.spec.rules.push_back(third);
            },
            "spec.rules", "must have at most 128 matches across all rules, got 129"},
          // path matches
          R{"path type", [&](HTTPRoute& r) { path_match(r).type = "Regex"; },
            "spec.rules[1].matches[0].path.type",
            "must be Exact, PathPrefix or RegularExpression, got \"Regex\""},
          R{"relative path", [&](HTTPRoute& r) { path_match(r).value = "api"; },
            "spec.rules[1].matches[0].path.value", "must be an absolute path starting with '/'"},
          R{"path with #", [&](HTTPRoute& r) { path_match(r).value = "/a#b"; },
            "spec.rules[1].matches[0].path.value", "must not contain '#'"},
          R{"path regex invalid",
            [&](HTTPRoute& r) {
              path_match(r).type = "RegularExpression";
              path_match(r).value = "/(";
            },
            "spec.rules[1].matches[0].path.value", "must be a valid regular expression"},
          R{"path too long",
            [&](HTTPRoute& r) { path_match(r).value = "/" + std::string(1024, 'a'); },
            "spec.rules[1].matches[0].path.value", "must be at most 1024 characters, got 1025"},
          // header and query matches
          R{"header type", [&](HTTPRoute& r) { header_match(r).headers[0].type = "Prefix"; },
            "spec.rules[0].matches[0].headers[0].type",
            "must be Exact or RegularExpression, got \"Prefix\""},
          R{"header name", [&](HTTPRoute& r) { header_match(r).headers[0].name = "X Canary"; },
            "spec.rules[0].matches[0].headers[0].name", "HTTP token"},
          R{"duplicate header name",
            [&](HTTPRoute& r) { header_match(r).headers.push_back(Header("x-canary", "1")); },
            "spec.rules[0].matches[0].headers[1].name", "duplicate name \"x-canary\""},
          R{"header value empty", [&](HTTPRoute& r) { header_match(r).headers[0].value.clear(); },
            "spec.rules[0].matches[0].headers[0].value", "is required"},
          R{"header regex invalid",
            [&](HTTPRoute& r) {
              header_match(r).headers[0] = Header("X-Canary", "([", "RegularExpression");
            },
            "spec.rules[0].matches[0].headers[0].value", "must be a valid regular expression"},
          R{"17 headers",
            [&](HTTPRoute& r) {
              for (int i = 0; i < 16; ++i) {
                header_match(r).headers.push_back(Header("h" + std::to_string(i), "v"));
              }
            },
            "spec.rules[0].matches[0].headers", "must have at most 16 headers, got 17"},
          R{"query param type",
            [&](HTTPRoute& r) { header_match(r).query_params = {Header("v", "2", "Fuzzy")}; },
            "spec.rules[0].matches[0].queryParams[0].type", "must be Exact or RegularExpression"},
          R{"duplicate query param",
            [&](HTTPRoute& r) {
              header_match(r).query_params = {Header("v", "2"), Header("v", "3")};
            },
            "spec.rules[0].matches[0].queryParams[1].name", "duplicate name \"v\""},
          R{"method", [&](HTTPRoute& r) { header_match(r).method = "FETCH"; },
            "spec.rules[0].matches[0].method", "must be GET, HEAD, POST"},
          // filters
          R{"filter type unknown", [&](HTTPRoute& r) { primary(r).filters = {TypedFilter("Foo")}; },
            "spec.rules[1].filters[0].type",
            "must be RequestHeaderModifier, ResponseHeaderModifier"},
          R{"filter member missing",
            [&](HTTPRoute& r) { primary(r).filters = {TypedFilter("RequestMirror")}; },
            "spec.rules[1].filters[0].requestMirror", "is required for filter type"},
          R{"filter member of another type",
            [&](HTTPRoute& r) {
              HTTPRouteFilter f =
                  JsonFilter("RequestHeaderModifier", &HTTPRouteFilter::request_header_modifier);
              f.url_rewrite = Obj("{hostname: x}");
              primary(r).filters = {f};
            },
            "spec.rules[1].filters[0].urlRewrite",
            "must not be set for filter type \"RequestHeaderModifier\""},
          R{"repeated header modifier",
            [&](HTTPRoute& r) {
              HTTPRouteFilter f =
                  JsonFilter("RequestHeaderModifier", &HTTPRouteFilter::request_header_modifier);
              primary(r).filters = {f, f};
            },
            "spec.rules[1].filters[1].type", "may appear once per rule"},
          R{"redirect and rewrite",
            [&](HTTPRoute& r) {
              primary(r).backend_refs.clear();
              primary(r).filters = {
                  JsonFilter("RequestRedirect", &HTTPRouteFilter::request_redirect),
                  JsonFilter("URLRewrite", &HTTPRouteFilter::url_rewrite)};
            },
            "spec.rules[1].filters", "must not combine RequestRedirect and URLRewrite"},
          R{"redirect with backendRefs",
            [&](HTTPRoute& r) {
              primary(r).filters = {
                  JsonFilter("RequestRedirect", &HTTPRouteFilter::request_redirect)};
            },
            "spec.rules[1].filters", "must not use a RequestRedirect filter together with"},
          R{"17 filters",
            [&](HTTPRoute& r) { primary(r).filters.resize(17, MirrorFilter("web-shadow", 80)); },
            "spec.rules[1].filters", "must have at most 16 filters, got 17"},
          // RequestMirror
          R{"mirror without name", [&](HTTPRoute& r) { mirror(r).backend_ref.name.clear(); },
            "spec.rules[1].filters[0].requestMirror.backendRef.name", "is required"},
          R{"mirror Service without port",
            [&](HTTPRoute& r) { mirror(r).backend_ref.port.reset(); },
            "spec.rules[1].filters[0].requestMirror.backendRef.port",
            "is required for a Service backend"},
          R{"mirror percent", [&](HTTPRoute& r) { mirror(r).percent = 101; },
            "spec.rules[1].filters[0].requestMirror.percent", "must be 0..100, got 101"},
          R{"mirror percent and fraction",
            [&](HTTPRoute& r) {
              HTTPRequestMirrorFilter& m = mirror(r);
              m.percent = 10;
              m.fraction = MirrorFraction{1, 10, {}};
            },
            kMirror, "must set at most one of percent and fraction, got both"},
          R{"fraction numerator negative",
            [&](HTTPRoute& r) {
              mirror(r).fraction = MirrorFraction{-1, std::nullopt, {}};
            },
            "spec.rules[1].filters[0].requestMirror.fraction.numerator", "must be >= 0, got -1"},
          R{"fraction denominator zero",
            [&](HTTPRoute& r) {
              mirror(r).fraction = MirrorFraction{0, 0, {}};
            },
            "spec.rules[1].filters[0].requestMirror.fraction.denominator", "must be >= 1, got 0"},
          R{"fraction above one",
            [&](HTTPRoute& r) {
              mirror(r).fraction = MirrorFraction{101, std::nullopt, {}};
            },
            "spec.rules[1].filters[0].requestMirror.fraction",
            "numerator must be at most denominator, got 101/100"},
          // backendRefs
          R{"backend without name", [&](HTTPRoute& r) { primary(r).backend_refs[0].name.clear(); },
            "spec.rules[1].backendRefs[0].name", "is required"},
          R{"backend weight too high",
            [&](HTTPRoute& r) { primary(r).backend_refs[0].weight = 1000001; },
            "spec.rules[1].backendRefs[0].weight", "must be 0..1000000, got 1000001"},
          R{"backend weight negative",
            [&](HTTPRoute& r) { primary(r).backend_refs[1].weight = -1; },
            "spec.rules[1].backendRefs[1].weight", "must be 0..1000000, got -1"},
          R{"backend port out of range",
            [&](HTTPRoute& r) { primary(r).backend_refs[0].port = 70000; },
            "spec.rules[1].backendRefs[0].port", "must be 1..65535, got 70000"},
          R{"Service backend without port",
            [&](HTTPRoute& r) { primary(r).backend_refs[0].port.reset(); },
            "spec.rules[1].backendRefs[0].port", "is required for a Service backend"},
          R{"17 backendRefs",
            [&](HTTPRoute& r) { primary(r).backend_refs.resize(17, Backend("web", 80, 1)); },
            "spec.rules[1].backendRefs", "must have at most 16 backendRefs, got 17"},
      });
}

// ---- Istio ----

// Subset-level split: stable/canary subsets 90/10, and a header route to canary.
constexpr const char* kVirtualService = R"(
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: web-vsvc}
spec:
  hosts: [web.example.com]
  gateways: [web-gateway]
  http:
  - name: canary-header
    match:
    - uri: {prefix: /}
      headers:
        x-canary: {exact: always}
    route:
    - destination: {host: web, subset: canary}
  - name: primary
    route:
    - destination: {host: web, subset: stable, port: {number: 80}}
      weight: 90
    - destination: {host: web, subset: canary, port: {number: 80}}
      weight: 10
)";

constexpr const char* kDestinationRule = R"(
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: web-destrule}
spec:
  host: web
  subsets:
  - name: canary
    labels: {app: web}
  - name: stable
    labels: {app: web}
)";

TEST(NetworkingValidationTest, ValidIstioObjects) {
  ExpectValid("VirtualService 90/10", FromYaml<VirtualService>(kVirtualService));
  ExpectValid("DestinationRule", FromYaml<DestinationRule>(kDestinationRule));
  ExpectValid("VirtualService with mirror, presence match, tls, tcp", FromYaml<VirtualService>(R"(
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web, web.example.com]
  exportTo: [".", "team-a"]
  http:
  - match:
    - headers: {x-debug: {}, user-agent: {regex: "(?i).*mobile.*"}}
      withoutHeaders: {x-internal: {}}
    route:
    - destination: {host: web-canary}
      weight: 100
    - destination: {host: web-stable}
      weight: 0
    mirror: {host: web-shadow}
    mirrorPercentage: {value: 12.5}
  - redirect: {uri: /v2}
  tls:
  - match: [{port: 443, sniHosts: [web.example.com]}]
    route: [{destination: {host: web, port: {number: 443}}}]
  tcp:
  - match: [{port: 5432}]
    route: [{destination: {host: db}}]
)"));
}

IstioRouteDestination Dest(std::string host) {
  IstioRouteDestination d;
  d.destination.host = std::move(host);
  return d;
}

TEST(NetworkingValidationTest, VirtualServiceRules) {
  using R = Row<VirtualService>;
  auto header_route_match = [](VirtualService& v) -> IstioHTTPMatchRequest& {
    return v.spec.http[0].match[0];
  };
  auto primary = [](VirtualService& v) -> IstioHTTPRoute& { return v.spec.http[1]; };
  RunRows<VirtualService>(
      "VirtualService", FromYaml<VirtualService>(kVirtualService),
      {
          R{"no hosts", [](VirtualService& v) { v.spec.hosts.clear(); }, "spec.hosts",
            "is required: at least one host"},
          R{"no routes", [](VirtualService& v) { v.spec.http.clear(); }, "spec",
            "must set at least one of http, tls and tcp"},
          R{"http route without destinations", [&](VirtualService& v) { primary(v).route.clear(); },
            "spec.http[1].route", "is required unless redirect, directResponse or delegate is set"},
          R{"destination host missing",
            [&](VirtualService& v) { primary(v).route[0].destination.host.clear(); },
            "spec.http[1].route[0].destination.host", "is required"},
          R{"subset invalid",
            [&](VirtualService& v) { primary(v).route[0].destination.subset = "Stable"; },
            "spec.http[1].route[0].destination.subset", "lowercase letters"},
          R{"destination port zero",
            [&](VirtualService& v) { primary(v).route[0].destination.port->number = 0; },
            "spec.http[1].route[0].destination.port.number", "must be 1..65535, got 0"},
          R{"weight above 100", [](VirtualService& v) { v.spec.http[0].route[0].weight = 120; },
            "spec.http[0].route[0].weight", "must be 0..100, got 120"},
          R{"weights do not sum to 100",
            [&](VirtualService& v) { primary(v).route[1].weight = 20; }, "spec.http[1].route",
            "weights must sum to 100 when a route has several destinations, got 110 (90 + 20)"},
          R{"uri with two matchers",
            [&](VirtualService& v) { header_route_match(v).uri->exact = "/x"; },
            "spec.http[0].match[0].uri", "must set exactly one of exact, prefix and regex, got 2"},
          R{"uri with no matcher",
            [&](VirtualService& v) { header_route_match(v).uri = IstioStringMatch{}; },
            "spec.http[0].match[0].uri", "must set exactly one of exact, prefix and regex, got 0"},
          R{"header with two matchers",
            [&](VirtualService& v) { header_route_match(v).headers["x-canary"].prefix = "a"; },
            "spec.http[0].match[0].headers.x-canary", "({} alone matches on presence)"},
          R{"header regex invalid",
            [&](VirtualService& v) {
              header_route_match(v).headers["x-canary"] = IstioStringMatch{{}, {}, "([", {}};
            },
            "spec.http[0].match[0].headers.x-canary.regex", "must be a valid regular expression"},
          R{"header name uppercase",
            [&](VirtualService& v) {
              IstioHTTPMatchRequest& m = header_route_match(v);
              m.headers["X-Canary"] = m.headers["x-canary"];
              m.headers.erase("x-canary");
            },
            "spec.http[0].match[0].headers.X-Canary", "header names must be lowercase"},
          R{"mirror without host",
            [&](VirtualService& v) {
              primary(v).mirror = IstioDestination{"", "canary", {}, {}};
            },
            "spec.http[1].mirror.host", "is required"},
          R{"mirror percentage",
            [&](VirtualService& v) {
              primary(v).mirror_percentage = IstioPercent{150, {}};
            },
            "spec.http[1].mirrorPercentage.value", "must be 0.0..100.0"},
          R{"tls route without match",
            [](VirtualService& v) {
              v.spec.tls = {IstioTLSRoute{{}, {Dest("web")}, {}}};
            },
            "spec.tls[0].match", "is required: at least one match with sniHosts"},
          R{"tls match without sniHosts",
            [](VirtualService& v) {
              IstioTLSMatchAttributes m;
              m.port = 443;
              v.spec.tls = {IstioTLSRoute{{m}, {Dest("web")}, {}}};
            },
            "spec.tls[0].match[0].sniHosts", "is required: at least one SNI host"},
          R{"tls route without destinations",
            [](VirtualService& v) {
              IstioTLSMatchAttributes m;
              m.sni_hosts = {"web.example.com"};
              v.spec.tls = {IstioTLSRoute{{m}, {}, {}}};
            },
            "spec.tls[0].route", "is required: at least one destination"},
          R{"tcp route without destinations",
            [](VirtualService& v) { v.spec.tcp = {IstioTCPRoute{}}; }, "spec.tcp[0].route",
            "is required: at least one destination"},
          R{"tcp match port",
            [](VirtualService& v) {
              IstioL4MatchAttributes m;
              m.port = 70000;
              v.spec.tcp = {IstioTCPRoute{{m}, {Dest("db")}, {}}};
            },
            "spec.tcp[0].match[0].port", "must be 1..65535, got 70000"},
          R{"exportTo", [](VirtualService& v) { v.spec.export_to = {"Team_A"}; },
            "spec.exportTo[0]", "must be \".\" (this namespace), \"*\" (all) or a namespace"},
      });
}

TEST(NetworkingValidationTest, DestinationRuleRules) {
  using R = Row<DestinationRule>;
  RunRows<DestinationRule>(
      "DestinationRule", FromYaml<DestinationRule>(kDestinationRule),
      {
          R{"no host", [](DestinationRule& d) { d.spec.host.clear(); }, "spec.host", "is required"},
          R{"subset without name", [](DestinationRule& d) { d.spec.subsets[0].name.clear(); },
            "spec.subsets[0].name", "is required"},
          R{"subset name invalid", [](DestinationRule& d) { d.spec.subsets[0].name = "Canary"; },
            "spec.subsets[0].name", "lowercase letters"},
          R{"duplicate subset", [](DestinationRule& d) { d.spec.subsets[1].name = "canary"; },
            "spec.subsets[1].name", "duplicate subset name \"canary\""},
          R{"subset label key invalid",
            [](DestinationRule& d) { d.spec.subsets[0].labels["bad key"] = "x"; },
            "spec.subsets[0].labels[bad key]", "name of at most 63"},
          R{"exportTo", [](DestinationRule& d) { d.spec.export_to = {"Team_A"}; },
            "spec.exportTo[0]", "or a namespace name"},
      });
}

}  // namespace
}  // namespace devflow::api
