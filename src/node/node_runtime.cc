#include "node/node_runtime.h"

#include <unistd.h>

#include <cctype>

#include "kube/api_client.h"
#include "kube/clock.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "node/container_env.h"
#include "node/kubelet.h"
#include "node/process_supervisor.h"
#include "node/proxy_manager.h"
#include "node/traffic_controller.h"

namespace devflow::node {

struct NodeRuntime::Parts {
  NodeRuntimeOptions options;
  // Declared before the supervisor: the supervisor's exit callback goes through it.
  ExitRelay exits;
  std::unique_ptr<ProcessSupervisor> supervisor;
  std::unique_ptr<ProxyManager> proxy;
  std::unique_ptr<kube::EventSink> event_sink;
  std::unique_ptr<kube::EventRecorder> traffic_events;
  std::unique_ptr<TrafficController> traffic;
  std::unique_ptr<Kubelet> kubelet;
  bool started = false;
  bool stopped = false;
};

Result<std::unique_ptr<NodeRuntime>> NodeRuntime::Open(NodeRuntimeOptions options) {
  auto parts = std::make_unique<Parts>();
  parts->options = std::move(options);
  if (parts->options.node_name.empty()) parts->options.node_name = DefaultNodeName();
  DEVFLOW_ASSIGN_OR_RETURN(
      parts->supervisor,
      ProcessSupervisor::Open(SupervisorOptions{.state_dir = parts->options.data_dir / "node"},
                              parts->exits.Callback()));
  return std::unique_ptr<NodeRuntime>(new NodeRuntime(std::move(parts)));
}

NodeRuntime::NodeRuntime(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

NodeRuntime::~NodeRuntime() { Stop(); }

std::function<std::filesystem::path(const std::string&, const std::string&, const std::string&)>
NodeRuntime::LogPath() const {
  ProcessSupervisor* supervisor = parts_->supervisor.get();
  return [supervisor](const std::string& ns, const std::string& pod, const std::string& container) {
    return supervisor->LogPath(ns, pod, container);
  };
}

Status NodeRuntime::Start(kube::ApiClient& client, kube::InformerFactory& informers) {
  if (parts_->started) return FailedPreconditionError("node runtime: started twice");
  parts_->started = true;
  const NodeRuntimeOptions& options = parts_->options;
  DEVFLOW_ASSIGN_OR_RETURN(parts_->proxy, ProxyManager::Start(ProxyManagerOptions{
                                              .state_dir = options.data_dir,
                                              .haproxy_binary = options.haproxy_binary,
                                              .stats_address = "127.0.0.1",
                                              .stats_port = options.stats_port,
                                          }));
  parts_->event_sink = kube::NewEventSink(client);
  parts_->traffic_events = std::make_unique<kube::EventRecorder>(
      *parts_->event_sink,
      kube::EventRecorderOptions{.component = "devflow-gateway", .host = options.node_name});
  parts_->traffic = std::make_unique<TrafficController>(
      client, informers, *parts_->proxy, *parts_->traffic_events,
      TrafficControllerOptions{.bind_address = options.bind_address});
  parts_->traffic->Start();
  KubeletOptions kubelet_options;
  kubelet_options.inherited_env = InheritedEnvironment();
  ProxyManager* proxy = parts_->proxy.get();
  kubelet_options.still_routed = [proxy](const std::string& pod) { return proxy->RoutesTo(pod); };
  if (!options.container_path_prefix.empty()) {
    std::string& path = kubelet_options.inherited_env["PATH"];
    path = options.container_path_prefix.string() + (path.empty() ? "" : ":" + path);
  }
  parts_->kubelet =
      std::make_unique<Kubelet>(client, informers, *parts_->supervisor, parts_->exits,
                                options.node_name, kube::SystemClock(), kubelet_options);
  return parts_->kubelet->Start();
}

std::string NodeRuntime::MetricsUrl() const {
  return parts_->proxy ? parts_->proxy->MetricsUrl() : "";
}

void NodeRuntime::Stop() {
  if (parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->kubelet) parts_->kubelet->Stop();
  if (parts_->traffic) parts_->traffic->Stop();
  if (parts_->traffic_events) parts_->traffic_events->Shutdown();
  if (parts_->proxy) parts_->proxy->Shutdown(/*stop_haproxy=*/false);
  if (parts_->supervisor) parts_->supervisor->Shutdown();
}

std::string DefaultNodeName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  // spec.nodeName is a DNS subdomain: lower case.
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace devflow::node
