// Test helper: a Kubernetes client connected to an in-process embedded API server
// (api_server.h) with its token and CA, as the controllers' tests need it.
#pragma once

#include <memory>
#include <string>

#include "apiserver/api_server.h"
#include "common/result.h"
#include "kube/api_client.h"
#include "kube/client_config.h"

namespace devflow::apiserver::api_server_testing {

// A client for `server` whose default namespace is `ns`. Errors: the server URL does not
// parse, or the client cannot be created.
inline Result<std::unique_ptr<kube::ApiClient>> ConnectClient(const ApiServer& server,
                                                              const std::string& ns = "default") {
  kube::ClientConfig config;
  DEVFLOW_ASSIGN_OR_RETURN(config.server, kube::ParseServerUrl(server.url(), false));
  config.ca_pem = server.ca_pem();  // empty without TLS
  config.credentials = kube::BearerToken{server.token()};
  config.namespace_ = ns;
  return kube::ApiClient::Create(config);
}

}  // namespace devflow::apiserver::api_server_testing
