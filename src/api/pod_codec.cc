#include "api/pod_codec.h"

#include "api/codec_engine.h"
#include "api/meta_codec.h"

namespace devflow::api {

template <class V>
void Fields(V& v, ContainerPort& s) {
  v("name", s.name);
  v("hostPort", s.host_port);
  v("containerPort", s.container_port);
  v("protocol", s.protocol);
  v("hostIP", s.host_ip);
}

template <class V>
void Fields(V& v, ObjectFieldSelector& s) {
  v("apiVersion", s.api_version);
  v("fieldPath", s.field_path);
}

template <class V>
void Fields(V& v, KeySelector& s) {
  v("name", s.name);
  v("key", s.key);
  v("optional", s.optional);
}

template <class V>
void Fields(V& v, EnvVarSource& s) {
  v("fieldRef", s.field_ref);
  v("resourceFieldRef", s.resource_field_ref);
  v("configMapKeyRef", s.config_map_key_ref);
  v("secretKeyRef", s.secret_key_ref);
}

template <class V>
void Fields(V& v, EnvVar& s) {
  v("name", s.name);
  v("value", s.value);
  v("valueFrom", s.value_from);
}

template <class V>
void Fields(V& v, ResourceRequirements& s) {
  v("limits", s.limits);
  v("requests", s.requests);
}

template <class V>
void Fields(V& v, HttpHeader& s) {
  v("name", s.name);
  v("value", s.value);
}

template <class V>
void Fields(V& v, HttpGetAction& s) {
  v("path", s.path);
  v("port", s.port);
  v("host", s.host);
  v("scheme", s.scheme);
  v("httpHeaders", s.http_headers);
}

template <class V>
void Fields(V& v, TcpSocketAction& s) {
  v("port", s.port);
  v("host", s.host);
}

template <class V>
void Fields(V& v, ExecAction& s) {
  v("command", s.command);
}

template <class V>
void Fields(V& v, Probe& s) {
  v("exec", s.exec);
  v("httpGet", s.http_get);
  v("tcpSocket", s.tcp_socket);
  v("grpc", s.grpc);
  v("initialDelaySeconds", s.initial_delay_seconds);
  v("timeoutSeconds", s.timeout_seconds);
  v("periodSeconds", s.period_seconds);
  v("successThreshold", s.success_threshold);
  v("failureThreshold", s.failure_threshold);
  v("terminationGracePeriodSeconds", s.termination_grace_period_seconds);
}

template <class V>
void Fields(V& v, Container& s) {
  v("name", s.name);
  v("image", s.image);
  v("command", s.command);
  v("args", s.args);
  v("workingDir", s.working_dir);
  v("ports", s.ports);
  v("envFrom", s.env_from);
  v("env", s.env);
  v("resources", s.resources);
  v("volumeMounts", s.volume_mounts);
  v("livenessProbe", s.liveness_probe);
  v("readinessProbe", s.readiness_probe);
  v("startupProbe", s.startup_probe);
  v("lifecycle", s.lifecycle);
  v("terminationMessagePath", s.termination_message_path);
  v("terminationMessagePolicy", s.termination_message_policy);
  v("imagePullPolicy", s.image_pull_policy);
  v("securityContext", s.security_context);
}

template <class V>
void Fields(V& v, LocalObjectReference& s) {
  v("name", s.name);
}

template <class V>
void Fields(V& v, PodSpec& s) {
  v("volumes", s.volumes);
  v("initContainers", s.init_containers);
  v("containers", s.containers);
  v("restartPolicy", s.restart_policy);
  v("terminationGracePeriodSeconds", s.termination_grace_period_seconds);
  v("activeDeadlineSeconds", s.active_deadline_seconds);
  v("dnsPolicy", s.dns_policy);
  v("nodeSelector", s.node_selector);
  v("serviceAccountName", s.service_account_name);
  v("automountServiceAccountToken", s.automount_service_account_token);
  v("nodeName", s.node_name);
  v("securityContext", s.security_context);
  v("imagePullSecrets", s.image_pull_secrets);
  v("hostname", s.hostname);
  v("subdomain", s.subdomain);
  v("affinity", s.affinity);
  v("schedulerName", s.scheduler_name);
  v("tolerations", s.tolerations);
  v("priorityClassName", s.priority_class_name);
  v("topologySpreadConstraints", s.topology_spread_constraints);
}

template <class V>
void Fields(V& v, PodTemplateSpec& s) {
  v("metadata", s.metadata);
  v("spec", s.spec);
}

template <class V>
void Fields(V& v, PodCondition& s) {
  v("type", s.type);
  v("status", s.status);
  v("lastProbeTime", s.last_probe_time);
  v("lastTransitionTime", s.last_transition_time);
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, PodIp& s) {
  v("ip", s.ip);
}

template <class V>
void Fields(V& v, ContainerStateWaiting& s) {
  v("reason", s.reason);
  v("message", s.message);
}

template <class V>
void Fields(V& v, ContainerStateRunning& s) {
  v("startedAt", s.started_at);
}

template <class V>
void Fields(V& v, ContainerStateTerminated& s) {
  v("exitCode", s.exit_code);
  v("signal", s.signal);
  v("reason", s.reason);
  v("message", s.message);
  v("startedAt", s.started_at);
  v("finishedAt", s.finished_at);
  v("containerID", s.container_id);
}

template <class V>
void Fields(V& v, ContainerState& s) {
  v("waiting", s.waiting);
  v("running", s.running);
  v("terminated", s.terminated);
}

template <class V>
void Fields(V& v, ContainerStatus& s) {
  v("name", s.name);
  v("state", s.state);
  v("lastState", s.last_state);
  v("ready", s.ready);
  v("restartCount", s.restart_count);
  v("image", s.image);
  v("imageID", s.image_id);
  v("containerID", s.container_id);
  v("started", s.started);
}

template <class V>
void Fields(V& v, PodStatus& s) {
  v("phase", s.phase);
  v("conditions", s.conditions);
  v("message", s.message);
  v("reason", s.reason);
  v("hostIP", s.host_ip);
  v("podIP", s.pod_ip);
  v("podIPs", s.pod_ips);
  v("startTime", s.start_time);
  v("initContainerStatuses", s.init_container_statuses);
  v("containerStatuses", s.container_statuses);
  v("qosClass", s.qos_class);
}

template <class V>
void Fields(V& v, Pod& s) {
  v("apiVersion", s.api_version);
  v("kind", s.kind);
  v("metadata", s.metadata);
  v("spec", s.spec);
  v("status", s.status);
}

void DecodeValue(const json::Value& in, Pod& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, PodTemplateSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, PodSpec& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, Container& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
void DecodeValue(const json::Value& in, PodStatus& out, DecodeContext& ctx) {
  DecodeStruct(in, out, ctx);
}
json::Value EncodeValue(const Pod& v) { return EncodeStruct(v); }
json::Value EncodeValue(const PodTemplateSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const PodSpec& v) { return EncodeStruct(v); }
json::Value EncodeValue(const Container& v) { return EncodeStruct(v); }
json::Value EncodeValue(const PodStatus& v) { return EncodeStruct(v); }

}  // namespace devflow::api
