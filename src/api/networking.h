// The traffic objects devflow's routers read and write: networking.k8s.io/v1 Ingress,
// gateway.networking.k8s.io/v1 Gateway and HTTPRoute, and networking.istio.io VirtualService and
// DestinationRule (served at v1alpha3, v1beta1 and v1; the shape is the same).
//
// Plain value types (copyable, comparable with ==). Field names are the manifest's words in
// snake_case; each comment gives the manifest name and the API's default, which is not written
// into the object. Every struct keeps the members it does not model in `extra`, so an object
// devflow patches (a route's weights, a DestinationRule's subset labels) keeps everything else the
// user wrote. std::optional marks a Go pointer field (absent and zero are different). Parts
// devflow never interprets are kept as json::Value.
//
// What devflow writes into these objects: argo-rollouts.md section 1.5. Codecs: networking_codec.h.
// Validation: networking_validation.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/meta.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// ======== networking.k8s.io/v1 Ingress ========

// backend.service.port: exactly one of name and number.
struct ServiceBackendPort {
  std::string name;    // name: a port name of the Service
  int32_t number = 0;  // number: 1..65535
  json::Object extra;
  friend bool operator==(const ServiceBackendPort&, const ServiceBackendPort&) = default;
};

// backend.service
struct IngressServiceBackend {
  std::string name;         // name: the Service, in the Ingress's namespace
  ServiceBackendPort port;  // port
  json::Object extra;
  friend bool operator==(const IngressServiceBackend&, const IngressServiceBackend&) = default;
};

// An Ingress backend: exactly one of service and resource.
struct IngressBackend {
  std::optional<IngressServiceBackend> service;  // service
  json::Value resource;  // resource: TypedLocalObjectReference {apiGroup, kind, name}
  json::Object extra;
  friend bool operator==(const IngressBackend&, const IngressBackend&) = default;
};

// rules[].http.paths[]
struct HTTPIngressPath {
  std::string path;       // path: starts with '/'
  std::string path_type;  // pathType: Exact, Prefix or ImplementationSpecific (required)
  IngressBackend backend;
  json::Object extra;
  friend bool operator==(const HTTPIngressPath&, const HTTPIngressPath&) = default;
};

// rules[].http
struct HTTPIngressRuleValue {
  std::vector<HTTPIngressPath> paths;  // paths: at least one
  json::Object extra;
  friend bool operator==(const HTTPIngressRuleValue&, const HTTPIngressRuleValue&) = default;
};

// rules[]
struct IngressRule {
  std::string host;  // host: a DNS name, optionally "*." wildcard; not an IP. Empty = any host
  std::optional<HTTPIngressRuleValue> http;  // http
  json::Object extra;
  friend bool operator==(const IngressRule&, const IngressRule&) = default;
};

// tls[]
struct IngressTLS {
  std::vector<std::string> hosts;  // hosts
  std::string secret_name;         // secretName
  json::Object extra;
  friend bool operator==(const IngressTLS&, const IngressTLS&) = default;
};

// spec
struct IngressSpec {
  std::optional<std::string> ingress_class_name;  // ingressClassName
  std::optional<IngressBackend> default_backend;  // defaultBackend
  std::vector<IngressTLS> tls;                    // tls
  std::vector<IngressRule> rules;                 // rules
  json::Object extra;
  friend bool operator==(const IngressSpec&, const IngressSpec&) = default;
};

// networking.k8s.io/v1 Ingress. With the nginx router, devflow clones the stable Ingress into
// `<rollout>-<ingress>-canary` and sets canary annotations on it.
struct Ingress {
  std::string api_version;  // apiVersion: "networking.k8s.io/v1"
  std::string kind;         // kind: "Ingress"
  ObjectMeta metadata;
  IngressSpec spec;
  json::Value status;  // status: {loadBalancer: {ingress: [...]}}
  json::Object extra;
  friend bool operator==(const Ingress&, const Ingress&) = default;
};

// ======== gateway.networking.k8s.io/v1 ========

// metav1.Condition, as Gateway API statuses carry it.
struct MetaCondition {
  std::string type;                 // type: e.g. "Accepted", "Programmed", "ResolvedRefs"
  std::string status;               // status: True, False or Unknown
  int64_t observed_generation = 0;  // observedGeneration
  Time last_transition_time;        // lastTransitionTime
  std::string reason;               // reason: UpperCamelCase
  std::string message;              // message
  json::Object extra;
  friend bool operator==(const MetaCondition&, const MetaCondition&) = default;
};

// Gateway spec.listeners[]
struct GatewayListener {
  std::string name;                     // name: unique in the Gateway; a DNS label
  std::optional<std::string> hostname;  // hostname: not with TCP/UDP; "*." wildcard allowed
  int32_t port = 0;                     // port: 1..65535
  std::string protocol;        // protocol: HTTP, HTTPS, TLS, TCP, UDP or "domain/name" (custom)
  json::Value tls;             // tls: {mode, certificateRefs, options}; not with HTTP/TCP/UDP
  json::Value allowed_routes;  // allowedRoutes: {namespaces, kinds}
  json::Object extra;
  friend bool operator==(const GatewayListener&, const GatewayListener&) = default;
};

struct GatewaySpec {
  std::string gateway_class_name;          // gatewayClassName: required
  std::vector<GatewayListener> listeners;  // listeners: 1..64
  json::Value addresses;                   // addresses: [{type, value}]
  json::Object extra;                      // infrastructure, backendTLS, ...
  friend bool operator==(const GatewaySpec&, const GatewaySpec&) = default;
};

struct GatewayStatus {
  json::Value addresses;                  // addresses
  std::vector<MetaCondition> conditions;  // conditions: Accepted, Programmed
  json::Value listeners;                  // listeners: per-listener status
  json::Object extra;
  friend bool operator==(const GatewayStatus&, const GatewayStatus&) = default;
};

// gateway.networking.k8s.io/v1 Gateway.
struct Gateway {
  std::string api_version;  // apiVersion: "gateway.networking.k8s.io/v1"
  std::string kind;         // kind: "Gateway"
  ObjectMeta metadata;
  GatewaySpec spec;
  GatewayStatus status;
  json::Object extra;
  friend bool operator==(const Gateway&, const Gateway&) = default;
};

// HTTPRoute spec.parentRefs[] (and status.parents[].parentRef).
struct ParentReference {
  std::optional<std::string> group;         // group: default "gateway.networking.k8s.io"
  std::optional<std::string> kind;          // kind: default "Gateway"
  std::optional<std::string> namespace_;    // namespace: default the route's
  std::string name;                         // name: required
  std::optional<std::string> section_name;  // sectionName: a listener name
  std::optional<int32_t> port;              // port: 1..65535
  json::Object extra;
  friend bool operator==(const ParentReference&, const ParentReference&) = default;
};

// rules[].matches[].path
struct HTTPPathMatch {
  // type: Exact, PathPrefix (default) or RegularExpression.
  std::optional<std::string> type;
  std::optional<std::string> value;  // value: default "/"; at most 1024 characters
  json::Object extra;
  friend bool operator==(const HTTPPathMatch&, const HTTPPathMatch&) = default;
};

// rules[].matches[].headers[] and, with the same shape, queryParams[].
struct HTTPHeaderMatch {
  std::optional<std::string> type;  // type: Exact (default) or RegularExpression
  std::string name;                 // name: required; headers compare case-insensitively
  std::string value;                // value: required
  json::Object extra;
  friend bool operator==(const HTTPHeaderMatch&, const HTTPHeaderMatch&) = default;
};
using HTTPQueryParamMatch = HTTPHeaderMatch;

// rules[].matches[]: every condition must hold.
struct HTTPRouteMatch {
  std::optional<HTTPPathMatch> path;              // path: default PathPrefix "/"
  std::vector<HTTPHeaderMatch> headers;           // headers: at most 16
  std::vector<HTTPQueryParamMatch> query_params;  // queryParams: at most 16
  std::optional<std::string> method;              // method: GET, POST, ...
  json::Object extra;
  friend bool operator==(const HTTPRouteMatch&, const HTTPRouteMatch&) = default;
};

// A reference to a backend without a weight: requestMirror.backendRef.
struct BackendObjectReference {
  std::optional<std::string> group;       // group: default "" (core)
  std::optional<std::string> kind;        // kind: default "Service"
  std::string name;                       // name: required
  std::optional<std::string> namespace_;  // namespace: default the route's
  std::optional<int32_t> port;            // port: 1..65535, required for a Service
  json::Object extra;
  friend bool operator==(const BackendObjectReference&, const BackendObjectReference&) = default;
};

// requestMirror.fraction: numerator/denominator of requests mirrored.
struct MirrorFraction {
  int32_t numerator = 0;               // numerator: >= 0, <= denominator
  std::optional<int32_t> denominator;  // denominator: default 100, >= 1
  json::Object extra;
  friend bool operator==(const MirrorFraction&, const MirrorFraction&) = default;
};

// filters[].requestMirror
struct HTTPRequestMirrorFilter {
  BackendObjectReference backend_ref;      // backendRef
  std::optional<int32_t> percent;          // percent: 0..100; not with fraction
  std::optional<MirrorFraction> fraction;  // fraction
  json::Object extra;
  friend bool operator==(const HTTPRequestMirrorFilter&, const HTTPRequestMirrorFilter&) = default;
};

// rules[].filters[]: `type` names the one member that must be set.
struct HTTPRouteFilter {
  // type: RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, RequestRedirect,
  // URLRewrite, ExtensionRef or CORS.
  std::string type;
  json::Value request_header_modifier;   // requestHeaderModifier: {set, add, remove}
  json::Value response_header_modifier;  // responseHeaderModifier
  std::optional<HTTPRequestMirrorFilter> request_mirror;  // requestMirror
  json::Value request_redirect;                           // requestRedirect
  json::Value url_rewrite;                                // urlRewrite
  json::Value extension_ref;                              // extensionRef: {group, kind, name}
  json::Value cors;                                       // cors
  json::Object extra;
  friend bool operator==(const HTTPRouteFilter&, const HTTPRouteFilter&) = default;
};

// rules[].backendRefs[]
struct HTTPBackendRef {
  std::optional<std::string> group;       // group: default "" (core)
  std::optional<std::string> kind;        // kind: default "Service"
  std::string name;                       // name: required
  std::optional<std::string> namespace_;  // namespace: default the route's
  std::optional<int32_t> port;            // port: 1..65535, required for a Service
  // weight: default 1; 0..1000000; proportional (share = weight / sum of the rule's weights),
  // not a percentage. 0 sends no traffic.
  std::optional<int32_t> weight;
  json::Value filters;  // filters: per-backend HTTPRouteFilters
  json::Object extra;
  friend bool operator==(const HTTPBackendRef&, const HTTPBackendRef&) = default;
};

// rules[]
struct HTTPRouteRule {
  std::optional<std::string> name;           // name: unique in the route when set
  std::vector<HTTPRouteMatch> matches;       // matches: any may match; at most 64
  std::vector<HTTPRouteFilter> filters;      // filters: at most 16
  std::vector<HTTPBackendRef> backend_refs;  // backendRefs: at most 16
  json::Value timeouts;                      // timeouts: {request, backendRequest}
  json::Object extra;                        // retry, sessionPersistence
  friend bool operator==(const HTTPRouteRule&, const HTTPRouteRule&) = default;
};

struct HTTPRouteSpec {
  std::vector<ParentReference> parent_refs;  // parentRefs: at most 32
  std::vector<std::string> hostnames;        // hostnames: at most 16
  std::vector<HTTPRouteRule> rules;          // rules: at most 16, 128 matches in all
  json::Object extra;
  friend bool operator==(const HTTPRouteSpec&, const HTTPRouteSpec&) = default;
};

// status.parents[]
struct RouteParentStatus {
  ParentReference parent_ref;             // parentRef
  std::string controller_name;            // controllerName
  std::vector<MetaCondition> conditions;  // conditions: Accepted, ResolvedRefs
  json::Object extra;
  friend bool operator==(const RouteParentStatus&, const RouteParentStatus&) = default;
};

struct HTTPRouteStatus {
  std::vector<RouteParentStatus> parents;  // parents
  json::Object extra;
  friend bool operator==(const HTTPRouteStatus&, const HTTPRouteStatus&) = default;
};

// gateway.networking.k8s.io/v1 HTTPRoute. devflow sets backendRefs[].weight of the stable and
// canary Services, and adds header and mirror rules for managed routes.
struct HTTPRoute {
  std::string api_version;  // apiVersion: "gateway.networking.k8s.io/v1"
  std::string kind;         // kind: "HTTPRoute"
  ObjectMeta metadata;
  HTTPRouteSpec spec;
  HTTPRouteStatus status;
  json::Object extra;
  friend bool operator==(const HTTPRoute&, const HTTPRoute&) = default;
};

// ======== networking.istio.io VirtualService / DestinationRule ========
// Istio's message names are prefixed with Istio where they would collide with Gateway API ones.

// StringMatch: exactly one of exact, prefix and regex (RE2 syntax). For headers, queryParams and
// withoutHeaders an empty StringMatch ({}) matches on presence.
struct IstioStringMatch {
  std::optional<std::string> exact;   // exact
  std::optional<std::string> prefix;  // prefix
  std::optional<std::string> regex;   // regex
  json::Object extra;
  friend bool operator==(const IstioStringMatch&, const IstioStringMatch&) = default;
};

// http[].match[]: every condition must hold.
struct IstioHTTPMatchRequest {
  std::string name;                                         // name
  std::optional<IstioStringMatch> uri;                      // uri
  std::optional<IstioStringMatch> scheme;                   // scheme
  std::optional<IstioStringMatch> method;                   // method
  std::optional<IstioStringMatch> authority;                // authority
  std::map<std::string, IstioStringMatch> headers;          // headers: keys lowercase
  std::map<std::string, IstioStringMatch> query_params;     // queryParams
  std::map<std::string, IstioStringMatch> without_headers;  // withoutHeaders: keys lowercase
  int32_t port = 0;                                         // port
  std::map<std::string, std::string> source_labels;         // sourceLabels
  std::vector<std::string> gateways;                        // gateways
  bool ignore_uri_case = false;                             // ignoreUriCase
  json::Object extra;
  friend bool operator==(const IstioHTTPMatchRequest&, const IstioHTTPMatchRequest&) = default;
};

// destination.port
struct IstioPortSelector {
  int32_t number = 0;  // number: 1..65535
  json::Object extra;
  friend bool operator==(const IstioPortSelector&, const IstioPortSelector&) = default;
};

// A Destination: route[].destination and http[].mirror.
struct IstioDestination {
  std::string host;                       // host: required; a Service short name or FQDN
  std::string subset;                     // subset: a DestinationRule subset name (a DNS label)
  std::optional<IstioPortSelector> port;  // port
  json::Object extra;
  friend bool operator==(const IstioDestination&, const IstioDestination&) = default;
};

// http[].route[], tls[].route[] and tcp[].route[] (HTTPRouteDestination / RouteDestination).
struct IstioRouteDestination {
  IstioDestination destination;  // destination
  // weight: 0..100; the route's weights sum to 100 when it has several destinations; a lone
  // destination gets all traffic. devflow writes canary = w, stable = 100 - w.
  int32_t weight = 0;
  json::Value headers;  // headers: {request, response} manipulation (HTTP only)
  json::Object extra;
  friend bool operator==(const IstioRouteDestination&, const IstioRouteDestination&) = default;
};

// http[].mirrorPercentage
struct IstioPercent {
  double value = 0;  // value: 0.0..100.0
  json::Object extra;
  friend bool operator==(const IstioPercent&, const IstioPercent&) = default;
};

// http[]
struct IstioHTTPRoute {
  std::string name;                               // name: devflow finds routes by it
  std::vector<IstioHTTPMatchRequest> match;       // match
  std::vector<IstioRouteDestination> route;       // route
  json::Value redirect;                           // redirect
  json::Value direct_response;                    // directResponse
  json::Value delegate;                           // delegate
  json::Value rewrite;                            // rewrite
  std::string timeout;                            // timeout: a duration, "10s"
  json::Value retries;                            // retries
  json::Value fault;                              // fault
  std::optional<IstioDestination> mirror;         // mirror
  std::optional<IstioPercent> mirror_percentage;  // mirrorPercentage: default 100
  json::Value mirrors;                            // mirrors
  json::Value cors_policy;                        // corsPolicy
  json::Value headers;                            // headers
  json::Object extra;
  friend bool operator==(const IstioHTTPRoute&, const IstioHTTPRoute&) = default;
};

// tls[].match[]
struct IstioTLSMatchAttributes {
  std::vector<std::string> sni_hosts;                // sniHosts: required
  std::vector<std::string> destination_subnets;      // destinationSubnets
  int32_t port = 0;                                  // port
  std::map<std::string, std::string> source_labels;  // sourceLabels
  std::vector<std::string> gateways;                 // gateways
  std::string source_namespace;                      // sourceNamespace
  json::Object extra;
  friend bool operator==(const IstioTLSMatchAttributes&, const IstioTLSMatchAttributes&) = default;
};

// tcp[].match[]
struct IstioL4MatchAttributes {
  std::vector<std::string> destination_subnets;      // destinationSubnets
  int32_t port = 0;                                  // port
  std::map<std::string, std::string> source_labels;  // sourceLabels
  std::vector<std::string> gateways;                 // gateways
  std::string source_namespace;                      // sourceNamespace
  json::Object extra;
  friend bool operator==(const IstioL4MatchAttributes&, const IstioL4MatchAttributes&) = default;
};

// tls[]
struct IstioTLSRoute {
  std::vector<IstioTLSMatchAttributes> match;  // match: required
  std::vector<IstioRouteDestination> route;    // route: required
  json::Object extra;
  friend bool operator==(const IstioTLSRoute&, const IstioTLSRoute&) = default;
};

// tcp[]
struct IstioTCPRoute {
  std::vector<IstioL4MatchAttributes> match;  // match
  std::vector<IstioRouteDestination> route;   // route: required
  json::Object extra;
  friend bool operator==(const IstioTCPRoute&, const IstioTCPRoute&) = default;
};

struct VirtualServiceSpec {
  std::vector<std::string> hosts;      // hosts: required
  std::vector<std::string> gateways;   // gateways: default "mesh"
  std::vector<IstioHTTPRoute> http;    // http
  std::vector<IstioTLSRoute> tls;      // tls
  std::vector<IstioTCPRoute> tcp;      // tcp
  std::vector<std::string> export_to;  // exportTo: ".", "*" or namespace names
  json::Object extra;
  friend bool operator==(const VirtualServiceSpec&, const VirtualServiceSpec&) = default;
};

// networking.istio.io VirtualService. devflow sets the weights of the named routes' stable and
// canary destinations (by host or by subset).
struct VirtualService {
  std::string api_version;  // apiVersion: "networking.istio.io/v1beta1" (or v1alpha3, v1)
  std::string kind;         // kind: "VirtualService"
  ObjectMeta metadata;
  VirtualServiceSpec spec;
  json::Value status;  // status: Istio's analysis conditions
  json::Object extra;
  friend bool operator==(const VirtualService&, const VirtualService&) = default;
};

// DestinationRule spec.subsets[]
struct IstioSubset {
  std::string name;                           // name: required, unique, a DNS label
  std::map<std::string, std::string> labels;  // labels: devflow adds rollouts-pod-template-hash
  json::Value traffic_policy;                 // trafficPolicy
  json::Object extra;
  friend bool operator==(const IstioSubset&, const IstioSubset&) = default;
};

struct DestinationRuleSpec {
  std::string host;                    // host: required
  std::vector<IstioSubset> subsets;    // subsets
  json::Value traffic_policy;          // trafficPolicy
  std::vector<std::string> export_to;  // exportTo
  json::Value workload_selector;       // workloadSelector
  json::Object extra;
  friend bool operator==(const DestinationRuleSpec&, const DestinationRuleSpec&) = default;
};

// networking.istio.io DestinationRule.
struct DestinationRule {
  std::string api_version;  // apiVersion: "networking.istio.io/v1beta1" (or v1alpha3, v1)
  std::string kind;         // kind: "DestinationRule"
  ObjectMeta metadata;
  DestinationRuleSpec spec;
  json::Value status;  // status
  json::Object extra;
  friend bool operator==(const DestinationRule&, const DestinationRule&) = default;
};

}  // namespace devflow::api
