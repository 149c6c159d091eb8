// Small Kubernetes kinds devflow reads and writes besides its own: v1 Service, Namespace, Secret
// and Event, and coordination.k8s.io/v1 Lease.
//
// Plain value types (copyable, comparable with ==). Field names are the manifest's words in
// snake_case; each comment gives the manifest name and, where Kubernetes applies one, the
// default. Defaults are not written into the objects: a field the user left out stays empty, so a
// stored object reads back as written. Every struct keeps the members it does not model in
// `extra`, so nothing is lost on a decode/encode round trip. std::optional marks a Go pointer
// field (absent and zero are different).
//
// Codecs: core_kinds_codec.h. Validation: core_kinds_validation.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/time.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::api {

// ---- v1 Service ----

// spec.ports[]
struct ServicePort {
  std::string name;      // name: required (a DNS label) when the Service has several ports
  std::string protocol;  // protocol: TCP (default), UDP or SCTP
  int32_t port = 0;      // port: the port the Service exposes, 1..65535
  // targetPort: a container port number, or the name of a container port. Unset (int 0) means
  // the same number as `port`.
  IntOrString target_port;
  int32_t node_port = 0;                    // nodePort: NodePort/LoadBalancer only; 0 = allocate
  std::optional<std::string> app_protocol;  // appProtocol
  json::Object extra;
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

// spec
struct ServiceSpec {
  // type: ClusterIP (default), NodePort, LoadBalancer or ExternalName.
  std::string type;
  // selector: pods with all these labels receive the traffic. Argo Rollouts adds
  // rollouts-pod-template-hash here to pin a Service to one ReplicaSet.
  std::map<std::string, std::string> selector;
  std::vector<ServicePort> ports;         // ports: required unless ExternalName or headless
  std::string cluster_ip;                 // clusterIP: "" (allocate), "None" (headless) or an IP
  std::vector<std::string> cluster_ips;   // clusterIPs: [0] equals clusterIP when both are set
  std::string external_name;              // externalName: the DNS name, for type ExternalName
  std::vector<std::string> external_ips;  // externalIPs
  std::string session_affinity;           // sessionAffinity: None (default) or ClientIP
  // externalTrafficPolicy: Cluster (default) or Local; NodePort and LoadBalancer only.
  std::string external_traffic_policy;
  std::optional<std::string> internal_traffic_policy;  // internalTrafficPolicy: Cluster or Local
  std::string load_balancer_ip;                        // loadBalancerIP (deprecated)
  bool publish_not_ready_addresses = false;            // publishNotReadyAddresses
  json::Object extra;  // ipFamilies, ipFamilyPolicy, sessionAffinityConfig, ...
  friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};

// status
struct ServiceStatus {
  json::Value load_balancer;            // loadBalancer: {ingress: [{ip|hostname, ports}]}
  std::vector<json::Value> conditions;  // conditions: metav1.Condition objects
  json::Object extra;
  friend bool operator==(const ServiceStatus&, const ServiceStatus&) = default;
};

// v1 Service.
struct Service {
  std::string api_version;  // apiVersion: "v1"
  std::string kind;         // kind: "Service"
  ObjectMeta metadata;
  ServiceSpec spec;
  ServiceStatus status;
  json::Object extra;
  friend bool operator==(const Service&, const Service&) = default;
};

// ---- v1 Namespace ----

struct NamespaceSpec {
  std::vector<std::string> finalizers;  // finalizers: e.g. "kubernetes"
  json::Object extra;
  friend bool operator==(const NamespaceSpec&, const NamespaceSpec&) = default;
};

struct NamespaceStatus {
  std::string phase;                    // phase: Active or Terminating
  std::vector<json::Value> conditions;  // conditions
  json::Object extra;
  friend bool operator==(const NamespaceStatus&, const NamespaceStatus&) = default;
};

// v1 Namespace (cluster-scoped).
struct Namespace {
  std::string api_version;  // apiVersion: "v1"
  std::string kind;         // kind: "Namespace"
  ObjectMeta metadata;
  NamespaceSpec spec;
  NamespaceStatus status;
  json::Object extra;
  friend bool operator==(const Namespace&, const Namespace&) = default;
};

// ---- v1 Secret ----

// v1 Secret. Has no spec: its fields sit at the top level.
struct Secret {
  std::string api_version;  // apiVersion: "v1"
  std::string kind;         // kind: "Secret"
  ObjectMeta metadata;
  std::string type;  // type: Opaque (default), kubernetes.io/tls, kubernetes.io/dockerconfigjson..
  // data: key -> the value, base64-encoded (standard alphabet, padded) as it appears in JSON.
  // Kept encoded so a round trip is byte-exact; read values through SecretValue().
  std::map<std::string, std::string> data;
  // stringData: key -> plain value; write-only convenience the API server merges into data,
  // overriding data's entry of the same key.
  std::map<std::string, std::string> string_data;
  std::optional<bool> immutable;  // immutable: data may not change once true
  json::Object extra;
  friend bool operator==(const Secret&, const Secret&) = default;
};

// Returns the plain value of `key`: stringData's entry when present (it overrides data, as the
// API server merges it), else data's entry base64-decoded. Returns NotFound naming the key when
// neither holds it, and InvalidArgument (field path data[key]) when the data entry is not valid
// base64.
Result<std::string> SecretValue(const Secret& secret, std::string_view key);

// Decodes standard base64 (RFC 4648 alphabet, '=' padding required) as Go's encoding/json does
// for []byte: CR and LF are ignored. Returns InvalidArgument saying what is wrong otherwise.
Result<std::string> DecodeBase64(std::string_view text);
// Encodes standard base64 with padding.
std::string EncodeBase64(std::string_view bytes);

// ---- v1 Event (core) ----

// involvedObject / related: v1 ObjectReference.
struct ObjectReference {
  std::string kind;              // kind
  std::string namespace_;        // namespace: must be empty or the Event's own namespace
  std::string name;              // name
  std::string uid;               // uid
  std::string api_version;       // apiVersion
  std::string resource_version;  // resourceVersion
  std::string field_path;        // fieldPath: e.g. "spec.containers{web}"
  json::Object extra;
  friend bool operator==(const ObjectReference&, const ObjectReference&) = default;
};

// source
struct EventSource {
  std::string component;  // component: e.g. "rollouts-controller"
  std::string host;       // host
  json::Object extra;
  friend bool operator==(const EventSource&, const EventSource&) = default;
};

// v1 Event (the core group's, which kubectl describe shows). Has no spec.
struct Event {
  std::string api_version;  // apiVersion: "v1"
  std::string kind;         // kind: "Event"
  ObjectMeta metadata;
  ObjectReference involved_object;         // involvedObject: what the event is about
  std::string reason;                      // reason: short UpperCamelCase, e.g. "RolloutUpdated"
  std::string message;                     // message: for humans
  EventSource source;                      // source
  Time first_timestamp;                    // firstTimestamp
  Time last_timestamp;                     // lastTimestamp
  int32_t count = 0;                       // count: occurrences folded into this event
  std::string type;                        // type: Normal or Warning
  MicroTime event_time;                    // eventTime
  json::Value series;                      // series: {count, lastObservedTime}
  std::string action;                      // action: what was done or failed
  std::optional<ObjectReference> related;  // related: a secondary object
  std::string reporting_component;         // reportingComponent
  std::string reporting_instance;          // reportingInstance
  json::Object extra;
  friend bool operator==(const Event&, const Event&) = default;
};

// ---- coordination.k8s.io/v1 Lease ----

// spec. All fields are optional in the API (Go pointers).
struct LeaseSpec {
  std::optional<std::string> holder_identity;     // holderIdentity: the current leader
  std::optional<int32_t> lease_duration_seconds;  // leaseDurationSeconds: >= 1
  std::optional<MicroTime> acquire_time;          // acquireTime
  std::optional<MicroTime> renew_time;            // renewTime: the holder's last heartbeat
  std::optional<int32_t> lease_transitions;       // leaseTransitions: leader changes, >= 0
  json::Object extra;                             // strategy, preferredHolder
  friend bool operator==(const LeaseSpec&, const LeaseSpec&) = default;
};

// coordination.k8s.io/v1 Lease: leader election.
struct Lease {
  std::string api_version;  // apiVersion: "coordination.k8s.io/v1"
  std::string kind;         // kind: "Lease"
  ObjectMeta metadata;
  LeaseSpec spec;
  json::Object extra;
  friend bool operator==(const Lease&, const Lease&) = default;
};

}  // namespace devflow::api
