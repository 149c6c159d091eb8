#include "server_under_test.h"

#include <cstdlib>
#include <random>

namespace devflow::testing {

const kube::ResourceRef kNamespaces{"", "v1", "namespaces", "Namespace", false};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "Secret", true};
const kube::ResourceRef kServices{"", "v1", "services", "Service", true};
const kube::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
const kube::ResourceRef kEvents{"", "v1", "events", "Event", true};
const kube::ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", "Rollout", true};
const kube::ResourceRef kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                              "CustomResourceDefinition", false};

namespace {

Result<kube::ClientConfig> ConfigFrom(const std::string& kubeconfig) {
  kube::LoadOptions options;
  options.kubeconfig_path = kubeconfig;
  options.env = [](const std::string&) { return std::nullopt; };
  return kube::ResolveClientConfig(options);
}

}  // namespace

std::string ServerKindName(ServerKind kind) {
  return kind == ServerKind::kEmbedded ? "embedded" : "real";
}

std::unique_ptr<ServerUnderTest> ServerUnderTest::Open(ServerKind kind, std::string* why,
                                                       bool* skip) {
  *skip = false;
  std::unique_ptr<ServerUnderTest> server(new ServerUnderTest());
  server->kind_ = kind;
  if (kind == ServerKind::kEmbedded) {
    server->embedded_ = std::make_unique<ServeProcess>();
    // As the lab's cluster: kube-controller-manager's ReplicaSet controller, no rollout
    // controller (nothing there reconciles Rollouts either, so both answer alike).
    if (!server->embedded_->Start("--controllers=replicaset")) {
      *why = "devflow serve did not start: " + server->embedded_->log();
      return nullptr;
    }
    server->kubeconfig_ = server->embedded_->kubeconfig();
  } else {
    const char* dir = std::getenv("KUBE_LAB_DIR");
    if (dir == nullptr) {
      *why = "KUBE_LAB_DIR is not set (the real control plane runs under CTest)";
      *skip = true;
      return nullptr;
    }
    server->kubeconfig_ = std::string(dir) + "/kubeconfig";
  }
  Result<kube::ClientConfig> config = ConfigFrom(server->kubeconfig_);
  if (!config.ok()) {
    *why = config.error().message();
    return nullptr;
  }
  server->config_ = *config;
  Result<std::unique_ptr<kube::ApiClient>> client = kube::ApiClient::Create(*config);
  if (!client.ok()) {
    *why = client.error().message();
    return nullptr;
  }
  server->client_ = std::move(*client);
  return server;
}

ServerUnderTest::~ServerUnderTest() {
  if (kind_ != ServerKind::kReal || client_ == nullptr) return;
  for (const std::string& ns : namespaces_) (void)client_->Delete(kNamespaces, "", ns);
}

std::string ServerUnderTest::UniqueName(const std::string& prefix) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string name = prefix + "-";
  for (int i = 0; i < 6; ++i) name += kAlphabet[random() % (sizeof(kAlphabet) - 1)];
  return name;
}

std::string ServerUnderTest::NewNamespace(const std::string& prefix) {
  const std::string name = UniqueName(prefix);
  json::Value ns = json::Object{
      {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::Object{{"name", name}}}};
  Result<json::Value> created = client_->Create(kNamespaces, "", ns);
  if (!created.ok()) std::abort();  // the server is unusable: nothing else would work
  namespaces_.push_back(name);
  return name;
}

Result<http::Response> ServerUnderTest::Raw(const std::string& method, const std::string& target,
                                            const std::string& body) {
  if (raw_ == nullptr) {
    http::ClientOptions options;
    options.base_url = config_.server.ToString();
    options.ca_pem = config_.ca_pem;
    options.insecure_skip_verify = config_.insecure_skip_tls_verify;
    options.tls_server_name = config_.tls_server_name;
    options.client_certificate_pem = config_.client_cert_pem;
    options.client_key_pem = config_.client_key_pem;
    DEVFLOW_ASSIGN_OR_RETURN(raw_, http::Client::Create(options));
  }
  DEVFLOW_ASSIGN_OR_RETURN(kube::RequestAuth auth, config_.CurrentAuth());
  http::Request request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.headers.push_back({"Accept", "application/json"});
  if (!body.empty()) {
    request.headers.push_back(
        {"Content-Type", method == "PATCH" ? "application/merge-patch+json" : "application/json"});
  }
  if (!auth.bearer_token.empty()) {
    request.headers.push_back({"Authorization", "Bearer " + auth.bearer_token});
  }
  return raw_->Send(request);
}

}  // namespace devflow::testing
