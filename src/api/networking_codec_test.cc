#include "api/networking_codec.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/manifest_reader.h"

namespace devflow::api {
namespace {

using testing::Parse;
using testing::RoundTrip;

TEST(NetworkingCodecTest, IngressRoundTripsWithUnknownFields) {
  Ingress ing = RoundTrip<Ingress>(R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bluegreen-demo
  annotations: {nginx.ingress.kubernetes.io/canary: "true"}
spec:
  ingressClassName: nginx
  defaultBackend:
    resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}
  tls:
  - hosts: [bluegreen.auto]
    secretName: bluegreen-tls
    x-tls: 1
  rules:
  - host: "bluegreen.auto"
    x-rule: {a: b}
    http:
      x-http: true
      paths:
      - pathType: Prefix
        path: "/"
        x-path: [1]
        backend:
          x-backend: 2
          service:
            name: bluegreen-demo
            x-service: 3
            port:
              number: 80
              x-port: 4
      - pathType: Exact
        path: "/preview"
        backend:
          service: {name: bluegreen-preview, port: {name: http}}
status:
  loadBalancer: {ingress: [{ip: 192.0.2.10}]}
)");
  ASSERT_TRUE(ing.spec.ingress_class_name.has_value());
  EXPECT_EQ(*ing.spec.ingress_class_name, "nginx");
  ASSERT_TRUE(ing.spec.default_backend.has_value());
  EXPECT_FALSE(ing.spec.default_backend->service.has_value());
  EXPECT_TRUE(ing.spec.default_backend->resource.is_object());
  ASSERT_EQ(ing.spec.rules.size(), 1u);
  const IngressRule& rule = ing.spec.rules[0];
  EXPECT_EQ(rule.host, "bluegreen.auto");
  EXPECT_TRUE(rule.extra.Contains("x-rule"));
  ASSERT_TRUE(rule.http.has_value());
  EXPECT_TRUE(rule.http->extra.Contains("x-http"));
  ASSERT_EQ(rule.http->paths.size(), 2u);
  const HTTPIngressPath& path = rule.http->paths[0];
  EXPECT_EQ(path.path_type, "Prefix");
  EXPECT_TRUE(path.extra.Contains("x-path"));
  EXPECT_TRUE(path.backend.extra.Contains("x-backend"));
  ASSERT_TRUE(path.backend.service.has_value());
  EXPECT_EQ(path.backend.service->name, "bluegreen-demo");
  EXPECT_TRUE(path.backend.service->extra.Contains("x-service"));
  EXPECT_EQ(path.backend.service->port.number, 80);
  EXPECT_TRUE(path.backend.service->port.extra.Contains("x-port"));
  EXPECT_EQ(rule.http->paths[1].backend.service->port.name, "http");
  EXPECT_EQ(ing.spec.tls[0].secret_name, "bluegreen-tls");
  EXPECT_TRUE(ing.status.is_object());
}

TEST(NetworkingCodecTest, GatewayRoundTripsWithTypedStatus) {
  Gateway gw = RoundTrip<Gateway>(R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gateway}
spec:
  gatewayClassName: haproxy
  infrastructure: {labels: {team: web}}
  listeners:
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    tls: {mode: Terminate, certificateRefs: [{name: example-tls}]}
    allowedRoutes: {namespaces: {from: All}}
    x-listener: 1
  addresses: [{type: IPAddress, value: 192.0.2.1}]
status:
  addresses: [{type: IPAddress, value: 192.0.2.1}]
  conditions:
  - type: Programmed
    status: "True"
    observedGeneration: 3
    lastTransitionTime: "2024-01-02T03:04:05Z"
    reason: Programmed
    message: ok
    x-cond: 1
  listeners: [{name: https, attachedRoutes: 2}]
)");
  EXPECT_EQ(gw.spec.gateway_class_name, "haproxy");
  EXPECT_TRUE(gw.spec.extra.Contains("infrastructure"));
  ASSERT_EQ(gw.spec.listeners.size(), 1u);
  EXPECT_EQ(gw.spec.listeners[0].hostname, "*.example.com");
  EXPECT_EQ(gw.spec.listeners[0].port, 443);
  EXPECT_TRUE(gw.spec.listeners[0].tls.is_object());
  EXPECT_TRUE(gw.spec.listeners[0].extra.Contains("x-listener"));
  ASSERT_EQ(gw.status.conditions.size(), 1u);
  EXPECT_EQ(gw.status.conditions[0].observed_generation, 3);
  EXPECT_EQ(FormatRfc3339(gw.status.conditions[0].last_transition_time.value),
            "2024-01-02T03:04:05Z");
  EXPECT_TRUE(gw.status.conditions[0].extra.Contains("x-cond"));
}

TEST(NetworkingCodecTest, HTTPRouteRoundTripsWithUnknownFields) {
  HTTPRoute route = RoundTrip<HTTPRoute>(R"(
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-route, namespace: default}
spec:
  parentRefs:
  - {group: gateway.networking.k8s.io, kind: Gateway, namespace: infra, name: web-gateway,
     sectionName: https, port: 443, x-parent: 1}
  hostnames: [web.example.com]
  x-spec: {a: 1}
  rules:
  - name: canary-header
    matches:
    - path: {type: PathPrefix, value: /, x-pathmatch: 1}
      headers: [{type: Exact, name: X-Canary, value: always, x-header: 1}]
      queryParams: [{name: v, value: "2"}]
      method: GET
      x-match: 2
    filters:
    - type: RequestMirror
      requestMirror:
        backendRef: {name: web-canary, port: 80, x-mirror-ref: 1}
        fraction: {numerator: 5, denominator: 1000}
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: X-Variant, value: canary}]}
      x-filter: 3
    backendRefs:
    - {name: web-canary, port: 80, filters: [{type: ResponseHeaderModifier,
       responseHeaderModifier: {add: [{name: X-Canary, value: "1"}]}}]}
    timeouts: {request: 10s}
    retry: {attempts: 2}
  - backendRefs:
    - {name: web-stable, port: 80, weight: 100}
    - {name: web-canary, port: 80, weight: 0, x-ref: 4}
    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: web-remote, namespace: other}
status:
  parents:
  - parentRef: {name: web-gateway}
    controllerName: haproxy-ingress.github.io/controller
    conditions:
    - {type: Accepted, status: "True", reason: Accepted, message: attached,
       lastTransitionTime: "2024-01-02T03:04:05Z", observedGeneration: 1}
    x-parent-status: 1
)");
  const HTTPRouteSpec& spec = route.spec;
  ASSERT_EQ(spec.parent_refs.size(), 1u);
  EXPECT_EQ(spec.parent_refs[0].namespace_, "infra");
  EXPECT_EQ(spec.parent_refs[0].port, 443);
  EXPECT_TRUE(spec.parent_refs[0].extra.Contains("x-parent"));
  EXPECT_TRUE(spec.extra.Contains("x-spec"));
  ASSERT_EQ(spec.rules.size(), 2u);
  const HTTPRouteRule& header_rule = spec.rules[0];
  EXPECT_EQ(header_rule.name, "canary-header");
  ASSERT_EQ(header_rule.matches.size(), 1u);
  const HTTPRouteMatch& match = header_rule.matches[0];
  ASSERT_TRUE(match.path.has_value());
  EXPECT_EQ(match.path->type, "PathPrefix");
  EXPECT_TRUE(match.path->extra.Contains("x-pathmatch"));
  ASSERT_EQ(match.headers.size(), 1u);
  EXPECT_EQ(match.headers[0].name, "X-Canary");
  EXPECT_TRUE(match.headers[0].extra.Contains("x-header"));
  EXPECT_EQ(match.query_params[0].value, "2");
  EXPECT_EQ(match.method, "GET");
  EXPECT_TRUE(match.extra.Contains("x-match"));
  ASSERT_EQ(header_rule.filters.size(), 2u);
  ASSERT_TRUE(header_rule.filters[0].request_mirror.has_value());
  const HTTPRequestMirrorFilter& mirror = *header_rule.filters[0].request_mirror;
  EXPECT_EQ(mirror.backend_ref.name, "web-canary");
  EXPECT_TRUE(mirror.backend_ref.extra.Contains("x-mirror-ref"));
  ASSERT_TRUE(mirror.fraction.has_value());
  EXPECT_EQ(mirror.fraction->numerator, 5);
  EXPECT_EQ(mirror.fraction->denominator, 1000);
  EXPECT_TRUE(header_rule.filters[1].request_header_modifier.is_object());
  EXPECT_TRUE(header_rule.filters[1].extra.Contains("x-filter"));
  EXPECT_TRUE(header_rule.backend_refs[0].filters.is_array());
  EXPECT_TRUE(header_rule.timeouts.is_object());
  EXPECT_TRUE(header_rule.extra.Contains("retry"));
  const HTTPRouteRule& weights = spec.rules[1];
  ASSERT_EQ(weights.backend_refs.size(), 3u);
  EXPECT_EQ(weights.backend_refs[0].weight, 100);
  // weight 0 is a Go pointer: it stays set (no traffic) rather than reading as the default 1.
  EXPECT_EQ(weights.backend_refs[1].weight, 0);
  EXPECT_FALSE(weights.backend_refs[2].weight.has_value());
  EXPECT_EQ(weights.backend_refs[2].kind, "ServiceImport");
  ASSERT_EQ(route.status.parents.size(), 1u);
  EXPECT_EQ(route.status.parents[0].controller_name, "haproxy-ingress.github.io/controller");
  EXPECT_EQ(route.status.parents[0].conditions[0].type, "Accepted");
  EXPECT_TRUE(route.status.parents[0].extra.Contains("x-parent-status"));
}

TEST(NetworkingCodecTest, VirtualServiceRoundTripsWithUnknownFields) {
  VirtualService vs = RoundTrip<VirtualService>(R"(
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: web-vsvc}
spec:
  hosts: [web.example.com]
  gateways: [istio-system/web-gateway, mesh]
  exportTo: ["."]
  http:
  - name: canary-header
    match:
    - uri: {prefix: /api}
      headers:
        x-canary: {exact: always}
        x-debug: {}
      withoutHeaders: {x-internal: {regex: "^1$"}}
      queryParams: {v: {exact: "2"}}
      ignoreUriCase: true
      x-match: 1
    route:
    - destination: {host: web, subset: canary, port: {number: 80, x-port: 1}}
  - name: primary
    route:
    - destination: {host: web, subset: stable, x-dest: 2}
      weight: 90
      headers: {request: {set: {x-variant: stable}}}
    - destination: {host: web, subset: canary}
      weight: 10
      x-route: 3
    mirror: {host: web, subset: canary}
    mirrorPercentage: {value: 12.5}
    timeout: 10s
    retries: {attempts: 3}
    x-http: 4
  tls:
  - match: [{port: 443, sniHosts: [web.example.com], x-tlsmatch: 5}]
    route: [{destination: {host: web, port: {number: 443}}}]
  tcp:
  - match: [{port: 5432}]
    route: [{destination: {host: db}}]
    x-tcp: 6
status: {observedGeneration: 2}
)");
  const VirtualServiceSpec& spec = vs.spec;
  EXPECT_EQ(spec.gateways.size(), 2u);
  ASSERT_EQ(spec.http.size(), 2u);
  const IstioHTTPMatchRequest& m = spec.http[0].match[0];
  ASSERT_TRUE(m.uri.has_value());
  EXPECT_EQ(m.uri->prefix, "/api");
  EXPECT_EQ(m.headers.at("x-canary").exact, "always");
  EXPECT_EQ(m.headers.at("x-debug"), IstioStringMatch{});
  EXPECT_EQ(m.without_headers.at("x-internal").regex, "^1$");
  EXPECT_TRUE(m.ignore_uri_case);
  EXPECT_TRUE(m.extra.Contains("x-match"));
  ASSERT_TRUE(spec.http[0].route[0].destination.port.has_value());
  EXPECT_EQ(spec.http[0].route[0].destination.port->number, 80);
  EXPECT_TRUE(spec.http[0].route[0].destination.port->extra.Contains("x-port"));
  const IstioHTTPRoute& primary = spec.http[1];
  EXPECT_EQ(primary.route[0].weight, 90);
  EXPECT_EQ(primary.route[1].weight, 10);
  EXPECT_TRUE(primary.route[0].destination.extra.Contains("x-dest"));
  EXPECT_TRUE(primary.route[0].headers.is_object());
  EXPECT_TRUE(primary.route[1].extra.Contains("x-route"));
  ASSERT_TRUE(primary.mirror.has_value());
  EXPECT_EQ(primary.mirror->subset, "canary");
  ASSERT_TRUE(primary.mirror_percentage.has_value());
  EXPECT_EQ(primary.mirror_percentage->value, 12.5);
  EXPECT_EQ(primary.timeout, "10s");
  EXPECT_TRUE(primary.extra.Contains("x-http"));
  EXPECT_EQ(spec.tls[0].match[0].sni_hosts[0], "web.example.com");
  EXPECT_TRUE(spec.tls[0].match[0].extra.Contains("x-tlsmatch"));
  EXPECT_EQ(spec.tcp[0].match[0].port, 5432);
  EXPECT_TRUE(spec.tcp[0].extra.Contains("x-tcp"));
}

TEST(NetworkingCodecTest, DestinationRuleRoundTripsWithUnknownFields) {
  DestinationRule dr = RoundTrip<DestinationRule>(R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web-destrule
  annotations: {argo-rollouts.argoproj.io/managed-by-rollouts: web}
spec:
  host: web
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
  exportTo: ["*"]
  subsets:
  - name: canary
    labels: {app: web, rollouts-pod-template-hash: 7d6459646d}
    trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
    x-subset: 1
  - name: stable
    labels: {app: web, rollouts-pod-template-hash: fbc7b7f55}
  x-spec: 2
)");
  EXPECT_EQ(dr.spec.host, "web");
  ASSERT_EQ(dr.spec.subsets.size(), 2u);
  EXPECT_EQ(dr.spec.subsets[0].labels.at("rollouts-pod-template-hash"), "7d6459646d");
  EXPECT_TRUE(dr.spec.subsets[0].traffic_policy.is_object());
  EXPECT_TRUE(dr.spec.subsets[0].extra.Contains("x-subset"));
  EXPECT_TRUE(dr.spec.traffic_policy.is_object());
  EXPECT_TRUE(dr.spec.extra.Contains("x-spec"));
}

TEST(NetworkingCodecTest, ReportsWrongTypesWithTheirPaths) {
  FieldErrors errors;
  (void)Decode<HTTPRoute>(
      Parse("kind: HTTPRoute\nspec: {rules: [{backendRefs: [{name: a, weight: \"90\"}]}]}\n"),
      &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path.str(), "spec.rules[0].backendRefs[0].weight");
  EXPECT_NE(errors[0].message.find("must be an integer"), std::string::npos);

  errors.clear();
  (void)Decode<VirtualService>(
      Parse("kind: VirtualService\nspec: {http: [{match: [{headers: {x-a: exact}}]}]}\n"), &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path.str(), "spec.http[0].match[0].headers.x-a");
  EXPECT_NE(errors[0].message.find("must be an object"), std::string::npos);
}

}  // namespace
}  // namespace devflow::api
