// What a container runs as a process: argv, environment and working directory, built from the
// pod and the container as the kubelet builds a container's config (pure; no I/O).
//
// Environment, lowest precedence first:
//   1. devflow's variables, which play the part of Kubernetes' service variables:
//        PORT               the host port of the container's first containerPort
//        PORT_<NAME>        the host port of each named containerPort (name upper-cased, '-' ->
//                           '_': port "http-alt" gives PORT_HTTP_ALT)
//        DEVFLOW_IMAGE      the image, as written ("ghcr.io/acme/rollouts-demo:green")
//        DEVFLOW_IMAGE_TAG  its tag ("green"; "latest" when it has none; "sha256:..." for a digest)
//   2. the container's env, in order: `value` with $(VAR) expanded against the entries before it
//      and the variables of 1 (as Kubernetes expands against earlier entries and service
//      variables), or `valueFrom.fieldRef` (see FieldRefValue). A later entry of the same name
//      replaces an earlier one.
//   3. HOME and PATH of devflow's own environment (`inherited`), each only when 1 and 2 do not
//      set it, since a process without PATH cannot find its programs; a container image would
//      provide them on Kubernetes.
// Nothing else of devflow's environment is passed on.
//
// argv: `command` + `args` with $(VAR) expanded against the whole environment above. When
// `command` is empty, Kubernetes would run the image's entrypoint; there is no image here, so the
// entrypoint is the image's last path component without tag or digest, looked up in PATH:
// image "registry.local:5000/team/rollouts-demo:green" runs "rollouts-demo" with the args. This
// is how `devflow set image` selects a build: the tag reaches the process as DEVFLOW_IMAGE_TAG.
//
// $(VAR) expansion is Kubernetes' exactly: "$(NAME)" is replaced by the variable's value, an
// unknown or incomplete reference stays as written, "$$" gives "$" (so "$$(NAME)" gives
// "$(NAME)"), and any other "$" is kept.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/pod.h"
#include "common/result.h"
#include "node/host_ports.h"
#include "node/process_supervisor.h"

namespace devflow::node {

struct ContainerEnvContext {
  HostPorts host_ports;  // the pod's containerPort -> host port (every containerPort is present)
  std::string pod_ip = "127.0.0.1";   // status.podIP / status.podIPs
  std::string host_ip = "127.0.0.1";  // status.hostIP / status.hostIPs
  // HOME and PATH as devflow sees them (InheritedEnvironment()); other names are ignored.
  std::map<std::string, std::string> inherited;
  int restart_count = 0;  // copied into the ProcessSpec
};

// The process for `container` of `pod`: key {pod uid, container name}, the pod's namespace and
// name, argv, env, working_dir (the container's workingDir; "" leaves the choice to the
// supervisor), the container's own host ports, restart_count.
// Errors (the kubelet shows them as the container's waiting reason CreateContainerConfigError):
// InvalidArgument naming the env entry whose source is unsupported (secretKeyRef,
// configMapKeyRef, resourceFieldRef, envFrom) or whose fieldRef path is not one of
// FieldRefValue's; InvalidArgument when a containerPort has no host port in `context`, or when
// there is no command and no image name to derive one from; InvalidArgument when the pod has
// initContainers (not run by this runtime).
Result<ProcessSpec> BuildProcessSpec(const api::Pod& pod, const api::Container& container,
                                     const ContainerEnvContext& context);

// Kubernetes' $(VAR) expansion of `input`; `lookup` returns the value of a name or null when it
// is unknown.
std::string ExpandVariables(std::string_view input,
                            const std::function<const std::string*(std::string_view)>& lookup);

// The value of env[].valueFrom.fieldRef.fieldPath, as the kubelet resolves it: metadata.name,
// metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'] ("" when
// the key is absent), spec.nodeName, spec.serviceAccountName, status.podIP, status.podIPs,
// status.hostIP, status.hostIPs. Errors: InvalidArgument for any other path.
Result<std::string> FieldRefValue(const api::Pod& pod, std::string_view field_path,
                                  const ContainerEnvContext& context);

// The tag of an image reference: "a/b:v1" -> "v1", "a:5000/b" -> "latest", "b@sha256:ab" ->
// "sha256:ab" (a digest wins over a tag), "b" -> "latest".
std::string ImageTag(std::string_view image);

// The program an image runs when the container has no command: the last path component of the
// image without tag or digest ("registry:5000/team/app:v2" -> "app").
std::string ImageProgram(std::string_view image);

// HOME and PATH of this process's environment (those that are set). Reads the environment: the
// one impure function here, for the kubelet to call once.
std::map<std::string, std::string> InheritedEnvironment();

}  // namespace devflow::node
