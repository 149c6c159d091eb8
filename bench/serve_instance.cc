#include "serve_instance.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "bench_process.h"
#include "kube/api_client.h"
#include "kube/client_config.h"

namespace devflow::bench {

namespace fs = std::filesystem;

ServeInstance StartServe(const std::string& devflow, const std::string& controllers,
                         const std::string& prefix) {
  std::string dir_template = "/tmp/" + prefix + "-XXXXXX";
  if (::mkdtemp(dir_template.data()) == nullptr) {
    DieMessage("cannot make a data directory in /tmp");
  }
  ServeInstance serve;
  serve.dir = dir_template;
  Cleanup::Get().Add([dir = serve.dir] {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  });
  serve.pid = Spawn({devflow, "serve", "--data-dir", serve.dir, "--listen", "127.0.0.1:0",
                     "--no-runtime", "--controllers=" + controllers},
                    serve.dir + "/serve.log");
  if (serve.pid < 0) DieMessage("cannot start devflow serve");
  Cleanup::Get().Add([pid = serve.pid] { StopGroup(pid, std::chrono::seconds(10)); });
  serve.kubeconfig = serve.dir + "/kubeconfig";
  for (int i = 0; i < 300 && !fs::exists(serve.kubeconfig); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!fs::exists(serve.kubeconfig)) {
    DieMessage("devflow serve did not start: " + Tail(serve.dir + "/serve.log", 20));
  }
  return serve;
}

std::unique_ptr<kube::ApiClient> ConnectUnlimited(const ServeInstance& serve) {
  kube::LoadOptions load;
  load.kubeconfig_path = serve.kubeconfig;
  load.env = [](const std::string&) { return std::nullopt; };
  kube::ApiClientOptions options;
  options.qps = 0;
  return OrDie(kube::ApiClient::Create(
                   OrDie(kube::ResolveClientConfig(load), "reading the kubeconfig"), options),
               "connecting");
}

}  // namespace devflow::bench
