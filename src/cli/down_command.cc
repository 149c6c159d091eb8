#include "cli/down_command.h"

#include <chrono>
#include <filesystem>

#include "apiserver/data_dir.h"
#include "cli/kube_flags.h"
#include "kube/api_client.h"
#include "node/process_supervisor.h"
#include "node/proxy_manager.h"

namespace devflow::cli {
namespace {

constexpr std::chrono::seconds kGrace(10);

// The URL of a devflow serve answering on `data_dir`'s kubeconfig, or "".
std::string RunningServer(const std::string& data_dir) {
  const std::string kubeconfig = data_dir + "/kubeconfig";
  if (!std::filesystem::exists(kubeconfig)) return "";
  Result<kube::ClientConfig> config = LoadClientConfig(KubeFlags{.kubeconfig = kubeconfig});
  if (!config.ok()) return "";
  kube::ApiClientOptions options;
  options.request_timeout = std::chrono::seconds(3);
  options.connect_timeout = std::chrono::seconds(3);
  options.max_retries = 0;
  const std::string url = config->server.ToString();
  Result<std::unique_ptr<kube::ApiClient>> client = kube::ApiClient::Create(*config, options);
  if (!client.ok()) return "";
  return (*client)->GetPath("/version").ok() ? url : "";
}

}  // namespace

int RunDown(const DownFlags& flags, std::ostream& out, std::ostream& err) {
  const std::string data_dir =
      flags.data_dir.empty() ? apiserver::DefaultDataDir() : flags.data_dir;
  if (const std::string url = RunningServer(data_dir); !url.empty()) {
    err << "devflow down: devflow serve is running on " << url << " with data in " << data_dir
        << ": stop it first\n";
    return 1;
  }
  Result<std::unique_ptr<node::ProcessSupervisor>> supervisor = node::ProcessSupervisor::Open(
      node::SupervisorOptions{.state_dir = std::filesystem::path(data_dir) / "node"},
      [](const node::ProcessExit&) {});
  if (!supervisor.ok()) {
    err << "devflow down: " << supervisor.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (const node::ProcessInfo& process : (*supervisor)->Adopt()) {
    Status stopped = (*supervisor)->Stop(process.key, kGrace);
    out << (stopped.ok() ? "stopped " : "could not stop ") << "pod " << process.pod_namespace << "/"
        << process.pod_name << " container " << process.key.container << " (pid " << process.pid
        << ")";
    if (!stopped.ok()) {
      out << ": " << stopped.message();
      ++failures;
    }
    out << "\n";
  }
  (*supervisor)->Shutdown();
  Result<bool> haproxy = node::StopLeftoverHaproxy(data_dir);
  if (!haproxy.ok()) {
    err << "devflow down: " << haproxy.status().message() << "\n";
    ++failures;
  } else if (*haproxy) {
    out << "stopped HAProxy\n";
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace devflow::cli
