// The two API servers every API-level test runs against (issue 8): devflow's embedded server
// (`devflow serve`, started fresh per test in a temporary data directory) and the real
// kube-apiserver + kube-controller-manager + etcd of scripts/kube-lab (started once by CTest's
// kube_lab fixture, which passes its directory in KUBE_LAB_DIR).
//
// Tests share the real server, so each test works in namespaces of its own (NewNamespace) and
// in uniquely named cluster-scoped objects; namespaces are deleted, without waiting, when the
// ServerUnderTest is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"
#include "http/client.h"
#include "http/message.h"
#include "kube/api_client.h"
#include "kube/client_config.h"
#include "serve_process.h"

namespace devflow::testing {

enum class ServerKind { kEmbedded, kReal };

// "embedded" or "real": the parameter names of the parametrised tests.
std::string ServerKindName(ServerKind kind);

class ServerUnderTest {
 public:
  // Starts (embedded) or connects to (real) the server. Returns nullptr with `why` set when it
  // cannot: for the real server outside CTest (no KUBE_LAB_DIR) the caller skips; a server that
  // does not start is a failure.
  static std::unique_ptr<ServerUnderTest> Open(ServerKind kind, std::string* why, bool* skip);
  ~ServerUnderTest();
  ServerUnderTest(const ServerUnderTest&) = delete;
  ServerUnderTest& operator=(const ServerUnderTest&) = delete;

  ServerKind kind() const { return kind_; }
  kube::ApiClient& client() { return *client_; }
  const std::string& kubeconfig() const { return kubeconfig_; }

  // Creates a namespace named "<prefix>-<random>" and returns its name.
  std::string NewNamespace(const std::string& prefix);
  // A name unique to this test run, for cluster-scoped objects: "<prefix>-<random>".
  static std::string UniqueName(const std::string& prefix);

  // One raw request (method, target, optional JSON body) with the server's credentials: for the
  // response-shape comparison, which must see status codes and bodies as sent.
  Result<http::Response> Raw(const std::string& method, const std::string& target,
                             const std::string& body = "");

 private:
  ServerUnderTest() = default;
  ServerKind kind_ = ServerKind::kEmbedded;
  std::unique_ptr<ServeProcess> embedded_;
  std::string kubeconfig_;
  kube::ClientConfig config_;  // read from kubeconfig_ once, by Open
  std::unique_ptr<kube::ApiClient> client_;
  std::unique_ptr<http::Client> raw_;  // Raw's connection, made on first use
  std::vector<std::string> namespaces_;
};

// The namespace resource, and a few others the tests use.
extern const kube::ResourceRef kNamespaces;
extern const kube::ResourceRef kSecrets;
extern const kube::ResourceRef kServices;
extern const kube::ResourceRef kLeases;
extern const kube::ResourceRef kEvents;
extern const kube::ResourceRef kRollouts;
extern const kube::ResourceRef kCrds;

}  // namespace devflow::testing
