// In-cluster configuration: how a process running in a pod reaches its own cluster's API server,
// from the service-account files the kubelet mounts and the KUBERNETES_SERVICE_HOST/PORT
// variables it sets (client-go's rest.InClusterConfig).
#pragma once

#include <string>

#include "common/result.h"
#include "kube/client_config.h"

namespace devflow::kube {

// Where the service account is mounted; injectable for tests.
struct InClusterPaths {
  // The token; the kubelet rotates it (projected tokens live about an hour), so it is re-read
  // through TokenFile rather than kept.
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  friend bool operator==(const InClusterPaths&, const InClusterPaths&) = default;
};

// Returns the config for the cluster the process runs in:
//   server       https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT (an IPv6 host
//                bracketed);
//   credentials  a TokenFile on paths.token_file (read once now, so a missing token fails here);
//   ca_pem       the contents of paths.ca_file; when that file does not exist the system roots
//                are used, as client-go does (it only logs);
//   namespace_   POD_NAMESPACE when set (client-go's override), else the trimmed contents of
//                paths.namespace_file, else "default".
// Errors:
//   FailedPrecondition  KUBERNETES_SERVICE_HOST or KUBERNETES_SERVICE_PORT is unset or empty
//                       ("not running in a cluster: ..."), or a file exists but cannot be read;
//   InvalidArgument     the port is not 1..65535;
//   NotFound            the token file does not exist;
//   FailedPrecondition  the token file is empty or unreadable.
Result<ClientConfig> InClusterConfig(const InClusterPaths& paths = {},
                                     const EnvLookup& env = ProcessEnv());

}  // namespace devflow::kube
