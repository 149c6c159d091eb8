#include "api/core_kinds_codec.h"

#include "api/codec_engine.h"
#include "api/meta_codec.h"

namespace devflow::api {

template <class V>
void Fields(V& v, ServicePort& s) {
  v("name", s.name);
  v("protocol", s.protocol);
  v("appProtocol", s.app_protocol);
  v("port", s.port);
  v("targetPort", s.target_port);
  v("nodePort", s.node_port);
}

template <class V>
void Fields(V& v, ServiceSpec& s) {
  v("type", s.type);
  v("selector", s.selector);
  v("ports", s.ports);
  v("clusterIP", s.cluster_ip);
  v("clusterIPs", s.cluster_ips);
  v("externalName", s.external_name);
  v("externalIPs", s.external_ips);
  v("sessionAffinity", s.session_affinity);
  v("externalTrafficPolicy", s.external_traffic_policy);
  v("internalTrafficPolicy", s.internal_traffic_policy);
  v("loadBalancerIP", s.load_balancer_ip);
  v("publishNotReadyAddresses", s.publish_not_ready_addresses);
}

template <class V>
void Fields(V& v, ServiceStatus& s) {
  v("loadBalancer", s.load_balancer);
  v("conditions", s.conditions);
}

template <class V>
void Fields(V& v, Service& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, NamespaceSpec& s) {
  v("finalizers", s.finalizers);
}

template <class V>
void Fields(V& v, NamespaceStatus& s) {
  v("phase", s.phase);
  v("conditions", s.conditions);
}

template <class V>
void Fields(V& v, Namespace& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

template <class V>
void Fields(V& v, Secret& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("type", s.type);
  v("immutable", s.immutable);
  v("data", s.data);
  v("stringData", s.string_data);
}

template <class V>
void Fields(V& v, ObjectReference& s) {
  v("kind", s.kind);
  v("namespace", s.namespace_);
  v("name", s.name);
  v("uid", s.uid);
  v("apiVersion", s.api_version);
  v("resourceVersion", s.resource_version);
  v("fieldPath", s.field_path);
}

template <class V>
void Fields(V& v, EventSource& s) {
  v("component", s.component);
  v("host", s.host);
}

template <class V>
void Fields(V& v, Event& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("involvedObject", s.involved_object);
  v("reason", s.reason);
  v("message", s.message);
  v("source", s.source);
  v("firstTimestamp", s.first_timestamp);
  v("lastTimestamp", s.last_timestamp);
  v("count", s.count);
  v("type", s.type);
  v("eventTime", s.event_time);
  v("series", s.series);
  v("action", s.action);
  v("related", s.related);
  v("reportingComponent", s.reporting_component);
  v("reportingInstance", s.reporting_instance);
}

template <class V>
void Fields(V& v, LeaseSpec& s) {
  v("holderIdentity", s.holder_identity);
  v("leaseDurationSeconds", s.lease_duration_seconds);
  v("acquireTime", s.acquire_time);
  v("renewTime", s.renew_time);
  v("leaseTransitions", s.lease_transitions);
}

template <class V>
void Fields(V& v, Lease& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
}

void DecodeValue(const json::Value& in, Service& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Namespace& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Secret& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Event& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Lease& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, ObjectReference& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const Service& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Namespace& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Secret& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Event& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Lease& v) { return EncodeStruct(v); }
json::Value EncodeValue(const ObjectReference& v) { return EncodeStruct(v); }

}  // namespace devflow::api
