// Prober: runs ONE probe attempt of a container (httpGet, tcpSocket or exec), as the kubelet
// does, against the container's process on this machine. Thresholds, periods and delays are
// the kubelet loop's business (pod_rules.h); this only answers "did this attempt succeed".
//
// Semantics follow Kubernetes: httpGet succeeds on a status 200..399 (redirects are not
// followed), tcpSocket on an accepted connection, exec on exit code 0. Every attempt ends
// within `timeout` (an exec probe's process group is killed at the timeout).
//
// Thread-safety: stateless; call from any thread.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "api/pod.h"

namespace devflow::node {

struct ProbeTarget {
  std::string host = "127.0.0.1";         // where the pod's processes listen
  std::map<int32_t, int32_t> host_ports;  // containerPort -> host port of this pod
  // Named container ports of the container (name -> containerPort), to resolve `port: http`.
  std::map<std::string, int32_t> named_ports;
  // For exec probes: the container's environment and working directory.
  std::map<std::string, std::string> env;
  std::string working_dir;
};

struct ProbeOutcome {
  bool success = false;
  std::string message;  // why it failed, e.g. "Get http://127.0.0.1:41234/healthz: 503"
};

// Runs one attempt of `probe` (exactly one of http_get, tcp_socket, exec is set; validation
// guarantees it). A port that names no container port, or a containerPort with no host port,
// is a failure whose message says so.
ProbeOutcome RunProbe(const api::Probe& probe, const ProbeTarget& target,
                      std::chrono::milliseconds timeout);

}  // namespace devflow::node
