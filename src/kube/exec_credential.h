// Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1), as EKS's
// `aws eks get-token` and GKE's `gke-gcloud-auth-plugin` use.
//
// The plugin is a program named by a kubeconfig user's `exec`. devflow runs it with the
// configured args, the inherited environment plus the configured env, stdin at /dev/null and
// KUBERNETES_EXEC_INFO set to an ExecCredential JSON holding
//   {apiVersion, kind: ExecCredential, spec: {interactive: false, cluster (provideClusterInfo)}}.
// It must print an ExecCredential of the same apiVersion whose status holds a bearer `token` or a
// PEM `clientCertificateData` + `clientKeyData` pair, and optionally an RFC 3339
// `expirationTimestamp`. devflow never has a terminal for a plugin to prompt on, so `interactive`
// is always false and `interactiveMode: Always` is rejected when the config is resolved.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"
#include "kube/kubeconfig.h"

namespace devflow::kube {

// The wall clock exec credentials expire by; tests inject a manual one. Implementations must be
// callable from any thread.
class CredentialClock {
 public:
  virtual ~CredentialClock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

// The system clock. Lives for the whole process.
const CredentialClock& SystemCredentialClock();

// spec.cluster of KUBERNETES_EXEC_INFO, given to a plugin whose provideClusterInfo is set.
struct ExecCluster {
  std::string server;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string certificate_authority_data;  // PEM bytes (from the file or the data field)
  std::string proxy_url;
  json::Value config;  // the cluster's client.authentication.k8s.io/exec extension, or null
  friend bool operator==(const ExecCluster&, const ExecCluster&) = default;
};

// What a plugin returned (ExecCredential.status).
struct ExecCredential {
  std::string token;                   // status.token
  std::string client_certificate_pem;  // status.clientCertificateData
  std::string client_key_pem;          // status.clientKeyData
  // status.expirationTimestamp; nullopt means the credential does not expire (it is kept until
  // Invalidate(), which a client calls after a 401).
  std::optional<std::chrono::system_clock::time_point> expiration;
  friend bool operator==(const ExecCredential&, const ExecCredential&) = default;
};

struct ExecOptions {
  // How long one run of the plugin may take; it is killed (with its process group) after that.
  std::chrono::milliseconds timeout{30000};
  // Expiry is judged by this clock; null means SystemCredentialClock(). Must outlive the plugin.
  const CredentialClock* clock = nullptr;
  // The environment the plugin inherits ("NAME=value" entries); nullopt means this process's.
  // PATH is taken from it to find a command given by bare name.
  std::optional<std::vector<std::string>> environment;
  // Who the plugin is for, in messages ("user \"eks\" in /home/me/.kube/config").
  std::string owner;
  friend bool operator==(const ExecOptions&, const ExecOptions&) = default;
};

// Returns the JSON put in KUBERNETES_EXEC_INFO for `config` (spec.cluster only when `cluster` is
// given and config.provide_cluster_info is set).
std::string ExecInfoJson(const ExecConfig& config, const ExecCluster* cluster);

// Parses a plugin's standard output.
// Returns InvalidArgument when it is not JSON, when apiVersion differs from `api_version`, when
// kind is not ExecCredential, when status is missing, when neither a token nor a certificate is
// returned, when only one of certificate and key is, or when expirationTimestamp is not RFC 3339.
Result<ExecCredential> ParseExecCredential(std::string_view output, std::string_view api_version);

// Runs the plugin once and parses its output; no caching.
// Errors (each names the command and `options.owner`; the plugin's stderr, trimmed, is appended
// when it wrote any, and installHint where the plugin may be missing or broken):
//   NotFound            the command does not exist or is not in PATH (with installHint);
//   PermissionDenied    it cannot be executed;
//   Unavailable         it exited non-zero or was killed by a signal (with installHint);
//   DeadlineExceeded    it ran longer than options.timeout (it is killed);
//   InvalidArgument     its output is not a valid ExecCredential (ParseExecCredential).
Result<ExecCredential> RunExecPlugin(const ExecConfig& config, const ExecCluster* cluster,
                                     const ExecOptions& options);

// A configured exec plugin with its credential cache: a cheap, copyable handle; copies share the
// cache, so every client built from one ClientConfig runs the plugin once per expiry. Thread-safe:
// concurrent callers wait for one run instead of starting several.
class ExecPlugin {
 public:
  ExecPlugin(ExecConfig config, std::optional<ExecCluster> cluster, ExecOptions options);

  // Returns the cached credential while it has not expired (clock Now() < expiration), else runs
  // the plugin (RunExecPlugin) and caches its answer. A failed run is not cached: the next call
  // runs the plugin again.
  Result<ExecCredential> Credential() const;
  // Drops the cached credential, so the next Credential() runs the plugin (after a 401).
  void Invalidate() const;

  const ExecConfig& config() const { return config_; }
  const std::optional<ExecCluster>& cluster() const { return cluster_; }
  const ExecOptions& options() const { return options_; }

  // Equal when configured alike (the caches are not compared).
  friend bool operator==(const ExecPlugin& a, const ExecPlugin& b) {
    return a.config_ == b.config_ && a.cluster_ == b.cluster_ && a.options_ == b.options_;
  }

 private:
  struct Cache;
  ExecConfig config_;
  std::optional<ExecCluster> cluster_;
  ExecOptions options_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace devflow::kube
