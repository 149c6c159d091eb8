// The host ports of a pod on this machine. Pods share the host's network here, so each
// containerPort of each pod is given its own free host port by the process runtime, which
// records the mapping on the pod as the annotation
//
//   node.devflow.io/host-ports: "8080=41234,9090=41235"   (containerPort=hostPort, ascending)
//
// before the pod can become Ready. Services, probes and `devflow port-forward`-like tools read it
// back with ParseHostPorts. On Kubernetes the annotation is absent and never needed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace devflow::node {

inline constexpr std::string_view kHostPortsAnnotation = "node.devflow.io/host-ports";

// containerPort -> host port.
using HostPorts = std::map<int32_t, int32_t>;

// "8080=41234,9090=41235"; "" for an empty map.
std::string FormatHostPorts(const HostPorts& ports);

// The inverse of FormatHostPorts. Errors: InvalidArgument naming the bad entry (a port outside
// 1..65535, a missing '=', a repeated containerPort).
Result<HostPorts> ParseHostPorts(std::string_view text);

}  // namespace devflow::node
