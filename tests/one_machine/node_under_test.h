// NodeUnderTest: one real `devflow serve` WITH its runtime (pods as processes, HAProxy), a
// Kubernetes client of it, and the reads the one-machine end-to-end tests share: objects from
// JSON text, ready pods, a Service's clusterIP, the demo app's processes.
//
// Cleanup: the ServeProcess it owns stops serve and then runs `devflow down`, which stops the
// pods' processes and HAProxy, also when a test fails half-way.
//
// Thread-safety: the client may be used from any thread; the rest from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "command_runner.h"
#include "common/json_value.h"
#include "common/result.h"
#include "kube/api_client.h"
#include "serve_process.h"

namespace devflow::testing {

inline const kube::ResourceRef kPodsResource{"", "v1", "pods", "Pod", true};
inline const kube::ResourceRef kServicesResource{"", "v1", "services", "Service", true};
inline const kube::ResourceRef kReplicaSetsResource{"apps", "v1", "replicasets", "ReplicaSet",
                                                    true};
inline const kube::ResourceRef kGatewaysResource{"gateway.networking.k8s.io", "v1", "gateways",
                                                 "Gateway", true};
inline const kube::ResourceRef kHttpRoutesResource{"gateway.networking.k8s.io", "v1", "httproutes",
                                                   "HTTPRoute", true};

// A process, identified as the runtime identifies it: pid and start time.
struct ProcessId {
  int pid = 0;
  uint64_t start_ticks = 0;
  friend auto operator<=>(const ProcessId&, const ProcessId&) = default;
};

// Polls `ready` every 50 ms until it holds (true) or `deadline` passes (false). Each poll of
// these tests is an API request or a batch of HTTP requests, hence the pacing.
template <class F>
bool Poll(F ready, std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A loopback port nobody listens on now (for a Gateway listener).
int FreeLoopbackPort();

// Replaces each "@KEY@" of `text` by its value (JSON text templates; "$(VAR)" stays for the
// runtime's own expansion).
std::string Fill(std::string text, const std::map<std::string, std::string>& values);

class NodeUnderTest {
 public:
  NodeUnderTest();  // a fresh data directory; nothing started
  NodeUnderTest(const NodeUnderTest&) = delete;
  NodeUnderTest& operator=(const NodeUnderTest&) = delete;

  // Starts (or starts again) `devflow serve` on the data directory and connects a new client
  // (the port changes with each start). Returns false, with serve's output in log(), when serve
  // did not come up.
  bool Start();
  ServeProcess& serve() { return serve_; }
  const std::string& data_dir() const { return serve_.data_dir(); }
  std::string log() const { return serve_.log(); }
  // Runs `devflow ARGS` against this node (its kubeconfig).
  CommandOutput Devflow(const std::string& args) const;
  // REQUIRES: Start() succeeded.
  kube::ApiClient& client() { return *client_; }

  // Creates the object written as JSON text in namespace "default"; returns it as stored.
  Result<json::Value> Create(const kube::ResourceRef& resource, std::string_view json_text);
  // A merge patch written as JSON text.
  Result<json::Value> Patch(const kube::ResourceRef& resource, std::string_view name,
                            std::string_view json_text);
  Result<json::Value> Get(const kube::ResourceRef& resource, std::string_view name);
  Status Delete(const kube::ResourceRef& resource, std::string_view name);

  // The pods matching `label_selector`, and those of them that are Ready (condition Ready=True,
  // no deletionTimestamp), by name. An API error gives an empty list.
  std::vector<json::Value> Pods(const std::string& label_selector);
  std::vector<std::string> ReadyPods(const std::string& label_selector);
  // The Service's spec.clusterIP ("" when not (yet) known).
  std::string ClusterIp(std::string_view service);

  // The pids the process supervisor has recorded (<data_dir>/node/processes/*.json).
  std::vector<ProcessId> RecordedProcesses() const;
  // Every live process on the machine running `program` (argv[0]) whose environment holds
  // E2E_DATA_DIR=<data_dir> (the tests' pods set it): catches orphans and duplicates that no
  // record names, and leaves out exec probes (which get the container's environment too).
  std::vector<ProcessId> ProcessesOf(const std::string& program) const;
  // HAProxy's master pid (<data_dir>/haproxy/haproxy.pid); 0 when unknown.
  int HaproxyPid() const;

 private:
  ServeProcess serve_;
  std::unique_ptr<kube::ApiClient> client_;
};

// Whether a pod's condition Ready is True.
bool PodReady(const json::Value& pod);
// metadata.name / metadata.uid of an object ("" when absent).
std::string NameOf(const json::Value& object);

// The JSON of a Service `name` selecting the pods labelled app=web, port 80 to their "http" port.
std::string WebServiceJson(const std::string& name);

// The canary tests' front door in `node`: Services web-stable and web-canary, a Gateway on a free
// loopback port, and the HTTPRoute "web" (the argoproj-labs/gatewayAPI plugin's route) sending
// all traffic to web-stable. Returns the Gateway's port.
Result<int> CreateCanaryFrontDoor(NodeUnderTest& node);

}  // namespace devflow::testing
