#include "api/core_kinds_validation.h"

#include <arpa/inet.h>

#include <set>
#include <utility>

#include "api/name_rules.h"
#include "api/pod_validation.h"
#include "api/validation_util.h"

namespace devflow::api {
namespace {

std::string CheckRange(int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return {};
  return "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
         std::to_string(value);
}

std::string CheckMaxLength(std::string_view value, size_t max) {
  if (value.size() <= max) return {};
  return "must be at most " + std::to_string(max) + " characters, got " +
         std::to_string(value.size());
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

void ValidateLabelMap(const std::map<std::string, std::string>& labels, const FieldPath& path,
                      FieldErrors& errors) {
  for (const auto& [key, value] : labels) {
    AddFieldError(&errors, path.Child(key), CheckQualifiedName(key));
    AddFieldError(&errors, path.Child(key), CheckLabelValue(value));
  }
}

void ValidateServicePorts(const ServiceSpec& spec, const FieldPath& path, FieldErrors& errors) {
  bool node_ports_allowed = spec.type == "NodePort" || spec.type == "LoadBalancer";
  std::set<std::string> names;
  std::set<std::pair<int32_t, std::string>> port_protocols;
  for (size_t i = 0; i < spec.ports.size(); ++i) {
    const ServicePort& port = spec.ports[i];
    FieldPath p = path.Index(i);
    if (port.name.empty()) {
      if (spec.ports.size() > 1) {
        AddFieldError(
            &errors, p.Child("name"),
            "is required when the Service has more than one port (a DNS label, e.g. \"http\")");
      }
    } else {
      AddFieldError(&errors, p.Child("name"), CheckDnsLabel(port.name));
      if (!names.insert(port.name).second) {
        AddFieldError(&errors, p.Child("name"),
                      "duplicate port name " + Quoted(port.name) + ": port names must be unique");
      }
    }
    std::string protocol = port.protocol.empty() ? "TCP" : port.protocol;
    AddFieldError(&errors, p.Child("protocol"), CheckOneOf(protocol, {"TCP", "UDP", "SCTP"}));
    AddFieldError(&errors, p.Child("port"), CheckRange(port.port, 1, 65535));
    if (!port_protocols.emplace(port.port, protocol).second) {
      AddFieldError(&errors, p,
                    "duplicate port " + std::to_string(port.port) + "/" + protocol +
                        ": each port and protocol pair may appear once");
    }
    FieldPath target = p.Child("targetPort");
    if (port.target_port.is_int()) {
      // 0 means unset: the API server defaults it to `port`.
      int64_t t = port.target_port.int_value();
      if (t != 0) AddFieldError(&errors, target, CheckRange(t, 1, 65535));
    } else {
      std::string why = CheckPortName(port.target_port.string_value());
      if (!why.empty())
        AddFieldError(&errors, target, "must be a port number 1..65535 or a port name: " + why);
    }
    if (port.node_port != 0) {
      if (!node_ports_allowed) {
        AddFieldError(&errors, p.Child("nodePort"),
                      "may only be set when type is NodePort or LoadBalancer, got type " +
                          Quoted(spec.type.empty() ? "ClusterIP" : spec.type));
      } else {
        AddFieldError(&errors, p.Child("nodePort"), CheckRange(port.node_port, 1, 65535));
      }
    }
  }
}

bool IsConfigKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::string CheckConfigKey(std::string_view key) {
  const std::string rule =
      "must be 1..253 letters, digits, '-', '_' or '.', and not \".\" or \"..\", got " +
      Quoted(key);
  if (key.empty() || key.size() > 253 || key == "." || key == "..") return rule;
  for (char c : key) {
    if (!IsConfigKeyChar(c)) return rule;
  }
  return {};
}

constexpr size_t kMaxSecretSize = 1 << 20;

void RequireSecretKey(const Secret& secret, const std::string& key, FieldErrors& errors) {
  if (secret.data.contains(key) || secret.string_data.contains(key)) return;
  AddFieldError(&errors, FieldPath("data").Child(key),
                "is required for type " + Quoted(secret.type) + " (in data or stringData)");
}

}  // namespace

std::string CheckDns1035Label(std::string_view name) {
  const std::string rule =
      "must be at most 63 lowercase letters, digits and '-', starting with a letter and ending "
      "with a letter or digit, got " +
      Quoted(name);
  if (name.empty() || name.size() > 63) return rule;
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-') return rule;
  }
  if (!(name.front() >= 'a' && name.front() <= 'z') || !IsLowerAlnum(name.back())) return rule;
  return {};
}

FieldErrors Validate(const Service& service) {
  FieldErrors errors;
  const ServiceSpec& spec = service.spec;
  FieldPath s("spec");
  if (!spec.type.empty()) {
    AddFieldError(&errors, s.Child("type"),
                  CheckOneOf(spec.type, {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}));
  }
  bool external = spec.type == "ExternalName";
  bool headless = spec.cluster_ip == "None";
  if (spec.ports.empty() && !external && !headless) {
    AddFieldError(
        &errors, s.Child("ports"),
        "is required: at least one port (only ExternalName and headless (clusterIP: None) "
        "Services may have none)");
  }
  if (external) {
    std::string_view name = spec.external_name;
    if (name.ends_with('.')) name.remove_suffix(1);
    if (spec.external_name.empty()) {
      AddFieldError(&errors, s.Child("externalName"),
                    "is required when type is ExternalName (a DNS name)");
    } else {
      AddFieldError(&errors, s.Child("externalName"), CheckDnsSubdomain(name));
    }
  }
  ValidateServicePorts(spec, s.Child("ports"), errors);
  ValidateLabelMap(spec.selector, s.Child("selector"), errors);
  if (!spec.session_affinity.empty()) {
    AddFieldError(&errors, s.Child("sessionAffinity"),
                  CheckOneOf(spec.session_affinity, {"None", "ClientIP"}));
  }
  if (!spec.external_traffic_policy.empty()) {
    FieldPath p = s.Child("externalTrafficPolicy");
    if (spec.type != "NodePort" && spec.type != "LoadBalancer") {
      AddFieldError(&errors, p,
                    "may only be set when type is NodePort or LoadBalancer, got type " +
                        Quoted(spec.type.empty() ? "ClusterIP" : spec.type));
    } else {
      AddFieldError(&errors, p, CheckOneOf(spec.external_traffic_policy, {"Cluster", "Local"}));
    }
  }
  if (!spec.cluster_ip.empty() && !headless && !IsIp(spec.cluster_ip)) {
    AddFieldError(&errors, s.Child("clusterIP"),
                  "must be empty (allocate), \"None\" (headless) or an IP address, got " +
                      Quoted(spec.cluster_ip));
  }
  if (!spec.cluster_ip.empty() && !spec.cluster_ips.empty() &&
      spec.cluster_ips[0] != spec.cluster_ip) {
    AddFieldError(&errors, s.Child("clusterIPs").Index(0),
                  "must equal spec.clusterIP " + Quoted(spec.cluster_ip) + ", got " +
                      Quoted(spec.cluster_ips[0]));
  }
  return errors;
}

FieldErrors Validate(const Namespace& ns) {
  FieldErrors errors;
  FieldPath finalizers = FieldPath("spec").Child("finalizers");
  for (size_t i = 0; i < ns.spec.finalizers.size(); ++i) {
    const std::string& f = ns.spec.finalizers[i];
    std::string problem = CheckQualifiedName(f);
    if (problem.empty() && f.find('/') == std::string::npos && f != "kubernetes" && f != "orphan" &&
        f != "foregroundDeletion") {
      problem =
          "must be a standard finalizer (kubernetes, orphan, foregroundDeletion) or "
          "domain-qualified (example.com/name), got " +
          Quoted(f);
    }
    AddFieldError(&errors, finalizers.Index(i), problem);
  }
  if (!ns.status.phase.empty()) {
    AddFieldError(&errors, FieldPath("status").Child("phase"),
                  CheckOneOf(ns.status.phase, {"Active", "Terminating"}));
  }
  return errors;
}

FieldErrors Validate(const Secret& secret) {
  FieldErrors errors;
  size_t total = 0;
  for (const auto& [key, value] : secret.data) {
    FieldPath p = FieldPath("data").Child(key);
    AddFieldError(&errors, p, CheckConfigKey(key));
    Result<std::string> decoded = DecodeBase64(value);
    if (decoded.ok()) {
      total += decoded->size();
    } else {
      AddFieldError(&errors, p, decoded.error().message());
    }
  }
  for (const auto& [key, value] : secret.string_data) {
    AddFieldError(&errors, FieldPath("stringData").Child(key), CheckConfigKey(key));
    if (!secret.data.contains(key)) total += value.size();
  }
  if (total > kMaxSecretSize) {
    AddFieldError(&errors, FieldPath("data"),
                  "data and stringData hold " + std::to_string(total) + " bytes; must be at most " +
                      std::to_string(kMaxSecretSize) + " (1 MiB)");
  }
  if (secret.type == "kubernetes.io/tls") {
    RequireSecretKey(secret, "tls.crt", errors);
    RequireSecretKey(secret, "tls.key", errors);
  } else if (secret.type == "kubernetes.io/dockerconfigjson") {
    RequireSecretKey(secret, ".dockerconfigjson", errors);
  }
  return errors;
}

FieldErrors Validate(const Event& event) {
  FieldErrors errors;
  AddFieldError(&errors, FieldPath("type"), CheckOneOf(event.type, {"Normal", "Warning"}));
  FieldPath involved("involvedObject");
  if (event.involved_object.kind.empty()) {
    AddFieldError(&errors, involved.Child("kind"),
                  "is required: the kind of the object the event is about");
  }
  const std::string& ns = event.involved_object.namespace_;
  if (!ns.empty() && ns != event.metadata.namespace_) {
    AddFieldError(&errors, involved.Child("namespace"),
                  "must be empty or the event's own namespace " +
                      Quoted(event.metadata.namespace_) + ", got " + Quoted(ns));
  }
  AddFieldError(&errors, FieldPath("reason"), CheckMaxLength(event.reason, 128));
  AddFieldError(&errors, FieldPath("action"), CheckMaxLength(event.action, 128));
  AddFieldError(&errors, FieldPath("reportingComponent"),
                CheckMaxLength(event.reporting_component, 128));
  if (event.count < 0) {
    AddFieldError(&errors, FieldPath("count"), "must be >= 0, got " + std::to_string(event.count));
  }
  return errors;
}

FieldErrors Validate(const Lease& lease) {
  FieldErrors errors;
  FieldPath s("spec");
  if (lease.spec.lease_duration_seconds && *lease.spec.lease_duration_seconds < 1) {
    AddFieldError(&errors, s.Child("leaseDurationSeconds"),
                  "must be >= 1, got " + std::to_string(*lease.spec.lease_duration_seconds));
  }
  if (lease.spec.lease_transitions && *lease.spec.lease_transitions < 0) {
    AddFieldError(&errors, s.Child("leaseTransitions"),
                  "must be >= 0, got " + std::to_string(*lease.spec.lease_transitions));
  }
  return errors;
}

}  // namespace devflow::api
