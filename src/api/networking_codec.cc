#include "api/networking_codec.h"

#include "api/codec_engine.h"
#include "api/meta_codec.h"

namespace devflow::api {

// ---- Ingress ----

template <class V>
void Fields(V& v, ServiceBackendPort& s) {
  v("name", s.name);
  v("number", s.number);
}

template <class V>
void Fields(V& v, IngressServiceBackend& s) {
  v("name", s.name);
  v("port", s.port);
}

template <class V>
void Fields(V& v, IngressBackend& s) {
  v("service", s.service);
  v("resource", s.resource);
}

template <class V>
void Fields(V& v, HTTPIngressPath& s) {
  v("path", s.path);
  v("pathType", s.path_type);
  v("backend", s.backend);
}

template <class V>
void Fields(V& v, HTTPIngressRuleValue& s) {
  v("paths", s.paths);
}

template <class V>
void Fields(V& v, IngressRule& s) {
  v("host", s.host);
  v("http", s.http);
}

template <class V>
void Fields(V& v, IngressTLS& s) {
  v("hosts", s.hosts);
  v("secretName", s.secret_name);
}

template <class V>
void Fields(V& v, IngressSpec& s) {
  v("ingressClassName", s.ingress_class_name);
  v("defaultBackend", s.default_backend);
  v("tls", s.tls);
  v("rules", s.rules);
}

template <class V>
void Fields(V& v, Ingress& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

// ---- Gateway API ----

template <class V>
void Fields(V& v, MetaCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("observedGeneration", s.observed_generation);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, GatewayListener& s) {
  v("name", s.name);
  v("hostname", s.hostname);
  v("port", s.port);
  v("protocol", s.protocol);
  v("tls", s.tls);
  v("allowedRoutes", s.allowed_routes);
}

template <class V>
void Fields(V& v, GatewaySpec& s) {
  v("gatewayClassName", s.gateway_class_name);
  v("listeners", s.listeners);
  v("addresses", s.addresses);
}

template <class V>
void Fields(V& v, GatewayStatus& s) {
  v("addresses", s.addresses);
  v("conditions", s.conditions);
  v("listeners", s.listeners);
}

template <class V>
void Fields(V& v, Gateway& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, ParentReference& s) {
  v("group", s.group);
  v("kind", s.kind);
  v("namespace", s.namespace_);
  v("name", s.name);
  v("sectionName", s.section_name);
  v("port", s.port);
}

template <class V>
void Fields(V& v, HTTPPathMatch& s) {
  v("type", s.type);
  v("value", s.value);
}

template <class V>
void Fields(V& v, HTTPHeaderMatch& s) {
  v("type", s.type);
  v("name", s.name);
  v("value", s.value);
}

template <class V>
void Fields(V& v, HTTPRouteMatch& s) {
  v("path", s.path);
  v("headers", s.headers);
  v("queryParams", s.query_params);
  v("method", s.method);
}

template <class V>
void Fields(V& v, BackendObjectReference& s) {
  v("group", s.group);
  v("kind", s.kind);
  v("name", s.name);
  v("namespace", s.namespace_);
  v("port", s.port);
}

template <class V>
void Fields(V& v, MirrorFraction& s) {
  v("numerator", s.numerator);
  v("denominator", s.denominator);
}

template <class V>
void Fields(V& v, HTTPRequestMirrorFilter& s) {
  v("backendRef", s.backend_ref);
  v("percent", s.percent);
  v("fraction", s.fraction);
}

template <class V>
void Fields(V& v, HTTPRouteFilter& s) {
  v("type", s.type);
  v("requestHeaderModifier", s.request_header_modifier);
  v("responseHeaderModifier", s.response_header_modifier);
  v("requestMirror", s.request_mirror);
  v("requestRedirect", s.request_redirect);
  v("urlRewrite", s.url_rewrite);
  v("extensionRef", s.extension_ref);
  v("cors", s.cors);
}

template <class V>
void Fields(V& v, HTTPBackendRef& s) {
  v("group", s.group);
  v("kind", s.kind);
  v("name", s.name);
  v("namespace", s.namespace_);
  v("port", s.port);
  v("weight", s.weight);
  v("filters", s.filters);
}

template <class V>
void Fields(V& v, HTTPRouteRule& s) {
  v("name", s.name);
  v("matches", s.matches);
  v("filters", s.filters);
  v("backendRefs", s.backend_refs);
  v("timeouts", s.timeouts);
}

template <class V>
void Fields(V& v, HTTPRouteSpec& s) {
  v("parentRefs", s.parent_refs);
  v("hostnames", s.hostnames);
  v("rules", s.rules);
}

template <class V>
void Fields(V& v, RouteParentStatus& s) {
  v("parentRef", s.parent_ref);
  v("controllerName", s.controller_name);
  v("conditions", s.conditions);
}

template <class V>
void Fields(V& v, HTTPRouteStatus& s) {
  v("parents", s.parents);
}

template <class V>
void Fields(V& v, HTTPRoute& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

// ---- Istio ----

template <class V>
void Fields(V& v, IstioStringMatch& s) {
  v("exact", s.exact);
  v("prefix", s.prefix);
  v("regex", s.regex);
}

template <class V>
void Fields(V& v, IstioHTTPMatchRequest& s) {
  v("name", s.name);
  v("uri", s.uri);
  v("scheme", s.scheme);
  v("method", s.method);
  v("authority", s.authority);
  v("headers", s.headers);
  v("queryParams", s.query_params);
  v("withoutHeaders", s.without_headers);
  v("port", s.port);
  v("sourceLabels", s.source_labels);
  v("gateways", s.gateways);
  v("ignoreUriCase", s.ignore_uri_case);
}

template <class V>
void Fields(V& v, IstioPortSelector& s) {
  v("number", s.number);
}

template <class V>
void Fields(V& v, IstioDestination& s) {
  v("host", s.host);
  v("subset", s.subset);
  v("port", s.port);
}

template <class V>
void Fields(V& v, IstioRouteDestination& s) {
  v("destination", s.destination);
  v("weight", s.weight);
  v("headers", s.headers);
}

template <class V>
void Fields(V& v, IstioPercent& s) {
  v("value", s.value);
}

template <class V>
void Fields(V& v, IstioHTTPRoute& s) {
  v("name", s.name);
  v("match", s.match);
  v("route", s.route);
  v("redirect", s.redirect);
  v("directResponse", s.direct_response);
  v("delegate", s.delegate);
  v("rewrite", s.rewrite);
  v("timeout", s.timeout);
  v("retries", s.retries);
  v("fault", s.fault);
  v("mirror", s.mirror);
  v("mirrorPercentage", s.mirror_percentage);
  v("mirrors", s.mirrors);
  v("corsPolicy", s.cors_policy);
  v("headers", s.headers);
}

template <class V>
void Fields(V& v, IstioTLSMatchAttributes& s) {
  v("sniHosts", s.sni_hosts);
  v("destinationSubnets", s.destination_subnets);
  v("port", s.port);
  v("sourceLabels", s.source_labels);
  v("gateways", s.gateways);
  v("sourceNamespace", s.source_namespace);
}

template <class V>
void Fields(V& v, IstioL4MatchAttributes& s) {
  v("destinationSubnets", s.destination_subnets);
  v("port", s.port);
  v("sourceLabels", s.source_labels);
  v("gateways", s.gateways);
  v("sourceNamespace", s.source_namespace);
}

template <class V>
void Fields(V& v, IstioTLSRoute& s) {
  v("match", s.match);
  v("route", s.route);
}

template <class V>
void Fields(V& v, IstioTCPRoute& s) {
  v("match", s.match);
  v("route", s.route);
}

template <class V>
void Fields(V& v, VirtualServiceSpec& s) {
  v("hosts", s.hosts);
  v("gateways", s.gateways);
  v("http", s.http);
  v("tls", s.tls);
  v("tcp", s.tcp);
  v("exportTo", s.export_to);
}

template <class V>
void Fields(V& v, VirtualService& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, IstioSubset& s) {
  v("name", s.name);
  v("labels", s.labels);
  v("trafficPolicy", s.traffic_policy);
}

template <class V>
void Fields(V& v, DestinationRuleSpec& s) {
  v("host", s.host);
  v("subsets", s.subsets);
  v("trafficPolicy", s.traffic_policy);
  v("exportTo", s.export_to);
  v("workloadSelector", s.workload_selector);
}

template <class V>
void Fields(V& v, DestinationRule& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, Ingress& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Gateway& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, HTTPRoute& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, VirtualService& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, DestinationRule& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const Ingress& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Gateway& v) { return EncodeStruct(v); }
json::Value EncodeValue(const HTTPRoute& v) { return EncodeStruct(v); }
json::Value EncodeValue(const VirtualService& v) { return EncodeStruct(v); }
json::Value EncodeValue(const DestinationRule& v) { return EncodeStruct(v); }

}  // namespace devflow::api
