#include "node_under_test.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "command_runner.h"
#include "common/json_reader.h"
#include "kube/client_config.h"
#include "node/proc_stat.h"

namespace devflow::testing {

std::string WebServiceJson(const std::string& name) {
  return Fill(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "@NAME@"},
                  "spec": {"selector": {"app": "web"},
                           "ports": [{"port": 80, "targetPort": "http"}]}})",
              {{"NAME", name}});
}

Result<int> CreateCanaryFrontDoor(NodeUnderTest& node) {
  for (const char* name : {"web-stable", "web-canary"}) {
    DEVFLOW_RETURN_IF_ERROR(node.Create(kServicesResource, WebServiceJson(name)).status());
  }
  const int port = FreeLoopbackPort();
  DEVFLOW_RETURN_IF_ERROR(
      node.Create(kGatewaysResource,
                  Fill(R"({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                           "metadata": {"name": "gateway"},
                           "spec": {"gatewayClassName": "devflow", "listeners": [
                             {"name": "http", "protocol": "HTTP", "port": @PORT@}]}})",
                       {{"PORT", std::to_string(port)}}))
          .status());
  DEVFLOW_RETURN_IF_ERROR(node.Create(kHttpRoutesResource, R"({
      "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
      "metadata": {"name": "web"},
      "spec": {"parentRefs": [{"name": "gateway"}],
               "rules": [{"backendRefs": [{"name": "web-stable", "port": 80, "weight": 100},
                                          {"name": "web-canary", "port": 80, "weight": 0}]}]}})")
                              .status());
  return port;
}

std::string Fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string marker = "@" + key + "@";
    for (size_t at = text.find(marker); at != std::string::npos;
         at = text.find(marker, at + value.size())) {
      text.replace(at, marker.size(), value);
    }
  }
  return text;
}

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

NodeUnderTest::NodeUnderTest() : serve_(/*runtime=*/true) {}

CommandOutput NodeUnderTest::Devflow(const std::string& args) const {
  return RunCommand(std::string(DEVFLOW_BINARY) + " --kubeconfig " + serve_.kubeconfig() + " " +
                    args);
}

bool NodeUnderTest::Start() {
  client_.reset();
  if (!serve_.Start()) return false;
  kube::LoadOptions options;
  options.kubeconfig_path = serve_.kubeconfig();
  options.env = [](const std::string&) { return std::nullopt; };
  Result<kube::ClientConfig> config = kube::ResolveClientConfig(options);
  if (!config.ok()) return false;
  kube::ApiClientOptions client_options;
  client_options.qps = 0;  // tests poll; the server is ours
  Result<std::unique_ptr<kube::ApiClient>> client =
      kube::ApiClient::Create(*config, client_options);
  if (!client.ok()) return false;
  client_ = std::move(client).value();
  return true;
}

Result<json::Value> NodeUnderTest::Create(const kube::ResourceRef& resource,
                                          std::string_view json_text) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value object, json::Parse(json_text));
  return client_->Create(resource, "default", object);
}

Result<json::Value> NodeUnderTest::Patch(const kube::ResourceRef& resource, std::string_view name,
                                         std::string_view json_text) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value patch, json::Parse(json_text));
  return client_->Patch(resource, "default", name, kube::PatchType::kMerge, patch);
}

Result<json::Value> NodeUnderTest::Get(const kube::ResourceRef& resource, std::string_view name) {
  return client_->Get(resource, "default", name);
}

Status NodeUnderTest::Delete(const kube::ResourceRef& resource, std::string_view name) {
  return client_->Delete(resource, "default", name).status();
}

std::vector<json::Value> NodeUnderTest::Pods(const std::string& label_selector) {
  kube::ListRequest request;
  request.label_selector = label_selector;
  Result<kube::ObjectList> list = client_->List(kPodsResource, "default", request);
  if (!list.ok()) return {};
  return list->items;
}

std::vector<std::string> NodeUnderTest::ReadyPods(const std::string& label_selector) {
  std::vector<std::string> names;
  for (const json::Value& pod : Pods(label_selector)) {
    const json::Value* deleting = pod.Find("metadata")->Find("deletionTimestamp");
    if (PodReady(pod) && (deleting == nullptr || deleting->is_null())) {
      names.push_back(NameOf(pod));
    }
  }
  return names;
}

std::string NodeUnderTest::ClusterIp(std::string_view service) {
  Result<json::Value> object = Get(kServicesResource, service);
  if (!object.ok()) return "";
  const json::Value* spec = object->Find("spec");
  const json::Value* ip = spec ? spec->Find("clusterIP") : nullptr;
  return ip && ip->is_string() ? ip->as_string() : "";
}

std::vector<ProcessId> NodeUnderTest::RecordedProcesses() const {
  std::vector<ProcessId> processes;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir() + "/node/processes", error)) {
    if (entry.path().extension() != ".json") continue;
    Result<json::Value> record = json::Parse(ReadFileForTest(entry.path().string()));
    if (!record.ok()) continue;
    const json::Value* pid = record->Find("pid");
    const json::Value* ticks = record->Find("startTicks");
    if (pid && pid->is_int() && ticks && ticks->is_int()) {
      processes.push_back(
          {static_cast<int>(pid->as_int()), static_cast<uint64_t>(ticks->as_int())});
    }
  }
  std::sort(processes.begin(), processes.end());
  return processes;
}

std::vector<ProcessId> NodeUnderTest::ProcessesOf(const std::string& program) const {
  const std::string marker = "E2E_DATA_DIR=" + data_dir();
  std::vector<ProcessId> processes;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string argv = ReadFileForTest(entry.path().string() + "/cmdline");
    if (argv.compare(0, argv.find('\0'), program) != 0) continue;
    const std::string environ = ReadFileForTest(entry.path().string() + "/environ");
    // Entries are NUL-separated; the marker must be a whole entry.
    bool found = false;
    for (size_t at = 0; at < environ.size();) {
      size_t end = environ.find('\0', at);
      if (end == std::string::npos) end = environ.size();
      if (environ.compare(at, end - at, marker) == 0) found = true;
      at = end + 1;
    }
    if (!found) continue;
    Result<node::ProcStat> stat = node::ReadProcStat(std::stoi(name));
    if (!stat.ok() || stat->exited()) continue;
    processes.push_back({stat->pid, stat->start_ticks});
  }
  std::sort(processes.begin(), processes.end());
  return processes;
}

int NodeUnderTest::HaproxyPid() const {
  return std::atoi(ReadFileForTest(data_dir() + "/haproxy/haproxy.pid").c_str());
}

bool PodReady(const json::Value& pod) {
  const json::Value* status = pod.Find("status");
  const json::Value* conditions = status ? status->Find("conditions") : nullptr;
  if (conditions == nullptr || !conditions->is_array()) return false;
  for (const json::Value& condition : conditions->as_array()) {
    const json::Value* type = condition.Find("type");
    const json::Value* value = condition.Find("status");
    if (type && type->is_string() && type->as_string() == "Ready") {
      return value && value->is_string() && value->as_string() == "True";
    }
  }
  return false;
}

std::string NameOf(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  const json::Value* name = metadata ? metadata->Find("name") : nullptr;
  return name && name->is_string() ? name->as_string() : "";
}

}  // namespace devflow::testing
