#include "api/pod_validation.h"

#include <set>
#include <string>
#include <vector>

#include "api/name_rules.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

class Collector {
 public:
  explicit Collector(FieldErrors* errors) : errors_(errors) {}
  void Add(const FieldPath& path, std::string message) {
    errors_->push_back(FieldError{path, std::move(message)});
  }

 private:
  FieldErrors* errors_;
};

// "must be one of A, B or C, got \"x\""
std::string OneOf(const std::vector<std::string_view>& allowed, std::string_view got) {
  std::string message = "must be ";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) message += i + 1 == allowed.size() ? " or " : ", ";
    message += allowed[i];
  }
  message += ", got " + Quoted(got);
  return message;
}

void CheckEnum(std::string_view value, const std::vector<std::string_view>& allowed,
               const FieldPath& path, Collector& c) {
  if (value.empty()) return;
  for (std::string_view a : allowed) {
    if (a == value) return;
  }
  c.Add(path, OneOf(allowed, value));
}

void CheckPortNumber(int64_t port, const FieldPath& path, Collector& c) {
  if (port < 1 || port > 65535) {
    c.Add(path, "must be a port number 1..65535, got " + std::to_string(port));
  }
}

void CheckPortNumberOrName(const IntOrString& port, const FieldPath& path, Collector& c) {
  if (port.is_int()) {
    CheckPortNumber(port.int_value(), path, c);
    return;
  }
  if (std::string why = CheckPortName(port.string_value()); !why.empty()) {
    c.Add(path, "must be a port number 1..65535 or a port name: " + why);
  }
}

void CheckNonNegative(const std::optional<int32_t>& v, const FieldPath& path, Collector& c) {
  if (v && *v < 0) c.Add(path, "must be >= 0, got " + std::to_string(*v));
}

enum class ProbeKind { kLiveness, kReadiness, kStartup };

void ValidateProbe(const Probe& probe, ProbeKind kind, const FieldPath& path, Collector& c) {
  std::vector<std::string_view> handlers;
  if (probe.http_get) handlers.push_back("httpGet");
  if (probe.tcp_socket) handlers.push_back("tcpSocket");
  if (probe.exec) handlers.push_back("exec");
  if (!probe.grpc.is_null()) handlers.push_back("grpc");
  if (handlers.empty()) {
    c.Add(path, "must specify a handler: one of httpGet, tcpSocket, exec or grpc");
  } else if (handlers.size() > 1) {
    std::string got;
    for (std::string_view h : handlers) got += (got.empty() ? "" : ", ") + std::string(h);
    c.Add(path, "must specify exactly one handler (httpGet, tcpSocket, exec or grpc), got " + got);
  }
  if (probe.http_get) {
    const FieldPath p = path.Child("httpGet");
    CheckPortNumberOrName(probe.http_get->port, p.Child("port"), c);
    CheckEnum(probe.http_get->scheme, {"HTTP", "HTTPS"}, p.Child("scheme"), c);
    for (size_t i = 0; i < probe.http_get->http_headers.size(); ++i) {
      if (probe.http_get->http_headers[i].name.empty()) {
        c.Add(p.Child("httpHeaders").Index(i).Child("name"), "must not be empty");
      }
    }
  }
  if (probe.tcp_socket) {
    CheckPortNumberOrName(probe.tcp_socket->port, path.Child("tcpSocket").Child("port"), c);
  }
  if (probe.exec && probe.exec->command.empty()) {
    c.Add(path.Child("exec").Child("command"), "must not be empty: the command to run");
  }
  if (!probe.grpc.is_null()) {
    const json::Value* port = probe.grpc.Find("port");
    if (port == nullptr || !port->is_int()) {
      c.Add(path.Child("grpc").Child("port"), "must be a port number 1..65535");
    } else {
      CheckPortNumber(port->as_int(), path.Child("grpc").Child("port"), c);
    }
  }
  CheckNonNegative(probe.initial_delay_seconds, path.Child("initialDelaySeconds"), c);
  CheckNonNegative(probe.timeout_seconds, path.Child("timeoutSeconds"), c);
  CheckNonNegative(probe.period_seconds, path.Child("periodSeconds"), c);
  CheckNonNegative(probe.success_threshold, path.Child("successThreshold"), c);
  CheckNonNegative(probe.failure_threshold, path.Child("failureThreshold"), c);
  if (kind != ProbeKind::kReadiness && probe.success_threshold && *probe.success_threshold > 1) {
    c.Add(path.Child("successThreshold"), "must be 1 for liveness and startup probes, got " +
                                              std::to_string(*probe.success_threshold));
  }
  if (probe.termination_grace_period_seconds) {
    const FieldPath p = path.Child("terminationGracePeriodSeconds");
    if (kind == ProbeKind::kReadiness) {
      c.Add(p, "must not be set for readiness probes");
    } else if (*probe.termination_grace_period_seconds <= 0) {
      c.Add(p, "must be >= 1, got " + std::to_string(*probe.termination_grace_period_seconds));
    }
  }
}

void ValidateKeySelector(const KeySelector& s, const FieldPath& path, Collector& c) {
  if (s.key.empty()) c.Add(path.Child("key"), "must not be empty");
  if (!s.name.empty()) {
    if (std::string why = CheckDnsSubdomain(s.name); !why.empty()) c.Add(path.Child("name"), why);
  }
}

void ValidateEnv(const std::vector<EnvVar>& env, const FieldPath& path, Collector& c) {
  for (size_t i = 0; i < env.size(); ++i) {
    const EnvVar& e = env[i];
    const FieldPath p = path.Index(i);
    if (e.name.empty()) {
      c.Add(p.Child("name"), "must not be empty");
    } else {
      for (char ch : e.name) {
        if (ch == '=' || ch < 0x20 || ch > 0x7e) {
          c.Add(p.Child("name"),
                "must consist of printable ASCII characters other than '=', got " + Quoted(e.name));
          break;
        }
      }
    }
    if (!e.value_from) continue;
    const EnvVarSource& from = *e.value_from;
    const FieldPath fp = p.Child("valueFrom");
    if (!e.value.empty()) {
      c.Add(fp, "must not be set when value is not empty: use one of value or valueFrom");
    }
    int sources = (from.field_ref ? 1 : 0) + (from.resource_field_ref.is_null() ? 0 : 1) +
                  (from.config_map_key_ref ? 1 : 0) + (from.secret_key_ref ? 1 : 0);
    if (sources != 1) {
      c.Add(fp,
            "must set exactly one of fieldRef, resourceFieldRef, configMapKeyRef or "
            "secretKeyRef, got " +
                std::to_string(sources));
    }
    if (from.field_ref && from.field_ref->field_path.empty()) {
      c.Add(fp.Child("fieldRef").Child("fieldPath"),
            "must not be empty: a pod field such as metadata.name or status.podIP");
    }
    if (from.config_map_key_ref) {
      ValidateKeySelector(*from.config_map_key_ref, fp.Child("configMapKeyRef"), c);
    }
    if (from.secret_key_ref) ValidateKeySelector(*from.secret_key_ref, fp.Child("secretKeyRef"), c);
  }
}

void ValidateResources(const ResourceRequirements& r, const FieldPath& path, Collector& c) {
  for (const auto& [name, q] : r.limits) {
    if (q.IsNegative()) {
      c.Add(path.Child("limits").Child(name), "must be >= 0, got " + Quoted(q.text()));
    }
  }
  for (const auto& [name, q] : r.requests) {
    const FieldPath p = path.Child("requests").Child(name);
    if (q.IsNegative()) c.Add(p, "must be >= 0, got " + Quoted(q.text()));
    auto limit = r.limits.find(name);
    if (limit != r.limits.end() && limit->second < q) {
      c.Add(p, "must be less than or equal to the " + name + " limit of " +
                   Quoted(limit->second.text()) + ", got " + Quoted(q.text()));
    }
  }
}

void ValidatePorts(const std::vector<ContainerPort>& ports, const FieldPath& path, Collector& c) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const ContainerPort& port = ports[i];
    const FieldPath p = path.Index(i);
    CheckPortNumber(port.container_port, p.Child("containerPort"), c);
    if (port.host_port != 0) CheckPortNumber(port.host_port, p.Child("hostPort"), c);
    CheckEnum(port.protocol, {"TCP", "UDP", "SCTP"}, p.Child("protocol"), c);
    if (port.name.empty()) continue;
    if (std::string why = CheckPortName(port.name); !why.empty()) {
      c.Add(p.Child("name"), why);
    } else if (!names.insert(port.name).second) {
      c.Add(p.Child("name"), "must be unique in the container; " + Quoted(port.name) +
                                 " is used by an earlier port");
    }
  }
}

void ValidateContainer(const Container& ctr, const FieldPath& path, Collector& c) {
  if (ctr.name.empty()) {
    c.Add(path.Child("name"), "must not be empty");
  } else if (std::string why = CheckDnsLabel(ctr.name); !why.empty()) {
    c.Add(path.Child("name"), why);
  }
  if (ctr.image.empty()) {
    c.Add(path.Child("image"), "must not be empty: the container image to run");
  } else if (ctr.image.front() == ' ' || ctr.image.back() == ' ') {
    c.Add(path.Child("image"),
          "must not have leading or trailing whitespace, got " + Quoted(ctr.image));
  }
  ValidatePorts(ctr.ports, path.Child("ports"), c);
  ValidateEnv(ctr.env, path.Child("env"), c);
  ValidateResources(ctr.resources, path.Child("resources"), c);
  if (ctr.liveness_probe) {
    ValidateProbe(*ctr.liveness_probe, ProbeKind::kLiveness, path.Child("livenessProbe"), c);
  }
  if (ctr.readiness_probe) {
    ValidateProbe(*ctr.readiness_probe, ProbeKind::kReadiness, path.Child("readinessProbe"), c);
  }
  if (ctr.startup_probe) {
    ValidateProbe(*ctr.startup_probe, ProbeKind::kStartup, path.Child("startupProbe"), c);
  }
  CheckEnum(ctr.image_pull_policy, {"Always", "IfNotPresent", "Never"},
            path.Child("imagePullPolicy"), c);
  CheckEnum(ctr.termination_message_policy, {"File", "FallbackToLogsOnError"},
            path.Child("terminationMessagePolicy"), c);
}

void ValidateContainers(const std::vector<Container>& containers, const FieldPath& path,
                        std::set<std::string>& names, Collector& c) {
  for (size_t i = 0; i < containers.size(); ++i) {
    const FieldPath p = path.Index(i);
    ValidateContainer(containers[i], p, c);
    const std::string& name = containers[i].name;
    if (!name.empty() && !names.insert(name).second) {
      c.Add(p.Child("name"), "must be unique among containers and initContainers; " + Quoted(name) +
                                 " is used twice");
    }
  }
}

void ValidateRestartPolicy(std::string_view policy, RestartPolicyRule rule, const FieldPath& path,
                           Collector& c) {
  switch (rule) {
    case RestartPolicyRule::kAny:
      CheckEnum(policy, {"Always", "OnFailure", "Never"}, path, c);
      return;
    case RestartPolicyRule::kAlwaysOnly:
      if (!policy.empty() && policy != "Always") {
        c.Add(path, "must be Always (or unset) for a template of a long-running workload, got " +
                        Quoted(policy));
      }
      return;
    case RestartPolicyRule::kNotAlways:
      if (policy != "OnFailure" && policy != "Never") {
        c.Add(path,
              "must be OnFailure or Never for a Job template, got " +
                  (policy.empty() ? std::string("nothing (which means Always)") : Quoted(policy)));
      }
      return;
  }
}

void ValidateStringMap(const std::map<std::string, std::string>& labels, const FieldPath& path,
                       bool values_are_labels, Collector& c) {
  for (const auto& [key, value] : labels) {
    const FieldPath p = path.Child(key);
    if (std::string why = CheckQualifiedName(key); !why.empty()) c.Add(p, "key: " + why);
    if (!values_are_labels) continue;
    if (std::string why = CheckLabelValue(value); !why.empty()) c.Add(p, why);
  }
}

}  // namespace

std::string CheckPortName(std::string_view name) {
  if (name.empty() || name.size() > 15) {
    return "must be 1..15 characters (IANA_SVC_NAME), got " + Quoted(name);
  }
  bool has_letter = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char ch = name[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    if (!ok) {
      return "must contain only lowercase letters, digits and '-' (IANA_SVC_NAME), got " +
             Quoted(name);
    }
    if (ch >= 'a' && ch <= 'z') has_letter = true;
    if (ch == '-' && i + 1 < name.size() && name[i + 1] == '-') {
      return "must not contain consecutive hyphens (IANA_SVC_NAME), got " + Quoted(name);
    }
  }
  if (name.front() == '-' || name.back() == '-') {
    return "must not begin or end with a hyphen (IANA_SVC_NAME), got " + Quoted(name);
  }
  if (!has_letter) return "must contain at least one letter (IANA_SVC_NAME), got " + Quoted(name);
  return "";
}

void ValidatePodSpec(const PodSpec& spec, const FieldPath& path, RestartPolicyRule rule,
                     FieldErrors* errors) {
  Collector c(errors);
  if (spec.containers.empty()) {
    c.Add(path.Child("containers"), "must have at least one container");
  }
  std::set<std::string> names;
  ValidateContainers(spec.init_containers, path.Child("initContainers"), names, c);
  ValidateContainers(spec.containers, path.Child("containers"), names, c);
  ValidateRestartPolicy(spec.restart_policy, rule, path.Child("restartPolicy"), c);
  CheckEnum(spec.dns_policy, {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
            path.Child("dnsPolicy"), c);
  if (spec.termination_grace_period_seconds && *spec.termination_grace_period_seconds < 0) {
    c.Add(path.Child("terminationGracePeriodSeconds"),
          "must be >= 0, got " + std::to_string(*spec.termination_grace_period_seconds));
  }
  if (spec.active_deadline_seconds && *spec.active_deadline_seconds < 1) {
    c.Add(path.Child("activeDeadlineSeconds"),
          "must be >= 1, got " + std::to_string(*spec.active_deadline_seconds));
  }
  if (!spec.service_account_name.empty()) {
    if (std::string why = CheckDnsSubdomain(spec.service_account_name); !why.empty()) {
      c.Add(path.Child("serviceAccountName"), why);
    }
  }
  ValidateStringMap(spec.node_selector, path.Child("nodeSelector"), true, c);
}

void ValidatePodTemplate(const PodTemplateSpec& tmpl, const FieldPath& path, FieldErrors* errors,
                         RestartPolicyRule rule) {
  Collector c(errors);
  const FieldPath meta = path.Child("metadata");
  ValidateStringMap(tmpl.metadata.labels, meta.Child("labels"), true, c);
  ValidateStringMap(tmpl.metadata.annotations, meta.Child("annotations"), false, c);
  ValidatePodSpec(tmpl.spec, path.Child("spec"), rule, errors);
}

FieldErrors Validate(const Pod& pod) {
  FieldErrors errors;
  ValidatePodSpec(pod.spec, FieldPath("spec"), RestartPolicyRule::kAny, &errors);
  return errors;
}

}  // namespace devflow::api
