// NodeRuntime: the one-machine runtime as `devflow serve` runs it, what a node (kubelet and
// kube-proxy) and a gateway are on a cluster. It composes, in start order:
//   ProcessSupervisor   <data_dir>/node: process records and container logs
//   ProxyManager        <data_dir>/haproxy: one HAProxy, adopted when a previous run left it
//   TrafficController   Services, Gateways and HTTPRoutes -> the ProxyManager
//   Kubelet             pods as processes (adopting the processes a previous run left)
// and stops them in the reverse order. Stopping leaves the pods' processes and HAProxy running,
// as stopping a kubelet leaves its containers: the next start adopts them, so a restart of
// devflow (or a kill -9) does not interrupt traffic.
//
// The ReplicaSet controller is not part of it: on a cluster that is kube-controller-manager's
// work, and `devflow serve --no-runtime` runs it without a node.
//
// Thread-safety: Open, Start and Stop from one thread; LogPath's function from any.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace devflow::kube {
class ApiClient;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::node {

struct NodeRuntimeOptions {
  std::filesystem::path data_dir;  // required
  // The node this runtime claims pods for (spec.nodeName empty or equal).
  std::string node_name;
  // Where Services' LoadBalancer ports and Gateway listeners listen (`--bind-address`).
  std::string bind_address = "127.0.0.1";
  std::string haproxy_binary = "haproxy";
  int stats_port = 0;  // HAProxy's Prometheus exporter; 0 = a free port
  // Put before the inherited PATH of containers, so that programs installed beside devflow
  // (devflow-demo-app) run by name. Empty: nothing added.
  std::filesystem::path container_path_prefix;
};

class NodeRuntime {
 public:
  // Opens the process supervisor (creating its directories); starts nothing yet, so the API
  // server can be given LogPath() before it starts. Errors: Internal (directories).
  static Result<std::unique_ptr<NodeRuntime>> Open(NodeRuntimeOptions options);
  ~NodeRuntime();  // Stop()s
  NodeRuntime(const NodeRuntime&) = delete;
  NodeRuntime& operator=(const NodeRuntime&) = delete;

  // Where a container's log file is (ProcessSupervisor::LogPath); valid while this lives.
  std::function<std::filesystem::path(const std::string& ns, const std::string& pod,
                                      const std::string& container)>
  LogPath() const;

  // Starts HAProxy (or adopts it), the traffic controller and the kubelet on `client` and
  // `informers` (which must outlive this; the kubelet starts the factory). Errors: those of
  // ProxyManager::Start (no haproxy, too old, does not come up); Unavailable when the pod
  // informer does not sync in time (the kubelet keeps running and catches up).
  // REQUIRES: called once.
  Status Start(kube::ApiClient& client, kube::InformerFactory& informers);

  // HAProxy's Prometheus exporter, e.g. "http://127.0.0.1:41000/metrics"; "" before Start.
  std::string MetricsUrl() const;

  // Stops the kubelet, the traffic controller and the supervision of HAProxy and processes;
  // they keep serving. Idempotent.
  void Stop();

 private:
  struct Parts;
  explicit NodeRuntime(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// This machine's host name, the default node name; "localhost" when it has none.
std::string DefaultNodeName();

}  // namespace devflow::node
