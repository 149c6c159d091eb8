#include "node/container_env.h"

#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace devflow::node {
namespace {

constexpr std::string_view kSubscriptedPaths[] = {"metadata.labels", "metadata.annotations"};

// "metadata.labels['app']" -> {"metadata.labels", "app"}; nullopt when `path` has no subscript.
std::optional<std::pair<std::string_view, std::string_view>> SplitSubscript(std::string_view path) {
  size_t open = path.find("['");
  if (open == std::string_view::npos || path.size() < open + 4 || !path.ends_with("']")) {
    return std::nullopt;
  }
  return std::make_pair(path.substr(0, open), path.substr(open + 2, path.size() - open - 4));
}

std::string PortVariableName(std::string_view port_name) {
  std::string out = "PORT_";
  for (char c : port_name) {
    if (c == '-') {
      out += '_';
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else {
      out += c;
    }
  }
  return out;
}

std::string Describe(const api::Pod& pod, const api::Container& container) {
  return "pod " + pod.metadata.namespace_ + "/" + pod.metadata.name + " container " +
         container.name;
}

// The variables of devflow (PORT, PORT_<NAME>, DEVFLOW_IMAGE, DEVFLOW_IMAGE_TAG) and the
// container's host ports.
Status DevflowVariables(const api::Pod& pod, const api::Container& container,
                        const ContainerEnvContext& context,
                        std::map<std::string, std::string>* variables, HostPorts* own_ports) {
  for (size_t i = 0; i < container.ports.size(); ++i) {
    const api::ContainerPort& port = container.ports[i];
    auto host = context.host_ports.find(port.container_port);
    if (host == context.host_ports.end()) {
      return InvalidArgumentError(Describe(pod, container) + ": containerPort " +
                                  std::to_string(port.container_port) + " has no host port");
    }
    (*own_ports)[port.container_port] = host->second;
    const std::string value = std::to_string(host->second);
    if (i == 0) (*variables)["PORT"] = value;
    if (!port.name.empty()) (*variables)[PortVariableName(port.name)] = value;
  }
  (*variables)["DEVFLOW_IMAGE"] = container.image;
  (*variables)["DEVFLOW_IMAGE_TAG"] = ImageTag(container.image);
  return Status::Ok();
}

Result<std::string> EnvSourceValue(const api::Pod& pod, const api::Container& container,
                                   const api::EnvVar& var, const ContainerEnvContext& context) {
  const api::EnvVarSource& source = *var.value_from;
  const std::string where = Describe(pod, container) + ": env \"" + var.name + "\": ";
  if (source.field_ref) {
    const std::string& version = source.field_ref->api_version;
    if (!version.empty() && version != "v1") {
      return InvalidArgumentError(where + "valueFrom.fieldRef.apiVersion \"" + version +
                                  "\" is not supported (use \"v1\")");
    }
    Result<std::string> value = FieldRefValue(pod, source.field_ref->field_path, context);
    if (!value.ok()) return InvalidArgumentError(where + value.error().message());
    return value;
  }
  std::string kind = source.secret_key_ref                  ? "secretKeyRef"
                     : source.config_map_key_ref            ? "configMapKeyRef"
                     : !source.resource_field_ref.is_null() ? "resourceFieldRef"
                                                            : "an unknown source";
  return InvalidArgumentError(where + "valueFrom." + kind +
                              " is not supported by devflow's process runtime (only value and "
                              "fieldRef are)");
}

bool EnvFromSet(const json::Value& env_from) {
  if (env_from.is_null()) return false;
  return !env_from.is_array() || !env_from.as_array().empty();
}

}  // namespace

std::string ExpandVariables(std::string_view input,
                            const std::function<const std::string*(std::string_view)>& lookup) {
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    if (input[i] != '$' || i + 1 == input.size()) {
      out += input[i++];
      continue;
    }
    const char next = input[i + 1];
    if (next == '$') {  // "$$": an escaped operator
      out += '$';
      i += 2;
    } else if (next == '(') {
      size_t close = input.find(')', i + 2);
      if (close == std::string_view::npos) {  // incomplete: "$(" kept, scanning goes on after it
        out += "$(";
        i += 2;
        continue;
      }
      std::string_view name = input.substr(i + 2, close - i - 2);
      if (const std::string* value = lookup(name); value != nullptr) {
        out += *value;
      } else {
        out += input.substr(i, close - i + 1);
      }
      i = close + 1;
    } else {  // "$" before anything else stays, with that character
      out += '$';
      out += next;
      i += 2;
    }
  }
  return out;
}

Result<std::string> FieldRefValue(const api::Pod& pod, std::string_view field_path,
                                  const ContainerEnvContext& context) {
  if (auto subscripted = SplitSubscript(field_path)) {
    auto [path, key] = *subscripted;
    const std::map<std::string, std::string>* map = nullptr;
    if (path == kSubscriptedPaths[0]) map = &pod.metadata.labels;
    if (path == kSubscriptedPaths[1]) map = &pod.metadata.annotations;
    if (map != nullptr) {
      auto found = map->find(std::string(key));
      return found == map->end() ? std::string() : found->second;
    }
  }
  if (field_path == "metadata.name") return pod.metadata.name;
  if (field_path == "metadata.namespace") return pod.metadata.namespace_;
  if (field_path == "metadata.uid") return pod.metadata.uid;
  if (field_path == "spec.nodeName") return pod.spec.node_name;
  if (field_path == "spec.serviceAccountName") return pod.spec.service_account_name;
  if (field_path == "status.podIP" || field_path == "status.podIPs") return context.pod_ip;
  if (field_path == "status.hostIP" || field_path == "status.hostIPs") return context.host_ip;
  return InvalidArgumentError(
      "valueFrom.fieldRef.fieldPath \"" + std::string(field_path) +
      "\" is not supported (metadata.name, metadata.namespace, metadata.uid, "
      "metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, "
      "spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP, status.hostIPs are)");
}

std::string ImageTag(std::string_view image) {
  if (size_t at = image.find('@'); at != std::string_view::npos) {
    return std::string(image.substr(at + 1));
  }
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return "latest";
  }
  return std::string(image.substr(colon + 1));
}

std::string ImageProgram(std::string_view image) {
  image = image.substr(0, image.find('@'));
  if (size_t slash = image.rfind('/'); slash != std::string_view::npos) {
    image = image.substr(slash + 1);
  }
  return std::string(image.substr(0, image.find(':')));
}

Result<ProcessSpec> BuildProcessSpec(const api::Pod& pod, const api::Container& container,
                                     const ContainerEnvContext& context) {
  if (!pod.spec.init_containers.empty()) {
    return InvalidArgumentError(Describe(pod, container) +
                                ": initContainers are not supported by devflow's process runtime");
  }
  if (EnvFromSet(container.env_from)) {
    return InvalidArgumentError(Describe(pod, container) +
                                ": envFrom is not supported by devflow's process runtime");
  }
  ProcessSpec spec{.key = {.pod_uid = pod.metadata.uid, .container = container.name},
                   .pod_namespace = pod.metadata.namespace_,
                   .pod_name = pod.metadata.name,
                   .working_dir = container.working_dir,
                   .restart_count = context.restart_count};

  std::map<std::string, std::string> devflow_variables;
  DEVFLOW_RETURN_IF_ERROR(
      DevflowVariables(pod, container, context, &devflow_variables, &spec.host_ports));

  // Entries of env see the entries before them, then devflow's variables.
  std::map<std::string, std::string> env_entries;
  auto env_lookup = [&](std::string_view name) -> const std::string* {
    if (auto found = env_entries.find(std::string(name)); found != env_entries.end()) {
      return &found->second;
    }
    if (auto found = devflow_variables.find(std::string(name)); found != devflow_variables.end()) {
      return &found->second;
    }
    return nullptr;
  };
  for (const api::EnvVar& var : container.env) {
    std::string value;
    if (!var.value.empty()) {
      value = ExpandVariables(var.value, env_lookup);
    } else if (var.value_from) {
      DEVFLOW_ASSIGN_OR_RETURN(value, EnvSourceValue(pod, container, var, context));
    }
    env_entries[var.name] = std::move(value);
  }

  spec.env = std::move(devflow_variables);
  for (auto& [name, value] : env_entries) spec.env[name] = value;
  for (std::string_view name : {"HOME", "PATH"}) {
    auto inherited = context.inherited.find(std::string(name));
    if (inherited != context.inherited.end()) spec.env.emplace(name, inherited->second);
  }

  auto process_lookup = [&](std::string_view name) -> const std::string* {
    auto found = spec.env.find(std::string(name));
    return found == spec.env.end() ? nullptr : &found->second;
  };
  if (container.command.empty()) {
    std::string program = ImageProgram(container.image);
    if (program.empty()) {
      return InvalidArgumentError(Describe(pod, container) +
                                  ": no command, and no program name in image \"" +
                                  container.image + "\"");
    }
    spec.argv.push_back(std::move(program));
  } else {
    for (const std::string& word : container.command) {
      spec.argv.push_back(ExpandVariables(word, process_lookup));
    }
  }
  for (const std::string& word : container.args) {
    spec.argv.push_back(ExpandVariables(word, process_lookup));
  }
  return spec;
}

std::map<std::string, std::string> InheritedEnvironment() {
  std::map<std::string, std::string> out;
  for (const char* name : {"HOME", "PATH"}) {
    if (const char* value = std::getenv(name); value != nullptr) out[name] = value;
  }
  return out;
}

}  // namespace devflow::node
