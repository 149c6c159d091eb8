#include "cli/kube_flags.h"

#include "apiserver/data_dir.h"
#include "kube/api_client.h"

namespace devflow::cli {

Result<kube::ClientConfig> LoadClientConfig(const KubeFlags& flags) {
  kube::LoadOptions options;
  options.kubeconfig_path = flags.kubeconfig;
  options.context = flags.context;
  options.namespace_ = flags.namespace_;
  options.env = kube::ProcessEnv();
  options.default_paths = kube::DefaultKubeconfigPaths(apiserver::DefaultDataDir(), options.env);
  return kube::ResolveClientConfig(options);
}

Result<std::unique_ptr<kube::ApiClient>> ConnectClient(const KubeFlags& flags) {
  DEVFLOW_ASSIGN_OR_RETURN(kube::ClientConfig config, LoadClientConfig(flags));
  kube::ApiClientOptions options;
  options.qps = 50;
  options.burst = 300;
  return kube::ApiClient::Create(std::move(config), options);
}

}  // namespace devflow::cli
