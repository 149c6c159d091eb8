// The flags every command that talks to an API server takes, and the client
// they select.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "kube/client_config.h"

namespace devflow::kube {
class ApiClient;
}

namespace devflow::cli {

struct KubeFlags {
  std::string kubeconfig;  // --kubeconfig
  std::string context;     // --context
  std::string namespace_;  // -n, --namespace
};

// Resolves the client configuration: --kubeconfig, else KUBECONFIG, else the
// default data directory's kubeconfig (written by `devflow serve`), else
// ~/.kube/config.
Result<kube::ClientConfig> LoadClientConfig(const KubeFlags& flags);

// A client for LoadClientConfig(flags), with the CLI's rate limit (kubectl's:
// 50 qps, 300 burst).
Result<std::unique_ptr<kube::ApiClient>> ConnectClient(const KubeFlags& flags);

}  // namespace devflow::cli
