// Pod (core/v1) and the types it is made of: PodSpec, Container, Probe, PodTemplateSpec,
// PodStatus.
//
// Plain value types (copyable, comparable with ==). Field names are the manifest's words in
// snake_case; each comment gives the manifest name and the default Kubernetes applies when the
// field is absent. devflow never writes these defaults into objects; pod_template_identity.h
// applies them only to compare templates. Fields devflow does not read are kept schemaless
// (json::Value) or in `extra`, so nothing is lost on a round trip.
//
// Go pointer fields (absent differs from zero) are std::optional.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/int_or_string.h"
#include "api/meta.h"
#include "api/quantity.h"
#include "api/time.h"
#include "common/json_value.h"

namespace devflow::api {

// ---- Container parts ----

// containers[].ports[]
struct ContainerPort {
  std::string name;            // name: IANA_SVC_NAME, at most 15 characters, unique in the pod
  int32_t host_port = 0;       // hostPort: 0 = none; else 1..65535
  int32_t container_port = 0;  // containerPort: required, 1..65535
  std::string protocol;        // protocol: TCP (default), UDP, SCTP
  std::string host_ip;         // hostIP
  json::Object extra;
  friend bool operator==(const ContainerPort&, const ContainerPort&) = default;
};

// env[].valueFrom.fieldRef
struct ObjectFieldSelector {
  std::string api_version;  // apiVersion: default "v1"
  std::string field_path;   // fieldPath: e.g. "metadata.name", "status.podIP"
  json::Object extra;
  friend bool operator==(const ObjectFieldSelector&, const ObjectFieldSelector&) = default;
};

// env[].valueFrom.secretKeyRef / configMapKeyRef
struct KeySelector {
  std::string name;              // name: the Secret or ConfigMap
  std::string key;               // key
  std::optional<bool> optional;  // optional: when true a missing object or key is not an error
  json::Object extra;
  friend bool operator==(const KeySelector&, const KeySelector&) = default;
};

// env[].valueFrom: exactly one source.
struct EnvVarSource {
  std::optional<ObjectFieldSelector> field_ref;   // fieldRef
  json::Value resource_field_ref;                 // resourceFieldRef (schemaless)
  std::optional<KeySelector> config_map_key_ref;  // configMapKeyRef
  std::optional<KeySelector> secret_key_ref;      // secretKeyRef
  json::Object extra;
  friend bool operator==(const EnvVarSource&, const EnvVarSource&) = default;
};

// containers[].env[]: order matters (later entries may refer to earlier ones as $(NAME)).
struct EnvVar {
  std::string name;                        // name: required
  std::string value;                       // value
  std::optional<EnvVarSource> value_from;  // valueFrom
  json::Object extra;
  friend bool operator==(const EnvVar&, const EnvVar&) = default;
};

// containers[].resources
struct ResourceRequirements {
  std::map<std::string, Quantity> limits;    // limits: e.g. cpu "500m", memory "1Gi"
  std::map<std::string, Quantity> requests;  // requests: each <= its limit
  json::Object extra;                        // claims
  friend bool operator==(const ResourceRequirements&, const ResourceRequirements&) = default;
};

// probe.httpGet.httpHeaders[]
struct HttpHeader {
  std::string name;   // name
  std::string value;  // value
  json::Object extra;
  friend bool operator==(const HttpHeader&, const HttpHeader&) = default;
};

// probe.httpGet / lifecycle handlers
struct HttpGetAction {
  std::string path;                      // path
  IntOrString port;                      // port: number 1..65535 or a named container port
  std::string host;                      // host: default the pod IP
  std::string scheme;                    // scheme: HTTP (default) or HTTPS
  std::vector<HttpHeader> http_headers;  // httpHeaders
  json::Object extra;
  friend bool operator==(const HttpGetAction&, const HttpGetAction&) = default;
};

// probe.tcpSocket
struct TcpSocketAction {
  IntOrString port;  // port: number or a named container port
  std::string host;  // host
  json::Object extra;
  friend bool operator==(const TcpSocketAction&, const TcpSocketAction&) = default;
};

// probe.exec
struct ExecAction {
  std::vector<std::string> command;  // command: run in the container; exit 0 = healthy
  json::Object extra;
  friend bool operator==(const ExecAction&, const ExecAction&) = default;
};

// containers[].livenessProbe / readinessProbe / startupProbe: exactly one handler (httpGet,
// tcpSocket, exec, grpc). The numbers are optional so that an explicit 0 can be rejected where
// Kubernetes requires >= 1.
struct Probe {
  std::optional<HttpGetAction> http_get;         // httpGet
  std::optional<TcpSocketAction> tcp_socket;     // tcpSocket
  std::optional<ExecAction> exec;                // exec
  json::Value grpc;                              // grpc: {port, service}
  std::optional<int32_t> initial_delay_seconds;  // initialDelaySeconds: default 0
  std::optional<int32_t> timeout_seconds;        // timeoutSeconds: default 1
  std::optional<int32_t> period_seconds;         // periodSeconds: default 10
  std::optional<int32_t> success_threshold;      // successThreshold: default 1 (liveness: 1 only)
  std::optional<int32_t> failure_threshold;      // failureThreshold: default 3
  std::optional<int64_t> termination_grace_period_seconds;  // terminationGracePeriodSeconds
  json::Object extra;
  friend bool operator==(const Probe&, const Probe&) = default;
};

// spec.containers[] / spec.initContainers[]
struct Container {
  std::string name;                      // name: DNS label, unique in the pod
  std::string image;                     // image: required
  std::vector<std::string> command;      // command: the entrypoint, default the image's
  std::vector<std::string> args;         // args
  std::string working_dir;               // workingDir
  std::vector<ContainerPort> ports;      // ports
  json::Value env_from;                  // envFrom (schemaless list)
  std::vector<EnvVar> env;               // env
  ResourceRequirements resources;        // resources
  json::Value volume_mounts;             // volumeMounts (schemaless list)
  std::optional<Probe> liveness_probe;   // livenessProbe
  std::optional<Probe> readiness_probe;  // readinessProbe
  std::optional<Probe> startup_probe;    // startupProbe
  json::Value lifecycle;                 // lifecycle (schemaless)
  // terminationMessagePath: default "/dev/termination-log"
  std::string termination_message_path;
  // terminationMessagePolicy: File (default) or FallbackToLogsOnError
  std::string termination_message_policy;
  // imagePullPolicy: Always, IfNotPresent, Never; default Always when the image tag is "latest"
  // or absent, else IfNotPresent
  std::string image_pull_policy;
  json::Value security_context;  // securityContext (schemaless)
  json::Object extra;            // stdin, tty, resizePolicy, ...
  friend bool operator==(const Container&, const Container&) = default;
};

// spec.imagePullSecrets[]
struct LocalObjectReference {
  std::string name;  // name
  json::Object extra;
  friend bool operator==(const LocalObjectReference&, const LocalObjectReference&) = default;
};

// Pod spec (also spec.template.spec of every workload).
struct PodSpec {
  json::Value volumes;                     // volumes (schemaless list)
  std::vector<Container> init_containers;  // initContainers
  std::vector<Container> containers;       // containers: at least one
  std::string restart_policy;              // restartPolicy: Always (default), OnFailure, Never
  // terminationGracePeriodSeconds: default 30
  std::optional<int64_t> termination_grace_period_seconds;
  std::optional<int64_t> active_deadline_seconds;        // activeDeadlineSeconds
  std::string dns_policy;                                // dnsPolicy: default ClusterFirst
  std::map<std::string, std::string> node_selector;      // nodeSelector
  std::string service_account_name;                      // serviceAccountName: default "default"
  std::optional<bool> automount_service_account_token;   // automountServiceAccountToken
  std::string node_name;                                 // nodeName: set by the scheduler
  json::Value security_context;                          // securityContext: default {}
  std::vector<LocalObjectReference> image_pull_secrets;  // imagePullSecrets
  std::string hostname;                                  // hostname
  std::string subdomain;                                 // subdomain
  json::Value affinity;                                  // affinity (schemaless)
  std::string scheduler_name;               // schedulerName: default "default-scheduler"
  json::Value tolerations;                  // tolerations (schemaless list)
  std::string priority_class_name;          // priorityClassName
  json::Value topology_spread_constraints;  // topologySpreadConstraints (schemaless list)
  json::Object extra;                       // hostNetwork, runtimeClassName, ...
  friend bool operator==(const PodSpec&, const PodSpec&) = default;
};

// spec.template of a ReplicaSet, Deployment, Job or Rollout.
struct PodTemplateSpec {
  ObjectMeta metadata;  // metadata: labels must satisfy the owner's selector
  PodSpec spec;         // spec
  json::Object extra;
  friend bool operator==(const PodTemplateSpec&, const PodTemplateSpec&) = default;
};

// ---- Status ----

// status.conditions[]
struct PodCondition {
  std::string type;           // type: PodScheduled, Initialized, ContainersReady, Ready, ...
  std::string status;         // status: "True", "False", "Unknown"
  Time last_probe_time;       // lastProbeTime
  Time last_transition_time;  // lastTransitionTime
  std::string reason;         // reason
  std::string message;        // message
  json::Object extra;
  friend bool operator==(const PodCondition&, const PodCondition&) = default;
};

// status.podIPs[]
struct PodIp {
  std::string ip;  // ip
  json::Object extra;
  friend bool operator==(const PodIp&, const PodIp&) = default;
};

// containerStatuses[].state.waiting
struct ContainerStateWaiting {
  std::string reason;   // reason: ContainerCreating, CrashLoopBackOff, ImagePullBackOff, ...
  std::string message;  // message
  json::Object extra;
  friend bool operator==(const ContainerStateWaiting&, const ContainerStateWaiting&) = default;
};

// containerStatuses[].state.running
struct ContainerStateRunning {
  Time started_at;  // startedAt
  json::Object extra;
  friend bool operator==(const ContainerStateRunning&, const ContainerStateRunning&) = default;
};

// containerStatuses[].state.terminated
struct ContainerStateTerminated {
  int32_t exit_code = 0;     // exitCode
  int32_t signal = 0;        // signal
  std::string reason;        // reason: Completed, Error, OOMKilled, ...
  std::string message;       // message
  Time started_at;           // startedAt
  Time finished_at;          // finishedAt
  std::string container_id;  // containerID
  json::Object extra;
  friend bool operator==(const ContainerStateTerminated&,
                         const ContainerStateTerminated&) = default;
};

// containerStatuses[].state / lastState: at most one member is set.
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;        // waiting
  std::optional<ContainerStateRunning> running;        // running
  std::optional<ContainerStateTerminated> terminated;  // terminated
  json::Object extra;
  friend bool operator==(const ContainerState&, const ContainerState&) = default;
};

// status.containerStatuses[] / initContainerStatuses[]
struct ContainerStatus {
  std::string name;             // name
  ContainerState state;         // state
  ContainerState last_state;    // lastState
  bool ready = false;           // ready: passing its readiness probe
  int32_t restart_count = 0;    // restartCount
  std::string image;            // image
  std::string image_id;         // imageID
  std::string container_id;     // containerID
  std::optional<bool> started;  // started: startup probe passed
  json::Object extra;
  friend bool operator==(const ContainerStatus&, const ContainerStatus&) = default;
};

// Pod status, written by the kubelet.
struct PodStatus {
  std::string phase;                     // phase: Pending, Running, Succeeded, Failed, Unknown
  std::vector<PodCondition> conditions;  // conditions
  std::string message;                   // message
  std::string reason;                    // reason: e.g. Evicted
  std::string host_ip;                   // hostIP
  std::string pod_ip;                    // podIP
  std::vector<PodIp> pod_ips;            // podIPs
  Time start_time;                       // startTime
  std::vector<ContainerStatus> init_container_statuses;  // initContainerStatuses
  std::vector<ContainerStatus> container_statuses;       // containerStatuses
  std::string qos_class;                                 // qosClass
  json::Object extra;
  friend bool operator==(const PodStatus&, const PodStatus&) = default;
};

// v1 Pod.
struct Pod {
  std::string api_version;  // apiVersion: "v1"
  std::string kind;         // kind: "Pod"
  ObjectMeta metadata;      // metadata
  PodSpec spec;             // spec
  PodStatus status;         // status
  json::Object extra;
  friend bool operator==(const Pod&, const Pod&) = default;
};

}  // namespace devflow::api
